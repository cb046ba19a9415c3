// Atomic file writes: temporary (O_EXCL), fsync, rename; and the early check that they can succeed.
#include "xgrad/io.hpp"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <unistd.h>

#include "posix_file.hpp"

#include "xgrad/error.hpp"

namespace xgrad {

using detail::Fd;
using detail::fail_errno;

void write_file_atomic(const std::string& path, std::string_view bytes, const std::string& who) {
    static std::atomic<unsigned> counter{0};
    std::string tmp;
    Fd f;
    for (int attempt = 0; f.fd < 0; ++attempt) {
        tmp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
        // O_EXCL: never clobber another writer's temporary; mode 0666 lets the umask decide.
        f.fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (f.fd < 0 && (errno != EEXIST || attempt > 100)) fail_errno(who, path, "cannot create " + tmp, errno);
    }
    auto abandon = [&](const std::string& what, int err) {
        ::close(f.fd);
        f.fd = -1;
        ::unlink(tmp.c_str());
        fail_errno(who, path, what, err);
    };
    const char* p = bytes.data();
    std::size_t left = bytes.size();
    while (left > 0) {
        const ssize_t n = ::write(f.fd, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            abandon("write error", errno);
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    if (::fsync(f.fd) != 0) abandon("fsync failed", errno);
    const int fd = f.fd;
    f.fd = -1;
    if (::close(fd) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        fail_errno(who, path, "close failed", err);
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        fail_errno(who, path, "cannot rename " + tmp + " to it", err);
    }
}

void check_writable(const std::string& path, const std::string& who) {
    namespace fs = std::filesystem;
    const fs::path p(path);
    std::error_code ec;
    if (fs::is_directory(p, ec)) throw IoError(who + ": '" + path + "' is a directory, not a file name");
    const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
    if (!fs::is_directory(dir, ec)) {
        throw IoError(who + ": cannot write '" + path + "': directory '" + dir.string() + "' does not exist");
    }
    if (::access(dir.c_str(), W_OK) != 0) {
        throw IoError(who + ": cannot write '" + path + "': directory '" + dir.string() + "' is not writable");
    }
}

}  // namespace xgrad
