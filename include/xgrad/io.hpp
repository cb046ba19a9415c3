#pragma once
/// @file io.hpp
/// File writing that never leaves a half-written file.

#include <string>
#include <string_view>

namespace xgrad {

/// Writes `bytes` to a fresh temporary next to `path` (never another writer's), syncs it to
/// disk and renames it over `path`, so `path` holds either its old or its new content even if
/// the process dies mid-write. On failure the temporary is removed and IoError
/// "<who>: <path>: <reason>" is thrown.
void write_file_atomic(const std::string& path, std::string_view bytes, const std::string& who = "write");

}  // namespace xgrad
