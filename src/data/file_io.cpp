#include "file_io.hpp"

#include <xgrad/error.hpp>

#include <zlib.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace xgrad::data {
namespace {

[[noreturn]] void fail_errno(const std::string& who, const std::string& path, const std::string& what, int err) {
    throw IoError(who + ": " + path + ": " + what + ": " + std::strerror(err));
}

// Closes a descriptor on scope exit unless released.
struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

std::vector<std::uint8_t> read_file(const std::string& who, const std::string& path) {
    Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (f.fd < 0) {
        const int err = errno;
        fail_errno(who, path, err == ENOENT ? "not found" : "cannot open", err);
    }
    struct stat st{};
    if (::fstat(f.fd, &st) != 0) fail_errno(who, path, "cannot stat", errno);
    if (S_ISDIR(st.st_mode)) throw IoError(who + ": " + path + ": is a directory, expected a file");
    std::vector<std::uint8_t> out;
    if (S_ISREG(st.st_mode)) out.reserve(static_cast<std::size_t>(st.st_size));
    std::uint8_t chunk[1 << 16];
    for (;;) {
        // Read straight into the reserved buffer when we can; fall back to a chunk for pipes.
        const std::size_t room = out.capacity() - out.size();
        ssize_t n;
        if (room > 0) {
            const std::size_t before = out.size();
            out.resize(out.capacity());
            n = ::read(f.fd, out.data() + before, room);
            out.resize(before + (n > 0 ? static_cast<std::size_t>(n) : 0));
        } else {
            n = ::read(f.fd, chunk, sizeof chunk);
            if (n > 0) out.insert(out.end(), chunk, chunk + n);
        }
        if (n == 0) break;
        if (n < 0) {
            if (errno == EINTR) continue;
            fail_errno(who, path, "read error", errno);
        }
    }
    return out;
}

void rename_file(const std::string& who, const std::string& from, const std::string& to) {
    if (std::rename(from.c_str(), to.c_str()) != 0) fail_errno(who, to, "cannot rename " + from + " to it", errno);
}

void write_file_atomic(const std::string& who, const std::string& path, std::span<const std::uint8_t> bytes) {
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
    const std::uint8_t* p = bytes.data();
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

std::vector<std::uint8_t> gzip_bytes(std::span<const std::uint8_t> bytes, const std::string& who,
                                     const std::string& path) {
    if (bytes.size() > 0xffffffffu) throw IoError(who + ": " + path + ": too large to gzip in one piece");
    z_stream zs{};
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw IoError(who + ": " + path + ": zlib cannot start deflating");
    std::vector<std::uint8_t> out(deflateBound(&zs, static_cast<uLong>(bytes.size())));
    zs.next_in = const_cast<Bytef*>(bytes.data());
    zs.avail_in = static_cast<uInt>(bytes.size());
    zs.next_out = out.data();
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) throw IoError(who + ": " + path + ": gzip compression failed (zlib " + std::to_string(rc) + ")");
    return out;
}

}  // namespace xgrad::data
