// DOT text from Items: node styles, clusters (nested by scope path), collapsed layer boxes,
// highlighting, colouring by gradient and the legend. Output depends only on the items and
// options, never on addresses or time, so the same graph gives the same bytes.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>

#include "viz/drawing.hpp"
#include "xgrad/format.hpp"

namespace xgrad::viz::detail {

namespace {

struct Style {
    const char* legend;
    const char* shape;
    const char* style;
    const char* fill;
};

Style style_of(Kind k) {
    switch (k) {
        case Kind::Parameter: return {"parameter", "record", "filled,bold", "#fdd49e"};
        case Kind::Input: return {"input / constant", "Mrecord", "filled", "#e5e5e5"};
        case Kind::Intermediate: return {"intermediate", "record", "filled", "#deebf7"};
        case Kind::Output: return {"output", "Mrecord", "filled,bold", "#c7e9c0"};
        case Kind::Gradient: return {"gradient", "record", "filled", "#fde0ef"};
        case Kind::Seed: return {"seed dL/dL = 1", "Mrecord", "filled,bold", "#f1b6da"};
        case Kind::Forward: return {"forward value read by backward", "record", "dashed", "#ffffff"};
    }
    return {"", "record", "filled", "#ffffff"};
}

constexpr const char* kHighlight = "#d62728";
constexpr const char* kZeroHeat = "#f7f7f7";
constexpr const char* kLayerFill = "#ffe9b3";
constexpr const char* kOpFill = "#ffffff";

// Inside a quoted DOT string only `"` and `\` are special. A string may not end in a single
// backslash (the scanner would read `\"`), hence the trailing space.
std::string quote(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c == '\n' ? ' ' : c;
    }
    if (out.back() == '\\') out += ' ';
    return out + "\"";
}

// Record fields also treat { } | < > as syntax; each is escaped with a backslash.
std::string record_field(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (std::string_view("{}|<>\"\\").find(c) != std::string_view::npos) out += '\\';
        out += c == '\n' ? ' ' : c;
    }
    return out;
}

std::string record_label(const std::vector<std::string>& fields, bool lr) {
    std::string s;
    for (std::size_t i = 0; i < fields.size(); ++i) s.append(i ? "|" : "").append(record_field(fields[i]));
    // With rankdir=LR Graphviz flips record orientation; the fields stay stacked either way.
    if (!lr) s = "{" + s + "}";
    if (!s.empty() && s.back() == '\\') s += ' ';
    return "\"" + s + "\"";
}

// Several lines for an ellipse label: each line quoted-escaped, joined by \n.
std::string lines_label(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    if (out.back() == '\\') out += ' ';
    return out + "\"";
}

std::string sanitize(const std::string& s) {
    std::string out;
    for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    return out;
}

std::string format_g(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2g", v);
    return buf;
}

std::string hex_color(double t) {
    // White-to-red ramp: t = 0 is the smallest gradient drawn, t = 1 the largest.
    const double a[3] = {255, 245, 240}, b[3] = {165, 15, 21};
    char buf[8];
    int c[3];
    for (int i = 0; i < 3; ++i) c[i] = int(std::lround(a[i] + (b[i] - a[i]) * std::clamp(t, 0.0, 1.0)));
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", c[0], c[1], c[2]);
    return buf;
}

std::string parent_scope(const std::string& g) {
    const auto p = g.rfind('/');
    return p == std::string::npos ? "" : g.substr(0, p);
}

std::string last_component(const std::string& g) {
    const auto p = g.rfind('/');
    return p == std::string::npos ? g : g.substr(p + 1);
}

}  // namespace

double norm(const Array& a) {
    double sq = 0;
    const float* p = a.data();
    for (std::size_t i = 0; i < a.size(); ++i) sq += double(p[i]) * p[i];
    return std::sqrt(sq);
}

void check_options(const std::string& caller, const DotOptions& o) {
    if (o.rankdir != "TB" && o.rankdir != "LR") {
        throw ValueError(caller + ": rankdir must be \"TB\" or \"LR\", got \"" + o.rankdir + "\"");
    }
}

void check_size(const std::string& caller, std::size_t count, const DotOptions& o) {
    if (count <= o.max_nodes) return;
    throw ValueError(caller + ": graph has " + std::to_string(count) + " nodes (limit " +
                     std::to_string(o.max_nodes) + "): " +
                     (o.collapse_layers ? "raise max_nodes (collapse_layers is already on)"
                                        : "pass collapse_layers = true or raise max_nodes"));
}

std::string op_text(const Tensor& t) {
    const std::string& op = t.op();
    std::string text = op;
    for (const auto& [key, value] : t.attrs()) {
        if (op == "sum_to" && key == "axes") {
            if (value.empty()) continue;
            const bool several = value.find(',') != std::string::npos;
            text = (several ? "sum over axes " : "sum over axis ") + value;
        } else if (op == "matmul" && key == "transpose" && value == "NN") {
            continue;  // the common case says nothing
        } else {
            text += "\n" + key + " " + value;
        }
    }
    return text;
}

std::string emit(const Drawing& d, const DotOptions& o) {
    check_options(d.caller, o);
    const auto& items = d.items;
    std::unordered_map<std::uint64_t, std::size_t> at;
    for (std::size_t i = 0; i < items.size(); ++i) at.emplace(items[i].id, i);
    auto nid = [&](std::uint64_t id) { return std::string("n").append(std::to_string(o.renumber ? at.at(id) + 1 : id)); };
    const bool lr = o.rankdir == "LR";

    // Unique cluster/box names per group, assigned in sorted order.
    std::set<std::string> groups;
    for (const auto& it : items) {
        for (std::string g = it.group; !g.empty(); g = parent_scope(g)) groups.insert(g);
    }
    std::map<std::string, std::string> gname;
    std::set<std::string> taken = {"xgrad_legend"};
    for (const auto& g : groups) {
        std::string base = sanitize(g), name = base;
        for (int k = 2; !taken.insert(name).second; ++k) name = base + "_" + std::to_string(k);
        gname[g] = name;
    }

    const bool collapse = o.collapse_layers;
    auto absorbed = [&](const Item& it) { return collapse && !it.group.empty(); };
    auto unit = [&](const Item& it) { return absorbed(it) ? "layer_" + gname.at(it.group) : nid(it.id); };

    // Size guard, before any text is built.
    std::set<std::string> boxes;
    std::size_t count = 0;
    for (const auto& it : items) {
        if (absorbed(it)) {
            boxes.insert(it.group);
        } else {
            count += it.op_label.empty() ? 1 : 2;
        }
    }
    check_size(d.caller, count + boxes.size(), o);

    // Heat scale over log10 of the positive norms.
    double lo = 0, hi = 0;
    bool any_heat = false;
    if (o.color_by_grad) {
        for (const auto& it : items) {
            if (!it.heat || *it.heat <= 0 || absorbed(it)) continue;
            const double l = std::log10(*it.heat);
            lo = any_heat ? std::min(lo, l) : l;
            hi = any_heat ? std::max(hi, l) : l;
            any_heat = true;
        }
    }
    auto heat_color = [&](double h) -> std::string {
        if (h <= 0) return kZeroHeat;
        return hex_color(hi > lo ? (std::log10(h) - lo) / (hi - lo) : 1.0);
    };

    std::set<Kind> kinds;
    bool any_op = false;
    std::map<std::string, std::vector<std::string>> lines;  // group ("" = top level) -> node lines
    for (const auto& it : items) {
        if (absorbed(it)) continue;
        kinds.insert(it.kind);
        const Style st = style_of(it.kind);
        const bool hl = o.highlight.count(it.id) > 0;
        std::vector<std::string> fields = {it.title, it.shape};
        if (!it.value_text.empty()) fields.push_back("value " + it.value_text);
        if (!it.grad_text.empty()) fields.push_back("grad " + it.grad_text);
        std::string fill = st.fill;
        bool dark = false;
        if (o.color_by_grad && it.heat) {
            fill = heat_color(*it.heat);
            dark = *it.heat > 0 && (hi <= lo || (std::log10(*it.heat) - lo) / (hi - lo) > 0.6);
        }
        std::string line = nid(it.id) + " [shape=" + st.shape + ", style=\"" + st.style + "\", fillcolor=\"" +
                           fill + "\", label=" + record_label(fields, lr);
        if (dark) line += ", fontcolor=\"#ffffff\"";
        if (it.kind == Kind::Forward) line += ", fontcolor=\"#555555\", color=\"#777777\"";
        if (hl) line += std::string(", color=\"") + kHighlight + "\", penwidth=3";
        line += "];";
        const std::string group = o.clusters ? it.group : "";
        lines[group].push_back(line);
        if (!it.op_label.empty()) {
            any_op = true;
            std::string op = nid(it.id) + "_op [shape=ellipse, style=\"filled\", fillcolor=\"" + kOpFill +
                             "\", fontsize=9, margin=\"0.05,0.02\", label=" + lines_label(it.op_label);
            if (hl) op += std::string(", color=\"") + kHighlight + "\", penwidth=3";
            lines[group].push_back(op + "];");
        }
    }

    // The scopes drawn as clusters: every scope when expanded; when collapsed, the scopes that
    // hold layer boxes (a nested model around its layers' boxes, as the expanded view draws it).
    std::set<std::string> clustered;
    if (o.clusters && !collapse) clustered = groups;
    if (o.clusters && collapse) {
        for (const auto& g : boxes) {
            for (std::string p = parent_scope(g); !p.empty(); p = parent_scope(p)) clustered.insert(p);
        }
    }

    // Collapsed layers: one box each, with in/out shapes and the parameter count, inside the
    // cluster of their scope's parent (of their own scope when it also holds other boxes).
    std::unordered_map<std::uint64_t, std::set<std::string>> user_groups;  // tensor -> groups reading it
    if (collapse) {
        for (const auto& it : items) {
            for (auto in : it.inputs) user_groups[in].insert(it.group);
        }
    }
    for (const auto& g : boxes) {
        std::vector<std::string> ins, outs;
        std::set<std::uint64_t> seen_in;
        std::size_t params = 0;
        bool hl = false;
        const Item* last = nullptr;
        for (const auto& it : items) {
            if (it.group != g) continue;
            last = &it;
            hl = hl || o.highlight.count(it.id) > 0;
            if (it.kind == Kind::Parameter) params += it.size;
            for (auto in : it.inputs) {
                const Item& src = items[at.at(in)];
                if (src.group != g && seen_in.insert(in).second) ins.push_back(src.shape);
            }
        }
        for (const auto& it : items) {  // tensors of g read outside g, or roots
            if (it.group != g) continue;
            const auto users = user_groups.find(it.id);
            bool out = it.root;
            if (users != user_groups.end()) {
                for (const auto& ug : users->second) out = out || ug != g;
            }
            if (out) outs.push_back(it.shape);
        }
        if (outs.empty() && last) outs.push_back(last->shape);
        auto join = [](const std::vector<std::string>& v) {
            std::string s;
            for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
            return s.empty() ? std::string("-") : s;
        };
        std::vector<std::string> fields = {g, "input " + join(ins), "output " + join(outs),
                                           "params " + std::to_string(params)};
        std::string line = "layer_" + gname.at(g) + " [shape=Mrecord, style=\"filled,bold\", fillcolor=\"" +
                           kLayerFill + "\", label=" + record_label(fields, lr);
        if (hl) line += std::string(", color=\"") + kHighlight + "\", penwidth=3";
        // In its own cluster when it also encloses boxes, else in its parent's (every enclosing
        // scope of a box is a cluster when clusters are on), else at the top level.
        const std::string home = clustered.count(g) ? g : clustered.count(parent_scope(g)) ? parent_scope(g) : "";
        lines[home].push_back(line + "];");
    }

    std::ostringstream out;
    out << "digraph xgrad {\n";
    out << "  graph [rankdir=" << o.rankdir << ", fontname=\"Helvetica\", fontsize=12, nodesep=0.3, ranksep=0.35";
    if (!o.title.empty()) out << ", label=" << quote(o.title) << ", labelloc=t";
    out << "];\n";
    out << "  node [fontname=\"Helvetica\", fontsize=10];\n";
    out << "  edge [fontname=\"Helvetica\", fontsize=9, arrowsize=0.7];\n";

    for (const auto& l : lines[""]) out << "  " << l << "\n";
    // Clusters nest along the scope path; a recursive walk is as deep as the scope path only.
    std::map<std::string, std::vector<std::string>> children;
    for (const auto& g : clustered) children[parent_scope(g)].push_back(g);
    auto cluster = [&](auto&& self, const std::string& g, const std::string& indent) -> void {
        out << indent << "subgraph cluster_" << gname.at(g) << " {\n";
        out << indent << "  label=" << quote(last_component(g))
            << "; style=\"rounded,dashed\"; color=\"#888888\"; fontcolor=\"#444444\";\n";
        for (const auto& l : lines[g]) out << indent << "  " << l << "\n";
        for (const auto& c : children[g]) self(self, c, indent + "  ");
        out << indent << "}\n";
    };
    for (const auto& g : children[""]) cluster(cluster, g, "  ");

    // Edges: input tensor -> op (labelled with the input index when the op has several),
    // op -> output tensor; across a collapsed layer's border, labelled with the shape.
    std::set<std::pair<std::string, std::string>> done;
    auto edge_hl = [&](std::uint64_t a, std::uint64_t b) {
        return o.highlight_edges.count({a, b}) > 0 || o.highlight_edges.count({b, a}) > 0;
    };
    for (const auto& it : items) {
        if (it.op_label.empty()) continue;
        const std::string dst = absorbed(it) ? unit(it) : nid(it.id) + "_op";
        for (std::size_t k = 0; k < it.inputs.size(); ++k) {
            const Item& src = items[at.at(it.inputs[k])];
            const std::string from = unit(src);
            if (absorbed(it) && from == dst) continue;
            std::vector<std::string> attrs;
            if (absorbed(it) || absorbed(src)) {
                if (!done.insert({from, dst}).second) continue;
                attrs.push_back("label=" + quote(src.shape));
            } else if (it.inputs.size() > 1) {
                attrs.push_back("label=\"" + std::to_string(k) + "\"");
            }
            if (edge_hl(src.id, it.id)) attrs.push_back(std::string("color=\"") + kHighlight + "\", penwidth=3");
            out << "  " << from << " -> " << dst;
            if (!attrs.empty()) {
                out << " [";
                for (std::size_t a = 0; a < attrs.size(); ++a) out << (a ? ", " : "") << attrs[a];
                out << "]";
            }
            out << ";\n";
        }
        if (!absorbed(it)) {
            bool hl = false;
            for (auto in : it.inputs) hl = hl || edge_hl(in, it.id);
            out << "  " << nid(it.id) << "_op -> " << nid(it.id);
            if (hl) out << " [color=\"" << kHighlight << "\", penwidth=3]";
            out << ";\n";
        }
    }

    if (o.legend) {
        out << "  subgraph cluster_xgrad_legend {\n";
        out << "    label=\"legend\"; style=\"rounded\"; color=\"#bbbbbb\"; fontsize=10;\n";
        std::vector<std::string> chain;
        for (Kind k : kinds) {
            const Style st = style_of(k);
            const std::string name = "legend_" + std::to_string(int(k));
            out << "    " << name << " [shape=" << st.shape << ", style=\"" << st.style << "\", fillcolor=\""
                << st.fill << "\", label=" << quote(st.legend) << "];\n";
            chain.push_back(name);
        }
        if (any_op) {
            out << "    legend_op [shape=ellipse, style=\"filled\", fillcolor=\"" << kOpFill
                << "\", fontsize=9, label=\"op\"];\n";
            chain.push_back("legend_op");
        }
        if (!boxes.empty()) {
            out << "    legend_layer [shape=Mrecord, style=\"filled,bold\", fillcolor=\"" << kLayerFill
                << "\", label=\"layer (collapsed scope)\"];\n";
            chain.push_back("legend_layer");
        }
        if (any_heat) {
            for (int s = 0; s <= 4; ++s) {
                const double t = s / 4.0;
                const std::string name = "legend_heat" + std::to_string(s);
                out << "    " << name << " [shape=box, style=\"filled\", fillcolor=\"" << hex_color(t)
                    << "\", label=" << quote("|grad| " + format_g(std::pow(10.0, lo + t * (hi - lo)))) << "];\n";
                chain.push_back(name);
            }
            out << "    legend_heat_zero [shape=box, style=\"filled\", fillcolor=\"" << kZeroHeat
                << "\", label=\"|grad| 0 (log scale)\"];\n";
            chain.push_back("legend_heat_zero");
        }
        for (std::size_t i = 1; i < chain.size(); ++i) {
            out << "    " << chain[i - 1] << " -> " << chain[i] << " [style=invis];\n";
        }
        out << "  }\n";
    }
    out << "}\n";
    return out.str();
}

}  // namespace xgrad::viz::detail
