// The HTML explorer: a self-contained file, and (in headless Chromium) a page whose Next
// button really moves between steps.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>
#include <xgrad/study.hpp>

#include "browser_helpers.hpp"
#include "helpers.hpp"

using namespace xgrad;
using namespace xgrad::study;
using xgrad::test::has_message;
using xgrad::test::mixed;
namespace fs = std::filesystem;
using namespace xgrad::test::browser;

namespace {



// A two-layer network in name scopes, as the example builds it.
Tensor small_network() {
    Tensor x = constant(mixed({2, 3}, -1.f, 1.f), "x");
    Tensor y = constant(Array{{1.f, 0.f}, {0.f, 1.f}}, "y_true");
    Tensor w1 = parameter(mixed({3, 3}, -0.6f, 0.6f), "dense_1/kernel");
    Tensor w2 = parameter(mixed({3, 2}, -0.8f, 0.8f), "dense_2/kernel");
    Tensor h, p;
    {
        NameScope s("dense_1");
        h = relu(matmul(x, w1));
    }
    {
        NameScope s("dense_2");
        p = softmax(matmul(h, w2));
    }
    return neg(sum(y * log(p))) / 2.f;
}

// Stand-in frames shaped like Graphviz output (prolog, DOCTYPE, namespaces), marked per step.
std::vector<std::string> fake_frames(std::size_t n) {
    std::vector<std::string> frames;
    for (std::size_t i = 0; i < n; ++i) {
        frames.push_back(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
            "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n"
            "<svg width=\"300pt\" height=\"80pt\" viewBox=\"0 0 300 80\" xmlns=\"http://www.w3.org/2000/svg\" "
            "xmlns:xlink=\"http://www.w3.org/1999/xlink\"><text x=\"10\" y=\"40\">frame-marker-" +
            std::to_string(i + 1) + "</text></svg>\n");
    }
    return frames;
}


}  // namespace

BOOST_AUTO_TEST_SUITE(explorer)

BOOST_AUTO_TEST_CASE(file_is_self_contained_with_every_frame) {
    TempDir dir;
    BackwardStepper stepper(small_network());
    std::vector<StepRecord> steps = stepper.run_to_end();
    const fs::path path = dir.path / "explorer.html";
    write_explorer(steps, fake_frames(steps.size()), path.string());
    const std::string html = slurp(path);
    BOOST_TEST(html.find("http://") == std::string::npos);
    BOOST_TEST(html.find("https://") == std::string::npos);
    BOOST_TEST(html.find("<script src") == std::string::npos);
    BOOST_TEST(html.find("<link") == std::string::npos);
    for (std::size_t k = 1; k <= steps.size(); ++k) {
        BOOST_TEST(html.find("frame-marker-" + std::to_string(k) + "<") != std::string::npos, "frame " << k);
        BOOST_TEST(html.find("id=\"step-" + std::to_string(k) + "\"") != std::string::npos, "step " << k);
    }
    BOOST_TEST(html.find("<?xml") == std::string::npos);
    BOOST_TEST(html.find("id=\"prev\"") != std::string::npos);
    BOOST_TEST(html.find("id=\"next\"") != std::string::npos);
    BOOST_TEST(html.find("type=\"range\"") != std::string::npos);
    BOOST_TEST(html.find("ArrowRight") != std::string::npos);
    BOOST_TEST(html.find("dB = Aᵀ · dC") != std::string::npos);  // formulas beside the picture
    // Written through a temporary: nothing else is left in the directory.
    BOOST_TEST(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
}

BOOST_AUTO_TEST_CASE(text_is_escaped) {
    TempDir dir;
    Tensor a = parameter(Array{1.f}, "<b>&");
    BackwardStepper stepper(sum(a * a));
    const fs::path path = dir.path / "e.html";
    write_explorer(stepper.run_to_end(), {}, path.string(), {.title = "a < b"});
    const std::string html = slurp(path);
    BOOST_TEST(html.find("'&lt;b&gt;&amp;'") != std::string::npos);
    BOOST_TEST(html.find("<b>&") == std::string::npos);
    BOOST_TEST(html.find("<title>a &lt; b</title>") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(inline_svg_drops_prolog_and_namespaces) {
    const std::string s = inline_svg(fake_frames(1)[0]);
    BOOST_TEST(s.rfind("<svg", 0) == 0u);
    BOOST_TEST(s.find("xmlns") == std::string::npos);
    BOOST_TEST(s.find("frame-marker-1") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(errors_name_the_file) {
    TempDir dir;
    BackwardStepper stepper(small_network());
    std::vector<StepRecord> steps = stepper.run_to_end();
    BOOST_CHECK_EXCEPTION(write_explorer({}, {}, (dir.path / "x.html").string()), ValueError, has_message{"no steps"});
    BOOST_CHECK_EXCEPTION(write_explorer(steps, fake_frames(2), (dir.path / "x.html").string()), ValueError,
                          has_message{"2 frames for " + std::to_string(steps.size()) + " steps"});
    const std::string missing = (dir.path / "no" / "such" / "dir" / "x.html").string();
    BOOST_CHECK_EXCEPTION(write_explorer(steps, {}, missing), IoError, has_message{missing});
    BOOST_TEST(!fs::exists(dir.path / "x.html"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(explorer_browser)

// Loads the page in headless Chromium with #autoclick=2 (the page dispatches two real click
// events on Next), dumps the DOM and checks that step 3 is the one shown; then screenshots it.
BOOST_AUTO_TEST_CASE(next_twice_shows_step_three, *boost::unit_test::precondition(chromium_installed)) {
    TempDir dir;
    BackwardStepper stepper(small_network());
    std::vector<StepRecord> steps = stepper.run_to_end();
    BOOST_REQUIRE(steps.size() >= 4u);
    const fs::path page = dir.path / "explorer.html";
    write_explorer(stepper, page.string());
    const std::string url = "'file://" + page.string() + "#autoclick=2'";
    const std::string chromium = chromium_command(dir.path);
    const fs::path dom = dir.path / "dom.html", log = dir.path / "chromium.log";
    const int rc = std::system((chromium + "--dump-dom " + url + " > '" + dom.string() + "' 2> '" + log.string() + "'").c_str());
    BOOST_TEST_INFO("chromium log:\n" << slurp(log));
    BOOST_REQUIRE(rc == 0);
    const std::string d = slurp(dom);
    const std::string total = std::to_string(steps.size());
    BOOST_TEST_INFO("DOM head: " << d.substr(0, 1500));
    BOOST_TEST(d.find("data-step=\"3\">Step 3 / " + total + "</span>") != std::string::npos);
    BOOST_TEST(d.find("<section class=\"step\" id=\"step-3\" data-step=\"3\">") != std::string::npos);
    BOOST_TEST(d.find("<section class=\"step\" id=\"step-1\" data-step=\"1\" hidden=\"\">") != std::string::npos);
    BOOST_TEST(d.find("<section class=\"step\" id=\"step-2\" data-step=\"2\" hidden=\"\">") != std::string::npos);

    // The screenshot lands in the test's working directory so a person can look at it.
    const fs::path shot = fs::absolute("study_explorer_screenshot.png");
    fs::remove(shot);
    const int rc2 = std::system((chromium + "--window-size=1200,900 --screenshot='" + shot.string() + "' " + url +
                                 " > '" + log.string() + "' 2>&1").c_str());
    BOOST_TEST_INFO("chromium log:\n" << slurp(log));
    BOOST_TEST(rc2 == 0);
    BOOST_REQUIRE(fs::exists(shot));
    const std::string png = slurp(shot);
    BOOST_TEST(png.size() > 1000u);
    BOOST_TEST(png.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
    BOOST_TEST_MESSAGE("explorer screenshot: " << shot.string());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(frames)

BOOST_AUTO_TEST_CASE(one_frame_per_step_with_gradients_filling_in) {
    Tensor w = parameter(Array{0.25f, -0.75f}, "w");
    Tensor x = constant(Array{2.f, 4.f}, "x");
    Tensor loss = sum(square(w * x));
    // A grad left by an earlier backward must not show before the stepper reaches w.
    loss.backward(/*retain_graph=*/true);
    const Array stored = w.grad().value();
    const std::string w_grad = "grad " + summarize(stored, 6);
    BackwardStepper stepper(loss);
    std::vector<std::string> dots = frame_dots(stepper);
    BOOST_TEST(stepper.done());
    BOOST_REQUIRE(dots.size() == stepper.size());
    BOOST_REQUIRE(dots.size() == 3u);  // sum, square, mul
    for (std::size_t k = 0; k < dots.size(); ++k) {
        BOOST_TEST(dots[k].find("step " + std::to_string(k + 1) + "/3") != std::string::npos);
        BOOST_TEST(dots[k].find("#d62728") != std::string::npos, "frame " << k + 1 << " highlights nothing");
    }
    BOOST_TEST(dots[0].find(w_grad) == std::string::npos);
    BOOST_TEST(dots[1].find(w_grad) == std::string::npos);
    BOOST_TEST(dots[2].find(w_grad) != std::string::npos);  // the mul step sends dL/dw
    BOOST_TEST((w.grad().value() == stored));                 // put back untouched
    // The stepped node is the one highlighted: options name it and its input edges.
    StepRecord last = stepper.history().back();
    viz::DotOptions o = frame_options(last, stepper.gradients());
    BOOST_TEST(o.highlight.count(last.node.id) == 1u);
    BOOST_TEST(o.highlight.size() == 1u);
    BOOST_TEST(o.highlight_edges.count({w.id(), last.node.id}) == 1u);
    BOOST_TEST(o.gradients.count(w.id()) == 1u);
}

BOOST_AUTO_TEST_CASE(frames_render_to_svg_and_png) {
    TempDir dir;
    BackwardStepper stepper(small_network());
    std::vector<std::string> svgs = frame_svgs(stepper);
    BOOST_REQUIRE(svgs.size() == stepper.size());
    for (const std::string& s : svgs) BOOST_TEST(s.find("<svg") != std::string::npos);
    std::vector<std::string> pngs = write_frames(stepper, (dir.path / "frames").string(), "png");
    BOOST_REQUIRE(pngs.size() == stepper.size());
    BOOST_TEST(fs::path(pngs[0]).filename() == "step_001.png");
    for (const std::string& p : pngs) BOOST_TEST(slurp(p).compare(0, 8, "\x89PNG\r\n\x1a\n") == 0, p);
    BOOST_CHECK_EXCEPTION(write_frames(stepper, dir.path.string(), "gif"), ValueError, has_message{"\"gif\""});
}

BOOST_AUTO_TEST_CASE(explorer_from_a_stepper_inlines_every_frame) {
    TempDir dir;
    BackwardStepper stepper(small_network());
    const fs::path path = dir.path / "explorer.html";
    write_explorer(stepper, path.string());
    const std::string html = slurp(path);
    std::size_t svgs = 0;
    for (std::size_t p = html.find("<svg"); p != std::string::npos; p = html.find("<svg", p + 1)) ++svgs;
    BOOST_TEST(svgs == stepper.size());
    BOOST_TEST(html.find("http://") == std::string::npos);
    BOOST_TEST(html.find("https://") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
