#pragma once
/// @file idx_folder.hpp
/// Any folder of IDX files in MNIST's layout (your own digits, Fashion-MNIST, a relabelled
/// MNIST): the four files train-images-idx3-ubyte, train-labels-idx1-ubyte,
/// t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each raw or .gz.

#include <xgrad/data/mnist.hpp>

#include <string>

namespace xgrad::data {

/// What load_idx_folder() read.
struct IdxFolder {
    Mnist splits;         ///< train and test, shaped as MnistOptions asks
    std::string dataset;  ///< "mnist" or "fashion_mnist" when all four files are that dataset's
                          ///< (by SHA-256), "" when the folder is not a known dataset
    std::string dir;      ///< the folder

    /// One line for the user when the folder is not a known dataset, "" when it is:
    /// "note: <dir> is not a known dataset (not MNIST or Fashion-MNIST): training on it as it is".
    std::string note() const;
};

/// Reads the four files in `dir` and checks MNIST's layout (unsigned-byte images Nx28x28, as many
/// unsigned-byte labels as images, labels 0..9), and tells by their SHA-256 whether they are a
/// known dataset. Unlike load_mnist(), other content is fine. `options.download` and
/// `options.verify` are ignored: nothing is fetched, and no hash is required to match.
/// @throws xgrad::IoError naming the file and the problem: `dir` or a file missing, a corrupt
///         file, wrong dimensions or type, label and image counts that differ, a label above 9.
IdxFolder load_idx_folder(const std::string& dir, const MnistOptions& options = {});

}  // namespace xgrad::data
