// History: per-epoch values, CSV and JSON output.
#include "xgrad/train/history.hpp"

#include "xgrad/io.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "xgrad/error.hpp"
#include "xgrad/train/weights_io.hpp"

namespace xgrad::train {

namespace {
std::string number(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}
std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
            continue;
        }
        out += c;
    }
    return out + "\"";
}
}  // namespace

const std::vector<double>& History::operator[](const std::string& key) const {
    auto it = values.find(key);
    if (it == values.end()) {
        std::string ks;
        for (auto& k : keys) ks += (ks.empty() ? "" : ", ") + k;
        throw ValueError("History: no entry '" + key + "'; available: " + ks);
    }
    return it->second;
}

void History::append(const Logs& logs) {
    if (keys.empty()) {
        // Keras order: loss, metrics, then the val_ twins.
        if (logs.count("loss")) keys.push_back("loss");
        for (auto& [k, v] : logs) {
            if (k != "loss" && k.rfind("val_", 0) != 0) keys.push_back(k);
        }
        if (logs.count("val_loss")) keys.push_back("val_loss");
        for (auto& [k, v] : logs) {
            if (k != "val_loss" && k.rfind("val_", 0) == 0) keys.push_back(k);
        }
    }
    for (auto& k : keys) {
        auto it = logs.find(k);
        values[k].push_back(it == logs.end() ? std::nan("") : it->second);
    }
    ++epochs;
}

std::string History::to_csv() const {
    std::ostringstream s;
    s << "epoch";
    for (auto& k : keys) s << "," << k;
    s << "\n";
    for (std::size_t e = 0; e < epochs; ++e) {
        s << e;
        for (auto& k : keys) s << "," << number(values.at(k)[e]);
        s << "\n";
    }
    return s.str();
}

std::string History::to_json() const {
    std::ostringstream s;
    s << "{\"epochs\": " << epochs << ", \"stop_reason\": " << json_string(stop_reason) << ", \"history\": {";
    for (std::size_t i = 0; i < keys.size(); ++i) {
        s << (i ? ", " : "") << json_string(keys[i]) << ": [";
        const auto& v = values.at(keys[i]);
        for (std::size_t e = 0; e < v.size(); ++e) s << (e ? ", " : "") << (std::isfinite(v[e]) ? number(v[e]) : "null");
        s << "]";
    }
    s << "}}\n";
    return s.str();
}

void History::write_csv(const std::string& path) const { write_file_atomic(path, to_csv(), "History::write_csv"); }
void History::write_json(const std::string& path) const { write_file_atomic(path, to_json(), "History::write_json"); }

}  // namespace xgrad::train
