// The process-wide Distribution: single-process unless a data-parallel one is installed.
#include "xgrad/train/distribution.hpp"

#include <mutex>

namespace xgrad::train {

namespace {
std::mutex g_mutex;
std::shared_ptr<Distribution>& installed() {
    static std::shared_ptr<Distribution> d = std::make_shared<Distribution>();
    return d;
}
}  // namespace

Distribution& distribution() {
    std::lock_guard lock(g_mutex);
    return *installed();
}

void set_distribution(std::shared_ptr<Distribution> d) {
    std::lock_guard lock(g_mutex);
    installed() = d ? std::move(d) : std::make_shared<Distribution>();
}

}  // namespace xgrad::train
