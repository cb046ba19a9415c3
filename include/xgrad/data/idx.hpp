#pragma once
/// @file idx.hpp
/// Reader and writer for the IDX format of MNIST (http://yann.lecun.com/exdb/mnist/),
/// raw or gzip-compressed. Header: two zero bytes, a type code, the rank, then one
/// big-endian uint32 per dimension; the payload follows, row-major, big-endian elements.

#include <xgrad/xt.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace xgrad::data {

/// IDX element type codes.
enum class IdxType : std::uint8_t {
    u8 = 0x08,   ///< unsigned byte
    i8 = 0x09,   ///< signed byte
    i16 = 0x0B,  ///< big-endian int16
    i32 = 0x0C,  ///< big-endian int32
    f32 = 0x0D,  ///< big-endian float32
    f64 = 0x0E,  ///< big-endian float64
};

/// Size in bytes of one element of `type`; 0 for an unknown code.
std::size_t idx_element_size(std::uint8_t type_code);

/// The contents of one IDX file.
struct IdxArray {
    std::vector<std::size_t> dims;  ///< dimensions, outermost first (rank 1..4)
    std::uint8_t type_code = 0x08;  ///< one of IdxType
    std::vector<std::uint8_t> data;  ///< payload exactly as in the file (big-endian elements)

    /// Number of elements: the product of dims.
    std::size_t size() const;
};

/// Largest payload read_idx accepts (16 GiB): a header claiming more is treated as corrupt.
inline constexpr std::uint64_t max_idx_payload_bytes = std::uint64_t{1} << 34;

/// Reads an IDX file, raw or gzip (recognised by its 0x1f 0x8b magic, not by its name).
/// @throws xgrad::IoError naming `path` and the problem: missing or unreadable file, bad magic,
///         bad type code or rank, zero or oversized dimensions, truncated payload, trailing
///         bytes, corrupt gzip data.
IdxArray read_idx(const std::string& path);

/// The header bytes of an IDX file with these dims and type.
/// @throws xgrad::ValueError for a bad rank, type code or a dimension that does not fit 32 bits.
std::vector<std::uint8_t> idx_header(const std::vector<std::size_t>& dims, std::uint8_t type_code);

/// Writes an IDX file (gzip-compressed if `gzip`). Writes a temporary file in the same
/// directory and renames it over `path`, so readers never see a half-written file.
/// `bytes` is the payload as stored (big-endian for multi-byte types).
/// @throws xgrad::ValueError if the dims, type or payload size disagree;
///         xgrad::IoError if the file cannot be written.
void write_idx(const std::string& path, const std::vector<std::size_t>& dims,
               std::span<const std::uint8_t> bytes, bool gzip = false,
               std::uint8_t type_code = static_cast<std::uint8_t>(IdxType::u8));

/// Lower-case hex SHA-256 of the IDX file as it is uncompressed: the header rebuilt from `dims`
/// and `type_code`, then the payload. A raw file and its .gz give the same hash; the known
/// datasets' checks (mnist_files, fashion_mnist_files) use it. Computed by OpenSSL (libcrypto).
/// @throws xgrad::ValueError for a bad rank, type code or dimension (as idx_header).
std::string idx_sha256(const IdxArray& idx);

/// Decodes any IDX element type to float32, shape = dims.
Array to_array(const IdxArray& idx);

}  // namespace xgrad::data
