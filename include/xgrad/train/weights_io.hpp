#pragma once
/// @file weights_io.hpp
/// The xgrad weights file (little-endian):
///
///     magic    8 bytes  "XGRADWTS"
///     version  u32      1
///     count    u64      number of tensors
///     count x: name_len u32, name (UTF-8, no terminator), rank u32, dims u64[rank],
///              data float32[prod(dims)]
///     crc32    u32      zlib CRC-32 of every byte before it
///
/// Model parameters are stored under their dotted names ("dense_1.kernel"); optimizer state
/// under "@optimizer:<name>/<param>/<slot>" and "@optimizer:<name>/iterations".

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "xgrad/xt.hpp"

namespace xgrad::train {

/// The file format version this build writes; files with a larger version are refused.
inline constexpr std::uint32_t kWeightsVersion = 1;

/// (name, array) pairs in file order.
using NamedArrays = std::vector<std::pair<std::string, Array>>;

/// Writes `tensors` in the format above to `path` atomically (temporary file in the same
/// directory, flushed, then renamed). IoError on failure.
void write_weights_file(const std::string& path, const NamedArrays& tensors);
/// Reads a weights file completely. IoError naming the path when it is missing, not an
/// xgrad weights file, of a newer version, truncated, or fails its checksum.
NamedArrays read_weights_file(const std::string& path);
}  // namespace xgrad::train
