// What the callbacks share: monitoring rules, the optimizer they change, Python's number text.
#include "train/callback_helpers.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "xgrad/error.hpp"
#include "xgrad/nn/model.hpp"

namespace xgrad::train::detail {

bool maximizes(const std::string& monitor) { return monitor.find("acc") != std::string::npos; }

std::string key_list(const Logs& logs) {
    std::string keys;
    for (auto& [k, v] : logs) keys += (keys.empty() ? "" : ", ") + k;
    return keys;
}

std::optional<double> monitored(const std::string& who, const std::string& monitor, const Logs& logs,
                                const nn::Model* model) {
    auto it = logs.find(monitor);
    if (it != logs.end()) return it->second;
    if (model && model->stop_requested()) return std::nullopt;
    throw ValueError(who + ": monitored quantity '" + monitor + "' is not in the logs; available: " + key_list(logs));
}

optim::Optimizer& optimizer_of(const std::string& who, nn::Model* model) {
    if (!model) {
        throw ValueError(who + ": no model to change the learning rate of (fit sets it; call set_model to use the "
                               "callback outside fit)");
    }
    return model->optimizer();
}

std::string python_float(double v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    // The shortest round-trip digits in scientific form, "d.ddde±XX", rearranged as Python's repr.
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    const std::string sci(buf, res.ptr);
    const auto e = sci.find('e');
    const int exponent = std::atoi(sci.c_str() + e + 1);
    if (exponent < -4 || exponent >= 16) return sci;
    const bool negative = sci[0] == '-';
    std::string digits;
    for (char c : sci.substr(0, e))
        if (c >= '0' && c <= '9') digits += c;
    std::string out = negative ? "-" : "";
    if (exponent < 0) return out + "0." + std::string(std::size_t(-exponent - 1), '0') + digits;
    const std::size_t whole = std::size_t(exponent) + 1;
    if (digits.size() <= whole) return out + digits + std::string(whole - digits.size(), '0') + ".0";
    return out + digits.substr(0, whole) + "." + digits.substr(whole);
}

std::string short_number(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}

}  // namespace xgrad::train::detail
