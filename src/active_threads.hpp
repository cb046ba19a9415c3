#pragma once
// Private: the thread count in use, which the trainer may lower below set_num_threads()'s.

namespace xgrad::detail {

/// Lowers the thread count below the one set through set_num_threads (n <= 0 or n above it:
/// back to that count). The trainer uses it when another process makes fewer threads faster.
void set_active_threads(int n);
/// The thread count in use for kernels and products (at most num_threads()).
int active_threads();

}  // namespace xgrad::detail
