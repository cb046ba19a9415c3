#pragma once
/// @file train_flags.hpp
/// The flags every MNIST training example shares (mnist, mnist_convnet): data, epochs, batch
/// size, seed, threads, subset, save, load, graph, bench.

#include <CLI/CLI.hpp>

#include <string>

#include "common/cli.hpp"
#include "common/data_flags.hpp"

namespace xgrad::examples {

/// The values of the training flags.
struct TrainFlags {
    DataFlags data;         ///< --dataset / --data
    int epochs = 5;         ///< --epochs
    int batch_size = 128;   ///< --batch-size (the caller sets its listing's default first)
    long seed = 0;          ///< --seed
    int threads = 0;        ///< --threads (0: adaptive; N: exactly N, fit does not switch to one)
    long subset = 0;        ///< --subset (0: all)
    std::string save;       ///< --save FILE (FILE.xgrad: the whole model)
    std::string load;       ///< --load FILE
    std::string graph;      ///< --graph FILE
    bool bench = false;     ///< --bench
};

/// Adds the training flags to `app`; `bench_script` names the script that reads --bench's line.
inline void add_train_flags(CLI::App& app, TrainFlags& a, const std::string& bench_script) {
    add_data_flags(app, a.data);
    app.add_option("--epochs", a.epochs, "passes over the training set")->check(positive)->type_name("N")->capture_default_str();
    app.add_option("--batch-size", a.batch_size, "images per step")->check(positive)->type_name("N")->capture_default_str();
    app.add_option("--seed", a.seed, "seed of the weights' initialisation and the shuffles")
        ->check(non_negative)->type_name("N")->capture_default_str();
    app.add_option("--threads", a.threads, "threads for the matrix products, fixed for the run (default: all cores, or one for an epoch when that is faster)")->check(positive)->type_name("N");
    app.add_option("--subset", a.subset, "train on the first N images only (quick runs)")->check(positive)->type_name("N");
    app.add_option("--save", a.save,
                   "write the trained weights and optimizer state to FILE; a FILE ending in .xgrad holds the whole "
                   "model (its architecture too: xgrad::train::load_model reads it)")
        ->type_name("FILE");
    app.add_option("--load", a.load,
                   "start from a file --save wrote (weights or a whole .xgrad model): its weights and optimizer "
                   "state, so training continues where that run stopped")
        ->check(CLI::ExistingFile)->type_name("FILE");
    app.add_option("--graph", a.graph, "write the network's diagram (collapsed layers) to FILE: .svg, .png, .pdf or .dot")
        ->check(extension_in({".svg", ".png", ".pdf", ".dot"}))->type_name("FILE");
    app.add_flag("--bench", a.bench, "print a machine-readable RESULT line (" + bench_script + ")");
}

}  // namespace xgrad::examples

#include <iostream>
#include <sys/resource.h>
#include <xgrad/nn/sequential.hpp>
#include <xgrad/ops/shape.hpp>
#include <xgrad/threads.hpp>
#include <xgrad/viz.hpp>

namespace xgrad::examples {

/// --load: the weights and optimizer state of a file --save wrote, into `model` (built and
/// compiled as the listing says). A whole-model .xgrad file holds them too; load_weights checks
/// that its parameters' names and shapes are the listing's.
inline void load_start(const TrainFlags& a, nn::Model& model) {
    if (a.load.empty()) return;
    model.load_weights(a.load);
    std::cout << "loaded " << a.load << ": the weights and optimizer state after " << model.optimizer().iterations()
              << " steps\n";
}

/// After training: --save writes the weights (the whole model for a .xgrad file: Keras'
/// model.save), --graph the network's diagram on the first two
/// test images (each layer one box, as plot_model), --bench the RESULT line
/// (`RESULT epoch_seconds_median=... test_acc=... peak_rss_mb=... epochs=... threads=...`).
inline void write_outputs(const TrainFlags& a, nn::Sequential& model, const Array& test_images, const std::string& title,
                          double epoch_seconds_median, double test_acc) {
    if (!a.save.empty()) {
        if (a.save.ends_with(".xgrad")) {
            model.save(a.save);
        } else {
            model.save_weights(a.save);
        }
    }
    if (!a.graph.empty()) {
        Tensor two = slice_rows(constant(test_images), 0, 2);
        two.set_label("images");
        viz::render(viz::model_dot(model.forward(two), {.title = title}), a.graph);
        std::cout << "diagram: " << a.graph << '\n';
    }
    if (a.bench) {
        rusage usage{};
        getrusage(RUSAGE_SELF, &usage);
        std::cout << "RESULT epoch_seconds_median=" << epoch_seconds_median << " test_acc=" << test_acc
                  << " peak_rss_mb=" << usage.ru_maxrss / 1024.0 << " epochs=" << a.epochs
                  << " threads=" << num_threads() << '\n';
    }
}

}  // namespace xgrad::examples
