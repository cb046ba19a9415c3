// A whole training step recorded (forward, loss, backward, update) and written as one offline
// page: every step pre-rendered as a hidden <section>, a few lines of script to walk them.
#include "html_escape.hpp"
#include "xgrad/study/training_step.hpp"

#include <cmath>
#include <set>
#include <sstream>

#include "xgrad/format.hpp"
#include "xgrad/io.hpp"
#include "xgrad/study/pictures.hpp"
#include "xgrad/study/trace.hpp"

namespace xgrad::study {

std::string phase_name(Phase phase) {
    switch (phase) {
        case Phase::Forward: return "forward";
        case Phase::Loss: return "loss";
        case Phase::Backward: return "backward";
        case Phase::Update: return "update";
    }
    return "";
}

const std::vector<UpdateRecord>& TrainingStepRecord::update() const {
    static const std::vector<UpdateRecord> none;
    return updater ? updater->records() : none;
}

Phase TrainingStepRecord::phase(std::size_t k) const {
    if (k < loss_begin) return Phase::Forward;
    if (k < forward.size()) return Phase::Loss;
    if (k < forward.size() + backward.size()) return Phase::Backward;
    return Phase::Update;
}

TrainingStepRecord record_training_step(const Tensor& prediction, const Tensor& loss, const optim::Optimizer& optimizer) {
    if (!prediction.defined()) throw GraphError("record_training_step: undefined prediction tensor");
    TrainingStepRecord r;
    ForwardStepper forward(loss);
    r.forward = forward.run_to_end();
    std::size_t at = r.forward.size();
    for (std::size_t i = 0; i < r.forward.size(); ++i)
        if (r.forward[i].node.id == prediction.id()) at = i;
    if (at == r.forward.size()) {
        throw GraphError("record_training_step: prediction " + describe(prediction) + " is not an op in the graph of loss " +
                         describe(loss));
    }
    r.loss_begin = at + 1;
    BackwardStepper backward(loss);
    r.backward = backward.run_to_end();
    r.gradients = backward.gradients();
    r.updater = std::make_shared<UpdateStepper>(optimizer, r.gradients);
    r.rule = update_rule(optimizer);
    for (const auto& [name, p] : optimizer.parameters()) r.parameters.emplace_back(name, p.id());
    return r;
}

namespace {

using ::xgrad::detail::html_escape;


// What the page needs to know while writing sections.
struct Page {
    const TrainingStepRecord& step;
    const StepFigures& fig;
    const StepPageOptions& opt;
    std::size_t batch = 0;          // rows of a batch tensor (0: unknown)
    std::uint64_t kernel_id = 0;    // 0: no kernel figure
    std::string kernel_name;        // the optimizer's name of the kernel
    std::size_t kernel_grad_step = 0;  // backward step index that sends dL/dkernel (1-based, 0: none)
};

std::string shape_of(const Array& a) { return shape_str(a.shape()); }

// The followed sample's row of a batch tensor, or "" when `a` is not one.
std::string sample_row(const Page& p, const Array& a) {
    if (p.batch == 0 || a.dimension() < 1 || a.shape()[0] != p.batch || a.dimension() == 0) return "";
    Array row = xt::view(a, p.opt.sample);
    return summarize(row, p.opt.max_elements, p.opt.precision);
}

void tensor_row(std::ostringstream& o, const Page& p, const std::string& what, const std::string& name,
                const Array& value) {
    o << "<tr><td>" << what << "</td><td>" << html_escape(name) << "</td><td>" << shape_of(value) << "</td><td class=\"value\">"
      << html_escape(summarize(value, p.opt.max_elements, p.opt.precision)) << "</td><td>"
      << (value.size() > p.opt.max_elements ? histogram_svg(value, p.opt.bins) : "") << "</td><td class=\"value\">"
      << html_escape(sample_row(p, value)) << "</td></tr>\n";
}

const char* kTableHead =
    "<table class=\"tensors\"><tr><th></th><th>tensor</th><th>shape</th><th>values</th><th>histogram</th>"
    "<th>followed sample</th></tr>\n";

void open_section(std::ostringstream& o, std::size_t k, Phase phase, const std::string& figs, bool first) {
    o << "<section class=\"step\" id=\"step-" << k << "\" data-step=\"" << k << "\" data-phase=\"" << phase_name(phase)
      << "\" data-figs=\"" << figs << "\"" << (first ? "" : " hidden") << ">\n";
}

void forward_section(std::ostringstream& o, const Page& p, std::size_t k) {
    const ForwardRecord& r = p.step.forward[k];
    const Phase phase = p.step.phase(k);
    std::string figs = phase == Phase::Forward ? "digit" : "probs digit";
    for (const ForwardInput& in : r.inputs)
        if (p.kernel_id && in.input.id == p.kernel_id) figs += " unit_w";
    open_section(o, k + 1, phase, figs, k == 0);
    const std::size_t first = phase == Phase::Forward ? 0 : p.step.loss_begin;
    const std::size_t count = phase == Phase::Forward ? p.step.loss_begin : p.step.forward.size() - p.step.loss_begin;
    o << "<h2>" << (phase == Phase::Forward ? "Forward" : "Loss") << " " << k - first + 1 << "/" << count << ": "
      << html_escape(r.node.op) << " " << html_escape(node_name(r.node)) << "</h2>\n";
    o << "<p><span class=\"formula\">" << html_escape(r.formula) << "</span></p>\n";
    if (!r.layer_formula.empty())
        o << "<p>the layer so far: <span class=\"formula\">" << html_escape(r.layer_formula) << "</span></p>\n";
    o << kTableHead;
    for (std::size_t i = 0; i < r.inputs.size(); ++i)
        tensor_row(o, p, i == 0 ? (r.inputs.size() == 1 ? "a" : r.formula.find("A·B") != std::string::npos ? "A" : "a")
                                : (r.formula.find("A·B") != std::string::npos ? "B" : "b"),
                   node_name(r.inputs[i].input), r.inputs[i].value);
    tensor_row(o, p, "C", node_name(r.node), r.value);
    o << "</table>\n</section>\n";
}

void backward_section(std::ostringstream& o, const Page& p, std::size_t j) {
    const StepRecord& r = p.step.backward[j];
    const std::size_t k = p.step.forward.size() + j;
    std::string figs;
    if (j + 1 == p.step.backward.size()) figs = "unit_g norms";
    else if (p.kernel_grad_step && j + 1 >= p.kernel_grad_step) figs = "unit_g digit";
    else figs = "probs digit";
    open_section(o, k + 1, Phase::Backward, figs, false);
    o << "<h2>Backward " << j + 1 << "/" << p.step.backward.size() << ": " << html_escape(r.node.op) << " "
      << html_escape(node_name(r.node)) << "</h2>\n";
    o << "<p class=\"rule\">" << html_escape(r.rule) << "</p>\n" << kTableHead;
    tensor_row(o, p, "dC", "dL/d" + r.node.label + " (arrived)", r.upstream);
    for (std::size_t i = 0; i < r.inputs.size(); ++i) {
        const InputGrad& g = r.inputs[i];
        if (!g.needed) {
            o << "<tr><td>input " << i << "</td><td>" << html_escape(node_name(g.input)) << "</td><td colspan=\"4\">"
              << html_escape(no_gradient_reason(g.input)) << "</td></tr>\n";
            continue;
        }
        o << "<tr><td colspan=\"6\"><span class=\"formula\">" << html_escape(g.formula) << "</span>"
          << (g.accumulated ? " <span class=\"acc\">+= (added to the gradient from another use)</span>" : "")
          << "</td></tr>\n";
        tensor_row(o, p, "input " + std::to_string(i), "dL/d" + g.input.label, g.grad);
    }
    o << "</table>\n</section>\n";
}

void update_section(std::ostringstream& o, const Page& p, std::size_t j) {
    const UpdateRecord& r = p.step.update()[j];
    const std::size_t k = p.step.forward.size() + p.step.backward.size() + j;
    const bool kernel = p.kernel_id && r.node.id == p.kernel_id;
    open_section(o, k + 1, Phase::Update, kernel ? "unit_w unit_g unit_dw" : "norms", false);
    o << "<h2>Update " << j + 1 << "/" << p.step.update().size() << ": " << html_escape(r.param) << ", " << html_escape(r.quantity)
      << "</h2>\n";
    o << "<p><span class=\"formula\">" << html_escape(r.formula) << "</span></p>\n";
    if (!r.ops.empty()) {
        o << "<details><summary>the optimizer's recorded ops for this line (Optimizer::record_step)</summary><pre>";
        for (const std::string& op : r.ops) o << html_escape(op) << "\n";
        o << "</pre></details>\n";
    }
    o << kTableHead;
    tensor_row(o, p, "g", "dL/d" + r.param, r.grad);
    tensor_row(o, p, r.quantity, "before", r.before);
    tensor_row(o, p, r.quantity, "after", r.after);
    if (r.quantity == "w") {
        Array change = r.after - r.before;
        tensor_row(o, p, "Δw", "after − before", change);
    }
    o << "</table>\n";
    if (kernel) {
        // The unit's element with the largest gradient: a pixel that matters for this batch.
        const Array& g = r.grad;
        std::size_t best = 0;
        for (std::size_t i = 1; i < g.shape()[0]; ++i)
            if (std::abs(g(i, p.opt.unit)) > std::abs(g(best, p.opt.unit))) best = i;
        o << "<p>One weight worked out (the incoming weight of unit " << p.opt.unit << " from input " << best
          << ", the one with the largest gradient):</p>\n<pre>"
          << html_escape(p.step.updater->worked_example(r.param, {best, p.opt.unit})) << "</pre>\n";
    }
    o << "</section>\n";
}

std::size_t argmax(const Array& a) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < a.size(); ++i)
        if (a.data()[i] > a.data()[best]) best = i;
    return best;
}

double norm(const Array& a) {
    double s = 0;
    for (float v : a) s += double(v) * v;
    return std::sqrt(s);
}

Array column(const Array& a, std::size_t c) {
    Array col = xt::view(a, xt::all(), c);
    return col;
}

std::string figures(const Page& p) {
    std::ostringstream o;
    const StepPageOptions& opt = p.opt;
    const StepFigures& f = p.fig;
    // Captions in HTML (they wrap), the pictures without their own.
    auto figure = [&](const char* name, const std::string& svg, const std::string& caption) {
        o << "<figure data-fig=\"" << name << "\" hidden>" << svg << "<figcaption>" << html_escape(caption)
          << "</figcaption></figure>\n";
    };
    std::string label_text;
    if (f.labels.defined()) {
        const Array lab = xt::view(f.labels.value(), opt.sample);
        label_text = std::to_string(argmax(lab));
    }
    if (f.input.defined()) {
        const Array row = xt::view(f.input.value(), opt.sample);
        figure("digit", image_svg(row, f.image_rows, f.image_cols, Palette::Gray, ""),
               "input: sample " + std::to_string(opt.sample) + (label_text.empty() ? "" : ", label " + label_text));
    }
    if (f.probs.defined()) {
        const Array pr = xt::view(f.probs.value(), opt.sample);
        std::vector<double> values(pr.begin(), pr.end()), marks;
        if (f.labels.defined()) {
            const Array lab = xt::view(f.labels.value(), opt.sample);
            marks.assign(lab.begin(), lab.end());
        }
        const std::size_t predicted = argmax(pr);
        figure("probs", bars_svg(values, {}, marks, "", 1.0),
               "softmax output of sample " + std::to_string(opt.sample) + " (bars) against its one-hot label " +
                   (label_text.empty() ? "" : label_text + " ") + "(dashed); predicted " + std::to_string(predicted));
    }
    if (f.kernel.defined()) {
        const std::string u = std::to_string(opt.unit);
        figure("unit_w", image_svg(column(f.kernel.value(), opt.unit), f.image_rows, f.image_cols, Palette::Diverging, ""),
               "incoming weights of hidden unit " + u + " (before the step): what the unit looks for");
        auto g = p.step.gradients.find(p.kernel_id);
        if (g != p.step.gradients.end()) {
            figure("unit_g", image_svg(column(g->second, opt.unit), f.image_rows, f.image_cols, Palette::Diverging, ""),
                   "dL/dW for unit " + u + "'s incoming weights (from the backward pass)");
        }
        for (const UpdateRecord& r : p.step.update())
            if (r.node.id == p.kernel_id && r.quantity == "w") {
                figure("unit_dw", image_svg(column(r.after - r.before, opt.unit), f.image_rows, f.image_cols,
                                            Palette::Diverging, ""),
                       "how the update changes unit " + u + "'s weights (w after − w before)");
            }
    }
    std::vector<double> norms;
    std::vector<std::string> names;
    for (const auto& [name, id] : p.step.parameters) {
        auto g = p.step.gradients.find(id);
        if (g == p.step.gradients.end()) continue;
        names.push_back(name);
        norms.push_back(norm(g->second));
    }
    if (!norms.empty()) figure("norms", bars_svg(norms, names, {}, ""), "gradient norm ‖dL/dW‖ per parameter");
    return o.str();
}

const char* kStyle = R"(
body { font-family: system-ui, sans-serif; margin: 0; color: #222; }
header { position: sticky; top: 0; background: #f4f4f8; border-bottom: 1px solid #ccd; padding: 8px 16px; z-index: 1; }
h1 { font-size: 18px; margin: 0 0 6px 0; }
nav { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }
nav button { font-size: 15px; padding: 4px 14px; }
#slider { flex: 1; max-width: 420px; }
#counter { font-weight: bold; min-width: 110px; }
#phase { font-weight: bold; padding: 2px 8px; border-radius: 3px; color: #fff; background: #555; }
#phase[data-phase="forward"], .seg[data-phase="forward"] { background: #1f77b4; }
#phase[data-phase="loss"], .seg[data-phase="loss"] { background: #9467bd; }
#phase[data-phase="backward"], .seg[data-phase="backward"] { background: #d62728; }
#phase[data-phase="update"], .seg[data-phase="update"] { background: #2ca02c; }
.hint { color: #667; font-size: 12px; }
#timeline { position: relative; display: flex; height: 22px; margin-top: 6px; border-radius: 3px; overflow: hidden; }
.seg { color: #fff; font-size: 12px; line-height: 22px; text-align: center; cursor: pointer; opacity: 0.55; overflow: hidden; white-space: nowrap; }
.seg.active { opacity: 1; }
#cursor { position: absolute; top: 0; width: 3px; height: 22px; background: #111; }
main { display: flex; gap: 16px; padding: 10px 16px; align-items: flex-start; }
#steps { flex: 1 1 auto; min-width: 0; }
#figures { flex: 0 0 auto; display: flex; flex-direction: column; gap: 8px; }
figure { margin: 0; border: 1px solid #dde; padding: 4px; background: #fff; max-width: 340px; }
figcaption { font-size: 12px; color: #333; margin-top: 2px; }
figure[hidden], section.step[hidden] { display: none; }
h2 { font-size: 16px; margin: 0 0 8px 0; }
.rule { color: #555; font-style: italic; }
.formula { font-family: ui-monospace, monospace; background: #eef3ff; padding: 2px 4px; display: inline-block; }
table.tensors { border-collapse: collapse; font-size: 12px; }
table.tensors td, table.tensors th { border-bottom: 1px solid #e4e4ee; padding: 3px 6px; text-align: left; vertical-align: middle; }
.value { font-family: ui-monospace, monospace; font-size: 11px; max-width: 330px; word-break: break-all; }
.acc { color: #b35900; font-weight: bold; }
pre { background: #f6f6f0; padding: 6px; font-size: 12px; white-space: pre-wrap; }
)";

const char* kScript = R"(
(function () {
  var steps = document.querySelectorAll('section.step');
  var figs = document.querySelectorAll('#figures figure');
  var segs = document.querySelectorAll('#timeline .seg');
  var n = steps.length, cur = 1;
  var prev = document.getElementById('prev'), next = document.getElementById('next');
  var slider = document.getElementById('slider'), counter = document.getElementById('counter');
  var phase = document.getElementById('phase'), cursor = document.getElementById('cursor');
  function phaseOf(k) { return steps[k - 1].getAttribute('data-phase'); }
  function firstOf(p) { for (var i = 1; i <= n; ++i) if (phaseOf(i) === p) return i; return 0; }
  function show(k) {
    k = Math.max(1, Math.min(n, k | 0));
    cur = k;
    for (var i = 0; i < n; ++i) steps[i].hidden = (i + 1 !== k);
    var p = phaseOf(k), first = firstOf(p), count = 0;
    for (var j = 1; j <= n; ++j) if (phaseOf(j) === p) ++count;
    slider.value = k;
    counter.textContent = 'Step ' + k + ' / ' + n;
    counter.setAttribute('data-step', k);
    phase.textContent = p + ' ' + (k - first + 1) + '/' + count;
    phase.setAttribute('data-phase', p);
    for (var s = 0; s < segs.length; ++s) segs[s].classList.toggle('active', segs[s].getAttribute('data-phase') === p);
    cursor.style.left = 'calc(' + ((k - 0.5) / n * 100) + '% - 1px)';
    var want = ' ' + steps[k - 1].getAttribute('data-figs') + ' ';
    for (var f = 0; f < figs.length; ++f) figs[f].hidden = want.indexOf(' ' + figs[f].getAttribute('data-fig') + ' ') < 0;
    prev.disabled = (k === 1);
    next.disabled = (k === n);
    try { history.replaceState(null, '', '#step=' + k); } catch (e) {}
    document.body.setAttribute('data-hash', '#step=' + k);
  }
  function phaseJump(dir) {
    var order = ['forward', 'loss', 'backward', 'update'], i = order.indexOf(phaseOf(cur));
    if (dir < 0 && cur !== firstOf(order[i])) { show(firstOf(order[i])); return; }
    for (var j = i + dir; j >= 0 && j < order.length; j += dir) { var f = firstOf(order[j]); if (f) { show(f); return; } }
  }
  prev.addEventListener('click', function () { show(cur - 1); });
  next.addEventListener('click', function () { show(cur + 1); });
  slider.addEventListener('input', function () { show(+slider.value); });
  for (var s = 0; s < segs.length; ++s)
    segs[s].addEventListener('click', function (e) { show(firstOf(e.currentTarget.getAttribute('data-phase'))); });
  document.addEventListener('keydown', function (e) {
    var keys = { ArrowRight: function () { show(cur + 1); }, ArrowLeft: function () { show(cur - 1); },
                 PageDown: function () { phaseJump(1); }, PageUp: function () { phaseJump(-1); },
                 Home: function () { show(1); }, End: function () { show(n); } };
    if (keys[e.key]) { keys[e.key](); e.preventDefault(); }
  });
  window.addEventListener('hashchange', function () {
    var m = /step=(\d+)/.exec(location.hash);
    if (m && +m[1] !== cur) show(+m[1]);
  });
  var hash = location.hash || '';
  var start = /step=(\d+)/.exec(hash);
  var keys = /keys=([A-Za-z]+(\*\d+)?(,[A-Za-z]+(\*\d+)?)*)/.exec(hash);
  show(start ? +start[1] : 1);
  if (keys) {
    keys[1].split(',').forEach(function (part) {
      var m = /([A-Za-z]+)(?:\*(\d+))?/.exec(part), times = m[2] ? +m[2] : 1;
      for (var t = 0; t < times; ++t)
        document.dispatchEvent(new KeyboardEvent('keydown', { key: m[1], bubbles: true, cancelable: true }));
    });
  }
})();
)";

void check_figures(const TrainingStepRecord& step, const StepFigures& f, const StepPageOptions& o, const std::string& path) {
    const std::string who = "write_step_explorer (writing '" + path + "'): ";
    auto batch_of = [&](const Tensor& t, const char* name) {
        if (!t.defined()) return;
        if (t.ndim() < 2) throw ValueError(who + name + " " + describe(t) + " is not a batch (N, ...)");
        if (o.sample >= t.shape()[0]) {
            throw ValueError(who + "sample " + std::to_string(o.sample) + " is out of range for " + name + " " +
                             describe(t));
        }
    };
    batch_of(f.input, "input");
    batch_of(f.labels, "labels");
    batch_of(f.probs, "probs");
    const std::size_t pixels = f.image_rows * f.image_cols;
    if (f.input.defined() && f.input.size() / f.input.shape()[0] != pixels) {
        throw ValueError(who + "a sample of input " + describe(f.input) + " is not a " + std::to_string(f.image_rows) +
                         "x" + std::to_string(f.image_cols) + " image");
    }
    if (f.labels.defined() && f.probs.defined() && f.labels.shape() != f.probs.shape()) {
        throw ValueError(who + "labels " + describe(f.labels) + " and probs " + describe(f.probs) + " differ in shape");
    }
    if (f.kernel.defined()) {
        if (f.kernel.ndim() != 2 || f.kernel.shape()[0] != pixels) {
            throw ValueError(who + "kernel " + describe(f.kernel) + " is not (" + std::to_string(pixels) +
                             ", units): its columns cannot be drawn as " + std::to_string(f.image_rows) + "x" +
                             std::to_string(f.image_cols) + " images");
        }
        if (o.unit >= f.kernel.shape()[1]) {
            throw ValueError(who + "unit " + std::to_string(o.unit) + " is out of range for kernel " + describe(f.kernel));
        }
        bool known = false;
        for (const auto& [name, id] : step.parameters) known = known || id == f.kernel.id();
        if (!known) throw ValueError(who + "kernel " + describe(f.kernel) + " is not a parameter of the optimizer");
    }
}

}  // namespace

void write_step_explorer(const TrainingStepRecord& step, const StepFigures& fig, const std::string& path,
                         const StepPageOptions& opt) {
    if (step.size() == 0 || step.forward.empty()) {
        throw ValueError("write_step_explorer: the record has no steps (writing '" + path + "')");
    }
    check_figures(step, fig, opt, path);
    Page p{step, fig, opt, 0, 0, {}, 0};
    if (fig.input.defined()) p.batch = fig.input.shape()[0];
    else if (!step.forward.front().inputs.empty() && step.forward.front().inputs[0].value.dimension() >= 2)
        p.batch = step.forward.front().inputs[0].value.shape()[0];
    if (fig.kernel.defined()) {
        p.kernel_id = fig.kernel.id();
        for (const auto& [name, id] : step.parameters)
            if (id == p.kernel_id) p.kernel_name = name;
        for (std::size_t j = 0; j < step.backward.size() && !p.kernel_grad_step; ++j)
            for (const InputGrad& g : step.backward[j].inputs)
                if (g.needed && g.input.id == p.kernel_id) p.kernel_grad_step = j + 1;
    }
    const std::size_t n = step.size();
    const std::size_t counts[4] = {step.loss_begin, step.forward.size() - step.loss_begin, step.backward.size(),
                                   step.update().size()};
    std::ostringstream o;
    o << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" << html_escape(opt.title)
      << "</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n<header>\n<h1>" << html_escape(opt.title) << "</h1>\n"
      << "<nav>\n<button id=\"prev\" type=\"button\">&#9664; Previous</button>\n"
      << "<input id=\"slider\" type=\"range\" min=\"1\" max=\"" << n << "\" value=\"1\">\n"
      << "<button id=\"next\" type=\"button\">Next &#9654;</button>\n"
      << "<span id=\"counter\" data-step=\"1\">Step 1 / " << n << "</span>\n"
      << "<span id=\"phase\" data-phase=\"forward\">forward</span>\n"
      << "<span class=\"hint\">&larr;/&rarr; step, PgUp/PgDn phase, Home/End; the address (#step=K) links to the "
         "step shown</span>\n</nav>\n<div id=\"timeline\">";
    for (int i = 0; i < 4; ++i) {
        if (!counts[i]) continue;
        const std::string name = phase_name(Phase(i));
        o << "<div class=\"seg\" data-phase=\"" << name << "\" style=\"flex: " << counts[i] << "\" title=\"" << name
          << ": " << counts[i] << " steps\">" << name << " (" << counts[i] << ")</div>";
    }
    o << "<div id=\"cursor\"></div></div>\n</header>\n<main>\n<div id=\"steps\">\n";
    for (std::size_t k = 0; k < step.forward.size(); ++k) forward_section(o, p, k);
    for (std::size_t j = 0; j < step.backward.size(); ++j) backward_section(o, p, j);
    for (std::size_t j = 0; j < step.update().size(); ++j) update_section(o, p, j);
    o << "</div>\n<div id=\"figures\">\n" << figures(p) << "</div>\n</main>\n<script>" << kScript
      << "</script>\n</body>\n</html>\n";
    xgrad::write_file_atomic(path, o.str(), "write_step_explorer");
}

}  // namespace xgrad::study
