#pragma once
// Private: small POSIX file helpers shared by the core's and the data layer's file code.

#include <cstring>
#include <string>
#include <unistd.h>

#include "xgrad/error.hpp"

namespace xgrad::detail {

/// Throws IoError "<who>: <path>: <what>: <strerror(err)>".
[[noreturn]] inline void fail_errno(const std::string& who, const std::string& path, const std::string& what,
                                    int err) {
    throw IoError(who + ": " + path + ": " + what + ": " + std::strerror(err));
}

/// Closes a descriptor on scope exit unless released (fd set to -1).
struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace xgrad::detail
