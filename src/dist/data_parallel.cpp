// DataParallel: the train::Distribution hooks over MPI (see data_parallel.hpp).
#include "xgrad/dist/data_parallel.hpp"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <random>
#include <string>

#include "dist/grad_buckets.hpp"
#include "dist/mpi_state.hpp"
#include "xgrad/dist/dist.hpp"
#include "xgrad/error.hpp"
#include "xgrad/random.hpp"

namespace xgrad::dist {

namespace {

// An environment override of an option, or `fallback`; ValueError names a malformed value.
std::size_t env_size(const char* name, std::size_t fallback) {
    const char* v = std::getenv(name);
    if (!v || !*v) return fallback;
    char* end = nullptr;
    const unsigned long long n = std::strtoull(v, &end, 10);
    if (*end != '\0' || n == 0) throw ValueError(std::string("dist: ") + name + " must be a positive integer, got '" + v + "'");
    return std::size_t(n);
}

bool env_flag(const char* name, bool fallback) {
    const char* v = std::getenv(name);
    if (!v || !*v) return fallback;
    const std::string s = v;
    if (s == "1" || s == "on" || s == "true") return true;
    if (s == "0" || s == "off" || s == "false") return false;
    throw ValueError(std::string("dist: ") + name + " must be 0 or 1, got '" + s + "'");
}

}  // namespace

struct DataParallel::Impl {
    std::unique_ptr<detail::GradBuckets> buckets;
    std::size_t local = 0, global = 0;  // the current step's share and global batch sizes
    bool begun = false;                  // the current step's buckets are open
    double step_start = 0;
    std::optional<std::mt19937_64> generator_at_begin;  // the generator as fit found it (see on_train_begin)
};

DataParallel::DataParallel(DataParallelOptions options) : options_(options), impl_(std::make_unique<Impl>()) {
    options_.bucket_bytes = env_size("XGRAD_DIST_BUCKET_BYTES", options_.bucket_bytes);
    options_.overlap = env_flag("XGRAD_DIST_OVERLAP", options_.overlap);
    options_.report = env_flag("XGRAD_DIST_REPORT", options_.report);
    init({.data_parallel = false});
}

DataParallel::~DataParallel() = default;

int DataParallel::rank() const { return dist::rank(); }
int DataParallel::world_size() const { return dist::size(); }

void DataParallel::on_train_begin(const std::vector<Tensor>& parameters) {
    prepare(parameters);
    // Every rank runs the same program, usually seeded alike, so dropout would draw the same
    // mask on every rank: the rows of share r would repeat share 0's mask instead of getting
    // masks of their own as in one process. During fit, rank r > 0 draws from a stream of its
    // own (rank 0 goes on from where it was); on_train_end puts each back where it began.
    impl_->generator_at_begin = generator();
    if (const int r = dist::rank(); r > 0) {
        const std::uint64_t base = generator()();
        std::seed_seq own{std::uint32_t(base), std::uint32_t(base >> 32), std::uint32_t(r)};
        generator().seed(own);
    }
}

void DataParallel::prepare(const std::vector<Tensor>& parameters) {
    MPI_Comm c = detail::comm("fit");
    // The same model everywhere: first the parameter count, then each shape (broadcast checks it).
    double count[2] = {double(parameters.size()), -double(parameters.size())};
    allreduce(std::span<double>(count, 2), ReduceOp::Max);
    if (count[0] != -count[1]) {
        throw ValueError("dist: fit: the model has " + std::to_string(parameters.size()) + " parameters on rank " +
                         std::to_string(dist::rank()) + " but between " + std::to_string(long(-count[1])) + " and " +
                         std::to_string(long(count[0])) + " across the ranks; every rank must build the same model");
    }
    for (const Tensor& p : parameters) broadcast(p, 0);
    // Only what a gradient trains is reduced: moving statistics get none (average_state).
    std::vector<Tensor> trained;
    for (const Tensor& p : parameters) {
        if (p.requires_grad()) trained.push_back(p);
    }
    impl_->buckets = std::make_unique<detail::GradBuckets>(std::move(trained), options_.bucket_bytes, options_.overlap, c);
    impl_->begun = false;
}

void DataParallel::on_train_end() {
    if (impl_->generator_at_begin) {
        // Back to the state fit began with, one draw further (the shuffling seed fit took from
        // it): the same on every rank, so models built after fit start alike everywhere, and
        // the next fit shuffles differently.
        generator() = *impl_->generator_at_begin;
        generator().discard(1);
        impl_->generator_at_begin.reset();
    }
    if (!impl_->buckets) return;
    if (options_.report && dist::is_chief()) {
        const ReduceStats s = stats();
        const double steps = double(std::max<std::size_t>(s.steps, 1));
        char line[320];
        std::snprintf(line, sizeof line,
                      "data-parallel: %d processes, %zu steps, %.2f MB per step in %zu allreduce(s) (bucket %zu bytes, "
                      "overlap %s): allreduce wait %.3f ms/step of %.3f ms fwd+bwd+allreduce (%.0f%%)\n",
                      dist::size(), s.steps, double(s.floats) * 4e-6, s.buckets, options_.bucket_bytes,
                      options_.overlap ? "on" : "off", 1e3 * s.comm_seconds / steps, 1e3 * s.step_seconds / steps,
                      s.step_seconds > 0 ? 100.0 * s.comm_seconds / s.step_seconds : 0.0);
        std::cout << line << std::flush;
    }
    last_ = stats();
    impl_->buckets.reset();  // lets the model's parameters go
}

ReduceStats DataParallel::stats() const {
    if (!impl_->buckets) return last_;
    const detail::BucketStats& b = impl_->buckets->stats();
    return {.steps = b.steps, .buckets = impl_->buckets->bucket_count(), .floats = b.floats,
            .comm_seconds = b.comm_seconds, .step_seconds = b.step_seconds};
}

std::uint64_t DataParallel::shuffle_seed(std::uint64_t local_seed) {
    MPI_Comm c = detail::comm("fit");
    if (c == MPI_COMM_NULL) return local_seed;
    std::uint64_t seed = local_seed;
    detail::check(MPI_Bcast(&seed, 1, MPI_UINT64_T, 0, c), "fit", "MPI_Bcast");
    return seed;
}

void DataParallel::average_state(const std::vector<Tensor>& state) {
    std::size_t total = 0;
    for (const Tensor& t : state) total += t.value().size();
    if (total == 0) return;  // the same on every rank: the models are the same
    std::vector<float> values;
    values.reserve(total);
    for (const Tensor& t : state) values.insert(values.end(), t.value().begin(), t.value().end());
    allreduce(std::span<float>(values), ReduceOp::Sum);
    const float inverse = 1.f / float(dist::size());
    NoGradGuard no_grad;
    std::size_t at = 0;
    for (Tensor t : state) {  // a handle: its data() is the parameter's own values
        for (float& x : t.data()) x = values[at++] * inverse;
    }
}

std::span<const std::size_t> DataParallel::local_batch(std::span<const std::size_t> global_batch) {
    const std::size_t n = global_batch.size(), p = std::size_t(dist::size()), r = std::size_t(dist::rank());
    const std::size_t begin = r * n / p, end = (r + 1) * n / p;
    impl_->local = end - begin;
    impl_->global = n;
    impl_->begun = false;
    impl_->step_start = MPI_Wtime();
    return global_batch.subspan(begin, end - begin);
}

std::shared_ptr<ProcessGroup> DataParallel::process_group() { return dist::process_group(); }

void DataParallel::backward(const Tensor& loss) {
    if (!impl_->buckets) {  // outside fit (a user's own loop): plain backward
        loss.backward();
        return;
    }
    impl_->buckets->begin(impl_->global ? float(impl_->local) / float(impl_->global) : 0.f, impl_->step_start);
    impl_->begun = true;
    impl_->buckets->backward(loss);
}

void DataParallel::reduce_gradients(const std::vector<Tensor>& parameters, std::size_t local_count,
                                    std::size_t global_count) {
    if (!impl_->buckets) prepare(parameters);
    if (!impl_->begun) impl_->buckets->begin(global_count ? float(local_count) / float(global_count) : 0.f, impl_->step_start);
    impl_->begun = false;
    impl_->buckets->finish();
}

void DataParallel::reduce_sums(std::vector<double>& values) { allreduce(std::span<double>(values), ReduceOp::Sum); }

namespace detail {

void install_data_parallel() { train::set_distribution(std::make_shared<DataParallel>()); }
void uninstall_data_parallel() { train::set_distribution(nullptr); }

}  // namespace detail

}  // namespace xgrad::dist
