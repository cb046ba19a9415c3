#pragma once
/// @file threads.hpp
/// Thread count of xgrad's work: the workers that split large kernels and matrix products (a
/// product is cut into one block per thread, each block one single-threaded OpenBLAS call).
/// Idle workers poll for 50 us, yielding the core, then sleep.

namespace xgrad {

/// Sets the number of threads of the matrix products and elementwise kernels (n >= 1;
/// ValueError otherwise).
void set_num_threads(int n);
/// The number of threads set (the matrix products and kernels use at most this many).
int num_threads();

}  // namespace xgrad
