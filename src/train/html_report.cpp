// HtmlReport: numbers recorded during fit, written as one HTML page whose charts Chart.js draws
// (embedded at build time by cmake/chartjs.cmake, so the page needs no network).
#include "html_escape.hpp"
#include "xgrad/train/html_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "xgrad/error.hpp"
#include "xgrad/io.hpp"
#include "xgrad/nn/model.hpp"

namespace xgrad::train {

namespace detail {
extern const char* const chartjs_code;
extern const char* const chartjs_version;
extern const char* const chartjs_searched;
}  // namespace detail

namespace {

using ::xgrad::detail::html_escape;

// The layer a parameter belongs to: its name before the last '.'.
std::string layer_of(const std::string& param) {
    const auto dot = param.rfind('.');
    return dot == std::string::npos ? param : param.substr(0, dot);
}

std::string json_number(double v) {
    if (!std::isfinite(v)) return "null";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

// A JSON string that is also safe inside <script> ('<' escaped, so no "</script>").
std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') out += '\\', out += char(c);
        else if (c == '<') out += "\\u003c";
        else if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else out += char(c);
    }
    return out + "\"";
}

template <class T, class F>
std::string json_array(const std::vector<T>& v, F f) {
    std::string out = "[";
    // Appended piece by piece: GCC 12 flags `(i ? "," : "") + f(x)` with a false -Wstringop-overflow.
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) out += ',';
        out += f(v[i]);
    }
    return out + "]";
}

const char* kStyle = R"(
body { font-family: system-ui, sans-serif; margin: 16px 24px; color: #222; background: #fafafc; }
h1 { font-size: 20px; margin: 0 0 4px 0; }
h2 { font-size: 16px; margin: 18px 0 6px 0; }
.meta { color: #556; font-size: 13px; margin-bottom: 8px; }
table { border-collapse: collapse; font-size: 13px; margin: 6px 0 10px 0; }
td, th { border: 1px solid #ccd; padding: 2px 8px; text-align: right; }
th { background: #eef; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(460px, 1fr)); gap: 14px; }
.card { background: #fff; border: 1px solid #dde; border-radius: 4px; padding: 8px; height: 280px; }
.card canvas { width: 100% !important; height: 100% !important; }
)";

// Builds the charts from the DATA object: one chart per group of epoch curves, the norms over
// steps, the batch loss, and one histogram chart per layer.
const char* kScript = R"(
(function () {
  var D = JSON.parse(document.getElementById('report-data').textContent);
  var palette = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.size = 12;
  var grid = document.getElementById('charts');
  function card(title) {
    var div = document.createElement('div'); div.className = 'card';
    var canvas = document.createElement('canvas'); canvas.setAttribute('aria-label', title);
    div.appendChild(canvas); grid.appendChild(div); return canvas;
  }
  function xy(xs, ys) { return xs.map(function (x, i) { return { x: x, y: ys[i] }; }); }
  function chart(title, xlabel, ylabel, datasets, logy) {
    return new Chart(card(title), {
      type: 'line',
      data: { datasets: datasets },
      options: {
        parsing: false, normalized: true, spanGaps: true,
        plugins: { title: { display: true, text: title }, legend: { position: 'bottom' } },
        elements: { point: { radius: datasets.length && datasets[0].data.length > 60 ? 0 : 3 }, line: { borderWidth: 1.5 } },
        scales: {
          x: { type: 'linear', title: { display: true, text: xlabel }, ticks: xlabel === 'epoch' ? { stepSize: 1 } : {} },
          y: { type: logy ? 'logarithmic' : 'linear', title: { display: true, text: ylabel } }
        }
      }
    });
  }
  var epochs = D.epochs.map(function (_, i) { return i + 1; });
  // Epoch curves: "loss" with "val_loss", each metric with its val_ twin.
  D.keys.filter(function (k) { return k.indexOf('val_') !== 0; }).forEach(function (k, i) {
    var sets = [{ label: 'training ' + k, data: xy(epochs, D.epochs.map(function (e) { return e[k]; })),
                  borderColor: palette[0], backgroundColor: palette[0] }];
    if (D.keys.indexOf('val_' + k) >= 0)
      sets.push({ label: 'validation ' + k, data: xy(epochs, D.epochs.map(function (e) { return e['val_' + k]; })),
                  borderColor: palette[1], backgroundColor: palette[1] });
    chart(k + ' per epoch', 'epoch', k, sets, false);
  });
  var layers = Object.keys(D.weight_norms);
  function per_layer(src) {
    return layers.map(function (l, i) {
      return { label: l, data: xy(D.steps, src[l]), borderColor: palette[i % palette.length],
               backgroundColor: palette[i % palette.length] };
    });
  }
  chart('weight norm per layer ‖W‖', 'training step', '‖W‖', per_layer(D.weight_norms), false);
  chart('gradient norm per layer ‖∇W‖', 'training step', '‖∇W‖ (log scale)', per_layer(D.grad_norms), true);
  chart('batch loss', 'training step', 'loss', [{ label: 'loss', data: xy(D.steps, D.batch_loss),
        borderColor: palette[0], backgroundColor: palette[0] }], false);
  layers.forEach(function (l) {
    var hs = D.histograms[l] || [];
    var sets = hs.map(function (h, j) {
      var w = (h.hi - h.lo) / h.counts.length, total = h.counts.reduce(function (a, b) { return a + b; }, 0);
      var shade = hs.length > 1 ? j / (hs.length - 1) : 1;
      var colour = 'rgb(' + Math.round(40 + 180 * (1 - shade)) + ',' + Math.round(90 + 120 * (1 - shade)) + ',' + Math.round(200 - 60 * shade) + ')';
      return { label: h.when, stepped: 'middle', borderColor: colour, backgroundColor: colour, pointRadius: 0,
               data: h.counts.map(function (c, b) { return { x: h.lo + (b + 0.5) * w, y: total && w ? c / (total * w) : 0 }; }) };
    });
    chart('weights of ' + l + ' (histogram per epoch)', 'weight value', 'density', sets, false);
  });
  document.body.setAttribute('data-charts', Chart.instances ? Object.keys(Chart.instances).length : 0);
})();
)";

}  // namespace

bool HtmlReport::available() { return detail::chartjs_code != nullptr; }

std::string HtmlReport::library_version() { return detail::chartjs_version; }

HtmlReport::HtmlReport(std::string path, HtmlReportOptions options) : path_(std::move(path)), options_(std::move(options)) {
    if (!available()) {
        throw Error(std::string("HtmlReport: xgrad was built without its charting library (Chart.js ") +
                    detail::chartjs_version + " was not found at '" + detail::chartjs_searched +
                    "'); run scripts/fetch_chartjs.sh, then re-run cmake and rebuild");
    }
    if (path_.empty()) throw ValueError("HtmlReport: empty output path");
    if (options_.every == 0) throw ValueError("HtmlReport: every must be >= 1 (record the norms every N steps), got 0");
    if (options_.bins == 0) throw ValueError("HtmlReport: bins must be >= 1, got 0");
    check_writable(path_, "HtmlReport");  // before hours of training, not after
}

void HtmlReport::record_histograms(const std::string& when) {
    if (!model()) return;
    std::map<std::string, std::vector<const Array*>> layers;
    for (const auto& [name, p] : model()->named_parameters()) layers[layer_of(name)].push_back(&p.value());
    for (const auto& [layer, values] : layers) {
        Histogram h;
        h.when = when;
        h.lo = std::numeric_limits<float>::infinity();
        h.hi = -h.lo;
        for (const Array* a : values)
            for (float v : *a)
                if (std::isfinite(v)) h.lo = std::min(h.lo, v), h.hi = std::max(h.hi, v);
        if (!(h.lo <= h.hi)) h.lo = h.hi = 0;  // no finite weight
        if (h.hi == h.lo) h.hi = h.lo + 1e-6f;
        h.counts.assign(options_.bins, 0.0);
        const double scale = double(options_.bins) / double(h.hi - h.lo);
        for (const Array* a : values)
            for (float v : *a) {
                if (!std::isfinite(v)) continue;
                const auto b = std::min<std::size_t>(options_.bins - 1, std::size_t(double(v - h.lo) * scale));
                h.counts[b] += 1;
            }
        histograms_[layer].push_back(std::move(h));
    }
}

void HtmlReport::on_train_begin(const Logs&) {
    epochs_.clear();
    step_ = 0;
    steps_.clear();
    batch_loss_.clear();
    weight_norms_.clear();
    grad_norms_.clear();
    histograms_.clear();
    record_histograms("initial");
}

void HtmlReport::on_batch_end(int, const Logs& logs) {
    ++step_;
    if (!model() || (step_ - 1) % options_.every != 0) return;
    std::map<std::string, double> w2, g2;
    std::map<std::string, bool> has_grad;
    for (const auto& [name, p] : model()->named_parameters()) {
        const std::string layer = layer_of(name);
        double s = 0;
        for (float v : p.value()) s += double(v) * v;
        w2[layer] += s;
        const Tensor g = p.grad();
        if (g.defined()) {
            double t = 0;
            for (float v : g.value()) t += double(v) * v;
            g2[layer] += t;
            has_grad[layer] = true;
        }
    }
    steps_.push_back(step_);
    auto it = logs.find("loss");
    batch_loss_.push_back(it == logs.end() ? std::nan("") : it->second);
    for (const auto& [layer, s] : w2) {
        weight_norms_[layer].push_back(std::sqrt(s));
        grad_norms_[layer].push_back(has_grad[layer] ? std::sqrt(g2[layer]) : std::nan(""));
    }
}

void HtmlReport::on_epoch_end(int epoch, const Logs& logs) {
    epochs_.push_back(logs);
    record_histograms("epoch " + std::to_string(epoch + 1));
    write();
}

void HtmlReport::on_train_end(const Logs&) { write(); }

std::string HtmlReport::html() const {
    if (!available()) throw Error("HtmlReport: xgrad was built without its charting library");
    // Column order: loss, the metrics, then their val_ twins in the same order.
    std::vector<std::string> keys;
    if (!epochs_.empty()) {
        const Logs& first = epochs_.front();
        if (first.count("loss")) keys.push_back("loss");
        for (const auto& [k, v] : first)
            if (k != "loss" && k.rfind("val_", 0) != 0) keys.push_back(k);
        for (std::size_t i = 0, n = keys.size(); i < n; ++i)
            if (first.count("val_" + keys[i])) keys.push_back("val_" + keys[i]);
        for (const auto& [k, v] : first)  // a val_ key without a training twin
            if (k.rfind("val_", 0) == 0 && std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
    }
    std::ostringstream d;
    d << "{\"keys\":" << json_array(keys, json_string) << ",\"epochs\":"
      << json_array(epochs_, [&](const Logs& l) {
             std::string s = "{";
             bool first = true;
             for (const auto& [k, v] : l) {
                 if (!first) s += ',';
                 s += json_string(k);
                 s += ':';
                 s += json_number(v);
                 first = false;
             }
             return s + "}";
         })
      << ",\"steps\":" << json_array(steps_, [](std::size_t s) { return std::to_string(s); })
      << ",\"batch_loss\":" << json_array(batch_loss_, json_number);
    auto per_layer = [&](const std::map<std::string, std::vector<double>>& m) {
        std::string s = "{";
        bool first = true;
        for (const auto& [k, v] : m) {
            if (!first) s += ',';
            s += json_string(k);
            s += ':';
            s += json_array(v, json_number);
            first = false;
        }
        return s + "}";
    };
    d << ",\"weight_norms\":" << per_layer(weight_norms_) << ",\"grad_norms\":" << per_layer(grad_norms_);
    d << ",\"histograms\":{";
    bool first = true;
    for (const auto& [layer, hs] : histograms_) {
        d << (first ? "" : ",") << json_string(layer) << ":"
          << json_array(hs, [](const Histogram& h) {
                 std::string s = "{\"when\":";
                 s += json_string(h.when);
                 s += ",\"lo\":";
                 s += json_number(h.lo);
                 s += ",\"hi\":";
                 s += json_number(h.hi);
                 s += ",\"counts\":";
                 s += json_array(h.counts, json_number);
                 return s + "}";
             });
        first = false;
    }
    d << "}}";

    std::ostringstream o;
    o << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" << html_escape(options_.title)
      << "</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n<h1>" << html_escape(options_.title) << "</h1>\n";
    o << "<p class=\"meta\">" << epochs_.size() << (epochs_.size() == 1 ? " epoch, " : " epochs, ") << step_
      << " training steps (norms every " << options_.every << (options_.every == 1 ? " step" : " steps")
      << "). Charts by Chart.js " << detail::chartjs_version << ", embedded: this file works offline.</p>\n";
    if (!epochs_.empty()) {
        o << "<table id=\"epochs\"><tr><th>epoch</th>";
        for (const auto& k : keys) o << "<th>" << html_escape(k) << "</th>";
        o << "</tr>\n";
        for (std::size_t e = 0; e < epochs_.size(); ++e) {
            o << "<tr><td>" << e + 1 << "</td>";
            for (const auto& k : keys) {
                auto it = epochs_[e].find(k);
                o << "<td>" << (it == epochs_[e].end() ? "" : json_number(it->second)) << "</td>";
            }
            o << "</tr>\n";
        }
        o << "</table>\n";
    }
    o << "<div class=\"grid\" id=\"charts\"></div>\n";
    o << "<script type=\"application/json\" id=\"report-data\">" << d.str() << "</script>\n";
    o << "<script>\n" << detail::chartjs_code << "\n</script>\n<script>" << kScript << "</script>\n</body>\n</html>\n";
    return o.str();
}

void HtmlReport::write() const { xgrad::write_file_atomic(path_, html(), "HtmlReport"); }

}  // namespace xgrad::train
