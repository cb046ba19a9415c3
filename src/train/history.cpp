// History: per-epoch values; CSV output, JSON output and input (nlohmann-json).
#include "xgrad/train/history.hpp"

#include "xgrad/io.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
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
    if (epochs == 0 && keys.empty()) {
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
    // A key that first appears in a later epoch (a callback may add entries to some epochs'
    // logs only) gets a column too, NaN for the epochs before it.
    for (auto& [k, v] : logs) {
        if (std::find(keys.begin(), keys.end(), k) == keys.end()) {
            keys.push_back(k);
            values[k].assign(epochs, std::nan(""));
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
    // ordered_json keeps the keys in Keras' order (loss, metrics, val_*), not sorted.
    nlohmann::ordered_json history = nlohmann::ordered_json::object();
    for (const auto& k : keys) {
        nlohmann::ordered_json column = nlohmann::ordered_json::array();
        for (double v : values.at(k)) column.push_back(std::isfinite(v) ? nlohmann::ordered_json(v) : nullptr);
        history[k] = std::move(column);
    }
    const nlohmann::ordered_json doc = {{"epochs", epochs}, {"stop_reason", stop_reason}, {"history", std::move(history)}};
    // Invalid UTF-8 in a metric's name becomes U+FFFD rather than an exception mid-write.
    return doc.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

History History::from_json(const std::string& text) {
    const std::string who = "History::from_json: ";
    nlohmann::ordered_json doc;
    try {
        doc = nlohmann::ordered_json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        throw ValueError(who + "not valid JSON (" + e.what() + ")");
    }
    if (!doc.is_object() || !doc.contains("epochs") || !doc.contains("history"))
        throw ValueError(who + "expected an object with \"epochs\" and \"history\"");
    const auto& epochs_json = doc["epochs"];
    const auto& history_json = doc["history"];
    if (!epochs_json.is_number_unsigned()) throw ValueError(who + "\"epochs\" must be a non-negative integer");
    if (!history_json.is_object()) throw ValueError(who + "\"history\" must be an object of arrays");
    History h;
    h.epochs = epochs_json.get<std::size_t>();
    if (doc.contains("stop_reason")) {
        if (!doc["stop_reason"].is_string()) throw ValueError(who + "\"stop_reason\" must be a string");
        h.stop_reason = doc["stop_reason"].get<std::string>();
    }
    for (const auto& [key, column] : history_json.items()) {
        if (!column.is_array()) throw ValueError(who + "'" + key + "' must be an array of numbers");
        if (column.size() != h.epochs)
            throw ValueError(who + "'" + key + "' has " + std::to_string(column.size()) + " values but epochs is " +
                             std::to_string(h.epochs));
        std::vector<double>& out = h.values[key];
        for (const auto& v : column) {
            if (v.is_null()) out.push_back(std::nan(""));  // to_json writes NaN and Inf as null
            else if (v.is_number()) out.push_back(v.get<double>());
            else throw ValueError(who + "'" + key + "' holds " + v.dump() + ", expected numbers or null");
        }
        h.keys.push_back(key);
    }
    return h;
}

History History::read_json(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IoError("History::read_json: cannot open '" + path + "'");
    std::ostringstream s;
    s << in.rdbuf();
    try {
        return from_json(s.str());
    } catch (const ValueError& e) {
        throw ValueError(std::string(e.what()) + " (in '" + path + "')");
    }
}

void History::write_csv(const std::string& path) const { write_file_atomic(path, to_csv(), "History::write_csv"); }
void History::write_json(const std::string& path) const { write_file_atomic(path, to_json(), "History::write_json"); }

}  // namespace xgrad::train
