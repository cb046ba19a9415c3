// Where one training step of the ch. 5 convnet spends its time, op by op (batch 64): each op's
// forward and backward timed alone on the real shapes, medians of repeated runs, plus the
// whole step through nn::Sequential. The breakdown in docs/performance.md comes from here.
//   convnet_ops [threads] [repeats]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <ctime>
#include <vector>
#include <xgrad/nn.hpp>
#include <xgrad/xgrad.hpp>

#include "ch5_convnet.hpp"

using namespace xgrad;

namespace {

// Process CPU time: on a busy machine wall time mostly measures the other processes; with one
// thread, CPU time is what the op would take on a quiet core.
double cpu_ms() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

std::pair<double, double> median_ms(const std::function<void()>& f, int repeats) {
    f();  // warm up
    std::vector<double> wall, cpu;
    for (int r = 0; r < repeats; ++r) {
        auto t0 = std::chrono::steady_clock::now();
        const double c0 = cpu_ms();
        f();
        cpu.push_back(cpu_ms() - c0);
        wall.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(wall.begin(), wall.end());
    std::sort(cpu.begin(), cpu.end());
    return {wall[wall.size() / 2], cpu[cpu.size() / 2]};
}

struct Row {
    std::string what;
    std::pair<double, double> ms;
};

}  // namespace

int main(int argc, char** argv) {
    const int threads = argc > 1 ? std::atoi(argv[1]) : 0;
    const int repeats = argc > 2 ? std::atoi(argv[2]) : 30;
    if (threads > 0) set_num_threads(threads);
    const std::size_t n = 64;
    std::vector<Row> rows;
    auto add_row = [&](std::string what, const std::function<void()>& f) { rows.push_back({std::move(what), median_ms(f, repeats)}); };

    Tensor x1 = constant(random_uniform({n, 28, 28, 1})), k1 = parameter(random_uniform({3, 3, 1, 32}, -0.1f, 0.1f));
    Tensor x2 = parameter(random_uniform({n, 13, 13, 32})), k2 = parameter(random_uniform({3, 3, 32, 64}, -0.1f, 0.1f));
    Tensor x3 = parameter(random_uniform({n, 5, 5, 64})), k3 = parameter(random_uniform({3, 3, 64, 64}, -0.1f, 0.1f));
    Tensor g1 = constant(random_uniform({n, 26, 26, 32})), g2 = constant(random_uniform({n, 11, 11, 64}));
    Tensor g3 = constant(random_uniform({n, 3, 3, 64}));
    Tensor b1 = parameter(random_uniform({32}));
    {
        NoGradGuard no_grad;  // forward values only: no patches kept
        add_row("conv1 forward (im2col + sgemm)", [&] { conv2d(x1, k1); });
        add_row("conv2 forward", [&] { conv2d(x2, k2); });
        add_row("conv3 forward", [&] { conv2d(x3, k3); });
    }
    add_row("conv1 dK (im2col + sgemm)", [&] { conv2d_backward_kernel(x1, g1, {3, 3, 1, 32}); });
    add_row("conv2 dK", [&] { conv2d_backward_kernel(x2, g2, {3, 3, 32, 64}); });
    add_row("conv2 dx (sgemm + col2im)", [&] { conv2d_backward_input(g2, k2, {n, 13, 13, 32}); });
    add_row("conv3 dK", [&] { conv2d_backward_kernel(x3, g3, {3, 3, 64, 64}); });
    add_row("conv3 dx", [&] { conv2d_backward_input(g3, k3, {n, 5, 5, 64}); });
    add_row("im2col alone, conv2 (7744x288)", [&] { NoGradGuard g; conv2d(x2, constant(Array(Array::shape_type{3, 3, 32, 0}))); });
    add_row("bias add (64x26x26x32)", [&] { add(g1, b1); });
    add_row("bias grad sum_to (64x26x26x32 -> 32)", [&] { sum_to(g1, {32}); });
    add_row("relu (64x26x26x32)", [&] { relu(g1); });
    Tensor h1 = parameter(g1.value());
    Tensor p1 = max_pool2d(h1);
    Tensor gp1 = constant(random_uniform({n, 13, 13, 32}));
    add_row("max_pool2d forward (64x26x26x32)", [&] { NoGradGuard g; max_pool2d(h1); });
    add_row("max_pool2d backward", [&] {
        Tensor p = max_pool2d(h1);
        grad({p}, {h1}, {.grad_outputs = {gp1}});
    });

    nn::Sequential model = bench::ch5_convnet();
    Array y = xt::zeros<float>({n, std::size_t(10)});
    for (std::size_t i = 0; i < n; ++i) y(i, i % 10) = 1.f;
    Tensor yt = constant(y);
    add_row("whole step forward + backward (no optimizer)", [&] {
        Tensor logits = model.forward_without_activation(x1);
        Tensor loss = losses::softmax_cross_entropy(logits, yt);
        for (auto& p : model.parameters()) p.zero_grad();
        loss.backward();
    });

    std::printf("ch. 5 convnet ops, batch %zu, %d threads, median of %d runs\n", n, num_threads(), repeats);
    std::printf("  %-46s %10s %10s\n", "", "wall ms", "cpu ms");
    for (const auto& r : rows) std::printf("  %-46s %10.3f %10.3f\n", r.what.c_str(), r.ms.first, r.ms.second);
    return 0;
}
