// The matrix-product floor of one MNIST training step: times sgemm on exactly the products a
// step needs (no gradient for the images) and prints the per-epoch total, the "roofline"
// xgrad's epoch time is compared with. Two ways: one OpenBLAS call per product on OpenBLAS's
// own threads, and xgrad::matmul (blocks on xgrad's threads, small inner dimensions through
// its own loops); the floor is the faster.
//   sgemm_roofline [threads] [mlp|convnet]
// mlp: 784-512-10, batch 128 (ch. 2); convnet: the ch. 5 convnet, batch 64, im2col products.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>
#include <xtensor-blas/xblas.hpp>
#include <xgrad/xgrad.hpp>

namespace {

struct Product {
    const char* what;
    std::size_t m, k, n;
    bool ta, tb;
};

double seconds_of_step(const std::vector<Product>& products, int repeats, bool through_xgrad) {
    std::vector<double> times;
    std::vector<xgrad::Array> a, b, c;
    for (const auto& p : products) {
        a.push_back(xgrad::random_uniform(p.ta ? xgrad::Shape{p.k, p.m} : xgrad::Shape{p.m, p.k}, -1, 1));
        b.push_back(xgrad::random_uniform(p.tb ? xgrad::Shape{p.n, p.k} : xgrad::Shape{p.k, p.n}, -1, 1));
        c.push_back(xgrad::Array(xgrad::Array::shape_type{p.m, p.n}));
    }
    std::vector<xgrad::Tensor> ta, tb, tc(products.size());
    for (std::size_t i = 0; i < products.size(); ++i) {
        ta.push_back(xgrad::constant(a[i]));
        tb.push_back(xgrad::constant(b[i]));
    }
    xgrad::NoGradGuard no_grad;
    for (int r = 0; r < repeats; ++r) {
        auto t0 = std::chrono::steady_clock::now();
        for (std::size_t i = 0; i < products.size(); ++i) {
            if (through_xgrad) tc[i] = xgrad::matmul(ta[i], tb[i], {products[i].ta, products[i].tb});
            else xt::blas::gemm(a[i], b[i], c[i], products[i].ta, products[i].tb);
        }
        times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    int threads = argc > 1 ? std::atoi(argv[1]) : 0;
    if (threads > 0) xgrad::set_num_threads(threads);
    const bool convnet = argc > 2 && std::string(argv[2]) == "convnet";
    const std::size_t batch = convnet ? 64 : 128;
    // Forward: x·W1, h·W2. Backward: dW2 = hᵀ·g2, dh = g2·W2ᵀ, dW1 = xᵀ·g1 (no dx for images).
    std::vector<Product> step = {
        {"x·W1", batch, 784, 512, false, false}, {"h·W2", batch, 512, 10, false, false},
        {"hᵀ·g2", 512, batch, 10, true, false},  {"g2·W2ᵀ", batch, 10, 512, false, true},
        {"xᵀ·g1", 784, batch, 512, true, false},
    };
    if (convnet) {
        // Each conv: Y = cols·K (rows = batch·OH·OW, inner kh·kw·C), dK = colsᵀ·dY, dcols = dY·Kᵀ
        // (none for the first, whose input is the images); then the two Dense layers.
        const std::size_t r1 = batch * 26 * 26, r2 = batch * 11 * 11, r3 = batch * 3 * 3;
        step = {
            {"conv1 Y", r1, 9, 32, false, false},     {"conv1 dK", 9, r1, 32, true, false},
            {"conv2 Y", r2, 288, 64, false, false},   {"conv2 dK", 288, r2, 64, true, false},
            {"conv2 dcols", r2, 64, 288, false, true}, {"conv3 Y", r3, 576, 64, false, false},
            {"conv3 dK", 576, r3, 64, true, false},   {"conv3 dcols", r3, 64, 576, false, true},
            {"dense1", batch, 576, 64, false, false}, {"dense1 dW", 576, batch, 64, true, false},
            {"dense1 dx", batch, 64, 576, false, true}, {"dense2", batch, 64, 10, false, false},
            {"dense2 dW", 64, batch, 10, true, false}, {"dense2 dx", batch, 10, 64, false, true},
        };
    }
    double flops = 0;
    for (const auto& p : step) flops += 2.0 * double(p.m) * double(p.k) * double(p.n);
    seconds_of_step(step, 20, false);  // warm up the thread pools and caches
    seconds_of_step(step, 20, true);
    const double blas = seconds_of_step(step, 200, false), own = seconds_of_step(step, 200, true);
    const double s = std::min(blas, own);
    const int steps_per_epoch = convnet ? 938 : 469;
    std::printf("threads %d: one step's products: OpenBLAS's threads %.3f ms, xgrad::matmul %.3f ms\n", xgrad::num_threads(),
                blas * 1e3, own * 1e3);
    std::printf("threads %d: one step's products %.3f ms (%.1f MFLOP, %.1f GFLOP/s), x%d = %.3f s per epoch (%.2f TFLOP)\n",
                xgrad::num_threads(), s * 1e3, flops / 1e6, flops / s / 1e9, steps_per_epoch, s * steps_per_epoch,
                flops * steps_per_epoch / 1e12);
    std::printf("RESULT sgemm_epoch_seconds=%.4f gflops=%.2f\n", s * steps_per_epoch, flops / s / 1e9);
    return 0;
}
