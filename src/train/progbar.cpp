// Keras-format progress lines.
#include "xgrad/train/progbar.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>

namespace xgrad::train {

namespace {
std::string printf_str(const char* fmt, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, fmt, v);
    return buf;
}

std::string format_eta(double eta) {
    const long s = long(std::lround(eta));
    char buf[32];
    if (s > 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s % 3600) / 60, s % 60);
    else if (s > 60) std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    else std::snprintf(buf, sizeof buf, "%lds", s);
    return buf;
}
}  // namespace

std::string format_progress(std::size_t current, std::size_t target, double elapsed, const ProgressValues& values,
                            std::size_t width) {
    const std::string digits = std::to_string(std::to_string(target).size());
    char head[64];
    std::snprintf(head, sizeof head, ("%" + digits + "zu/%zu [").c_str(), current, target);
    std::string line = head;
    const std::size_t filled = target ? width * current / target : width;
    if (filled > 0) {
        line.append(filled - 1, '=');
        line += current < target ? '>' : '=';
    }
    line.append(width - filled, '.');
    line += "]";
    const double per_step = current ? elapsed / double(current) : 0.0;
    if (current < target) {
        line += " - ETA: " + format_eta(per_step * double(target - current));
    } else {
        line += printf_str(" - %.0fs", elapsed);
        if (per_step >= 1) line += printf_str(" %.0fs/step", per_step);
        else if (per_step >= 1e-3) line += printf_str(" %.0fms/step", per_step * 1e3);
        else line += printf_str(" %.0fus/step", per_step * 1e6);
    }
    for (auto& [k, v] : values) line += " - " + k + ":" + printf_str(std::abs(v) > 1e-3 ? " %.4f" : " %.4e", v);
    return line;
}

Progbar::Progbar(std::size_t target, std::ostream& out, bool dynamic)
    : target_(target), out_(out), dynamic_(dynamic), start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

void Progbar::update(std::size_t current, const ProgressValues& values, const ProgressValues& extra) {
    const auto now = std::chrono::steady_clock::now();
    const bool finished = current >= target_;
    if (!finished && (!dynamic_ || now - last_draw_ < std::chrono::milliseconds(50))) return;
    last_draw_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    ProgressValues all = values;
    if (finished) all.insert(all.end(), extra.begin(), extra.end());
    std::string line = format_progress(current, target_, elapsed, all);
    if (dynamic_) {
        const std::size_t len = line.size();
        if (len < last_length_) line.append(last_length_ - len, ' ');  // erase the longer previous line
        last_length_ = len;
        out_ << '\r' << line;
    } else {
        out_ << line;
    }
    if (finished) out_ << '\n';
    out_.flush();
}

bool is_terminal(const std::ostream& out) { return &out == &std::cout && ::isatty(STDOUT_FILENO); }

}  // namespace xgrad::train
