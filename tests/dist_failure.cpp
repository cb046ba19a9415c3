// A job in which rank 1 fails while rank 0 waits in a collective; dist_failure.sh checks that
// the job ends promptly with rank 1's message. Modes: throw (uncaught exception), exit (main
// catches the error, prints it and returns 1), kill (SIGKILL, no handler runs).
#include <xgrad/dist/dist.hpp>
#include <xgrad/error.hpp>

#include <csignal>
#include <cstring>
#include <iostream>
#include <string>

namespace {
void fail(const std::string& mode) {
    if (mode == "throw") throw xgrad::ValueError("deliberate failure on rank 1 (mode throw)");
    if (mode == "kill") std::raise(SIGKILL);
}
}  // namespace

int main(int argc, char** argv) {
    const std::string mode = argc > 1 ? argv[1] : "throw";
    xgrad::dist::init();
    if (xgrad::dist::rank() == 1) {
        if (mode == "exit") {
            try {
                throw xgrad::ValueError("deliberate failure on rank 1 (mode exit)");
            } catch (const xgrad::Error& e) {
                std::cerr << "error: " << e.what() << '\n';
                return 1;
            }
        }
        fail(mode);
    }
    // Rank 0 waits for a partner that never comes.
    xgrad::dist::barrier();
    std::cout << "rank " << xgrad::dist::rank() << " passed the barrier: the failure was not noticed\n";
    return 0;
}
