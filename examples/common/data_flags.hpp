#pragma once
/// @file data_flags.hpp
/// The examples' data flags, as keras.datasets names them:
///   --dataset mnist|fashion_mnist   a known dataset, fetched into ~/.cache/xgrad on first use
///   --data DIR                      any IDX folder in MNIST's layout (a note if it is not a
///                                   known dataset)

#include <CLI/CLI.hpp>

#include <xgrad/data/fashion_mnist.hpp>
#include <xgrad/data/idx_folder.hpp>
#include <xgrad/data/mnist.hpp>

#include <iostream>
#include <string>

namespace xgrad::examples {

/// The values of the data flags.
struct DataFlags {
    std::string dataset = "mnist";  ///< --dataset
    std::string dir;                ///< --data (empty: the dataset's cache)
};

/// Adds --dataset and --data (mutually exclusive) to `app`.
inline void add_data_flags(CLI::App& app, DataFlags& flags) {
    auto* dataset = app.add_option("--dataset", flags.dataset,
                                   "mnist or fashion_mnist, fetched into ~/.cache/xgrad on first use")
                        ->check(CLI::IsMember({"mnist", "fashion_mnist"}))
                        ->type_name("NAME")
                        ->capture_default_str();
    app.add_option("--data", flags.dir,
                   "read any IDX folder in MNIST's layout instead (train-images-idx3-ubyte, ..., raw or .gz)")
        ->type_name("DIR")
        ->excludes(dataset);
}

/// Loads what the flags name, shaped as `layout` asks (its flatten and scale). A --data folder
/// that is not a known dataset trains with a one-line note on stderr.
/// @throws xgrad::IoError with what to do when the data is missing, corrupt or not in MNIST's layout.
inline data::Mnist load_data(const DataFlags& flags, data::MnistOptions layout = {}) {
    if (!flags.dir.empty()) {
        data::IdxFolder folder = data::load_idx_folder(flags.dir, layout);
        if (const std::string note = folder.note(); !note.empty()) std::cerr << note << '\n';
        return std::move(folder.splits);
    }
    layout.download = true;
    return flags.dataset == "fashion_mnist" ? data::load_fashion_mnist("", layout) : data::load_mnist("", layout);
}

}  // namespace xgrad::examples
