// bench/ops: xgrad's elementwise chains, reductions and the bias-add/relu/softmax pattern,
// forward + backward, alternating with their LibTorch twins in one run (one thread, then two).
//   build/bench/ops [--threads 1,2] [--rounds 7] [--sizes 4,4096,65536,1000000] [--patterns chain,...]
// Prints per-op (chain) or per-pattern medians in microseconds, the ratio xgrad/LibTorch and
// the goal (<= 0.3 at 4 elements, <= 1.0 from 4096), with the load average at start and end.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "cases.hpp"

using namespace ops_bench;
using Clock = std::chrono::steady_clock;

namespace {

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream in(s);
    for (std::string part; std::getline(in, part, ',');) out.push_back(part);
    return out;
}

std::string load() {
    std::ifstream f("/proc/loadavg");
    std::string a, b, c;
    f >> a >> b >> c;
    return a + " " + b + " " + c;
}

// Seconds per iteration over a batch of k iterations.
double time_batch(const Iteration& it, int k) {
    const auto t0 = Clock::now();
    for (int i = 0; i < k; ++i) it();
    return std::chrono::duration<double>(Clock::now() - t0).count() / k;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

Case make_case(const std::string& pattern, std::size_t n) {
    Case c{pattern, 1, n, 1};
    if (pattern == "chain") {
        c.ops = 9;
    } else {
        // A square-ish matrix: 4 -> 2x2, 4096 -> 64x64, 65536 -> 256x256, 1e6 -> 1000x1000.
        std::size_t r = 1;
        while ((r + 1) * (r + 1) <= n) ++r;
        c.rows = r;
        c.cols = n / r;
    }
    return c;
}

}  // namespace

int main(int argc, char** argv) {
    // LibTorch's OpenMP pool reads its wait policy when the library loads: a spinning pool next
    // to OpenBLAS's is unfairly slow, so set it and start again.
    if (!std::getenv("OMP_WAIT_POLICY")) {
        setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
        execv("/proc/self/exe", argv);
    }
    std::vector<int> threads{1, 2};
    int rounds = 7;
    std::vector<std::size_t> sizes{4, 4096, 65536, 1000000};
    std::vector<std::string> pats = patterns();
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const bool has_value = i + 1 < argc;
        if (a == "--threads" && has_value) {
            threads.clear();
            for (auto& t : split(argv[++i])) threads.push_back(std::stoi(t));
        } else if (a == "--rounds" && has_value) {
            rounds = std::stoi(argv[++i]);
        } else if (a == "--sizes" && has_value) {
            sizes.clear();
            for (auto& s : split(argv[++i])) sizes.push_back(std::stoul(s));
        } else if (a == "--patterns" && has_value) {
            pats = split(argv[++i]);
        } else {
            std::fprintf(stderr,
                         "usage: %s [--threads 1,2] [--rounds 7] [--sizes 4,4096,65536,1000000] [--patterns %s]\n",
                         argv[0], "chain,sum_rows,sum_cols,bias_relu_softmax");
            return 2;
        }
    }
    const bool torch = has_torch();
    std::printf("bench/ops: forward+backward, median of %d alternating rounds; us per op (chain: 3x tanh, *0.9, +x)\n"
                "or per pattern; load at start %s\n", rounds, load().c_str());
    if (!torch) std::printf("LibTorch not found at build time: xgrad column only\n");
    std::printf("%-8s %-18s %9s %11s %11s %7s %5s %s\n", "threads", "pattern", "elements", "xgrad_us", "torch_us",
                "ratio", "goal", "");
    int missed = 0;
    for (int t : threads) {
        xgrad_threads(t);
        if (torch) torch_threads(t);
        for (const auto& p : pats) {
            for (std::size_t n : sizes) {
                const Case c = make_case(p, n);
                Iteration xi = xgrad_iteration(c);
                Iteration ti = torch ? torch_iteration(c) : Iteration();
                // Warm up, then size batches to about 20 ms so the clock is not the measurement.
                const double est = std::max(time_batch(xi, 3), torch ? time_batch(ti, 3) : 0.0);
                const int k = std::clamp(static_cast<int>(0.02 / std::max(est, 1e-9)), 1, 20000);
                std::vector<double> xs, ts;
                for (int r = 0; r < rounds; ++r) {
                    // Alternate who goes first so a change in load favours neither.
                    if (r % 2 == 0 || !torch) xs.push_back(time_batch(xi, k));
                    if (torch) ts.push_back(time_batch(ti, k));
                    if (r % 2 == 1 && torch) xs.push_back(time_batch(xi, k));
                }
                const double x_us = median(xs) * 1e6 / c.ops;
                const double goal = n < 4096 ? 0.3 : 1.0;
                if (torch) {
                    const double t_us = median(ts) * 1e6 / c.ops;
                    const double ratio = x_us / t_us;
                    const bool ok = ratio <= goal;
                    missed += !ok;
                    std::printf("%-8d %-18s %9zu %11.3f %11.3f %7.2f %5.1f %s\n", t, p.c_str(), n, x_us, t_us, ratio, goal,
                                ok ? "ok" : (ratio <= 1.1 ? "over goal" : "OVER 1.1"));
                } else {
                    std::printf("%-8d %-18s %9zu %11.3f %11s %7s %5.1f\n", t, p.c_str(), n, x_us, "-", "-", goal);
                }
                std::fflush(stdout);
            }
        }
    }
    std::printf("load at end %s; %d row(s) over goal\n", load().c_str(), missed);
    return 0;
}
