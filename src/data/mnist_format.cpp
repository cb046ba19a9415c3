// What every loader of data in MNIST's layout shares: finding, reading, hashing and checking
// the four IDX files.
#include "mnist_detail.hpp"

#include <xgrad/data/sha256.hpp>
#include <xgrad/error.hpp>

#include <cstdlib>
#include <filesystem>

namespace xgrad::data::detail {
namespace fs = std::filesystem;

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

bool present_and_valid(const std::string& dir, const MnistFile& file) {
    const std::string path = find_mnist_file(dir, file.name);
    if (path.empty()) return false;
    try {
        return idx_sha256(read_idx(path)) == file.sha256;
    } catch (const IoError&) {
        return false;
    }
}

std::string cache_dir(const std::string& who, const std::string& name, const std::string& variables) {
    const char* cache = std::getenv("XDG_CACHE_HOME");
    if (cache && *cache) return std::string(cache) + "/xgrad/" + name;
    const char* home = std::getenv("HOME");
    if (!home || !*home)
        throw IoError(who + ": no data directory: set " + variables + ", or pass a dir");
    return std::string(home) + "/.cache/xgrad/" + name;
}

std::string shell_quote(const std::string& text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

FourFiles read_four(const std::string& dir, const LoaderText& text, const std::array<MnistFile, 4>* expected) {
    FourFiles out;
    for (std::size_t i = 0; i < 4; ++i) {
        const std::string_view name = mnist_files[i].name;  // the same four names in every such set
        std::string path = find_mnist_file(dir, name);
        if (path.empty())
            throw IoError(text.who + ": " + (fs::path(dir) / name).string() + " not found (nor with .gz).\n" +
                          text.missing_help(dir));
        try {
            out.arrays[i] = read_idx(path);
        } catch (const IoError& e) {
            throw IoError(std::string(e.what()) + "\n" + text.refetch_help(dir));
        }
        if (expected) {
            const MnistFile& want = (*expected)[i];
            const std::string got = idx_sha256(out.arrays[i]);
            if (got != want.sha256)
                throw IoError(text.who + ": " + path + ": SHA-256 mismatch: got " + got + ", expected " +
                              std::string(want.sha256) + " (the file is corrupt or not the original " + text.title +
                              ").\n" + text.refetch_help(dir) +
                              " For other data in MNIST's format call xgrad::data::load_idx_folder(dir) (the "
                              "examples' --data DIR).");
        }
        out.paths[i] = std::move(path);
    }
    return out;
}

namespace {

Dataset to_dataset(const IdxArray& images, const IdxArray& labels, const std::string& where,
                   std::string_view image_name, std::string_view label_name, const MnistOptions& options) {
    const std::string images_file(image_name), labels_file(label_name);
    if (images.type_code != 0x08 || images.dims.size() != 3 || images.dims[1] != 28 || images.dims[2] != 28) {
        std::string got = "type code " + std::to_string(images.type_code) + ", shape ";
        for (std::size_t i = 0; i < images.dims.size(); ++i) got += (i ? "x" : "") + std::to_string(images.dims[i]);
        throw IoError(where + images_file + " must hold unsigned-byte images of shape Nx28x28 (got " + got + ")");
    }
    if (labels.type_code != 0x08 || labels.dims.size() != 1)
        throw IoError(where + labels_file + " must hold a 1-D array of unsigned-byte labels (got rank " +
                      std::to_string(labels.dims.size()) + ", type code " + std::to_string(labels.type_code) + ")");
    const std::size_t n = images.dims[0];
    if (labels.dims[0] != n)
        throw IoError(where + labels_file + " has " + std::to_string(labels.dims[0]) + " labels but " + images_file +
                      " has " + std::to_string(n) + " images");
    for (std::size_t i = 0; i < n; ++i)
        if (labels.data[i] >= 10)
            throw IoError(where + labels_file + ": label " + std::to_string(labels.data[i]) + " at index " +
                          std::to_string(i) + " is out of range 0..9");

    Dataset out;
    out.images = options.flatten ? Array::from_shape({n, std::size_t{784}})
                                 : Array::from_shape({n, std::size_t{28}, std::size_t{28}});
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

Mnist to_splits(const FourFiles& files, const std::string& dir, const std::string& who, const MnistOptions& options) {
    const std::string where = who + ": " + dir + ": ";
    Mnist out;
    out.train = to_dataset(files.arrays[0], files.arrays[1], where, mnist_files[0].name, mnist_files[1].name, options);
    out.test = to_dataset(files.arrays[2], files.arrays[3], where, mnist_files[2].name, mnist_files[3].name, options);
    return out;
}

}  // namespace xgrad::data::detail
