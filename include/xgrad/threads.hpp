#pragma once
/// @file threads.hpp
/// Thread count of xgrad's work: OpenBLAS's pool (matrix products) and the workers that split
/// large elementwise kernels (both sleep when idle, never spin, and never run at once).

namespace xgrad {

/// Sets the number of threads of the matrix products and elementwise kernels (n >= 1;
/// ValueError otherwise).
void set_num_threads(int n);
/// The number of threads set (the matrix products and kernels use at most this many).
int num_threads();

}  // namespace xgrad
