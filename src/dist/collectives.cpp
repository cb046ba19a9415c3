// barrier, broadcast and allreduce over the job's communicator. The Tensor forms check that
// every rank passes the same shape, so a mismatch is one clear error on every rank instead of
// MPI's undefined behaviour (usually a hang).
#include <algorithm>
#include <climits>
#include <cstdint>
#include <vector>

#include "dist/mpi_state.hpp"
#include "xgrad/dist/dist.hpp"
#include "xgrad/error.hpp"
#include "xgrad/format.hpp"

namespace xgrad::dist {

namespace {

constexpr std::size_t kChunk = std::size_t(INT_MAX) / 2;  // MPI counts are int

MPI_Op mpi_op(ReduceOp op) {
    switch (op) {
        case ReduceOp::Max: return MPI_MAX;
        case ReduceOp::Min: return MPI_MIN;
        default: return MPI_SUM;  // Mean is a sum, then a division
    }
}

template <class T>
void allreduce_raw(std::span<T> values, ReduceOp op, MPI_Datatype type) {
    MPI_Comm c = detail::comm("allreduce");
    if (c == MPI_COMM_NULL) return;  // a job of one process
    for (std::size_t off = 0; off < values.size(); off += kChunk) {
        const int n = int(std::min(kChunk, values.size() - off));
        detail::check(MPI_Allreduce(MPI_IN_PLACE, values.data() + off, n, type, mpi_op(op), c), "allreduce", "MPI_Allreduce");
    }
    if (op == ReduceOp::Mean && detail::state().size > 1) {
        const T inv = T(1) / T(detail::state().size);
        for (T& v : values) v *= inv;
    }
}

// Up to kDims dims travel in the check; deeper shapes are compared through their hash too.
constexpr int kDims = 8;

std::uint64_t shape_hash(const Shape& shape) {
    std::uint64_t h = 1469598103934665603ull;  // FNV-1a over ndim and the dims
    auto mix = [&](std::uint64_t v) { h = (h ^ v) * 1099511628211ull; };
    mix(shape.size());
    for (auto d : shape) mix(d);
    return h;
}

// Collective: every rank learns whether all shapes agree; if not, every rank throws the same
// ShapeError listing each rank's shape.
void check_same_shape(const std::string& who, const Shape& shape, MPI_Comm c) {
    const long long h = static_cast<long long>(shape_hash(shape) >> 1);
    long long range[2] = {h, -h};  // max of h and max of -h = -min of h
    detail::check(MPI_Allreduce(MPI_IN_PLACE, range, 2, MPI_LONG_LONG, MPI_MAX, c), who.c_str(), "MPI_Allreduce");
    if (range[0] == -range[1]) return;
    const int n = detail::state().size;
    std::vector<long long> mine(kDims + 1, -1), all(std::size_t(kDims + 1) * std::size_t(n));
    mine[0] = static_cast<long long>(shape.size());
    for (std::size_t i = 0; i < std::min<std::size_t>(shape.size(), kDims); ++i) mine[i + 1] = static_cast<long long>(shape[i]);
    detail::check(MPI_Allgather(mine.data(), kDims + 1, MPI_LONG_LONG, all.data(), kDims + 1, MPI_LONG_LONG, c),
                  who.c_str(), "MPI_Allgather");
    std::string shapes;
    for (int r = 0; r < n; ++r) {
        const long long* s = all.data() + std::size_t(r) * (kDims + 1);
        std::string dims = "(";
        for (long long i = 0; i < std::min<long long>(s[0], kDims); ++i) dims += (i ? ", " : "") + std::to_string(s[i + 1]);
        if (s[0] > kDims) dims += ", ...";
        if (s[0] == 1) dims += ",";
        shapes += (r ? ", rank " : "rank ") + std::to_string(r) + " " + dims + ")";
    }
    throw ShapeError("dist::" + who + ": the tensor's shape differs across ranks (" + shapes +
                     "); every rank must pass the same shape");
}

// The job as the core's ProcessGroup: all_sum for the collective ops (xgrad::all_sum,
// synchronized batch_norm) on the communicator kept for them.
class MpiProcessGroup : public ProcessGroup {
public:
    int size() const override { return dist::size(); }
    void all_sum(std::span<float> values, const Shape& shape, const std::string& who) override {
        MPI_Comm c = detail::ops_comm(who);
        if (c == MPI_COMM_NULL || detail::state().size == 1) return;
        // The check costs one more small allreduce, but a size mismatch would be undefined
        // behaviour in MPI (a hang, or garbage), and these calls come from the user's model.
        check_same_shape(who, shape, c);
        for (std::size_t off = 0; off < values.size(); off += kChunk) {
            const int n = int(std::min(kChunk, values.size() - off));
            detail::check(MPI_Allreduce(MPI_IN_PLACE, values.data() + off, n, MPI_FLOAT, MPI_SUM, c), who.c_str(),
                          "MPI_Allreduce");
        }
    }
};

// The in-place collectives work on values nothing recorded depends on.
Tensor writable(const char* who, const Tensor& t) {
    if (!t.defined()) throw GraphError(std::string("dist::") + who + ": undefined tensor");
    if (!t.is_leaf()) {
        throw GraphError(std::string("dist::") + who + ": " + describe(t) + " was computed by op '" + t.op() +
                         "'; collectives work in place on leaves (parameters, gradients, constants)");
    }
    return t;
}

}  // namespace

void barrier() {
    MPI_Comm c = detail::comm("barrier");
    if (c == MPI_COMM_NULL) return;
    detail::check(MPI_Barrier(c), "barrier", "MPI_Barrier");
}

std::shared_ptr<ProcessGroup> process_group() {
    static const std::shared_ptr<ProcessGroup> group = std::make_shared<MpiProcessGroup>();
    return group;
}

void allreduce(std::span<float> values, ReduceOp op) { allreduce_raw(values, op, MPI_FLOAT); }
void allreduce(std::span<double> values, ReduceOp op) { allreduce_raw(values, op, MPI_DOUBLE); }

void allreduce(const Tensor& t, ReduceOp op) {
    Tensor w = writable("allreduce", t);
    MPI_Comm c = detail::comm("allreduce");
    if (detail::state().size == 1) return;
    check_same_shape("allreduce", w.shape_vector(), c);
    Array& a = w.data();
    allreduce(std::span<float>(a.data(), a.size()), op);
}

void broadcast(std::span<float> values, int root) {
    MPI_Comm c = detail::comm("broadcast");
    if (c == MPI_COMM_NULL) return;
    for (std::size_t off = 0; off < values.size(); off += kChunk) {
        const int n = int(std::min(kChunk, values.size() - off));
        detail::check(MPI_Bcast(values.data() + off, n, MPI_FLOAT, root, c), "broadcast", "MPI_Bcast");
    }
}

void broadcast(const Tensor& t, int root) {
    Tensor w = writable("broadcast", t);
    MPI_Comm c = detail::comm("broadcast");
    const int n = detail::state().size;
    if (root < 0 || root >= n) {
        throw ValueError("dist::broadcast: root " + std::to_string(root) + " is not a rank of this job (0.." +
                         std::to_string(n - 1) + ")");
    }
    if (n == 1) return;
    check_same_shape("broadcast", w.shape_vector(), c);
    Array& a = w.data();
    broadcast(std::span<float>(a.data(), a.size()), root);
}

}  // namespace xgrad::dist
