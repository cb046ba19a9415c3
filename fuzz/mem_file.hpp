#pragma once
// Shared by the fuzz harnesses: the loaders under test read paths, so each input goes into an
// in-memory file reachable by path.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <sys/mman.h>
#include <unistd.h>

namespace {

// An in-memory file reachable by path (/proc/self/fd/N): no disk, no extra library API.
struct MemFile {
    int fd = -1;
    std::string path;
    MemFile() {
        fd = ::memfd_create("xgrad_fuzz", 0);
        if (fd < 0) {
            std::perror("memfd_create");
            std::abort();
        }
        path = "/proc/self/fd/" + std::to_string(fd);
    }
    void assign(const std::uint8_t* data, std::size_t size) {
        if (::ftruncate(fd, 0) != 0) std::abort();
        std::size_t done = 0;
        while (done < size) {
            const ssize_t n = ::pwrite(fd, data + done, size - done, static_cast<off_t>(done));
            if (n <= 0) std::abort();
            done += static_cast<std::size_t>(n);
        }
    }
};

}  // namespace
