// ModelCheckpoint (Python-style file name fields, weights or whole-model files) and CSVLogger (whole file rewritten atomically).
#include "xgrad/train/file_callbacks.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include <nlohmann/json.hpp>

#include "train/callback_helpers.hpp"
#include "xgrad/error.hpp"
#include "xgrad/io.hpp"
#include "xgrad/nn/model.hpp"
#include "xgrad/nn/serialization.hpp"
#include "xgrad/train/distribution.hpp"

namespace xgrad::train {

namespace {

// One piece of a file name pattern: literal text, or a field {name:spec} with the part of
// Python's format-spec mini-language Keras users write: [0][width][.precision][type].
struct Piece {
    std::string text;  // the literal, or the field's name
    bool field = false;
    bool zero = false;
    int width = -1;
    int precision = -1;
    char type = 0;  // 0, 'd', 'f', 'e' or 'g'
};

[[noreturn]] void malformed(const std::string& pattern, const std::string& why) {
    throw ValueError("ModelCheckpoint: malformed filepath '" + pattern + "': " + why);
}

int parse_number(const std::string& spec, std::size_t& i) {
    int n = 0;
    while (i < spec.size() && spec[i] >= '0' && spec[i] <= '9' && n < 1000) n = n * 10 + (spec[i++] - '0');
    return n;
}

Piece parse_field(const std::string& pattern, const std::string& body) {
    Piece p;
    p.field = true;
    const auto colon = body.find(':');
    p.text = body.substr(0, colon);
    const std::string shown = "{" + body + "}";
    if (p.text.empty()) malformed(pattern, "the field " + shown + " has no name (write {epoch} or {<log key>})");
    if (p.text.find_first_of("!.[]") != std::string::npos) {
        malformed(pattern, "the field " + shown + " uses a conversion, attribute or index; write {name} or {name:spec}");
    }
    if (colon == std::string::npos) return p;
    const std::string spec = body.substr(colon + 1);
    std::size_t i = 0;
    if (i < spec.size() && spec[i] == '0') p.zero = true, ++i;
    if (i < spec.size() && spec[i] >= '0' && spec[i] <= '9') p.width = parse_number(spec, i);
    if (i < spec.size() && spec[i] == '.') {
        ++i;
        if (i == spec.size() || spec[i] < '0' || spec[i] > '9') malformed(pattern, "the field " + shown + " has '.' without a precision");
        p.precision = parse_number(spec, i);
    }
    if (i < spec.size() && std::string_view("dfeg").find(spec[i]) != std::string_view::npos) p.type = spec[i++];
    if (i != spec.size() || (p.precision >= 0 && p.type == 0)) {
        malformed(pattern, "the format spec '" + spec + "' of " + shown +
                               " is not supported: use [0][width][.precision] with type f, e or g ({val_loss:.4f}), or d for "
                               "{epoch} ({epoch:02d})");
    }
    if (p.type == 'd' && p.precision >= 0) malformed(pattern, "the field " + shown + " gives a precision to an integer format");
    if (p.type == 'd' && p.text != "epoch") {
        malformed(pattern, "the field " + shown + " formats '" + p.text + "' as an integer (d), but log entries are floats; "
                               "use f, e or g");
    }
    return p;
}

std::vector<Piece> parse_pattern(const std::string& pattern) {
    std::vector<Piece> pieces;
    std::string literal;
    bool seen_field = false;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (c == '{' && i + 1 < pattern.size() && pattern[i + 1] == '{') {
            literal += '{', ++i;
        } else if (c == '}' && i + 1 < pattern.size() && pattern[i + 1] == '}') {
            literal += '}', ++i;
        } else if (c == '}') {
            malformed(pattern, "single '}' at position " + std::to_string(i) + " (write }} for a literal brace)");
        } else if (c == '{') {
            const auto close = pattern.find_first_of("{}", i + 1);
            if (close == std::string::npos || pattern[close] != '}') {
                malformed(pattern, "the '{' at position " + std::to_string(i) + " is not closed (write {{ for a literal brace)");
            }
            if (!literal.empty()) pieces.push_back({literal}), literal.clear();
            pieces.push_back(parse_field(pattern, pattern.substr(i + 1, close - i - 1)));
            seen_field = true;
            i = close;
        } else {
            if (c == '/' && seen_field) {
                malformed(pattern, "a field is in the directory part; only the file name may vary (the directory must exist "
                                   "before training)");
            }
            literal += c;
        }
    }
    if (!literal.empty()) pieces.push_back({literal});
    return pieces;
}

std::string pad(std::string s, int width, bool zero) {
    if (width < 0 || s.size() >= std::size_t(width)) return s;
    const std::size_t fill = std::size_t(width) - s.size();
    const std::size_t at = zero && !s.empty() && (s[0] == '-' || s[0] == '+') ? 1 : 0;
    return s.insert(zero ? at : 0, fill, zero ? '0' : ' ');
}

std::string format_value(const Piece& p, double v, bool integer) {
    if (integer && (p.type == 0 || p.type == 'd')) return pad(std::to_string(static_cast<long long>(v)), p.width, p.zero);
    if (p.type == 0) return pad(detail::python_float(v), p.width, p.zero);
    // Appended piece by piece: GCC 12 flags `"." + std::to_string(n)` with a false -Wstringop-overflow.
    std::string fmt = "%";
    if (p.zero) fmt += '0';
    if (p.width >= 0) fmt += std::to_string(p.width);
    if (p.precision >= 0) {
        fmt += '.';
        fmt += std::to_string(p.precision);
    }
    fmt += p.type;
    const int n = std::snprintf(nullptr, 0, fmt.c_str(), v);
    std::string out(std::size_t(n) + 1, '\0');
    std::snprintf(out.data(), out.size(), fmt.c_str(), v);
    out.resize(std::size_t(n));
    return out;
}

// The first field key of `pieces` that `logs` lacks ("" when none).
std::string missing_key(const std::vector<Piece>& pieces, const Logs& logs) {
    for (const auto& p : pieces) {
        if (p.field && p.text != "epoch" && !logs.count(p.text)) return p.text;
    }
    return "";
}

}  // namespace

// ---- ModelCheckpoint ---------------------------------------------------------------------------

ModelCheckpoint::ModelCheckpoint(std::string filepath, std::string monitor, bool save_best_only, bool save_weights_only)
    : filepath_(std::move(filepath)), monitor_(std::move(monitor)), save_best_only_(save_best_only),
      save_weights_only_(save_weights_only), maximize_(detail::maximizes(monitor_)),
      best_(maximize_ ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity()) {
    if (filepath_.empty() || filepath_.back() == '/') {
        throw ValueError("ModelCheckpoint: filepath '" + filepath_ + "' names no file");
    }
    parse_pattern(filepath_);
}

void ModelCheckpoint::on_train_begin(const Logs&) {
    // The directory part holds no field (checked at construction), so the pattern's own
    // directory is the one every file goes to.
    check_writable(filepath_, "ModelCheckpoint");
    if (save_weights_only_ || !model()) return;
    // Model::save refuses a model it cannot describe only when it is called, at the first epoch
    // end: describe it now, before any step.
    try {
        nn::layer_to_json(*model());
    } catch (const ValueError& e) {
        throw ValueError(std::string("ModelCheckpoint: save_weights_only = false, but the whole model cannot be saved: ") +
                         e.what() + " (or save weights only)");
    }
}

std::string ModelCheckpoint::filepath_for(int epoch, const Logs& logs) const {
    const auto pieces = parse_pattern(filepath_);
    if (const std::string key = missing_key(pieces, logs); !key.empty()) {
        throw ValueError("ModelCheckpoint: filepath '" + filepath_ + "' uses '" + key +
                         "', which is not in the logs of epoch " + std::to_string(epoch + 1) +
                         "; available: epoch, " + detail::key_list(logs));
    }
    std::string out;
    for (const auto& p : pieces) {
        if (!p.field) out += p.text;
        else if (p.text == "epoch") out += format_value(p, double(epoch + 1), true);
        else out += format_value(p, logs.at(p.text), false);
    }
    return out;
}

void ModelCheckpoint::on_epoch_end(int epoch, const Logs& logs) {
    if (!model()) return;
    // An epoch cut short by a stop has no val_* entries: skip it rather than fail at the end.
    if (model()->stop_requested() && !missing_key(parse_pattern(filepath_), logs).empty()) return;
    const std::string path = filepath_for(epoch, logs);
    if (save_best_only_) {
        const auto current = detail::monitored("ModelCheckpoint", monitor_, logs, model());
        if (!current || !(maximize_ ? *current > best_ : *current < best_)) return;
        best_ = *current;
    }
    if (save_weights_only_) model()->save_weights(path);
    else model()->save(path);
    last_saved_ = path;
}

// ---- CSVLogger ---------------------------------------------------------------------------------

CSVLogger::CSVLogger(std::string filename, char separator, bool append)
    : filename_(std::move(filename)), separator_(separator), append_(append) {
    if (filename_.empty()) throw ValueError("CSVLogger: empty filename");
    if (separator_ == '"' || separator_ == '\n' || separator_ == '\r' || separator_ == '\0') {
        throw ValueError("CSVLogger: the separator cannot be a quote, a line break or NUL (got character code " +
                         std::to_string(int(static_cast<unsigned char>(separator_))) + ")");
    }
}

std::string CSVLogger::cell(const std::string& field) const {
    // Python's csv QUOTE_MINIMAL: quote fields holding the separator, a quote or a line break.
    if (field.find_first_of(std::string{separator_, '"', '\n', '\r'}) == std::string::npos) return field;
    std::string out = "\"";
    for (char c : field) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string CSVLogger::text() const {
    std::string out = prefix_;
    if (header_ && !keys_.empty()) {
        out += "epoch";
        for (const auto& k : keys_) out += separator_ + cell(k);
        out += '\n';
    }
    return out + rows_;
}

void CSVLogger::on_train_begin(const Logs&) {
    check_writable(filename_, "CSVLogger");
    prefix_.clear();
    keys_.clear();
    rows_.clear();
    std::error_code ec;
    if (append_ && std::filesystem::exists(filename_, ec)) {
        std::ifstream in(filename_, std::ios::binary);
        if (!in) throw IoError("CSVLogger: cannot read '" + filename_ + "' to append to it: " + std::strerror(errno));
        std::ostringstream s;
        s << in.rdbuf();
        prefix_ = s.str();
        if (!prefix_.empty() && prefix_.back() != '\n') prefix_ += '\n';
    }
    header_ = prefix_.empty();
    // Truncates (or keeps, when appending) at once, as Keras opens the file here: a stale log of
    // an earlier run never passes for this one's.
    if (distribution().is_chief()) write_file_atomic(filename_, prefix_, "CSVLogger");
}

void CSVLogger::on_epoch_end(int epoch, const Logs& logs) {
    if (keys_.empty()) {
        for (const auto& [k, v] : logs) keys_.push_back(k);  // std::map: sorted, as Keras sorts them
    }
    std::string row = std::to_string(epoch);
    for (const auto& k : keys_) {
        auto it = logs.find(k);
        row += separator_ + (it == logs.end() ? std::string("NA") : cell(detail::python_float(it->second)));
    }
    rows_ += row + '\n';
    if (distribution().is_chief()) write_file_atomic(filename_, text(), "CSVLogger");
}

}  // namespace xgrad::train
