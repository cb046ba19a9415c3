// The HTML explorer: every step pre-rendered as a hidden <section>, a few lines of script to
// show one at a time. No external resources, so the file works offline and from file://.
#include "html_escape.hpp"
#include "xgrad/study/explorer.hpp"

#include "xgrad/io.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <unistd.h>

#include "xgrad/format.hpp"

namespace xgrad::study {

namespace {

using ::xgrad::detail::html_escape;


const char* kStyle = R"(
body { font-family: system-ui, sans-serif; margin: 0; color: #222; }
header { position: sticky; top: 0; background: #f4f4f8; border-bottom: 1px solid #ccd; padding: 8px 16px; z-index: 1; }
h1 { font-size: 18px; margin: 0 0 6px 0; }
nav { display: flex; align-items: center; gap: 10px; }
nav button { font-size: 15px; padding: 4px 14px; }
#slider { flex: 1; max-width: 480px; }
#counter { font-weight: bold; min-width: 110px; }
.hint { color: #667; font-size: 13px; }
section.step { display: flex; gap: 16px; padding: 12px 16px; align-items: flex-start; }
section.step[hidden] { display: none; }
.frame { flex: 1 1 auto; min-width: 0; overflow: auto; max-height: calc(100vh - 110px); border: 1px solid #dde; background: #fff; }
.frame svg { max-width: 100%; height: auto; display: block; margin: auto; }
aside { flex: 0 0 440px; font-size: 14px; }
aside h2 { font-size: 16px; margin: 0 0 8px 0; }
.rule { color: #555; font-style: italic; }
.formula { font-family: ui-monospace, monospace; background: #eef3ff; padding: 2px 4px; display: inline-block; }
.value { font-family: ui-monospace, monospace; font-size: 12px; word-break: break-all; }
.acc { color: #b35900; font-weight: bold; }
.input { border-top: 1px solid #dde; padding: 6px 0; }
)";

const char* kScript = R"(
(function () {
  var steps = document.querySelectorAll('section.step');
  var n = steps.length, cur = 1;
  var prev = document.getElementById('prev'), next = document.getElementById('next');
  var slider = document.getElementById('slider'), counter = document.getElementById('counter');
  function show(k) {
    k = Math.max(1, Math.min(n, k | 0));
    cur = k;
    for (var i = 0; i < n; ++i) steps[i].hidden = (i + 1 !== k);
    slider.value = k;
    counter.textContent = 'Step ' + k + ' / ' + n;
    counter.setAttribute('data-step', k);
    prev.disabled = (k === 1);
    next.disabled = (k === n);
    // Bring the highlighted node (viz draws it in #d62728) into view inside the frame.
    var hl = steps[k - 1].querySelector('.frame [stroke="#d62728"]');
    if (hl && hl.scrollIntoView) hl.scrollIntoView({ block: 'center', inline: 'center' });
  }
  prev.addEventListener('click', function () { show(cur - 1); });
  next.addEventListener('click', function () { show(cur + 1); });
  slider.addEventListener('input', function () { show(+slider.value); });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'ArrowRight') { show(cur + 1); e.preventDefault(); }
    else if (e.key === 'ArrowLeft') { show(cur - 1); e.preventDefault(); }
  });
  var hash = location.hash || '';
  var start = /step=(\d+)/.exec(hash);
  show(start ? +start[1] : 1);
  var clicks = /autoclick=(\d+)/.exec(hash);
  if (clicks) {
    for (var c = 0; c < +clicks[1]; ++c)
      next.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true, view: window }));
  }
})();
)";

void step_section(std::ostringstream& o, const StepRecord& s, const std::string* svg, const ExplorerOptions& opt) {
    TraceOptions v;
    v.max_elements = opt.max_elements;
    v.precision = opt.precision;
    const std::size_t k = s.index + 1;
    o << "<section class=\"step\" id=\"step-" << k << "\" data-step=\"" << k << "\"" << (k == 1 ? "" : " hidden")
      << ">\n";
    if (svg) o << "<div class=\"frame\">\n" << inline_svg(*svg) << "\n</div>\n";
    o << "<aside>\n<h2>Step " << k << " of " << s.total << ": " << html_escape(s.node.op) << " "
      << html_escape(node_name(s.node)) << "</h2>\n";
    o << "<p class=\"rule\">" << html_escape(s.rule) << "</p>\n";
    o << "<p>upstream dL/dC (C = this node's output):<br><span class=\"value\">"
      << html_escape(summarize(s.upstream, v.max_elements, v.precision)) << "</span></p>\n";
    for (std::size_t i = 0; i < s.inputs.size(); ++i) {
        const InputGrad& g = s.inputs[i];
        o << "<div class=\"input\">input " << i << ": " << html_escape(node_name(g.input)) << "<br>";
        if (!g.needed) {
            o << html_escape(no_gradient_reason(g.input)) << "</div>\n";
            continue;
        }
        o << "<span class=\"formula\">" << html_escape(g.formula) << "</span><br>";
        if (g.accumulated) o << "<span class=\"acc\">+= (added to the gradient from another use)</span><br>";
        o << "<span class=\"value\">" << html_escape(summarize(g.grad, v.max_elements, v.precision)) << "</span></div>\n";
    }
    o << "</aside>\n</section>\n";
}

}  // namespace

std::string inline_svg(const std::string& svg) {
    std::string s = svg;
    // Drop everything before <svg (prolog, DOCTYPE, comments) and the namespace attributes:
    // the HTML parser puts <svg> in the SVG namespace by itself.
    const std::size_t start = s.find("<svg");
    if (start != std::string::npos) s.erase(0, start);
    static const std::regex ns(R"( xmlns(:\w+)?="[^"]*")");
    return std::regex_replace(s, ns, "");
}

void write_explorer(const std::vector<StepRecord>& steps, const std::vector<std::string>& svg_frames,
                    const std::string& path, const ExplorerOptions& options) {
    if (steps.empty()) throw ValueError("write_explorer: no steps to show (writing '" + path + "')");
    if (!svg_frames.empty() && svg_frames.size() != steps.size()) {
        throw ValueError("write_explorer: " + std::to_string(svg_frames.size()) + " frames for " +
                         std::to_string(steps.size()) + " steps (writing '" + path + "')");
    }
    const std::size_t n = steps.size();
    std::ostringstream o;
    o << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" << html_escape(options.title)
      << "</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n<header>\n<h1>" << html_escape(options.title)
      << "</h1>\n<nav>\n<button id=\"prev\" type=\"button\">&#9664; Previous</button>\n"
      << "<input id=\"slider\" type=\"range\" min=\"1\" max=\"" << n << "\" value=\"1\">\n"
      << "<button id=\"next\" type=\"button\">Next &#9654;</button>\n"
      << "<span id=\"counter\" data-step=\"1\">Step 1 / " << n << "</span>\n"
      << "<span class=\"hint\">&larr; / &rarr; keys step; highlighted: the node being differentiated and its "
         "input edges</span>\n</nav>\n</header>\n<main>\n";
    for (std::size_t i = 0; i < n; ++i) step_section(o, steps[i], svg_frames.empty() ? nullptr : &svg_frames[i], options);
    o << "</main>\n<script>" << kScript << "</script>\n</body>\n</html>\n";
    xgrad::write_file_atomic(path, o.str(), "write_explorer");
}

}  // namespace xgrad::study
