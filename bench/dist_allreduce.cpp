// Time of one allreduce of the MNIST MLP's gradient (407,050 floats = 1.63 MB) between the
// ranks of the job, as the trainer does it (one bucket, and split into buckets of 256 KB):
//   mpirun -np 2 build/bench/dist_allreduce [reps]
// Prints the median per call in ms and the bus bandwidth 2(N-1)/N x bytes / time (NCCL's
// definition: what each link carries in a ring allreduce).
#include <xgrad/dist/dist.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {
double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}
}  // namespace

int main(int argc, char** argv) {
    namespace xd = xgrad::dist;
    xd::init();
    const int reps = argc > 1 ? std::atoi(argv[1]) : 200;
    const std::size_t n = 784 * 512 + 512 + 512 * 10 + 10;
    std::vector<float> grad(n, 1.f);
    for (std::size_t bucket : {n, std::size_t(65536)}) {
        std::vector<double> ms;
        for (int r = 0; r < reps + 5; ++r) {
            xd::barrier();
            const auto t0 = std::chrono::steady_clock::now();
            for (std::size_t off = 0; off < n; off += bucket) {
                xd::allreduce(std::span<float>(grad.data() + off, std::min(bucket, n - off)));
            }
            const double dt = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
            if (r >= 5) ms.push_back(dt);  // the first calls set up shared-memory segments
        }
        const double m = median(ms);
        const int p = xd::size();
        const double bus = 2.0 * (p - 1) / p * double(n * sizeof(float)) / (m * 1e-3) / 1e9;
        if (xd::is_chief()) {
            std::printf("RESULT ranks=%d floats=%zu bucket_floats=%zu allreduce_ms_median=%.3f bus_GBps=%.2f\n", p, n, bucket, m, bus);
        }
    }
    return 0;
}
