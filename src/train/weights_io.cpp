// The weights file: explicit little-endian layout, zlib CRC-32, atomic replace.
#include "xgrad/train/weights_io.hpp"

#include "xgrad/io.hpp"

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "xgrad/error.hpp"

namespace xgrad::train {

static_assert(std::endian::native == std::endian::little, "the weights format is little-endian");

namespace {

constexpr char kMagic[8] = {'X', 'G', 'R', 'A', 'D', 'W', 'T', 'S'};
constexpr std::uint32_t kMaxName = 4096;
constexpr std::uint32_t kMaxRank = 16;

template <class T>
void put(std::string& out, T v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

std::uint32_t crc(const char* p, std::size_t n) {
    uLong c = crc32(0L, Z_NULL, 0);
    // zlib takes uInt lengths: feed large buffers in chunks.
    while (n > 0) {
        const uInt chunk = uInt(std::min<std::size_t>(n, 1u << 30));
        c = crc32(c, reinterpret_cast<const Bytef*>(p), chunk);
        p += chunk;
        n -= chunk;
    }
    return std::uint32_t(c);
}

// Bounds-checked reader over the file's bytes.
class Reader {
public:
    Reader(const std::string& who, const std::string& path, const std::string& bytes, std::size_t end)
        : who_(who), path_(path), bytes_(bytes), end_(end) {}
    template <class T>
    T get(const char* what) {
        need(sizeof(T), what);
        T v;
        std::memcpy(&v, bytes_.data() + pos_, sizeof v);
        pos_ += sizeof v;
        return v;
    }
    const char* take(std::size_t n, const std::string& what) {
        need(n, what);
        const char* p = bytes_.data() + pos_;
        pos_ += n;
        return p;
    }
    std::size_t pos() const { return pos_; }

private:
    void need(std::size_t n, const std::string& what) {
        if (n > end_ - pos_) {
            throw IoError(who_ + ": '" + path_ + "' is truncated: " + what + " needs " + std::to_string(n) +
                          " bytes at offset " + std::to_string(pos_) + " but only " + std::to_string(end_ - pos_) + " remain");
        }
    }
    const std::string& who_;
    const std::string& path_;
    const std::string& bytes_;
    std::size_t end_;
    std::size_t pos_ = 0;
};

}  // namespace

namespace {

std::string encode(std::uint32_t version, const std::string* model, const NamedArrays& tensors) {
    std::string out(kMagic, sizeof kMagic);
    put<std::uint32_t>(out, version);
    if (model) {
        put<std::uint64_t>(out, model->size());
        out += *model;
    }
    put<std::uint64_t>(out, tensors.size());
    for (auto& [name, a] : tensors) {
        put<std::uint32_t>(out, std::uint32_t(name.size()));
        out += name;
        put<std::uint32_t>(out, std::uint32_t(a.dimension()));
        for (auto d : a.shape()) put<std::uint64_t>(out, d);
        out.append(reinterpret_cast<const char*>(a.data()), a.size() * sizeof(float));
    }
    put<std::uint32_t>(out, crc(out.data(), out.size()));
    return out;
}

}  // namespace

void write_weights_file(const std::string& path, const NamedArrays& tensors) {
    write_file_atomic(path, encode(kWeightsVersion, nullptr, tensors), "save_weights");
}

void write_model_file(const std::string& path, const std::string& model, const NamedArrays& tensors,
                      const std::string& who) {
    write_file_atomic(path, encode(kModelVersion, &model, tensors), who);
}

NamedArrays read_weights_file(const std::string& path) { return read_xgrad_file(path).tensors; }

WeightsFile read_xgrad_file(const std::string& path, const std::string& who, const std::string& kind) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw IoError(who + ": cannot open '" + path + "': " + std::strerror(errno));
    std::ostringstream ss;
    ss << f.rdbuf();
    const std::string bytes = ss.str();
    if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
        throw IoError(who + ": '" + path + "' is not an xgrad " + kind + " file (bad magic)");
    }
    if (bytes.size() < sizeof kMagic + 4 + 8 + 4) throw IoError(who + ": '" + path + "' is truncated (header)");
    Reader r(who, path, bytes, bytes.size() - 4);  // the last 4 bytes are the checksum
    r.take(sizeof kMagic, "magic");
    WeightsFile out;
    out.version = r.get<std::uint32_t>("version");
    if (out.version > kModelVersion || out.version == 0) {
        throw IoError(who + ": '" + path + "' has format version " + std::to_string(out.version) +
                      "; this build reads versions 1 (weights) and 2 (whole models)" +
                      (out.version > kModelVersion ? " (the file was written by a newer xgrad)" : ""));
    }
    if (out.version >= kModelVersion) {
        const auto n = r.get<std::uint64_t>("model description length");
        out.model.assign(r.take(std::size_t(n), "model description"), std::size_t(n));
    }
    const auto count = r.get<std::uint64_t>("tensor count");
    for (std::uint64_t i = 0; i < count; ++i) {
        const std::string which = "tensor " + std::to_string(i);
        const auto name_len = r.get<std::uint32_t>((which + " name length").c_str());
        if (name_len > kMaxName) throw IoError(who + ": '" + path + "' is corrupt: " + which + " name length " + std::to_string(name_len));
        std::string name(r.take(name_len, which + " name"), name_len);
        const auto rank = r.get<std::uint32_t>(("'" + name + "' rank").c_str());
        if (rank > kMaxRank) throw IoError(who + ": '" + path + "' is corrupt: '" + name + "' has rank " + std::to_string(rank));
        Array::shape_type shape(rank);
        // Bound the product of the dims with zeros counted as 1, not just the element count:
        // xtensor computes strides from the other dims, and {0, 2^48, 2^48} overflows them.
        const std::size_t limit = std::size_t(1) << 40;
        std::size_t n = 1, extent = 1;
        for (auto& d : shape) {
            d = std::size_t(r.get<std::uint64_t>(("'" + name + "' dims").c_str()));
            if (d > limit || (d != 0 && extent > limit / d))
                throw IoError(who + ": '" + path + "' is corrupt: '" + name + "' is too large");
            extent *= std::max<std::size_t>(d, 1);
            n *= d;
        }
        // Take the bytes before allocating: a corrupt header cannot make us allocate more than
        // the file holds. An empty tensor has no buffer (data() is null): memcpy must not see it.
        const char* src = r.take(n * sizeof(float), "'" + name + "' data");
        Array a(shape);
        if (n > 0) std::memcpy(a.data(), src, n * sizeof(float));
        out.tensors.emplace_back(std::move(name), std::move(a));
    }
    if (r.pos() != bytes.size() - 4) {
        throw IoError(who + ": '" + path + "' has " + std::to_string(bytes.size() - 4 - r.pos()) +
                      " unexpected bytes after the last tensor");
    }
    std::uint32_t stored;
    std::memcpy(&stored, bytes.data() + bytes.size() - 4, 4);
    if (stored != crc(bytes.data(), bytes.size() - 4)) {
        throw IoError(who + ": '" + path + "' fails its CRC-32 checksum (the file is corrupt)");
    }
    return out;
}

}  // namespace xgrad::train
