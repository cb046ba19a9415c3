// libFuzzer harness for the weights loader: any byte string given to read_weights_file or
// Sequential::load_weights must load or throw an xgrad::Error, and a failed load_weights must
// leave the model's parameters unchanged. Run with scripts/fuzz.sh weights <seconds>.
#include <xgrad/nn.hpp>
#include <xgrad/train/weights_io.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "mem_file.hpp"

namespace {

// The model the seeds were written from: 3 -> 4 (relu) -> 2 (softmax).
xgrad::nn::Sequential& model() {
    static xgrad::nn::Sequential* m = [] {
        auto* s = new xgrad::nn::Sequential();
        s->add(xgrad::nn::Dense(4, "relu", 3));
        s->add(xgrad::nn::Dense(2, "softmax"));
        return s;
    }();
    return *m;
}

std::vector<std::vector<float>> snapshot(const xgrad::nn::Sequential& m) {
    std::vector<std::vector<float>> out;
    for (const auto& p : m.parameters()) out.emplace_back(p.value().begin(), p.value().end());
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static MemFile file;
    file.assign(data, size);
    try {
        const xgrad::train::NamedArrays arrays = xgrad::train::read_weights_file(file.path);
        for (const auto& [name, a] : arrays)
            if (name.size() > 4096) std::abort();
    } catch (const xgrad::Error&) {
    }
    auto& m = model();
    const auto before = snapshot(m);
    try {
        m.load_weights(file.path);
    } catch (const xgrad::Error&) {
        if (snapshot(m) != before) std::abort();  // a failed load must change nothing
    }
    return 0;
}
