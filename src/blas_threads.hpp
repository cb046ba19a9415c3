#pragma once
// Private: runs small matrix products on one OpenBLAS thread.

namespace xgrad::detail {

/// Products with fewer multiply-adds (m·n·k) than this run on one thread. Waking and joining
/// OpenBLAS's workers costs more than they save on MNIST's 10-column products (128x512x10 is
/// 0.66 M), and with another process busy each join can wait a scheduler slice.
/// The 128x784x512 products (51 M) keep every thread.
inline constexpr double kSerialGemmMnk = 4.0e6;

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
