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
    Reader(const std::string& path, const std::string& bytes, std::size_t end) : path_(path), bytes_(bytes), end_(end) {}
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
            throw IoError("load_weights: '" + path_ + "' is truncated: " + what + " needs " + std::to_string(n) +
                          " bytes at offset " + std::to_string(pos_) + " but only " + std::to_string(end_ - pos_) + " remain");
        }
    }
    const std::string& path_;
    const std::string& bytes_;
    std::size_t end_;
    std::size_t pos_ = 0;
};

}  // namespace

void write_weights_file(const std::string& path, const NamedArrays& tensors) {
    std::string out(kMagic, sizeof kMagic);
    put<std::uint32_t>(out, kWeightsVersion);
    put<std::uint64_t>(out, tensors.size());
    for (auto& [name, a] : tensors) {
        put<std::uint32_t>(out, std::uint32_t(name.size()));
        out += name;
        put<std::uint32_t>(out, std::uint32_t(a.dimension()));
        for (auto d : a.shape()) put<std::uint64_t>(out, d);
        out.append(reinterpret_cast<const char*>(a.data()), a.size() * sizeof(float));
    }
    put<std::uint32_t>(out, crc(out.data(), out.size()));
    write_file_atomic(path, out, "save_weights");
}

NamedArrays read_weights_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw IoError("load_weights: cannot open '" + path + "': " + std::strerror(errno));
    std::ostringstream ss;
    ss << f.rdbuf();
    const std::string bytes = ss.str();
    if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
        throw IoError("load_weights: '" + path + "' is not an xgrad weights file (bad magic)");
    }
    if (bytes.size() < sizeof kMagic + 4 + 8 + 4) throw IoError("load_weights: '" + path + "' is truncated (header)");
    Reader r(path, bytes, bytes.size() - 4);  // the last 4 bytes are the checksum
    r.take(sizeof kMagic, "magic");
    const auto version = r.get<std::uint32_t>("version");
    if (version > kWeightsVersion || version == 0) {
        throw IoError("load_weights: '" + path + "' has format version " + std::to_string(version) +
                      "; this build reads version " + std::to_string(kWeightsVersion) +
                      (version > kWeightsVersion ? " (the file was written by a newer xgrad)" : ""));
    }
    const auto count = r.get<std::uint64_t>("tensor count");
    NamedArrays out;
    for (std::uint64_t i = 0; i < count; ++i) {
        const std::string which = "tensor " + std::to_string(i);
        const auto name_len = r.get<std::uint32_t>((which + " name length").c_str());
        if (name_len > kMaxName) throw IoError("load_weights: '" + path + "' is corrupt: " + which + " name length " + std::to_string(name_len));
        std::string name(r.take(name_len, which + " name"), name_len);
        const auto rank = r.get<std::uint32_t>(("'" + name + "' rank").c_str());
        if (rank > kMaxRank) throw IoError("load_weights: '" + path + "' is corrupt: '" + name + "' has rank " + std::to_string(rank));
        Array::shape_type shape(rank);
        // Bound the product of the dims with zeros counted as 1, not just the element count:
        // xtensor computes strides from the other dims, and {0, 2^48, 2^48} overflows them.
        const std::size_t limit = std::size_t(1) << 40;
        std::size_t n = 1, extent = 1;
        for (auto& d : shape) {
            d = std::size_t(r.get<std::uint64_t>(("'" + name + "' dims").c_str()));
            if (d > limit || (d != 0 && extent > limit / d))
                throw IoError("load_weights: '" + path + "' is corrupt: '" + name + "' is too large");
            extent *= std::max<std::size_t>(d, 1);
            n *= d;
        }
        // Take the bytes before allocating: a corrupt header cannot make us allocate more than
        // the file holds. An empty tensor has no buffer (data() is null): memcpy must not see it.
        const char* src = r.take(n * sizeof(float), "'" + name + "' data");
        Array a(shape);
        if (n > 0) std::memcpy(a.data(), src, n * sizeof(float));
        out.emplace_back(std::move(name), std::move(a));
    }
    if (r.pos() != bytes.size() - 4) {
        throw IoError("load_weights: '" + path + "' has " + std::to_string(bytes.size() - 4 - r.pos()) +
                      " unexpected bytes after the last tensor");
    }
    std::uint32_t stored;
    std::memcpy(&stored, bytes.data() + bytes.size() - 4, 4);
    if (stored != crc(bytes.data(), bytes.size() - 4)) {
        throw IoError("load_weights: '" + path + "' fails its CRC-32 checksum (the file is corrupt)");
    }
    return out;
}

}  // namespace xgrad::train
