#pragma once
/// @file weights_io.hpp
/// The xgrad weights file (little-endian):
///
///     magic    8 bytes  "XGRADWTS"
///     version  u32      1 (save_weights) or 2 (Model::save: a whole model)
///     version 2 only: model_len u64, model (UTF-8 JSON, model_len bytes): the architecture and
///              compile configuration (docs/models.md, "Saving and loading a whole model")
///     count    u64      number of tensors
///     count x: name_len u32, name (UTF-8, no terminator), rank u32, dims u64[rank],
///              data float32[prod(dims)]
///     crc32    u32      zlib CRC-32 of every byte before it
///
/// Model parameters are stored under their dotted names ("dense_1.kernel"); optimizer state
/// under "@optimizer:<name>/<param>/<slot>" and "@optimizer:<name>/iterations". save_weights
/// keeps writing version 1, which builds before whole-model files read; they refuse a version 2
/// file as written by a newer xgrad. This build reads both: load_weights takes the weights of a
/// whole-model file too.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "xgrad/xt.hpp"

namespace xgrad::train {

/// The version save_weights writes: weights only.
inline constexpr std::uint32_t kWeightsVersion = 1;
/// The version Model::save writes (a model description before the tensors), and the newest
/// this build reads: files with a larger version are refused.
inline constexpr std::uint32_t kModelVersion = 2;

/// (name, array) pairs in file order.
using NamedArrays = std::vector<std::pair<std::string, Array>>;

/// A file's content: its version, the model description (version 2; empty in version 1) and
/// the tensors.
struct WeightsFile {
    std::uint32_t version = kWeightsVersion;  ///< 1 or 2
    std::string model;                        ///< the model description (JSON text), version 2
    NamedArrays tensors;                      ///< in file order
};

/// Writes `tensors` in the format above (version 1) to `path` atomically (temporary file in
/// the same directory, flushed, then renamed). IoError on failure.
void write_weights_file(const std::string& path, const NamedArrays& tensors);
/// Writes a version 2 file: the model description `model` (JSON text), then `tensors`;
/// atomically. `who` starts error messages. IoError on failure.
void write_model_file(const std::string& path, const std::string& model, const NamedArrays& tensors,
                      const std::string& who = "save");
/// Reads a weights file of either version completely; the tensors only. IoError naming the
/// path when it is missing, not an xgrad weights file, of a newer version, truncated, or fails
/// its checksum.
NamedArrays read_weights_file(const std::string& path);
/// Reads a file of either version completely, with its version and model description. Errors
/// as read_weights_file's, starting with `who` ("load_model") and calling the file an xgrad
/// `kind` file ("model") when its magic is wrong.
WeightsFile read_xgrad_file(const std::string& path, const std::string& who = "load_weights",
                            const std::string& kind = "weights");
}  // namespace xgrad::train
