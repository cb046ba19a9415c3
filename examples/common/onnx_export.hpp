#pragma once
/// @file onnx_export.hpp
/// The examples' `--export-onnx FILE` (docs/interop.md): the path is checked before any work,
/// the trained model is written after training. Without xgrad::onnx in the build
/// (XGRAD_HAS_ONNX undefined), asking for it is a clear error before any work.

#include <iostream>
#include <string>

#include <xgrad/error.hpp>
#include <xgrad/nn/module.hpp>
#ifdef XGRAD_HAS_ONNX
#include <xgrad/onnx/export.hpp>
#endif

#include "common/cli.hpp"

namespace xgrad::examples {

/// Checks `path` (empty: not asked for) before any work. IoError for an unwritable path;
/// ValueError when this build has no ONNX support.
inline void check_export_onnx(const std::string& path) {
    check_output_file(path, "--export-onnx");
#ifndef XGRAD_HAS_ONNX
    if (!path.empty()) {
        throw ValueError("--export-onnx: this build has no ONNX support (scripts/setup.sh onnx, then rebuild)");
    }
#endif
}

/// Writes `model` to `path` as ONNX (nothing when `path` is empty) and says so on stdout.
inline void export_onnx([[maybe_unused]] const nn::Module& model, const std::string& path,
                        [[maybe_unused]] const std::string& description) {
    if (path.empty()) return;
#ifdef XGRAD_HAS_ONNX
    xgrad::onnx::export_model(model, path, {.doc_string = description});
    std::cout << "onnx: " << path << '\n';
#endif
}

}  // namespace xgrad::examples
