#pragma once
/// @file progbar.hpp
/// Keras' progress line: `469/469 [==============================] - 2s 4ms/step - loss: 0.2571 - accuracy: 0.9257`.

#include <chrono>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

namespace xgrad::train {

/// (name, value) pairs shown after the bar, in order.
using ProgressValues = std::vector<std::pair<std::string, double>>;

/// One progress line. While running (current < target): "128/469 [=======>......] - ETA: 3s - loss: ...".
/// Finished: "469/469 [====...====] - 2s 4ms/step - loss: ...". Values print as %.4f, or %.4e
/// when |v| <= 1e-3 (Keras' rule).
std::string format_progress(std::size_t current, std::size_t target, double elapsed_seconds,
                            const ProgressValues& values, std::size_t width = 30);

/// Draws progress lines for one epoch. Dynamic mode (a terminal) redraws the line in place
/// with '\r' at most every 50 ms; otherwise only the finished line is printed.
class Progbar {
public:
    /// A bar for `target` steps on `out`.
    Progbar(std::size_t target, std::ostream& out, bool dynamic);
    /// Reports that `current` steps are done; the line ends with '\n' when current == target.
    /// `extra` values (val_*) are appended to the finished line only.
    void update(std::size_t current, const ProgressValues& values, const ProgressValues& extra = {});

private:
    std::size_t target_;
    std::ostream& out_;
    bool dynamic_;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_draw_;
    std::size_t last_length_ = 0;
};

/// True when `out` is std::cout and standard output is a terminal.
bool is_terminal(const std::ostream& out);

}  // namespace xgrad::train
