#include "file_io.hpp"

#include <xgrad/error.hpp>

#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "posix_file.hpp"

namespace xgrad::data {

using detail::Fd;
using detail::fail_errno;

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
