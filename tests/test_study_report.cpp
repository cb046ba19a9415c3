// train::HtmlReport: what it records during fit, the page it writes (self-contained, refreshed
// each epoch, atomically), its errors, and (headless Chromium) that Chart.js draws the charts.
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>
#include <xgrad/nn.hpp>

#include "browser_helpers.hpp"
#include "helpers.hpp"

using namespace xgrad;
using xgrad::test::has_message;
namespace fs = std::filesystem;
using namespace xgrad::test::browser;

namespace {



boost::test_tools::assertion_result library_built_in(boost::unit_test::test_unit_id) {
    boost::test_tools::assertion_result r(train::HtmlReport::available());
    r.message() << "Chart.js was not embedded at build time: HtmlReport tests skipped "
                   "(run scripts/fetch_chartjs.sh, then re-run cmake)";
    return r;
}

// A small classifier and data shaped like MNIST's rows, 3 classes.
struct Run {
    nn::Sequential model;
    Array x, y;
    Run() {
        manual_seed(5);
        model.add(nn::Dense(8, "relu", 12));
        model.add(nn::Dense(3, "softmax"));
        model.compile(optim::RMSprop(), "categorical_crossentropy", {"accuracy"});
        x = random_uniform({60, 12}, 0.f, 1.f);
        y = Array(Array::shape_type{60, 3}, 0.f);
        for (std::size_t i = 0; i < 60; ++i) y(i, i % 3) = 1.f;
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(html_report, *boost::unit_test::precondition(library_built_in))

BOOST_AUTO_TEST_CASE(records_epochs_norms_and_histograms) {
    TempDir dir;
    Run run;
    auto report = std::make_shared<train::HtmlReport>((dir.path / "report.html").string(),
                                                       train::HtmlReportOptions{.every = 2, .bins = 10});
    std::ostringstream quiet;
    run.model.fit(run.x, run.y, {.epochs = 3, .batch_size = 16, .validation_split = 0.2, .verbose = 0,
                                 .callbacks = {report}, .out = &quiet});
    // 48 training samples, batch 16: 3 steps an epoch, 9 in all; every 2nd recorded: 1, 3, 5, 7, 9.
    BOOST_TEST(report->epochs().size() == 3u);
    BOOST_TEST((report->steps() == std::vector<std::size_t>{1, 3, 5, 7, 9}));
    BOOST_REQUIRE(report->weight_norms().size() == 2u);
    BOOST_TEST(report->weight_norms().count("dense_1") == 1u);
    BOOST_TEST(report->grad_norms().at("dense_2").size() == 5u);
    for (double g : report->grad_norms().at("dense_1")) BOOST_TEST(g > 0.0);
    // The weight norm of the last sample is the layer's norm after its step.
    double w2 = 0;
    for (const auto& [name, p] : run.model.named_parameters())
        if (name.rfind("dense_2.", 0) == 0)
            for (float v : p.value()) w2 += double(v) * v;
    BOOST_TEST(report->weight_norms().at("dense_2").back() == std::sqrt(w2), boost::test_tools::tolerance(1e-12));
    BOOST_TEST(report->epochs()[2].count("val_accuracy") == 1u);
    // Histograms: the initial one and one per epoch, each counting every weight of the layer.
    const auto& h = report->histograms().at("dense_1");
    BOOST_REQUIRE(h.size() == 4u);
    BOOST_TEST(h[0].when == "initial");
    BOOST_TEST(h[3].when == "epoch 3");
    double count = 0;
    for (double c : h[3].counts) count += c;
    BOOST_TEST(count == 12.0 * 8 + 8);
    BOOST_TEST(h[3].counts.size() == 10u);

    const std::string html = slurp(dir.path / "report.html");
    BOOST_TEST(html.find("<script src") == std::string::npos);
    BOOST_TEST(html.find("<link") == std::string::npos);
    BOOST_TEST(html.find("Chart.js v" + train::HtmlReport::library_version()) != std::string::npos);  // inlined
    BOOST_TEST(html.find("\"val_loss\"") != std::string::npos);
    BOOST_TEST(html.find("\"histograms\":{\"dense_1\"") != std::string::npos);
    BOOST_TEST(html.find("<th>val_accuracy</th>") != std::string::npos);
    BOOST_TEST(html == report->html());
    BOOST_TEST(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);  // no temporaries
}

BOOST_AUTO_TEST_CASE(page_is_refreshed_after_every_epoch) {
    TempDir dir;
    Run run;
    const fs::path path = dir.path / "live.html";
    auto report = std::make_shared<train::HtmlReport>(path.string());
    std::vector<std::string> seen;
    auto watcher = std::make_shared<train::LambdaCallback>();
    watcher->epoch_end = [&](int, const train::Logs&) { seen.push_back(slurp(path)); };
    std::ostringstream quiet;
    run.model.fit(run.x, run.y, {.epochs = 2, .batch_size = 20, .verbose = 0, .callbacks = {report, watcher}, .out = &quiet});
    BOOST_REQUIRE(seen.size() == 2u);
    BOOST_TEST(seen[0].find("1 epoch, 3 training steps") != std::string::npos);
    BOOST_TEST(seen[1].find("2 epochs, 6 training steps") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unwritable_paths_fail_before_training) {
    TempDir dir;
    const std::string missing = (dir.path / "no" / "such" / "r.html").string();
    BOOST_CHECK_EXCEPTION(train::HtmlReport{missing}, IoError,
                          has_message{"HtmlReport: cannot write '" + missing + "': directory"});
    BOOST_CHECK_EXCEPTION(train::HtmlReport{dir.path.string()}, IoError, has_message{"is a directory"});
    BOOST_CHECK_EXCEPTION(train::HtmlReport{""}, ValueError, has_message{"empty output path"});
    BOOST_CHECK_EXCEPTION(train::HtmlReport((dir.path / "r.html").string(), {.every = 0}), ValueError,
                          has_message{"every must be >= 1"});
    if (::geteuid() != 0) {  // root writes anywhere
        fs::create_directory(dir.path / "ro");
        fs::permissions(dir.path / "ro", fs::perms::owner_read | fs::perms::owner_exec);
        BOOST_CHECK_EXCEPTION(train::HtmlReport{(dir.path / "ro" / "r.html").string()}, IoError,
                              has_message{"is not writable"});
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(html_report_browser, *boost::unit_test::precondition(library_built_in))

// Chart.js really draws: the page's own script counts its charts into <body data-charts>.
BOOST_AUTO_TEST_CASE(charts_are_drawn_in_chromium, *boost::unit_test::precondition(chromium_installed)) {
    TempDir dir;
    Run run;
    const fs::path page = dir.path / "report.html";
    auto report = std::make_shared<train::HtmlReport>(page.string());
    std::ostringstream quiet;
    run.model.fit(run.x, run.y, {.epochs = 2, .batch_size = 16, .validation_split = 0.2, .verbose = 0,
                                 .callbacks = {report}, .out = &quiet});
    const fs::path dom = dir.path / "dom.html", log = dir.path / "chromium.log";
    const std::string cmd = chromium_command(dir.path) + "--dump-dom 'file://" + page.string() + "' > '" +
                            dom.string() + "' 2> '" + log.string() + "'";
    const int rc = std::system(cmd.c_str());
    BOOST_TEST_INFO("chromium log:\n" << slurp(log));
    BOOST_REQUIRE(rc == 0);
    const std::string d = slurp(dom);
    // loss, accuracy, weight norms, gradient norms, batch loss, 2 histogram charts
    BOOST_TEST(d.find("data-charts=\"7\"") != std::string::npos, d.substr(0, 400));
}

BOOST_AUTO_TEST_SUITE_END()
