#pragma once
// Private: OpenBLAS's thread count. xgrad's own threads run the products (ops/gemm.hpp), each
// block on one OpenBLAS thread.

namespace xgrad::detail {

/// While alive, OpenBLAS uses one thread when `serial` is true and more than one was asked
/// for; the destructor restores the count set through set_num_threads(). A concurrent product
/// in another thread may see one thread meanwhile (slower, never wrong).
class SerialBlas {
public:
    explicit SerialBlas(bool serial);
    ~SerialBlas();
    SerialBlas(const SerialBlas&) = delete;
    SerialBlas& operator=(const SerialBlas&) = delete;

private:
    bool active_;
};

/// Lowers the thread count below the one set through set_num_threads (n <= 0 or n above it:
/// back to that count). The trainer uses it when another process makes fewer threads faster.
void set_active_threads(int n);
/// The thread count in use for large products (at most num_threads()).
int active_threads();

}  // namespace xgrad::detail
