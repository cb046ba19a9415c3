#pragma once
// Private helpers shared by mnist.cpp and fetch.cpp.

#include <xgrad/data/idx.hpp>

#include <string>
#include <string_view>

namespace xgrad::data::detail {

/// `dir`/`name` if it exists, else `dir`/`name`.gz if that exists, else "".
std::string find_mnist_file(const std::string& dir, std::string_view name);

/// SHA-256 of the file as it was before compression: header rebuilt from dims, then payload.
std::string idx_sha256(const IdxArray& idx);

/// `dir`, or default_mnist_dir() if empty.
std::string resolve_mnist_dir(const std::string& dir);

/// `text` in single quotes for a POSIX shell, for commands printed in messages.
std::string shell_quote(const std::string& text);

}  // namespace xgrad::data::detail
