// libFuzzer harness for the IDX reader: any byte string must either decode or throw an
// xgrad::Error; a crash, a sanitizer report, another exception type or a broken invariant
// is a bug. Build and run with scripts/fuzz.sh idx <seconds>.
#include <xgrad/data/idx.hpp>
#include <xgrad/error.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <sys/mman.h>
#include <unistd.h>

namespace {

// read_idx takes a path: feed it an in-memory file (memfd) through /proc/self/fd, so the
// harness needs no disk and the library no extra entry point.
struct MemFile {
    int fd = -1;
    std::string path;
    MemFile() {
        fd = ::memfd_create("fuzz_idx", 0);
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

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static MemFile file;
    file.assign(data, size);
    try {
        const xgrad::data::IdxArray idx = xgrad::data::read_idx(file.path);
        // What read_idx promises on success: rank 1..4, non-zero dims, exact payload size.
        const std::size_t width = xgrad::data::idx_element_size(idx.type_code);
        if (width == 0 || idx.dims.empty() || idx.dims.size() > 4) std::abort();
        for (std::size_t d : idx.dims)
            if (d == 0) std::abort();
        if (idx.data.size() != idx.size() * width) std::abort();
        const xgrad::Array a = xgrad::data::to_array(idx);
        if (a.size() != idx.size()) std::abort();
    } catch (const xgrad::Error&) {
        // Rejected with a message: the expected outcome for bad input.
    }
    return 0;
}
