#pragma once
// Private to xgrad::dist: the process's MPI state and the error check every MPI call goes
// through. Only src/dist includes <mpi.h>; the public headers stay free of it.

#include <mpi.h>

#include <string>

namespace xgrad::dist::detail {

struct State {
    bool initialized = false;  // init() ran
    bool mpi = false;          // MPI is in use (launched, or the program initialised it)
    bool owns_mpi = false;     // we called MPI_Init, so we finalise
    bool finalized = false;
    int rank = 0;
    int size = 1;
    MPI_Comm comm = MPI_COMM_NULL;  // a duplicate of MPI_COMM_WORLD: our traffic never meets the user's
    // Another duplicate for the collective ops (all_sum) that run inside forward and backward:
    // their blocking calls never queue behind, or in another order than, the gradient buckets'
    // non-blocking allreduces in flight on `comm` (overlap).
    MPI_Comm ops_comm = MPI_COMM_NULL;
};

/// The one state of the process.
State& state();

/// Throws xgrad::Error "dist::<who>: <MPI call> failed: <MPI's message>" when rc is an error.
void check(int rc, const char* who, const char* call);

/// The communicator for a collective (init() first): MPI_COMM_NULL in a job of one process
/// without MPI; Error after finalize().
MPI_Comm comm(const char* who);
/// The same for the collective ops' communicator (State::ops_comm).
MPI_Comm ops_comm(const std::string& who);

/// Makes a DataParallel the process-wide train::Distribution (init, in a job of N > 1).
void install_data_parallel();
/// Restores the single-process default (finalize).
void uninstall_data_parallel();

}  // namespace xgrad::dist::detail
