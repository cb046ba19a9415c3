#pragma once
/// @file io.hpp
/// File writing that never leaves a half-written file, and the early check that a file can be
/// written at all (before hours of work whose result it would hold).

#include <string>
#include <string_view>

namespace xgrad {

/// Writes `bytes` to a fresh temporary next to `path` (never another writer's), syncs it to
/// disk and renames it over `path`, so `path` holds either its old or its new content even if
/// the process dies mid-write. On failure the temporary is removed and IoError
/// "<who>: <path>: <reason>" is thrown.
void write_file_atomic(const std::string& path, std::string_view bytes, const std::string& who = "write");

/// Checks that write_file_atomic(path, ...) can succeed as far as can be known now: `path` is
/// not a directory and its directory exists and is writable (the temporary is created there and
/// renamed, so the directory's permission is what counts, not the file's). IoError
/// "<who>: cannot write '<path>': directory '<dir>' does not exist" (or "is not writable"), or
/// "<who>: '<path>' is a directory, not a file name". Used by callbacks that write files
/// (HtmlReport, ModelCheckpoint, CSVLogger) so a bad path fails before training starts.
void check_writable(const std::string& path, const std::string& who);

}  // namespace xgrad
