#pragma once
// Helpers of the hardening tests: temporary directories, raw file bytes, gzip, message checks.

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <zlib.h>

namespace xgrad::test::hardening {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

/// A fresh directory, removed with everything in it at the end of the scope.
struct TempDir {
    fs::path path;
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "xgrad-hardening-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string operator/(const std::string& name) const { return (path / name).string(); }
};

inline void write_bytes(const std::string& path, const Bytes& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + path);
}

/// One gzip member of `in` (zlib, default level).
inline Bytes gzip(const Bytes& in) {
    z_stream zs{};
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("deflateInit2 failed");
    Bytes out(deflateBound(&zs, static_cast<uLong>(in.size())));
    zs.next_in = const_cast<Bytef*>(in.data());
    zs.avail_in = static_cast<uInt>(in.size());
    zs.next_out = out.data();
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) throw std::runtime_error("deflate failed");
    return out;
}

/// Predicate for BOOST_CHECK_EXCEPTION: what() contains every part; prints what() if not.
struct Says {
    std::vector<std::string> parts;
    Says(std::initializer_list<std::string> p) : parts(p) {}
    bool operator()(const std::exception& e) const {
        const std::string what = e.what();
        for (const std::string& part : parts)
            if (what.find(part) == std::string::npos) {
                std::cerr << "message lacks \"" << part << "\":\n  " << what << '\n';
                return false;
            }
        return true;
    }
};

}  // namespace xgrad::test::hardening
