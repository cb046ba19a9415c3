// Built instead of ops_torch.cpp when LibTorch is not installed: xgrad's column only.
#include <stdexcept>

#include "cases.hpp"

namespace ops_bench {
bool has_torch() { return false; }
void torch_threads(int) {}
Iteration torch_iteration(const Case&) { throw std::logic_error("bench/ops was built without LibTorch"); }
}  // namespace ops_bench
