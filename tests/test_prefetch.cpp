// The batch prefetcher of fit() and the pool's idle work it runs on (private: src/train,
// src/ops/parallel.hpp).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <numeric>
#include <random>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>
#include <xgrad/xgrad.hpp>

#include "ops/parallel.hpp"
#include "train/prefetch.hpp"

using namespace xgrad;

namespace {

// Sets the thread count for one test and restores it.
struct Threads {
    explicit Threads(int n) : before(num_threads()) { set_num_threads(n); }
    ~Threads() { set_num_threads(before); }
    int before;
};

// Runs a few pool tasks, so that the pool's workers exist and are between tasks afterwards.
void wake_the_pool() {
    std::vector<float> v(1 << 18, 1.f);
    float* p = v.data();
    detail::parallel_for(v.size(), [p](std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i) p[i] *= 2.f;
    });
}

// Counts how often each item ran.
struct Counts {
    explicit Counts(std::size_t n) : runs(n) {}
    static void run(void* self, std::size_t i) { static_cast<Counts*>(self)->runs[i].fetch_add(1); }
    std::vector<std::atomic<int>> runs;
};

// Offers one item per count to the pool (on `threads` threads, workers awake) and returns it.
std::shared_ptr<detail::IdleWork> offered(Counts& counts) {
    wake_the_pool();
    auto work = std::make_shared<detail::IdleWork>(counts.runs.size(), &Counts::run, &counts);
    detail::offer_idle(work);
    return work;
}

bool each_ran_once(const Counts& c) {
    return std::all_of(c.runs.begin(), c.runs.end(), [](const std::atomic<int>& r) { return r.load() == 1; });
}

// Waits up to 5 s for `ready`.
template <class F>
bool eventually(F ready) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!ready()) {
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(nn_prefetch)

BOOST_AUTO_TEST_CASE(idle_workers_run_offered_work_between_tasks) {
    Threads threads(2);
    Counts counts(500);
    const auto work = offered(counts);
    // The caller does not touch the work: the pool's idle worker must claim every item.
    BOOST_TEST(eventually([&] { return work->claimed(); }));
    work->finish();
    BOOST_TEST(each_ran_once(counts));
}

BOOST_AUTO_TEST_CASE(idle_work_and_tasks_interleave_and_every_item_runs_once) {
    Threads threads(3);
    Counts counts(20000);
    const auto work = offered(counts);
    // Tasks keep arriving while the workers copy; each task must still see all its ranges done.
    std::vector<float> v(1 << 17, 0.f);
    for (int t = 0; t < 50; ++t) {
        float* p = v.data();
        detail::parallel_for(v.size(), [p](std::size_t b, std::size_t e) {
            for (std::size_t i = b; i < e; ++i) p[i] += 1.f;
        });
    }
    BOOST_TEST(std::all_of(v.begin(), v.end(), [](float x) { return x == 50.f; }));
    work->finish();  // runs what the workers left
    BOOST_TEST(each_ran_once(counts));
    BOOST_TEST(work->unclaimed() == 0u);
}

BOOST_AUTO_TEST_CASE(cancelled_idle_work_stops_running) {
    Threads threads(2);
    Counts counts(200000);
    const auto work = offered(counts);
    work->cancel();
    int ran = 0;
    for (const auto& r : counts.runs) ran += r.load();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    int later = 0, most = 0;
    for (const auto& r : counts.runs) {
        later += r.load();
        most = std::max(most, r.load());
    }
    BOOST_TEST(most <= 1);
    BOOST_TEST(later == ran);  // nothing ran after cancel() returned
    BOOST_TEST(!work->run_one());
}

BOOST_AUTO_TEST_CASE(prefetched_batches_are_the_rows_asked_for) {
    // Both ways of copying ahead (own thread; the pool's idle workers) on 1 and 2 threads, and
    // take() right away (it copies the rest itself) or after the copy is done.
    Array x = random_uniform({300, 7, 5}), y = random_uniform({300, 3});
    const train::impl::ArrayRefs xs{&x}, ys{&y, &x};
    std::vector<std::size_t> idx(64);
    std::mt19937 rng(3);
    for (auto& i : idx) i = rng() % 300;
    for (const int n : {1, 2}) {
        Threads threads(n);
        wake_the_pool();
        for (const bool own_thread : {true, false}) {
            for (const bool wait : {false, true}) {
                BOOST_TEST_CONTEXT("threads " << n << ", own thread " << own_thread << ", wait " << wait) {
                    train::impl::BatchPrefetcher prefetch(xs, ys);
                    prefetch.start({5, 6}, own_thread);  // dropped by the next start
                    prefetch.start(idx, own_thread);
                    if (wait) std::this_thread::sleep_for(std::chrono::milliseconds(200));
                    auto [bx, by] = prefetch.take();
                    const auto ex = train::impl::gather_rows_of(xs, idx), ey = train::impl::gather_rows_of(ys, idx);
                    BOOST_TEST_REQUIRE(bx.size() == 1u);
                    BOOST_TEST_REQUIRE(by.size() == 2u);
                    BOOST_TEST((bx[0] == ex[0]));
                    BOOST_TEST((by[0] == ey[0]));
                    BOOST_TEST((by[1] == ey[1]));
                    BOOST_TEST(bx[0].shape()[0] == 64u);
                    // With two threads the idle worker, and with one the own thread, copies ahead.
                    if (wait && (own_thread || n == 2)) BOOST_TEST(prefetch.copied_ahead() == idx.size());
                }
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(a_prefetcher_destroyed_mid_copy_leaves_its_sources_alone) {
    Threads threads(2);
    wake_the_pool();
    for (const bool own_thread : {true, false}) {
        auto x = std::make_unique<Array>(random_uniform({4000, 512}));
        std::vector<std::size_t> idx(4000);
        std::iota(idx.begin(), idx.end(), 0);
        {
            train::impl::BatchPrefetcher prefetch({x.get()}, {x.get()});
            prefetch.start(idx, own_thread);
        }
        x.reset();  // a worker still copying from it would read freed memory (ASan in CI)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        wake_the_pool();
    }
}

BOOST_AUTO_TEST_SUITE_END()
