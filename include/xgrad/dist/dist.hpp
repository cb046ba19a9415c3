#pragma once
/// @file dist.hpp
/// xgrad::dist: processes started by `mpirun -np N` (OpenMPI, MPICH) working as one job.
///
/// Link `xgrad::dist` (built when CMake finds MPI). Under an MPI launcher init() starts MPI;
/// started without one, the program is a job of one process (rank 0 of 1, collectives copy
/// nothing), so the same binary runs either way.
///
/// Every collective (barrier, broadcast, allreduce) must be called by every rank, in the same
/// order, with tensors of the same shape: that is MPI's contract. broadcast and the Tensor
/// allreduce check the shapes and throw the same ShapeError on every rank when they differ;
/// the span overloads do not check (they are what the trainer calls each step).
///
/// Failure never hangs the job: after init(), an uncaught exception on any rank prints
/// `rank r: <message>` and aborts every rank (MPI_Abort), and a rank whose program exits with
/// a non-zero status (main caught the error, printed it and returned 1) does the same. A rank
/// killed by a signal is noticed by mpirun, which ends the others.

#include <cstddef>
#include <memory>
#include <span>
#include <string>

#include "xgrad/ops/collective.hpp"
#include "xgrad/tensor.hpp"

namespace xgrad::dist {

/// How allreduce combines the ranks' values, element by element.
enum class ReduceOp {
    Sum,   ///< x = sum_r x_r
    Mean,  ///< x = (1/N) sum_r x_r
    Max,   ///< x = max_r x_r
    Min,   ///< x = min_r x_r
};

/// Options of init().
struct InitOptions {
    /// In a job of more than one process, make fit/evaluate train and evaluate data-parallel
    /// (train::DataParallel with default options, see xgrad/dist/data_parallel.hpp). Off: only
    /// the collectives are set up and training stays local to each process.
    bool data_parallel = true;
    /// In a job of more than one process, ranks other than 0 write nothing to std::cout (the
    /// program's own prints appear once, like fit's progress). std::cerr is left alone, so
    /// every rank's errors show.
    bool quiet_workers = true;
};

/// Joins the job: starts MPI when the program runs under an MPI launcher (mpirun, srun with
/// PMI), installs the failure handlers described above and, with more than one process, the
/// data-parallel trainer and quiet workers (InitOptions). Idempotent: later calls return at
/// once (so do the other functions, which call it themselves). Uses an MPI that the program
/// initialised itself, and then leaves finalising to it. Error when MPI fails to start.
void init(const InitOptions& options = {});
/// True after init().
bool initialized();
/// True when an MPI launcher started this process (its environment variables are set).
bool launched();
/// This process's rank, 0 .. size()-1.
int rank();
/// Number of processes in the job (1 without a launcher).
int size();
/// True on rank 0: the rank that prints, writes files and broadcasts initial weights.
bool is_chief();

/// Waits until every rank reaches the barrier.
void barrier();
/// Copies `root`'s value of `t` into `t` on every rank, in place (t is a leaf: a parameter,
/// constant or gradient). ShapeError on every rank when the shapes differ; ValueError for a
/// root outside 0..size()-1; GraphError for a tensor recorded by an op.
void broadcast(const Tensor& t, int root = 0);
/// Combines `t` over all ranks with `op`, in place on every rank (torch.distributed's
/// all_reduce): afterwards every rank holds the same values. ShapeError on every rank when
/// the shapes differ (checked with one small extra allreduce); GraphError for a recorded tensor.
void allreduce(const Tensor& t, ReduceOp op = ReduceOp::Sum);
/// allreduce on raw values, in place, unchecked: every rank must pass the same length (a
/// mismatch is undefined behaviour in MPI, usually a hang or MPI error).
void allreduce(std::span<float> values, ReduceOp op = ReduceOp::Sum);
/// allreduce on doubles (sums of losses and counts), unchecked like the float overload.
void allreduce(std::span<double> values, ReduceOp op = ReduceOp::Sum);
/// broadcast on raw values from `root`, in place, unchecked.
void broadcast(std::span<float> values, int root = 0);
/// The job as the ProcessGroup of the collective ops (xgrad::all_sum, BatchNormalization with
/// `synchronized`): one process group for the whole program. fit installs it itself for its
/// training steps (through DataParallel); a loop of your own installs it with
/// `xgrad::ProcessGroupScope scope(xgrad::dist::process_group());`. Its all_sum checks the
/// shapes (the same ShapeError on every rank, naming the op's scope) and runs on a communicator
/// of its own, so it never mixes with the gradient allreduce in flight (overlap) nor with the
/// other collectives here.
std::shared_ptr<ProcessGroup> process_group();

/// Prints `rank r: <message>` to stderr and ends every process of the job with `code`.
/// Without a launcher it prints the message and exits.
[[noreturn]] void abort(const std::string& message, int code = 1);
/// Shuts MPI down. Called automatically when the program exits with status 0; calling it
/// earlier is allowed (collectives then throw).
void finalize();

/// The name of the operation ("sum", "mean", "max", "min").
const char* op_name(ReduceOp op);

}  // namespace xgrad::dist
