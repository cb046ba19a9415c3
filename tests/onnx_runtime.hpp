#pragma once
// Runs exported models in ONNX Runtime for the ONNX tests: npm's onnxruntime-node (CPU),
// driven by scripts/onnx/run.mjs, installed by scripts/install_onnxruntime.sh outside the
// repository. Without node or the package the round-trip tests skip with a message.

#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <onnx/checker.h>

#include "file_helpers.hpp"
#include <xgrad/nn.hpp>
#include <xgrad/onnx/export.hpp>
#include <xgrad/xgrad.hpp>

namespace xgrad::test::ort {

inline const std::string kNode = XGRAD_NODE;  // from CMake's find_program; "" when not found
inline const std::string kScripts = std::string(XGRAD_SOURCE_DIR) + "/scripts/onnx";

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

/// The model at `model_path` run by ONNX Runtime on the batch `x`; the output's shape is the
/// one ONNX Runtime reports.
inline Array run_model(const std::string& model_path, const Array& x, const files::TempDir& dir) {
    const std::string in = dir / "batch.f32", out = dir / "output.f32";
    {
        std::ofstream f(in, std::ios::binary);
        f.write(reinterpret_cast<const char*>(x.data()), static_cast<std::streamsize>(x.size() * sizeof(float)));
    }
    std::string dims;
    for (auto d : x.shape()) dims += (dims.empty() ? "" : ",") + std::to_string(d);
    std::string printed;
    const int rc = run("'" + kNode + "' '" + kScripts + "/run.mjs' '" + model_path + "' '" + in + "' " + dims + " '" +
                           out + "' 2>&1",
                       printed);
    BOOST_TEST_INFO("run.mjs printed:\n" << printed);
    BOOST_REQUIRE_EQUAL(rc, 0);
    // "input NAME [d0,d1] -> output NAME [e0,e1,...]"
    const auto arrow = printed.find("-> output ");
    BOOST_REQUIRE(arrow != std::string::npos);
    const auto open = printed.find('[', arrow), close = printed.find(']', arrow);
    Shape shape;
    std::stringstream list(printed.substr(open + 1, close - open - 1));
    for (std::string d; std::getline(list, d, ',');) shape.push_back(std::stoul(d));
    Array y(Array::shape_type(shape.begin(), shape.end()));
    const files::Bytes bytes = files::read_bytes(out);
    BOOST_REQUIRE_EQUAL(bytes.size(), y.size() * sizeof(float));
    std::memcpy(y.data(), bytes.data(), bytes.size());
    return y;
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

}  // namespace xgrad::test::ort
