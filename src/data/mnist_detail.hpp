#pragma once
// Private helpers shared by the loaders of data in MNIST's layout (mnist.cpp, fashion_mnist.cpp,
// idx_folder.cpp) and the fetchers (fetch.cpp).

#include <xgrad/data/idx.hpp>
#include <xgrad/data/mnist.hpp>

#include <array>
#include <functional>
#include <string>
#include <string_view>

namespace xgrad::data::detail {

/// `dir`/`name` if it exists, else `dir`/`name`.gz if that exists, else "".
std::string find_mnist_file(const std::string& dir, std::string_view name);

/// SHA-256 of the file as it was before compression: header rebuilt from dims, then payload.
std::string idx_sha256(const IdxArray& idx);

/// True if the file is in `dir` (raw or .gz) and its uncompressed bytes have the expected hash.
bool present_and_valid(const std::string& dir, const MnistFile& file);

/// `dir`, or default_mnist_dir() if empty.
std::string resolve_mnist_dir(const std::string& dir);

/// ${XDG_CACHE_HOME:-$HOME/.cache}/xgrad/`name` (empty variables count as unset).
/// @throws IoError "<who>: no data directory: set <variables>, or pass a dir" when neither is set.
std::string cache_dir(const std::string& who, const std::string& name,
                      const std::string& variables = "XDG_CACHE_HOME or HOME");

/// `text` in single quotes for a POSIX shell, for commands printed in messages.
std::string shell_quote(const std::string& text);

/// The four IDX arrays of a folder in MNIST's layout, in mnist_files order, and their paths.
struct FourFiles {
    std::array<IdxArray, 4> arrays;
    std::array<std::string, 4> paths;
};

/// How a loader words its messages.
struct LoaderText {
    std::string who;    ///< message prefix: "mnist", "fashion_mnist", "data"
    std::string title;  ///< "MNIST", "Fashion-MNIST": what a hash mismatch says the file is not
    /// Appended when a file is missing: how to get it (gets the directory).
    std::function<std::string(const std::string&)> missing_help;
    /// Appended when a file is corrupt: how to replace it (gets the directory).
    std::function<std::string(const std::string&)> refetch_help;
};

/// Reads the four files of `files` from `dir` (each raw or .gz, raw preferred); with `expected`
/// non-null, checks each one's SHA-256 against it.
/// @throws IoError: a file missing, unreadable, corrupt, or (with `expected`) a hash mismatch.
FourFiles read_four(const std::string& dir, const LoaderText& text, const std::array<MnistFile, 4>* expected);

/// The train and test splits, after the checks of MNIST's layout: unsigned-byte images Nx28x28,
/// 1-D unsigned-byte labels, as many labels as images, labels below 10.
/// @throws IoError naming the file and what is wrong.
Mnist to_splits(const FourFiles& files, const std::string& dir, const std::string& who, const MnistOptions& options);

}  // namespace xgrad::data::detail
