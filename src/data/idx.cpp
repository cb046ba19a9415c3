#include <xgrad/data/idx.hpp>

#include "file_io.hpp"
#include <xgrad/error.hpp>

#include <openssl/evp.h>
#include <zlib.h>

#include <algorithm>
#include <bit>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>

namespace xgrad::data {
namespace {

struct Header {
    std::vector<std::size_t> dims;
    std::uint8_t type_code = 0;
    std::size_t header_bytes = 0;
    std::size_t payload_bytes = 0;
};

std::string hex_byte(std::uint8_t b) {
    static constexpr char digits[] = "0123456789ABCDEF";
    return std::string("0x") + digits[b >> 4] + digits[b & 0xf];
}

std::string dims_text(const std::vector<std::size_t>& dims) {
    std::string out;
    for (std::size_t i = 0; i < dims.size(); ++i) {
        if (i > 0) out += 'x';
        out += std::to_string(dims[i]);
    }
    return out;
}

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
    throw IoError("idx: " + path + ": " + problem);
}

// Parses and validates the header from the first `n` decoded bytes. Returns nothing when more
// bytes are needed (only possible while `n` may still grow); throws once it sees a bad field,
// so a gzip stream with a bad header fails before it is inflated in full.
std::optional<Header> parse_header(const std::uint8_t* p, std::size_t n, bool complete,
                                   const std::string& path) {
    if (n < 4) {
        if (!complete) return std::nullopt;
        fail(path, "too short for an IDX header: " + std::to_string(n) + " bytes, need at least 4");
    }
    Header h;
    h.type_code = p[2];
    const std::size_t rank = p[3];
    if (p[0] != 0 || p[1] != 0)
        fail(path, "bad magic " + hex_byte(p[0]) + hex_byte(p[1]).substr(2) + hex_byte(p[2]).substr(2) +
                       hex_byte(p[3]).substr(2) +
                       ": an IDX file starts with two zero bytes, a type code and the rank");
    if (idx_element_size(h.type_code) == 0)
        fail(path, "bad type code " + hex_byte(h.type_code) +
                       " in magic (valid: 0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64)");
    if (rank < 1 || rank > 4) fail(path, "bad rank " + std::to_string(rank) + " in magic (valid: 1..4)");
    h.header_bytes = 4 + 4 * rank;
    if (n < h.header_bytes) {
        if (!complete) return std::nullopt;
        fail(path, "truncated header: rank " + std::to_string(rank) + " needs " +
                       std::to_string(h.header_bytes) + " bytes, file has " + std::to_string(n));
    }
    std::uint64_t total = idx_element_size(h.type_code);
    for (std::size_t i = 0; i < rank; ++i) {
        const std::uint8_t* q = p + 4 + 4 * i;
        const std::uint32_t d = (std::uint32_t{q[0]} << 24) | (std::uint32_t{q[1]} << 16) |
                                (std::uint32_t{q[2]} << 8) | std::uint32_t{q[3]};
        h.dims.push_back(d);
    }
    for (std::size_t i = 0; i < rank; ++i) {
        if (h.dims[i] == 0)
            fail(path, "dimension " + std::to_string(i) + " is zero (" + dims_text(h.dims) + ")");
        // Both factors are below 2^34 here, so the product cannot overflow 64 bits.
        total *= h.dims[i];
        if (total > max_idx_payload_bytes)
            fail(path, "dimensions " + dims_text(h.dims) + " claim more than " +
                           std::to_string(max_idx_payload_bytes) + " bytes: corrupt header?");
    }
    h.payload_bytes = static_cast<std::size_t>(total);
    return h;
}

std::string size_claim(const Header& h) {
    return "header says " + std::to_string(h.payload_bytes) + " bytes (" + dims_text(h.dims) + ")";
}

void check_payload(const Header& h, std::size_t decoded, const char* what, const std::string& path) {
    const std::size_t have = decoded - h.header_bytes;
    if (have < h.payload_bytes)
        fail(path, "truncated payload: " + size_claim(h) + ", " + what + " " + std::to_string(have));
    if (have > h.payload_bytes)
        fail(path, "trailing garbage: " + size_claim(h) + ", " + what + " " + std::to_string(have) + " (" +
                       std::to_string(have - h.payload_bytes) + " extra)");
}

// Inflates a gzip file (possibly several concatenated members, as gzip allows), stopping as
// soon as the output outgrows what the IDX header announces: a bad header or a gzip bomb
// cannot make us allocate more than the header's (capped) size.
std::vector<std::uint8_t> gunzip_idx(const std::vector<std::uint8_t>& in, const std::string& path) {
    z_stream zs{};
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) fail(path, "zlib cannot start inflating");
    struct Guard {
        z_stream* zs;
        ~Guard() { inflateEnd(zs); }
    } guard{&zs};

    std::vector<std::uint8_t> out;
    std::optional<Header> header;
    std::size_t consumed = 0;
    std::size_t limit = std::numeric_limits<std::size_t>::max();
    for (;;) {
        const std::size_t chunk = std::min<std::size_t>(in.size() - consumed, std::size_t{1} << 30);
        zs.next_in = const_cast<Bytef*>(in.data() + consumed);
        zs.avail_in = static_cast<uInt>(chunk);
        if (out.size() == out.capacity()) {
            const std::size_t want = header ? std::min(limit + 1, std::max<std::size_t>(out.size() * 2, 1 << 16))
                                            : out.size() + (1 << 16);
            out.reserve(std::max(want, out.size() + 1));
        }
        const std::size_t before = out.size();
        out.resize(out.capacity());
        zs.next_out = out.data() + before;
        zs.avail_out = static_cast<uInt>(std::min<std::size_t>(out.size() - before, std::size_t{1} << 30));
        const std::size_t room = zs.avail_out;
        const int rc = inflate(&zs, Z_NO_FLUSH);
        consumed += chunk - zs.avail_in;
        out.resize(before + (room - zs.avail_out));
        if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT)
            fail(path, std::string("corrupt gzip data (zlib: ") + (zs.msg ? zs.msg : "data error") + ")");
        if (rc == Z_MEM_ERROR) fail(path, "out of memory while inflating");
        if (!header) header = parse_header(out.data(), out.size(), false, path);
        if (header) {
            limit = header->header_bytes + header->payload_bytes;
            if (out.size() > limit) check_payload(*header, out.size(), "decompressed data has at least", path);
        }
        if (rc == Z_STREAM_END) {
            if (consumed == in.size()) break;
            if (in.size() - consumed >= 2 && in[consumed] == 0x1f && in[consumed + 1] == 0x8b) {
                inflateReset(&zs);
                continue;
            }
            fail(path, std::to_string(in.size() - consumed) + " bytes of trailing garbage after the gzip stream");
        }
        if (rc == Z_BUF_ERROR && consumed == in.size() && zs.avail_out > 0)
            fail(path, "truncated gzip stream (ends before its end marker)");
        if (rc != Z_OK && rc != Z_BUF_ERROR) fail(path, "zlib error " + std::to_string(rc));
    }
    return out;
}

}  // namespace

std::size_t idx_element_size(std::uint8_t type_code) {
    switch (static_cast<IdxType>(type_code)) {
        case IdxType::u8:
        case IdxType::i8: return 1;
        case IdxType::i16: return 2;
        case IdxType::i32:
        case IdxType::f32: return 4;
        case IdxType::f64: return 8;
    }
    return 0;
}

std::size_t IdxArray::size() const {
    std::size_t n = 1;
    for (std::size_t d : dims) n *= d;
    return n;
}

IdxArray read_idx(const std::string& path) {
    std::vector<std::uint8_t> bytes = read_file("idx", path);
    const bool gz = bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
    if (gz) bytes = gunzip_idx(bytes, path);
    const Header h = *parse_header(bytes.data(), bytes.size(), true, path);
    check_payload(h, bytes.size(), gz ? "decompressed data has" : "file has", path);

    IdxArray out;
    out.dims = h.dims;
    out.type_code = h.type_code;
    // Shift the payload down in place rather than copy it: MNIST's images are 47 MB.
    bytes.erase(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(h.header_bytes));
    out.data = std::move(bytes);
    return out;
}

std::vector<std::uint8_t> idx_header(const std::vector<std::size_t>& dims, std::uint8_t type_code) {
    if (idx_element_size(type_code) == 0)
        throw ValueError("idx_header: bad type code " + hex_byte(type_code));
    if (dims.empty() || dims.size() > 4)
        throw ValueError("idx_header: rank " + std::to_string(dims.size()) + " out of range 1..4");
    std::vector<std::uint8_t> h = {0, 0, type_code, static_cast<std::uint8_t>(dims.size())};
    for (std::size_t d : dims) {
        if (d > std::numeric_limits<std::uint32_t>::max())
            throw ValueError("idx_header: dimension " + std::to_string(d) + " does not fit in 32 bits");
        for (int shift = 24; shift >= 0; shift -= 8) h.push_back(static_cast<std::uint8_t>(d >> shift));
    }
    return h;
}

void write_idx(const std::string& path, const std::vector<std::size_t>& dims, std::span<const std::uint8_t> bytes,
               bool gzip, std::uint8_t type_code) {
    std::vector<std::uint8_t> file = idx_header(dims, type_code);
    std::uint64_t expected = idx_element_size(type_code);
    for (std::size_t d : dims) {
        if (d == 0) throw ValueError("write_idx: " + path + ": zero dimension in " + dims_text(dims));
        expected *= d;
        if (expected > max_idx_payload_bytes) throw ValueError("write_idx: " + path + ": dimensions too large");
    }
    if (bytes.size() != expected)
        throw ValueError("write_idx: " + path + ": dims " + dims_text(dims) + " need " + std::to_string(expected) +
                         " payload bytes, got " + std::to_string(bytes.size()));
    file.insert(file.end(), bytes.begin(), bytes.end());
    if (gzip) file = gzip_bytes(file, "write_idx", path);
    write_file_atomic("write_idx", path, file);
}

std::string idx_sha256(const IdxArray& idx) {
    const std::vector<std::uint8_t> header = idx_header(idx.dims, idx.type_code);
    const std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
        EVP_DigestUpdate(ctx.get(), header.data(), header.size()) != 1 ||
        EVP_DigestUpdate(ctx.get(), idx.data.data(), idx.data.size()) != 1 ||
        EVP_DigestFinal_ex(ctx.get(), digest, &length) != 1)
        throw Error("idx_sha256: OpenSSL's SHA-256 failed");
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex;
    for (unsigned int i = 0; i < length; ++i) hex += {digits[digest[i] >> 4], digits[digest[i] & 0xf]};
    return hex;
}

Array to_array(const IdxArray& idx) {
    const std::size_t n = idx.size();
    const std::size_t width = idx_element_size(idx.type_code);
    if (width == 0) throw ValueError("to_array: bad IDX type code " + hex_byte(idx.type_code));
    if (idx.data.size() != n * width)
        throw ShapeError("to_array: payload has " + std::to_string(idx.data.size()) + " bytes, dims " +
                         dims_text(idx.dims) + " need " + std::to_string(n * width));
    Array out = Array::from_shape(idx.dims);
    float* dst = out.data();
    const std::uint8_t* p = idx.data.data();
    auto be = [p, width](std::size_t i) {
        std::uint64_t v = 0;
        for (std::size_t k = 0; k < width; ++k) v = (v << 8) | p[i * width + k];
        return v;
    };
    for (std::size_t i = 0; i < n; ++i) {
        switch (static_cast<IdxType>(idx.type_code)) {
            case IdxType::u8: dst[i] = p[i]; break;
            case IdxType::i8: dst[i] = static_cast<std::int8_t>(p[i]); break;
            case IdxType::i16: dst[i] = static_cast<std::int16_t>(be(i)); break;
            case IdxType::i32: dst[i] = static_cast<float>(static_cast<std::int32_t>(be(i))); break;
            case IdxType::f32: dst[i] = std::bit_cast<float>(static_cast<std::uint32_t>(be(i))); break;
            case IdxType::f64: dst[i] = static_cast<float>(std::bit_cast<double>(be(i))); break;
        }
    }
    return out;
}

}  // namespace xgrad::data
