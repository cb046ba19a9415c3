// Text traces of backward steps: an aligned table (UTF-8 aware widths) and per-step blocks.
#include "xgrad/study/trace.hpp"

#include <algorithm>
#include <sstream>

#include "xgrad/format.hpp"

namespace xgrad::study {

namespace {

// Display width of UTF-8 text: count the bytes that start a code point (⊙, ᵀ, Σ are one wide).
std::size_t width(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

std::string value(const Array& a, const TraceOptions& o) { return summarize(a, o.max_elements, o.precision); }

bool in_scope(const NodeInfo& n, const std::string& prefix) {
    auto starts = [&](const std::string& s) {
        return s == prefix || (s.size() > prefix.size() && s.compare(0, prefix.size(), prefix) == 0 &&
                               s[prefix.size()] == '/');
    };
    return starts(n.scope) || starts(n.label);
}

}  // namespace

std::string no_gradient_reason(const NodeInfo& input) {
    if (input.op == "constant") return "no gradient: constant";
    if (input.op == "parameter") return "no gradient: frozen parameter";
    return "no gradient: no parameter before it";
}

std::string node_name(const NodeInfo& node) {
    return "'" + node.label + "' #" + std::to_string(node.id) + " " + shape_str(node.shape);
}

bool selected(const StepRecord& step, const TraceOptions& o) {
    if (o.scopes.empty() && o.nodes.empty()) return true;
    if (o.nodes.count(step.node.id)) return true;
    return std::any_of(o.scopes.begin(), o.scopes.end(), [&](const std::string& p) { return in_scope(step.node, p); });
}

std::string trace_table(const std::vector<StepRecord>& steps, const TraceOptions& o) {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> head = {"step", "node", "op", "dL/dC (upstream)", "input", "rule", "produced dL/d(input)", "+="};
    if (o.show_generic_rule) head.insert(head.begin() + 3, "generic rule");
    rows.push_back(head);
    for (const StepRecord& s : steps) {
        if (!selected(s, o)) continue;
        for (std::size_t i = 0; i < std::max<std::size_t>(s.inputs.size(), 1); ++i) {
            std::vector<std::string> row(head.size());
            std::size_t c = 0;
            const bool first = i == 0;
            row[c++] = first ? std::to_string(s.index + 1) + "/" + std::to_string(s.total) : "";
            row[c++] = first ? node_name(s.node) : "";
            row[c++] = first ? s.node.op : "";
            if (o.show_generic_rule) row[c++] = first ? s.rule : "";
            row[c++] = first ? value(s.upstream, o) : "";
            if (i < s.inputs.size()) {
                const InputGrad& g = s.inputs[i];
                row[c++] = node_name(g.input);
                row[c++] = g.needed ? g.formula : "(" + no_gradient_reason(g.input) + ")";
                row[c++] = g.needed ? value(g.grad, o) : "";
                row[c++] = g.accumulated ? "+=" : "";
            }
            rows.push_back(std::move(row));
        }
    }
    std::vector<std::size_t> w(head.size(), 0);
    for (const auto& r : rows)
        for (std::size_t c = 0; c < r.size(); ++c) w[c] = std::max(w[c], width(r[c]));
    std::ostringstream out;
    for (std::size_t k = 0; k < rows.size(); ++k) {
        std::string line;
        for (std::size_t c = 0; c < rows[k].size(); ++c) {
            line += rows[k][c];
            if (c + 1 < rows[k].size()) line += std::string(w[c] - width(rows[k][c]) + 2, ' ');
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out << line << '\n';
        if (k == 0) {
            std::size_t total = 0;
            for (std::size_t c = 0; c < w.size(); ++c) total += w[c] + (c + 1 < w.size() ? 2 : 0);
            std::string rule;
            for (std::size_t j = 0; j < total; ++j) rule += "-";
            out << rule << '\n';
        }
    }
    return out.str();
}

std::string format_step(const StepRecord& s, const TraceOptions& o) {
    std::ostringstream out;
    out << "step " << s.index + 1 << "/" << s.total << ": " << s.node.op << " " << node_name(s.node) << '\n';
    out << "  rule:      " << s.rule << '\n';
    out << "  upstream:  dL/dC = " << value(s.upstream, o) << '\n';
    for (std::size_t i = 0; i < s.inputs.size(); ++i) {
        const InputGrad& g = s.inputs[i];
        out << "  input " << i << ":   " << node_name(g.input) << '\n';
        if (!g.needed) {
            out << "             " << no_gradient_reason(g.input) << '\n';
            continue;
        }
        out << "             " << g.formula << '\n';
        out << "             " << (g.accumulated ? "+= " : "=  ") << value(g.grad, o) << '\n';
    }
    return out.str();
}

}  // namespace xgrad::study
