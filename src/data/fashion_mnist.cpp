// Fashion-MNIST: the cache, the copy from Debian's dataset-fashion-mnist, the loader.
#include <xgrad/data/fashion_mnist.hpp>

#include "file_io.hpp"
#include "mnist_detail.hpp"

#include <xgrad/error.hpp>

#include <filesystem>
#include <vector>

namespace xgrad::data {
namespace fs = std::filesystem;
namespace {

std::string install_advice(const std::string& dir) {
    return "Fashion-MNIST comes from Debian's dataset-fashion-mnist package: install it (scripts/setup.sh "
           "fashion_mnist, or sudo apt-get install dataset-fashion-mnist), then call "
           "xgrad::data::load_fashion_mnist(\"\", {.download = true}) or fetch_fashion_mnist(" +
           detail::shell_quote(dir) + "), which copy it into " + dir +
           ". Or put the four files (raw or .gz) into " + dir + " by hand.";
}

const detail::LoaderText fashion_text{
    "fashion_mnist", "Fashion-MNIST", [](const std::string& dir) { return install_advice(dir); },
    [](const std::string& dir) {
        return "To copy it again, call xgrad::data::fetch_fashion_mnist(" + detail::shell_quote(dir) +
               "): it replaces only missing or corrupt files.";
    }};

}  // namespace

std::string default_fashion_mnist_dir() { return detail::cache_dir("fashion_mnist", "fashion_mnist"); }

void fetch_fashion_mnist(const std::string& dir_arg, const std::string& source_arg) {
    const std::string dir = dir_arg.empty() ? default_fashion_mnist_dir() : dir_arg;
    const std::string source = source_arg.empty() ? std::string(fashion_mnist_debian_dir) : source_arg;
    struct Copy {
        const MnistFile* file;
        std::string from;
        std::vector<std::uint8_t> bytes;
    };
    std::vector<Copy> copies;
    for (const MnistFile& f : fashion_mnist_files)
        if (!detail::present_and_valid(dir, f)) copies.push_back({&f, {}, {}});
    if (copies.empty()) return;

    // Read and check every file before writing any: a bad source leaves the cache as it was.
    for (Copy& c : copies) {
        c.from = detail::find_mnist_file(source, c.file->name);
        if (c.from.empty())
            throw IoError("fetch_fashion_mnist: " + (fs::path(source) / c.file->name).string() +
                          " not found (nor with .gz).\n" + install_advice(dir));
        const std::string got = detail::idx_sha256(read_idx(c.from));
        if (got != c.file->sha256)
            throw IoError("fetch_fashion_mnist: " + c.from + " has SHA-256 " + got + ", expected " +
                          std::string(c.file->sha256) + ": not the Fashion-MNIST this xgrad knows.\n" +
                          install_advice(dir));
        c.bytes = read_file("fetch_fashion_mnist", c.from);
    }
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw IoError("fetch_fashion_mnist: cannot create " + dir + ": " + ec.message());
    for (const Copy& c : copies) {
        // A corrupt copy in the other form (raw or .gz) would shadow or outlive the new one.
        const fs::path raw = fs::path(dir) / c.file->name;
        fs::remove(raw, ec);
        fs::remove(fs::path(raw) += ".gz", ec);
        write_file_atomic("fetch_fashion_mnist", (fs::path(dir) / fs::path(c.from).filename()).string(), c.bytes);
    }
}

Mnist load_fashion_mnist(const std::string& dir_arg, const MnistOptions& options) {
    const std::string dir = dir_arg.empty() ? default_fashion_mnist_dir() : dir_arg;
    if (options.download) {
        bool missing = false;
        for (const MnistFile& f : fashion_mnist_files) missing = missing || detail::find_mnist_file(dir, f.name).empty();
        if (missing) fetch_fashion_mnist(dir);
    } else if (std::error_code ec; !fs::is_directory(dir, ec)) {
        throw IoError("fashion_mnist: directory " + dir + " does not exist.\n" + install_advice(dir));
    }
    const auto files = detail::read_four(dir, fashion_text, options.verify ? &fashion_mnist_files : nullptr);
    return detail::to_splits(files, dir, "fashion_mnist", options);
}

}  // namespace xgrad::data
