// The training-step explorer on an MNIST-shaped step (784-512-10, batch 128, synthetic data):
// one file of a few megabytes at most, every phase in order, pictures; in headless Chromium,
// the keyboard walks forward → loss → backward → update and the counter, phase label and
// address follow.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <unistd.h>
#include <xgrad/nn.hpp>
#include <xgrad/study.hpp>

#include "browser_helpers.hpp"
#include "helpers.hpp"

using namespace xgrad;
using namespace xgrad::study;
using xgrad::test::has_message;
namespace fs = std::filesystem;
using namespace xgrad::test::browser;

namespace {



// The MNIST network on synthetic "digits": a bright stroke whose position depends on the label.
struct MnistShaped {
    nn::Sequential model;
    Tensor x, y, probs, loss;
    explicit MnistShaped(std::size_t batch = 128) {
        manual_seed(11);
        model.add(nn::Dense(512, "relu", 784));
        model.add(nn::Dense(10, "softmax"));
        model.compile(optim::RMSprop(), "categorical_crossentropy", {"accuracy"});
        model.optimizer().attach(model.named_parameters());
        Array images(Array::shape_type{batch, 784}, 0.f), labels(Array::shape_type{batch, 10}, 0.f);
        for (std::size_t i = 0; i < batch; ++i) {
            const std::size_t label = i % 10;
            labels(i, label) = 1.f;
            for (std::size_t r = 4; r < 24; ++r) images(i, r * 28 + 4 + 2 * label) = 1.f;  // a vertical stroke
        }
        x = constant(images, "images");
        y = constant(labels, "labels");
        probs = model.forward(x);
        loss = model.loss()(y, probs);
    }
    StepFigures figures() const {
        return {.input = x, .labels = y, .probs = probs, .kernel = model.named_parameters()[0].second};
    }
};


}  // namespace

BOOST_AUTO_TEST_SUITE(step_explorer)

BOOST_AUTO_TEST_CASE(records_every_phase_without_touching_the_model) {
    MnistShaped m(16);
    const Array w_before = m.model.named_parameters()[0].second.value();
    TrainingStepRecord r = record_training_step(m.probs, m.loss, m.model.optimizer());
    BOOST_TEST(r.forward.size() > r.loss_begin);
    BOOST_TEST(r.forward[r.loss_begin - 1].node.id == m.probs.id());
    BOOST_TEST(r.backward.size() > 0u);
    BOOST_TEST(r.update().size() == 8u);  // 4 parameters, RMSprop's two lines each
    BOOST_TEST(r.size() == r.forward.size() + r.backward.size() + 8u);
    BOOST_TEST((r.phase(0) == Phase::Forward));
    BOOST_TEST((r.phase(r.loss_begin) == Phase::Loss));
    BOOST_TEST((r.phase(r.forward.size()) == Phase::Backward));
    BOOST_TEST((r.phase(r.size() - 1) == Phase::Update));
    BOOST_TEST(r.rule.size() == 2u);
    for (const auto& [name, p] : m.model.named_parameters()) BOOST_TEST(!p.grad().defined(), name);
    BOOST_TEST((m.model.named_parameters()[0].second.value() == w_before));
    BOOST_CHECK_EXCEPTION(record_training_step(m.x, m.loss, m.model.optimizer()), GraphError,
                          has_message{"is not an op in the graph of loss"});
}

BOOST_AUTO_TEST_CASE(page_is_self_contained_small_and_complete) {
    TempDir dir;
    MnistShaped m;
    TrainingStepRecord r = record_training_step(m.probs, m.loss, m.model.optimizer());
    const fs::path path = dir.path / "step.html";
    write_step_explorer(r, m.figures(), path.string(), {.sample = 3, .unit = 7});
    const std::string html = slurp(path);
    BOOST_TEST(html.size() < 3'000'000u, "page of " << html.size() << " bytes");
    BOOST_TEST(html.find("http://") == std::string::npos);
    BOOST_TEST(html.find("https://") == std::string::npos);
    BOOST_TEST(html.find("<script src") == std::string::npos);
    BOOST_TEST(count(html, "<section class=\"step\"") == r.size());
    BOOST_TEST(count(html, "data-phase=\"forward\" data-figs") == r.loss_begin);
    BOOST_TEST(count(html, "data-phase=\"update\" data-figs") == 8u);
    // The formulas with the real shapes, summaries not dumps, the pictures.
    BOOST_TEST(html.find("C = A·B : (128x784)·(784x512) → (128x512)") != std::string::npos);
    BOOST_TEST(html.find("z = x·W + b : (128x784)·(784x512) + (512) → (128x512)") != std::string::npos);
    BOOST_TEST(html.find("v ← ρ·v + (1−ρ)·g², ρ = 0.9 : (784x512)") != std::string::npos);
    BOOST_TEST(html.find("norm ") != std::string::npos);
    BOOST_TEST(html.find("class=\"hist\"") != std::string::npos);
    for (const char* fig : {"digit", "probs", "unit_w", "unit_g", "unit_dw", "norms"})
        BOOST_TEST(html.find(std::string("data-fig=\"") + fig + "\"") != std::string::npos, fig);
    BOOST_TEST(html.find("input: sample 3, label 3") != std::string::npos);
    BOOST_TEST(html.find("incoming weights of hidden unit 7") != std::string::npos);
    BOOST_TEST(html.find("rmsprop step for 'dense_1.kernel'[") != std::string::npos);  // one weight worked out
    // The followed sample's probabilities (10 values) are printed in full.
    Array row(Array::shape_type{10});
    for (std::size_t j = 0; j < 10; ++j) row(j) = m.probs.value()(3, j);
    BOOST_TEST(html.find(summarize(row, 12, 4)) != std::string::npos);
    BOOST_TEST(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
}

BOOST_AUTO_TEST_CASE(errors_name_the_figure) {
    TempDir dir;
    MnistShaped m(4);
    TrainingStepRecord r = record_training_step(m.probs, m.loss, m.model.optimizer());
    const std::string path = (dir.path / "x.html").string();
    BOOST_CHECK_EXCEPTION(write_step_explorer(r, m.figures(), path, {.sample = 4}), ValueError,
                          has_message{"sample 4 is out of range for input (4x784 'images')"});
    BOOST_CHECK_EXCEPTION(write_step_explorer(r, m.figures(), path, {.unit = 512}), ValueError,
                          has_message{"unit 512 is out of range for kernel (784x512"});
    StepFigures wrong = m.figures();
    wrong.image_rows = 20;
    BOOST_CHECK_EXCEPTION(write_step_explorer(r, wrong, path), ValueError, has_message{"is not a 20x28 image"});
    StepFigures foreign = m.figures();
    foreign.kernel = parameter(Array(Array::shape_type{784, 3}, 0.f), "other");
    BOOST_CHECK_EXCEPTION(write_step_explorer(r, foreign, path), ValueError, has_message{"is not a parameter of the optimizer"});
    BOOST_CHECK_EXCEPTION(write_step_explorer(r, m.figures(), (dir.path / "no" / "x.html").string()), IoError,
                          has_message{"no/x.html"});
    BOOST_CHECK_EXCEPTION(write_step_explorer(TrainingStepRecord{}, {}, path), ValueError, has_message{"no steps"});
    BOOST_TEST(!fs::exists(path));
}

BOOST_AUTO_TEST_CASE(pictures_are_deterministic_and_checked) {
    Array digit(Array::shape_type{4}, 0.f);
    digit(1) = 1.f;
    const std::string svg = image_svg(digit, 2, 2, Palette::Gray, "d", 5);
    BOOST_TEST(count(svg, "fill=\"#000000\"") == 1u);  // one ink pixel, the background is one white rect
    BOOST_TEST(svg == image_svg(digit, 2, 2, Palette::Gray, "d", 5));
    BOOST_CHECK_EXCEPTION(image_svg(digit, 3, 2, Palette::Gray, ""), ShapeError, has_message{"not 3x2 = 6"});
    const std::string w = image_svg(Array{-2.f, 2.f, 0.f, 1.f}, 2, 2, Palette::Diverging, "w");
    BOOST_TEST(w.find("#0000ff") != std::string::npos);  // -max: full blue
    BOOST_TEST(w.find("#ff0000") != std::string::npos);  // +max: full red
    BOOST_TEST(w.find("red +2") != std::string::npos);
    const std::string b = bars_svg({0.1, 0.7, 0.2}, {}, {0, 1, 0}, "p", 1.0);
    BOOST_TEST(count(b, "class=\"bar\"") == 3u);
    BOOST_TEST(count(b, "class=\"mark\"") == 1u);
    BOOST_CHECK_EXCEPTION(bars_svg({1, 2}, {"a"}, {}, ""), ValueError, has_message{"1 labels for 2 bars"});
    BOOST_TEST(count(histogram_svg(Array{0.f, 0.f, 1.f}, 4), "<rect x=") == 2u);  // two non-empty bins
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(step_explorer_browser)

// Loads the page with key presses in the fragment (real keydown events dispatched by the page)
// and reads the DOM: the counter, the phase label, the visible section and the address.
BOOST_AUTO_TEST_CASE(keyboard_walks_all_phases, *boost::unit_test::precondition(chromium_installed)) {
    TempDir dir;
    MnistShaped m;
    TrainingStepRecord r = record_training_step(m.probs, m.loss, m.model.optimizer());
    const fs::path page = dir.path / "step.html";
    write_step_explorer(r, m.figures(), page.string(), {.sample = 3, .unit = 7});
    const std::string chromium = chromium_command(dir.path);
    const fs::path dom = dir.path / "dom.html", log = dir.path / "chromium.log";
    const std::size_t n = r.size(), nf = r.loss_begin, nl = r.forward.size() - nf, nb = r.backward.size();
    struct Visit {
        std::string keys;
        std::size_t step;
        std::string phase;
        std::size_t in_phase, phase_size;
    };
    const std::vector<Visit> visits = {
        {"ArrowRight*2", 3, "forward", 3, nf},
        {"PageDown", nf + 1, "loss", 1, nl},
        {"PageDown*2,ArrowRight", nf + nl + 2, "backward", 2, nb},
        {"PageDown*3,ArrowRight*3,ArrowLeft", nf + nl + nb + 3, "update", 3, 8},
        {"End,PageUp", nf + nl + nb + 1, "update", 1, 8},
    };
    for (const Visit& v : visits) {
        const std::string url = "'file://" + page.string() + "#keys=" + v.keys + "'";
        const int rc = std::system((chromium + "--dump-dom " + url + " > '" + dom.string() + "' 2> '" + log.string() + "'").c_str());
        BOOST_TEST_INFO("keys " << v.keys << "; chromium log:\n" << slurp(log));
        BOOST_REQUIRE(rc == 0);
        const std::string d = slurp(dom);
        const std::string k = std::to_string(v.step);
        BOOST_TEST_INFO("keys " << v.keys << ", DOM head: " << d.substr(0, 1200));
        BOOST_TEST(d.find("data-step=\"" + k + "\">Step " + k + " / " + std::to_string(n) + "</span>") != std::string::npos);
        BOOST_TEST(d.find("<span id=\"phase\" data-phase=\"" + v.phase + "\">" + v.phase + " " + std::to_string(v.in_phase) +
                          "/" + std::to_string(v.phase_size) + "</span>") != std::string::npos);
        BOOST_TEST(d.find("data-hash=\"#step=" + k + "\"") != std::string::npos);
        BOOST_TEST(count(d, "<section class=\"step\" id=\"step-" + k + "\" data-step=\"" + k + "\" data-phase=\"" + v.phase +
                                "\" data-figs=\"") == 1u);
        BOOST_TEST(count(d, "\" hidden=\"\">") + 1 >= n);  // every other step hidden
        BOOST_TEST(d.find("class=\"seg active\" data-phase=\"" + v.phase + "\"") != std::string::npos);
    }
    // #step=K opens step K (a shared link); then a screenshot a person can look at.
    const std::string k = std::to_string(nf + nl + 2);
    const std::string url = "'file://" + page.string() + "#step=" + k + "'";
    BOOST_REQUIRE(std::system((chromium + "--dump-dom " + url + " > '" + dom.string() + "' 2> '" + log.string() + "'").c_str()) == 0);
    BOOST_TEST(slurp(dom).find("data-step=\"" + k + "\">Step " + k + " / ") != std::string::npos);
    const fs::path shot = fs::absolute("study_step_screenshot.png");
    fs::remove(shot);
    const int rc = std::system((chromium + "--window-size=1200,900 --screenshot='" + shot.string() + "' " + url + " > '" +
                                log.string() + "' 2>&1").c_str());
    BOOST_TEST_INFO("chromium log:\n" << slurp(log));
    BOOST_TEST(rc == 0);
    BOOST_REQUIRE(fs::exists(shot));
    BOOST_TEST(slurp(shot).compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
    BOOST_TEST_MESSAGE("step explorer screenshot: " << shot.string());
}

BOOST_AUTO_TEST_SUITE_END()
