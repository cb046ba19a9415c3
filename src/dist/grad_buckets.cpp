// Bucketed gradient allreduce (see grad_buckets.hpp). Buckets start strictly in index order:
// MPI requires every rank to start its collectives in the same order, and a rank that finishes
// its gradients in another order (or has no samples this step) must not reorder them.
#include "dist/grad_buckets.hpp"

#include <algorithm>
#include <climits>
#include <cstring>
#include <unordered_map>

#include "dist/mpi_state.hpp"
#include "xgrad/autograd.hpp"
#include "xgrad/error.hpp"

namespace xgrad::dist::detail {

GradBuckets::GradBuckets(std::vector<Tensor> params, std::size_t bucket_bytes, bool overlap, MPI_Comm comm)
    : params_(std::move(params)), bucket_of_(params_.size()), slot_of_(params_.size()), packed_(params_.size()),
      overlap_(overlap), comm_(comm) {
    const std::size_t limit = std::max<std::size_t>(bucket_bytes / sizeof(float), 1);
    std::size_t filled = 0;
    for (std::size_t k = params_.size(); k-- > 0;) {  // last layer first: backward finishes it first
        const std::size_t n = params_[k].size();
        if (n > std::size_t(INT_MAX)) throw ValueError("dist: parameter " + params_[k].label() + " has more than 2^31 elements");
        if (buckets_.empty() || (filled > 0 && filled + n > limit)) {
            buckets_.emplace_back();
            filled = 0;
        }
        Bucket& b = buckets_.back();
        bucket_of_[k] = buckets_.size() - 1;
        slot_of_[k] = b.params.size();
        b.params.push_back(k);
        b.offsets.push_back(filled);
        filled += n;
        b.buffer.resize(filled);
    }
}

GradBuckets::~GradBuckets() = default;

void GradBuckets::begin(float weight, double started) {
    weight_ = weight;
    seeded_ = false;
    next_start_ = 0;
    std::fill(packed_.begin(), packed_.end(), false);
    for (auto& b : buckets_) {
        b.pending = b.params.size();
        b.started = false;
        b.request = MPI_REQUEST_NULL;
    }
    step_start_ = started;
}

void GradBuckets::pack(std::size_t index) {
    Bucket& b = buckets_[bucket_of_[index]];
    float* dst = b.buffer.data() + b.offsets[slot_of_[index]];
    const std::size_t n = params_[index].size();
    const std::shared_ptr<Node>& g = params_[index].node()->grad;
    if (g && weight_ != 0.f) {
        const float* src = g->value.data();
        if (seeded_) {
            std::memcpy(dst, src, n * sizeof(float));
        } else {
            const float w = weight_;
            for (std::size_t i = 0; i < n; ++i) dst[i] = src[i] * w;
        }
    } else {
        // Unused on this rank, or no samples (a stand-in step's gradient, even a NaN from
        // 0·inf, must not reach the others): contributes nothing.
        std::fill(dst, dst + n, 0.f);
    }
    packed_[index] = true;
    --b.pending;
}

void GradBuckets::start_ready() {
    while (next_start_ < buckets_.size() && buckets_[next_start_].pending == 0) {
        Bucket& b = buckets_[next_start_++];
        check(MPI_Iallreduce(MPI_IN_PLACE, b.buffer.data(), int(b.buffer.size()), MPI_FLOAT, MPI_SUM, comm_, &b.request),
              "allreduce", "MPI_Iallreduce");
        b.started = true;
    }
}

void GradBuckets::progress() {
    // Without an asynchronous progress thread, MPI moves a non-blocking collective forward
    // only inside MPI calls: poke the started ones between backward steps.
    for (std::size_t k = 0; k < next_start_; ++k) {
        if (buckets_[k].request == MPI_REQUEST_NULL) continue;
        int done = 0;
        check(MPI_Test(&buckets_[k].request, &done, MPI_STATUS_IGNORE), "allreduce", "MPI_Test");
    }
}

void GradBuckets::ready(std::size_t index) {
    if (packed_[index]) return;
    pack(index);
    if (overlap_) {
        start_ready();
        progress();
    }
}

void GradBuckets::backward(const Tensor& loss) {
    if (!loss.defined()) return;
    if (loss.size() != 1) throw GraphError("dist: the training loss must be a scalar");
    const Tensor seed = constant(Array(loss.shape(), weight_));
    seeded_ = true;
    if (!overlap_) {
        loss.backward(seed);
        return;
    }
    BackwardEngine engine({loss}, {seed}, {});
    // A parameter's gradient is final once every recorded node that uses it has been stepped.
    std::unordered_map<const Node*, std::size_t> index;
    for (std::size_t i = 0; i < params_.size(); ++i) index.emplace(params_[i].node().get(), i);
    std::vector<std::size_t> uses(params_.size(), 0);
    for (const Tensor& t : engine.order()) {
        for (const auto& in : t.node()->inputs) {
            auto it = index.find(in.get());
            if (it != index.end()) ++uses[it->second];
        }
    }
    while (!engine.done()) {
        const std::shared_ptr<Node> node = engine.order()[engine.position()].node();
        engine.step();
        for (const auto& in : node->inputs) {
            auto it = index.find(in.get());
            if (it != index.end() && --uses[it->second] == 0) ready(it->second);
        }
    }
}

void GradBuckets::finish() {
    for (std::size_t i = 0; i < params_.size(); ++i) {
        if (!packed_[i]) pack(i);
    }
    const double t0 = MPI_Wtime();
    if (overlap_) {
        start_ready();
        std::vector<MPI_Request> requests;
        for (auto& b : buckets_) requests.push_back(b.request);
        check(MPI_Waitall(int(requests.size()), requests.data(), MPI_STATUSES_IGNORE), "allreduce", "MPI_Waitall");
        for (auto& b : buckets_) b.request = MPI_REQUEST_NULL;
    } else {
        for (auto& b : buckets_) {
            check(MPI_Allreduce(MPI_IN_PLACE, b.buffer.data(), int(b.buffer.size()), MPI_FLOAT, MPI_SUM, comm_),
                  "allreduce", "MPI_Allreduce");
        }
    }
    stats_.comm_seconds += MPI_Wtime() - t0;
    for (std::size_t i = 0; i < params_.size(); ++i) {
        const Bucket& b = buckets_[bucket_of_[i]];
        const float* src = b.buffer.data() + b.offsets[slot_of_[i]];
        std::shared_ptr<Node>& g = params_[i].node()->grad;
        if (g && g.use_count() == 1 && g->value.size() == params_[i].size()) {
            std::memcpy(g->value.data(), src, g->value.size() * sizeof(float));  // a gradient nobody else holds
        } else {
            Array a(params_[i].shape());
            std::memcpy(a.data(), src, a.size() * sizeof(float));
            params_[i].set_grad(constant(std::move(a)));
        }
    }
    ++stats_.steps;
    stats_.floats = 0;
    for (auto& b : buckets_) stats_.floats += b.buffer.size();
    stats_.step_seconds += MPI_Wtime() - step_start_;
}

}  // namespace xgrad::dist::detail
