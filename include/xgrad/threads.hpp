#pragma once
/// @file threads.hpp
/// xgrad computes in one thread pool, OpenBLAS's (pthreads, never spinning).

namespace xgrad {

/// Sets the number of threads of the matrix products (n >= 1; ValueError otherwise).
void set_num_threads(int n);
/// The number of threads the matrix products use.
int num_threads();

}  // namespace xgrad
