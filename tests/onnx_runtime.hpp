#pragma once
// Runs exported models in ONNX Runtime for the ONNX tests: npm's onnxruntime-node (CPU),
// driven by scripts/onnx/run.mjs, installed by scripts/install_onnxruntime.sh outside the
// repository. Without node or the package the round-trip tests skip with a message.

#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <onnx/checker.h>

#include "file_helpers.hpp"
#include "source_tree.hpp"
#include <xgrad/nn.hpp>
#include <xgrad/onnx/export.hpp>
#include <xgrad/xgrad.hpp>

namespace xgrad::test::ort {

inline const std::string kNode = XGRAD_NODE;  // from CMake's find_program; "" when not found
inline const std::string kScripts = source_dir() + "/scripts/onnx";

// Runs `command`, returns its exit status and puts its standard output into `out`.
inline int run(const std::string& command, std::string& out) {
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return -1;
    char buffer[4096];
    out.clear();
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
    const int status = ::pclose(pipe);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// Empty when ONNX Runtime can run here, else why not (checked once).
inline const std::string& unavailable_reason() {
    static const std::string reason = [] {
        if (kNode.empty() || kNode.find("NOTFOUND") != std::string::npos) {
            return std::string("node (Node.js) was not found when configuring: ONNX Runtime round trips skipped "
                               "(scripts/setup.sh onnx)");
        }
        std::string out;
        const int rc = run("'" + kNode + "' --input-type=module -e \"import {loadOnnxruntime} from '" + kScripts +
                               "/ort.mjs'; loadOnnxruntime();\" 2>&1",
                           out);
        if (rc != 0) {
            return "onnxruntime-node cannot be loaded: ONNX Runtime round trips skipped "
                   "(scripts/install_onnxruntime.sh): " + out;
        }
        return std::string();
    }();
    return reason;
}

/// Boost.Test precondition: skips a round-trip test, with the reason, when ONNX Runtime is missing.
inline boost::test_tools::assertion_result available(boost::unit_test::test_unit_id) {
    boost::test_tools::assertion_result r(unavailable_reason().empty());
    if (!r) {
        r.message() << unavailable_reason();
        std::cerr << "SKIPPED: " << unavailable_reason() << '\n';
    }
    return r;
}

/// The model at `model_path` run by ONNX Runtime on one batch per model input; one array per
/// model output, shaped as ONNX Runtime reports.
inline std::vector<Array> run_model_all(const std::string& model_path, const std::vector<Array>& xs,
                                        const files::TempDir& dir) {
    const std::string out = dir / "output.f32";
    std::string args;
    for (std::size_t k = 0; k < xs.size(); ++k) {
        const std::string in = dir / ("batch" + std::to_string(k) + ".f32");
        std::ofstream f(in, std::ios::binary);
        f.write(reinterpret_cast<const char*>(xs[k].data()), static_cast<std::streamsize>(xs[k].size() * sizeof(float)));
        std::string dims;
        for (auto d : xs[k].shape()) {  // piece by piece: `(c ? "" : ",") + x` trips GCC 12's -Wstringop-overflow
            if (!dims.empty()) dims += ',';
            dims += std::to_string(d);
        }
        args += " '" + in + "' " + dims;
    }
    std::string printed;
    const int rc = run("'" + kNode + "' '" + kScripts + "/run.mjs' '" + model_path + "'" + args + " --out '" + out +
                           "' 2>&1",
                       printed);
    BOOST_TEST_INFO("run.mjs printed:\n" << printed);
    BOOST_REQUIRE_EQUAL(rc, 0);
    // One "-> output NAME [e0,e1,...]" line per output, in the model's output order.
    std::vector<Array> ys;
    for (std::size_t at = printed.find("-> output "); at != std::string::npos; at = printed.find("-> output ", at + 1)) {
        const auto open = printed.find('[', at), close = printed.find(']', at);
        Shape shape;
        std::stringstream list(printed.substr(open + 1, close - open - 1));
        for (std::string d; std::getline(list, d, ',');) shape.push_back(std::stoul(d));
        Array y(Array::shape_type(shape.begin(), shape.end()));
        const std::string file = ys.empty() ? out : out + "." + std::to_string(ys.size());
        const files::Bytes bytes = files::read_bytes(file);
        BOOST_REQUIRE_EQUAL(bytes.size(), y.size() * sizeof(float));
        std::memcpy(y.data(), bytes.data(), bytes.size());
        ys.push_back(std::move(y));
    }
    BOOST_REQUIRE(!ys.empty());
    return ys;
}

/// The one output of the model at `model_path` run by ONNX Runtime on the batch `x`.
inline Array run_model(const std::string& model_path, const Array& x, const files::TempDir& dir) {
    return run_model_all(model_path, {x}, dir).front();
}

/// max |a - b| over all elements (shapes must agree).
inline float max_abs_diff(const Array& a, const Array& b) {
    BOOST_REQUIRE(a.shape() == b.shape());
    float m = 0.f;
    for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a.data()[i] - b.data()[i]));
    return m;
}

/// The largest difference allowed between ONNX Runtime's outputs and predict's.
inline constexpr float kTolerance = 1e-5f;

/// Exports `model` (checked by ONNX's checker on the written file), runs it in ONNX Runtime
/// on `x` and returns max |ONNX Runtime - predict|.
inline float round_trip(nn::Model& model, const Array& x, const onnx::ExportOptions& options = {}) {
    files::TempDir dir;
    const std::string path = dir / "model.onnx";
    onnx::export_model(model, path, options);
    BOOST_CHECK_NO_THROW(::onnx::checker::check_model(path));
    const Array expected = model.predict(x);
    return max_abs_diff(run_model(path, x, dir), expected);
}

/// round_trip for models with several inputs and outputs: the largest difference over all
/// outputs.
inline float round_trip_all(nn::Model& model, const std::vector<Array>& xs, const onnx::ExportOptions& options = {}) {
    files::TempDir dir;
    const std::string path = dir / "model.onnx";
    onnx::export_model(model, path, options);
    BOOST_CHECK_NO_THROW(::onnx::checker::check_model(path));
    const std::vector<Array> expected = model.predict(xs);
    const std::vector<Array> got = run_model_all(path, xs, dir);
    BOOST_REQUIRE_EQUAL(got.size(), expected.size());
    float worst = 0.f;
    for (std::size_t i = 0; i < got.size(); ++i) worst = std::max(worst, max_abs_diff(got[i], expected[i]));
    return worst;
}

}  // namespace xgrad::test::ort
