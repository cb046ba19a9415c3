#include "train/prefetch.hpp"

#include <cstring>

#include "ops/parallel.hpp"

namespace xgrad::train::impl {

Array gather_rows(const Array& src, std::span<const std::size_t> idx) {
    Array::shape_type shape = src.shape();
    const std::size_t row = shape[0] ? src.size() / shape[0] : 0;
    shape[0] = idx.size();
    Array out(shape);
    // Split between threads: scattered rows wait on memory, and each core has its own misses
    // in flight (MNIST's 128 rows at two threads: 75 -> 46 us).
    float* o = out.data();
    const float* s = src.data();
    detail::parallel_for_items(idx.size(), row, [=](std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i) std::memcpy(o + i * row, s + idx[i] * row, row * sizeof(float));
    });
    return out;
}

std::vector<Array> gather_rows_of(const ArrayRefs& arrays, std::span<const std::size_t> idx) {
    std::vector<Array> out;
    out.reserve(arrays.size());
    for (const Array* src : arrays) out.push_back(gather_rows(*src, idx));
    return out;
}

BatchPrefetcher::BatchPrefetcher(const ArrayRefs& x, const ArrayRefs& y) : x_(x), y_(y), thread_([this] { run(); }) {}

BatchPrefetcher::~BatchPrefetcher() {
    {
        std::lock_guard<std::mutex> lock(m_);
        quit_ = true;
    }
    cv_.notify_all();
    thread_.join();
}

void BatchPrefetcher::start(std::vector<std::size_t> idx) {
    std::unique_lock<std::mutex> lock(m_);
    cv_.wait(lock, [this] { return !job_; });  // a job nobody took: let it finish, drop it
    idx_ = std::move(idx);
    job_ = true;
    done_ = false;
    error_ = nullptr;
    lock.unlock();
    cv_.notify_all();
}

std::pair<std::vector<Array>, std::vector<Array>> BatchPrefetcher::take() {
    std::unique_lock<std::mutex> lock(m_);
    cv_.wait(lock, [this] { return done_; });
    done_ = false;
    if (error_) std::rethrow_exception(error_);
    return {std::move(bx_), std::move(by_)};
}

void BatchPrefetcher::run() {
    std::unique_lock<std::mutex> lock(m_);
    for (;;) {
        cv_.wait(lock, [this] { return quit_ || (job_ && !done_); });
        if (quit_) return;
        lock.unlock();
        std::vector<Array> bx, by;
        std::exception_ptr error;
        try {
            bx = gather_rows_of(x_, idx_);
            by = gather_rows_of(y_, idx_);
        } catch (...) {
            error = std::current_exception();
        }
        lock.lock();
        bx_ = std::move(bx);
        by_ = std::move(by);
        error_ = error;
        job_ = false;
        done_ = true;
        cv_.notify_all();
    }
}

}  // namespace xgrad::train::impl
