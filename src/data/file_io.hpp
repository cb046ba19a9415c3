#pragma once
// Private helpers for src/data: whole-file reads, atomic writes, gzip. `who` prefixes messages.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "xgrad/io.hpp"

namespace xgrad::data {

/// Reads a whole file. @throws IoError "<who>: <path>: <reason>" (missing, directory, unreadable).
std::vector<std::uint8_t> read_file(const std::string& who, const std::string& path);

/// xgrad::write_file_atomic for bytes. @throws IoError.
inline void write_file_atomic(const std::string& who, const std::string& path, std::span<const std::uint8_t> bytes) {
    xgrad::write_file_atomic(path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), who);
}

/// Renames `from` over `to` (same file system). @throws IoError.
void rename_file(const std::string& who, const std::string& from, const std::string& to);

/// gzip-compresses `bytes` (one member, default level). @throws IoError naming `path`.
std::vector<std::uint8_t> gzip_bytes(std::span<const std::uint8_t> bytes, const std::string& who,
                                     const std::string& path);

}  // namespace xgrad::data
