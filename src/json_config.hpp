#pragma once
// Private: reading a config object (a layer's, an optimizer's, a saved model's) with errors
// that name whose config it is and which key is wrong, instead of nlohmann's generic
// "[json.exception.type_error.302] type must be number". Keys are checked both ways: a missing
// optional key takes its default (older files stay readable when an option is added), an
// unknown key is an error (a newer file's option must not be dropped silently).

#include <nlohmann/json.hpp>

#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "xgrad/error.hpp"

namespace xgrad::detail {

/// `f` as a JSON number that prints as its shortest decimal ("0.99", not 0.9900000095367432)
/// and reads back as exactly `f` (checked; the exact double of `f` otherwise).
inline nlohmann::json json_float(float f) {
    char buf[32];
    const auto end = std::to_chars(buf, buf + sizeof buf, f).ptr;
    double d = 0;
    std::from_chars(buf, end, d);  // not strtod: a locale's decimal comma must not matter
    return float(d) == f ? d : double(f);
}

class ConfigReader {
public:
    /// Reads `config`, which must be a JSON object; `who` starts every message ("Dense 'dense_1'").
    ConfigReader(const nlohmann::json& config, std::string who) : config_(config), who_(std::move(who)) {
        if (!config_.is_object()) fail("its config must be a JSON object, got " + brief(config_));
    }

    /// The value of a required key.
    template <class T>
    T get(const std::string& key) {
        auto it = config_.find(key);
        if (it == config_.end()) fail("its config has no '" + key + "'");
        used_.insert(key);
        return as<T>(*it, key);
    }
    /// The value of an optional key, `fallback` when absent.
    template <class T>
    T get(const std::string& key, T fallback) {
        if (!config_.contains(key)) return fallback;
        return get<T>(key);
    }
    /// The raw value of a required key.
    const nlohmann::json& raw(const std::string& key) {
        auto it = config_.find(key);
        if (it == config_.end()) fail("its config has no '" + key + "'");
        used_.insert(key);
        return *it;
    }
    /// True when the key is present.
    bool has(const std::string& key) const { return config_.contains(key); }
    /// Marks a key as read without reading it (keys another part of the loader handles).
    void skip(const std::string& key) { used_.insert(key); }
    /// ValueError naming the keys that were never read (an option this build does not know).
    void done() const {
        std::string unknown;
        for (const auto& [key, value] : config_.items()) {
            if (!used_.count(key)) unknown += (unknown.empty() ? "'" : ", '") + key + "'";
        }
        if (!unknown.empty()) {
            fail("its config has unknown key(s) " + unknown + " (written by a newer xgrad, or by hand?)");
        }
    }

    /// ValueError "<who>: <what>" (just <what> when `who` is empty).
    [[noreturn]] void fail(const std::string& what) const { throw ValueError(who_.empty() ? what : who_ + ": " + what); }
    /// The value in a message: its JSON, cut after 60 characters.
    static std::string brief(const nlohmann::json& v) {
        std::string s = v.dump();
        return s.size() > 60 ? s.substr(0, 57) + "..." : s;
    }

    /// `v` as T, or ValueError naming the key and what T must be.
    template <class T>
    T as(const nlohmann::json& v, const std::string& key) const {
        const auto wrong = [&](const char* want) {
            fail("config key '" + key + "' must be " + want + ", got " + brief(v));
        };
        if constexpr (std::is_same_v<T, bool>) {
            if (!v.is_boolean()) wrong("true or false");
            return v.get<bool>();
        } else if constexpr (std::is_same_v<T, std::string>) {
            if (!v.is_string()) wrong("a string");
            return v.get<std::string>();
        } else if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
            if (!v.is_number()) wrong("a number");
            return v.get<T>();
        } else if constexpr (std::is_same_v<T, std::size_t>) {
            // Bounded: a size drives an allocation when the layer is built. Parsed text holds
            // 5 as unsigned, a json built in C++ from an int as signed: both are fine.
            if (!v.is_number_integer() || (!v.is_number_unsigned() && v.get<std::int64_t>() < 0) ||
                v.get<std::uint64_t>() > kMaxSize)
                wrong("an integer in [0, 2^31]");
            return std::size_t(v.get<std::uint64_t>());
        } else if constexpr (std::is_same_v<T, int> || std::is_same_v<T, std::ptrdiff_t>) {
            if (!v.is_number_integer() || v.get<std::int64_t>() < -std::int64_t(kMaxSize) ||
                v.get<std::int64_t>() > std::int64_t(kMaxSize))
                wrong("an integer in [-2^31, 2^31]");
            return T(v.get<std::int64_t>());
        } else if constexpr (std::is_same_v<T, std::array<std::size_t, 2>>) {
            if (!v.is_array() || v.size() != 2) wrong("a list of 2 integers");
            return {as<std::size_t>(v[0], key), as<std::size_t>(v[1], key)};
        } else {
            static_assert(std::is_same_v<T, std::vector<typename T::value_type>>, "unsupported config type");
            if (!v.is_array()) wrong("a list");
            T out;
            for (const auto& e : v) out.push_back(as<typename T::value_type>(e, key));
            return out;
        }
    }

private:
    static constexpr std::uint64_t kMaxSize = std::uint64_t(1) << 31;
    const nlohmann::json& config_;
    std::string who_;
    std::set<std::string> used_;
};

}  // namespace xgrad::detail
