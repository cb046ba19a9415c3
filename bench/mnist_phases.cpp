// Where one MNIST training step goes: the ch. 2 network (Dense 512 relu -> Dense 10, fused
// softmax cross-entropy, RMSprop, batch 128) on synthetic data, timed phase by phase
// (zero_grad + forward + loss, backward, optimizer step) over many steps. Prints the median of
// each phase in microseconds. Complements bench/ab_mnist.sh, which only sees whole epochs.
//   mnist_phases [--steps N] [--threads T]
#include <xgrad/losses.hpp>
#include <xgrad/nn.hpp>
#include <xgrad/xgrad.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    int steps = 400, threads = 0;
    for (int i = 1; i < argc; i += 2) {
        if (i + 1 >= argc) {
            std::fprintf(stderr, "mnist_phases: %s needs a value\n", argv[i]);
            return 2;
        }
        if (!std::strcmp(argv[i], "--steps")) steps = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[i + 1]);
        else {
            std::fprintf(stderr, "usage: mnist_phases [--steps N] [--threads T]\n");
            return 2;
        }
    }
    using namespace xgrad;
    if (threads > 0) set_num_threads(threads);
    manual_seed(7);
    const std::size_t batch = 128, pool = 8;
    nn::Sequential network;
    network.add(nn::Dense(512, "relu", 784));
    network.add(nn::Dense(10, "softmax"));
    optim::RMSprop rmsprop;
    rmsprop.attach(network.named_parameters());

    std::vector<Tensor> xs, ys;
    for (std::size_t k = 0; k < pool; ++k) {
        xs.push_back(constant(random_uniform({batch, 784}), "x"));
        Array y = Array::from_shape({batch, 10}) * 0.f;
        for (std::size_t r = 0; r < batch; ++r) y(r, (r * 7 + k) % 10) = 1.f;
        ys.push_back(constant(y, "y"));
    }

    using clock = std::chrono::steady_clock;
    auto us = [](clock::time_point a, clock::time_point b) {
        return std::chrono::duration<double, std::micro>(b - a).count();
    };
    std::vector<double> fwd, bwd, opt, total;
    for (int step = 0; step < steps; ++step) {
        const auto t0 = clock::now();
        rmsprop.zero_grad();
        const Tensor loss = losses::softmax_cross_entropy(network.forward_without_activation(xs[step % pool]), ys[step % pool]);
        const auto t1 = clock::now();
        loss.backward();
        const auto t2 = clock::now();
        rmsprop.step();
        const auto t3 = clock::now();
        if (step < 10) continue;  // warm-up: first steps allocate and fault pages
        fwd.push_back(us(t0, t1));
        bwd.push_back(us(t1, t2));
        opt.push_back(us(t2, t3));
        total.push_back(us(t0, t3));
    }
    std::printf("threads %d, %d steps, median us: forward+loss %.0f  backward %.0f  optimizer %.0f  step %.0f\n",
                num_threads(), steps, median(fwd), median(bwd), median(opt), median(total));
    return 0;
}
