// Joining and leaving the job: MPI start-up from the launcher's environment, and the failure
// path (uncaught exception, non-zero exit) that ends every rank instead of leaving the others
// blocked in a collective.
#include "xgrad/dist/dist.hpp"

#include <stdlib.h>  // on_exit (glibc)

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <streambuf>

#include "dist/mpi_state.hpp"
#include "xgrad/error.hpp"

namespace xgrad::dist {

namespace detail {

State& state() {
    static State s;
    return s;
}

void check(int rc, const char* who, const char* call) {
    if (rc == MPI_SUCCESS) return;
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, text, &len);
    throw Error(std::string("dist::") + who + ": " + call + " failed: " + std::string(text, std::size_t(len)));
}

MPI_Comm comm(const char* who) {
    init();
    State& s = state();
    if (s.finalized) throw Error(std::string("dist::") + who + ": called after dist::finalize()");
    return s.comm;
}

MPI_Comm ops_comm(const std::string& who) {
    comm(who.c_str());
    return state().ops_comm;
}

}  // namespace detail

namespace {

using detail::state;

bool env_set(const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr && *v != '\0';
}

// The message of the exception in flight, if any (inside a terminate handler).
std::string current_message() {
    const std::exception_ptr e = std::current_exception();
    if (!e) return "terminate called without an active exception";
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& x) {
        return x.what();
    } catch (...) {
        return "uncaught exception of unknown type";
    }
}

[[noreturn]] void on_terminate() { abort(current_message(), 1); }

// Shuts MPI down. At exit the trainer's process-wide distribution may already be destroyed
// (statics die in reverse order of construction), so this path leaves it alone.
void finalize_mpi() {
    detail::State& s = state();
    if (!s.mpi || s.finalized) return;
    s.finalized = true;
    MPI_Comm_free(&s.ops_comm);
    MPI_Comm_free(&s.comm);
    if (s.owns_mpi) MPI_Finalize();
}

// Swallows what non-chief ranks write to std::cout.
class NullBuffer : public std::streambuf {
protected:
    int overflow(int c) override { return c == traits_type::eof() ? 0 : c; }
    std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
};

// glibc's on_exit sees the exit status: 0 leaves the job cleanly, anything else means this rank
// failed (main caught an error and returned 1), and the other ranks may be waiting for it in a
// collective, so the whole job ends now. MPI_Finalize there would wait for them forever.
void on_process_exit(int status, void*) {
    detail::State& s = state();
    if (!s.mpi || s.finalized) return;
    if (status != 0) {
        std::fprintf(stderr, "rank %d: exited with status %d; ending the job\n", s.rank, status);
        std::fflush(stderr);
        MPI_Abort(MPI_COMM_WORLD, status);
    }
    finalize_mpi();
}

}  // namespace

bool launched() {
    // OpenMPI (mpirun, PMIx), MPICH/Intel MPI (hydra's PMI), and Slurm's srun with PMI/PMIx.
    return env_set("OMPI_COMM_WORLD_SIZE") || env_set("PMIX_RANK") || env_set("PMI_RANK") || env_set("PMI_SIZE");
}

void init(const InitOptions& options) {
    detail::State& s = state();
    if (s.initialized) return;
    int already = 0;
    detail::check(MPI_Initialized(&already), "init", "MPI_Initialized");
    if (already || launched()) {
        if (!already) {
            // OpenMPI busy-polls while a rank waits in a collective; on a shared or busy machine
            // that spinning takes CPU from the ranks it waits for (the house rule: never spin).
            // Yielding costs nothing when the core is otherwise idle. A value the user set
            // (environment, or mpirun --mca mpi_yield_when_idle 0) wins.
            setenv("OMPI_MCA_mpi_yield_when_idle", "1", 0);
            // Only the calling thread talks to MPI; OpenBLAS's threads never do.
            int provided = 0;
            detail::check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "init", "MPI_Init_thread");
            s.owns_mpi = true;
        }
        // Errors come back as codes (then exceptions, then the failure path), not as MPI's own abort.
        MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
        detail::check(MPI_Comm_dup(MPI_COMM_WORLD, &s.comm), "init", "MPI_Comm_dup");
        MPI_Comm_set_errhandler(s.comm, MPI_ERRORS_RETURN);
        detail::check(MPI_Comm_dup(MPI_COMM_WORLD, &s.ops_comm), "init", "MPI_Comm_dup");
        MPI_Comm_set_errhandler(s.ops_comm, MPI_ERRORS_RETURN);
        detail::check(MPI_Comm_rank(s.comm, &s.rank), "init", "MPI_Comm_rank");
        detail::check(MPI_Comm_size(s.comm, &s.size), "init", "MPI_Comm_size");
        s.mpi = true;
        std::set_terminate(on_terminate);
        on_exit(on_process_exit, nullptr);
    }
    s.initialized = true;
    if (s.size > 1 && s.rank != 0 && options.quiet_workers) {
        // Never destroyed: std::cout is flushed by ios_base::Init's destructor after function
        // statics are gone (seen under ASan: a static sink here was a dangling rdbuf at exit).
        static NullBuffer* sink = new NullBuffer;
        std::cout.rdbuf(sink);
    }
    if (s.size > 1 && options.data_parallel) detail::install_data_parallel();
}

bool initialized() { return state().initialized; }

int rank() {
    init();
    return state().rank;
}

int size() {
    init();
    return state().size;
}

bool is_chief() { return rank() == 0; }

void abort(const std::string& message, int code) {
    const detail::State& s = state();
    std::fprintf(stderr, "rank %d: %s\n", s.rank, message.c_str());
    std::fflush(stderr);
    if (s.mpi && !s.finalized) MPI_Abort(MPI_COMM_WORLD, code);
    std::_Exit(code);
}

void finalize() {
    if (state().mpi && !state().finalized) detail::uninstall_data_parallel();
    finalize_mpi();
}

const char* op_name(ReduceOp op) {
    switch (op) {
        case ReduceOp::Sum: return "sum";
        case ReduceOp::Mean: return "mean";
        case ReduceOp::Max: return "max";
        case ReduceOp::Min: return "min";
    }
    return "?";
}

}  // namespace xgrad::dist
