// Resident memory over training steps of the MNIST-shaped network (784-512-10, batch 128),
// on synthetic data. Default: built from core ops only (forward, backward, SGD under
// NoGradGuard). --nn: the Keras-style path (Sequential, RMSprop, fused softmax-CE, fit()).
// Prints VmRSS and VmHWM (peak) from /proc/self/status every 100 steps; a flat curve after
// the first steps means each step frees everything it allocates.
//   memory_steps [--nn] [--steps N] [--every K] [--threads T]
#include <xgrad/nn.hpp>
#include <xgrad/xgrad.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace {

// A field of /proc/self/status in KiB ("VmRSS", "VmHWM"); -1 if absent.
long status_kib(const std::string& field) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(field + ":", 0) == 0) return std::strtol(line.c_str() + field.size() + 1, nullptr, 10);
    return -1;
}

void report(int step, double loss) {
    const double rss = status_kib("VmRSS") / 1024.0, hwm = status_kib("VmHWM") / 1024.0;
    if (step == 0) std::printf("%-5d %-9s %-10.1f %-10.1f\n", step, "-", rss, hwm);
    else std::printf("%-5d %-9.4f %-10.1f %-10.1f\n", step, loss, rss, hwm);
    std::fflush(stdout);
}

// The same steps through nn::Sequential::fit: 10 batches of synthetic data, steps/10 epochs.
void run_nn(int steps, int every) {
    using namespace xgrad;
    const std::size_t batch = 128, n = 10 * batch;
    Array x = random_uniform({n, 784});
    Array y = Array::from_shape({n, 10}) * 0.f;
    for (std::size_t r = 0; r < n; ++r) y(r, (r * 7) % 10) = 1.f;
    nn::Sequential network;
    network.add(nn::Dense(512, "relu", 784));
    network.add(nn::Dense(10, "softmax"));
    network.compile("rmsprop", "categorical_crossentropy", {"accuracy"});
    auto cb = std::make_shared<train::LambdaCallback>();
    int step = 0;
    cb->batch_end = [&](int, const train::Logs& logs) {
        ++step;
        if (step % every == 0 || step <= 3) report(step, logs.count("loss") ? logs.at("loss") : 0.0);
    };
    report(0, 0);
    network.fit(x, y, {.epochs = static_cast<std::size_t>((steps + 9) / 10), .batch_size = batch, .verbose = 0,
                       .callbacks = {cb}});
}

}  // namespace

int main(int argc, char** argv) {
    int steps = 1000, every = 100, threads = 0;
    bool use_nn = false;
    for (int i = 1; i < argc; i += 2) {
        if (!std::strcmp(argv[i], "--nn")) {
            use_nn = true;
            --i;
        } else if (i + 1 >= argc) {
            std::fprintf(stderr, "memory_steps: %s needs a value\n", argv[i]);
            return 2;
        } else if (!std::strcmp(argv[i], "--steps")) steps = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--every")) every = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[i + 1]);
        else {
            std::fprintf(stderr, "usage: memory_steps [--nn] [--steps N] [--every K] [--threads T]\n");
            return 2;
        }
    }
    if (threads > 0) xgrad::set_num_threads(threads);
    using namespace xgrad;
    manual_seed(7);
    std::printf("step  loss      VmRSS_MiB  VmHWM_MiB\n");
    if (use_nn) {
        run_nn(steps, every);
        return 0;
    }
    const std::size_t batch = 128, in = 784, hidden = 512, classes = 10, pool = 8;
    Tensor w1 = parameter(random_normal({in, hidden}, 0.f, 0.05f), "w1");
    Tensor b1 = parameter(Array::from_shape({hidden}) * 0.f, "b1");
    Tensor w2 = parameter(random_normal({hidden, classes}, 0.f, 0.05f), "w2");
    Tensor b2 = parameter(Array::from_shape({classes}) * 0.f, "b2");
    // A few fixed random batches, cycled: the data set itself should not be what grows.
    std::vector<Tensor> xs, ys;
    for (std::size_t k = 0; k < pool; ++k) {
        xs.push_back(constant(random_uniform({batch, in}), "x"));
        Array y = Array::from_shape({batch, classes}) * 0.f;
        for (std::size_t r = 0; r < batch; ++r) y(r, (r * 7 + k) % classes) = 1.f;
        ys.push_back(constant(y, "y"));
    }
    const float lr = 0.1f;
    report(0, 0);
    for (int step = 1; step <= steps; ++step) {
        const Tensor& x = xs[step % pool];
        const Tensor& y = ys[step % pool];
        const Tensor h = relu(matmul(x, w1) + b1);
        const Tensor loss = mean(-sum(y * log_softmax(matmul(h, w2) + b2), {1}));
        loss.backward();
        {
            NoGradGuard no_grad;
            for (Tensor* p : {&w1, &b1, &w2, &b2}) {
                p->data() -= lr * p->grad().value();
                p->zero_grad();
            }
        }
        if (step % every == 0 || step <= 3) report(step, loss.item());
    }
    return 0;
}
