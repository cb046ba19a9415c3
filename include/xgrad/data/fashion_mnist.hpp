#pragma once
/// @file fashion_mnist.hpp
/// Fashion-MNIST (Zalando): 28x28 grey images of 10 kinds of clothing, in MNIST's exact layout,
/// as keras.datasets.fashion_mnist. Copied on first use from Debian's `dataset-fashion-mnist`
/// package into the cache ~/.cache/xgrad/fashion_mnist.

#include <xgrad/data/mnist.hpp>

#include <array>
#include <string>
#include <string_view>

namespace xgrad::data {

/// The four files (the same names as MNIST's) and the SHA-256 of their uncompressed bytes,
/// in the order train images, train labels, test images, test labels.
inline constexpr std::array<MnistFile, 4> fashion_mnist_files = {{
    {"train-images-idx3-ubyte", "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"},
    {"train-labels-idx1-ubyte", "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"},
    {"t10k-images-idx3-ubyte", "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"},
    {"t10k-labels-idx1-ubyte", "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"},
}};

/// Where Debian's `dataset-fashion-mnist` package puts the (gzipped) files.
inline constexpr std::string_view fashion_mnist_debian_dir = "/usr/share/datasets/fashion-mnist";

/// The class names of labels 0..9.
inline constexpr std::array<std::string_view, 10> fashion_mnist_classes = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};

/// The default Fashion-MNIST directory: ${XDG_CACHE_HOME:-$HOME/.cache}/xgrad/fashion_mnist.
/// @throws xgrad::IoError if neither XDG_CACHE_HOME nor HOME is set.
std::string default_fashion_mnist_dir();

/// Loads Fashion-MNIST from `dir` (default_fashion_mnist_dir() if empty), as load_mnist() does
/// MNIST: the same options, shapes, checks and messages. With `{.download = true}` missing files
/// are copied first with fetch_fashion_mnist().
/// @throws xgrad::IoError if a file is missing (the message says how to get it), corrupt
///         (SHA-256 mismatch, with `verify`), or not in MNIST's layout.
Mnist load_fashion_mnist(const std::string& dir = "", const MnistOptions& options = {});

/// Copies Fashion-MNIST into `dir` (default_fashion_mnist_dir() if empty) from `source`
/// (fashion_mnist_debian_dir if empty), checking every file's SHA-256 before any is written;
/// the files keep their form (.gz stays .gz). Does nothing if all four are present and verified;
/// replaces those that are missing or corrupt.
/// @throws xgrad::IoError if a file is not in `source` (the message says which package to install),
///         does not match its hash, or cannot be written.
void fetch_fashion_mnist(const std::string& dir = "", const std::string& source = "");

}  // namespace xgrad::data
