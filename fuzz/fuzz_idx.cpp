// libFuzzer harness for the IDX reader: any byte string must either decode or throw an
// xgrad::Error; a crash, a sanitizer report, another exception type or a broken invariant
// is a bug. Build and run with scripts/fuzz.sh idx <seconds>.
#include <xgrad/data/idx.hpp>
#include <xgrad/error.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "mem_file.hpp"

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
