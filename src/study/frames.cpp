// Frames: the stepper's state after each step turned into viz::DotOptions, rendered by viz.
#include "xgrad/study/frames.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>
#include <unistd.h>

#include "xgrad/study/explorer.hpp"
#include "xgrad/viz/render.hpp"

namespace xgrad::study {

namespace {

namespace fs = std::filesystem;

std::string step_file(std::size_t k, const std::string& ext) {
    char name[32];
    std::snprintf(name, sizeof name, "step_%03zu.", k);
    return name + ext;
}

// viz::render writes files only; SVG text comes back through a private temporary directory.
struct ScratchDir {
    fs::path path;
    ScratchDir() {
        std::string pattern = (fs::temp_directory_path() / "xgrad_frames_XXXXXX").string();
        if (!::mkdtemp(pattern.data())) throw IoError("frame_svgs: cannot create a temporary directory in " +
                                                      fs::temp_directory_path().string());
        path = pattern;
    }
    ~ScratchDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

}  // namespace

viz::DotOptions frame_options(const StepRecord& step, std::map<std::uint64_t, Array> gradients,
                              const viz::DotOptions& base) {
    viz::DotOptions o = base;
    // Only the stepped node (viz draws its op with it) and its input edges: highlighting the
    // inputs too would light up the ops that made them, which are not part of this step.
    o.highlight.insert(step.node.id);
    for (const InputGrad& in : step.inputs) o.highlight_edges.insert({in.input.id, step.node.id});
    o.gradients = std::move(gradients);
    o.title = "step " + std::to_string(step.index + 1) + "/" + std::to_string(step.total) + ": " + step.node.op +
              " '" + step.node.label + "' sends dL/d(output) to its inputs";
    return o;
}

std::vector<std::string> frame_dots(BackwardStepper& stepper, const viz::DotOptions& base) {
    // viz shows a tensor's own grad() where `gradients` has no entry: a grad left by an earlier
    // backward() would appear before its step. Hide stored grads while drawing, put them back.
    struct HideGrads {
        std::vector<std::pair<Node*, std::shared_ptr<Node>>> saved;
        explicit HideGrads(const Tensor& root) {
            std::vector<Node*> stack{root.node().get()};
            std::set<Node*> seen{stack.back()};
            while (!stack.empty()) {
                Node* n = stack.back();
                stack.pop_back();
                if (n->grad) saved.emplace_back(n, std::exchange(n->grad, nullptr));
                for (const auto& in : n->inputs)
                    if (seen.insert(in.get()).second) stack.push_back(in.get());
            }
        }
        ~HideGrads() {
            for (auto& [n, g] : saved) n->grad = std::move(g);
        }
    } hide(stepper.loss());
    stepper.reset();
    std::vector<std::string> dots;
    while (!stepper.done()) {
        StepRecord r = stepper.next();
        dots.push_back(viz::to_dot(stepper.loss(), frame_options(r, stepper.gradients(), base)));
    }
    return dots;
}

std::vector<std::string> frame_svgs(BackwardStepper& stepper, const viz::DotOptions& base) {
    std::vector<std::string> dots = frame_dots(stepper, base);
    ScratchDir scratch;
    std::vector<std::string> svgs;
    for (std::size_t k = 0; k < dots.size(); ++k) {
        const fs::path p = scratch.path / step_file(k + 1, "svg");
        viz::render(dots[k], p.string());
        std::ifstream in(p, std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        svgs.push_back(text.str());
    }
    return svgs;
}

std::vector<std::string> write_frames(BackwardStepper& stepper, const std::string& dir, const std::string& extension,
                                      const viz::DotOptions& base) {
    if (extension != "svg" && extension != "png") {
        throw ValueError("write_frames: extension must be \"svg\" or \"png\", got \"" + extension + "\"");
    }
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw IoError("write_frames: cannot create directory '" + dir + "': " + ec.message());
    std::vector<std::string> dots = frame_dots(stepper, base);
    std::vector<std::string> paths;
    for (std::size_t k = 0; k < dots.size(); ++k) {
        paths.push_back((fs::path(dir) / step_file(k + 1, extension)).string());
        viz::render(dots[k], paths.back());
    }
    return paths;
}

void write_explorer(BackwardStepper& stepper, const std::string& path, const ExplorerOptions& options) {
    std::vector<std::string> svgs = frame_svgs(stepper, options.diagram);
    write_explorer(stepper.history(), svgs, path, options);
}

}  // namespace xgrad::study
