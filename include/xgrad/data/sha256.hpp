#pragma once
/// @file sha256.hpp
/// A small SHA-256 (FIPS 180-4), used to verify downloaded data files.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace xgrad::data {

/// Incremental SHA-256: update() any number of times, then finish() once.
class Sha256 {
public:
    /// A 32-byte digest.
    using Digest = std::array<std::uint8_t, 32>;

    /// Starts a fresh hash.
    Sha256();

    /// Feeds more bytes.
    void update(std::span<const std::uint8_t> bytes);

    /// Feeds the bytes of a string.
    void update(std::string_view text);

    /// Pads, returns the digest and resets to a fresh hash.
    Digest finish();

private:
    void compress_(const std::uint8_t* block);

    std::array<std::uint32_t, 8> state_;
    std::array<std::uint8_t, 64> buffer_;
    std::size_t buffered_ = 0;
    std::uint64_t total_bytes_ = 0;
};

/// Lower-case hex of a digest (64 characters).
std::string to_hex(const Sha256::Digest& digest);

/// Hex SHA-256 of a byte range.
std::string sha256_hex(std::span<const std::uint8_t> bytes);

/// Hex SHA-256 of a string's bytes.
std::string sha256_hex(std::string_view text);

/// Hex SHA-256 of a file's bytes as stored (no decompression).
/// @throws xgrad::IoError if the file cannot be read.
std::string sha256_file(const std::string& path);

}  // namespace xgrad::data
