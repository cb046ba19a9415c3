// Model::save_weights / load_weights: parameters by dotted name, optimizer state by
// "@optimizer:<name>/...". Loading validates everything before touching the model.
#include <map>
#include <set>

#include "xgrad/format.hpp"
#include "xgrad/nn/model.hpp"
#include "xgrad/train/distribution.hpp"
#include "xgrad/train/fit_options.hpp"
#include "xgrad/train/weights_io.hpp"

namespace xgrad::nn {

namespace {
const std::string kOptPrefix = "@optimizer:";
}

void Model::save_weights(const std::string& path, const train::SaveOptions& options) const {
    if (!built()) throw ValueError("save_weights: model '" + name() + "' is not built (no parameters yet)");
    if (!train::distribution().is_chief()) return;  // data-parallel: every process holds the same weights
    train::NamedArrays tensors;
    for (auto& [n, t] : named_parameters()) tensors.emplace_back(n, t.value());
    if (options.include_optimizer && compiled()) {
        const std::string prefix = kOptPrefix + shared_optimizer()->name() + "/";
        for (auto& [k, v] : shared_optimizer()->state()) tensors.emplace_back(prefix + k, v);
    }
    train::write_weights_file(path, tensors);
}

void Model::load_weights(const std::string& path, const train::LoadOptions& options) {
    if (!built()) throw ValueError("load_weights: model '" + name() + "' is not built (no parameters to load into)");
    // Everything is read and checked into temporaries first: on any error nothing changes.
    train::NamedArrays file = train::read_weights_file(path);
    std::map<std::string, Array> params;
    optim::State state;
    std::string file_optimizer;
    for (auto& [n, a] : file) {
        if (n.rfind(kOptPrefix, 0) == 0) {
            const std::string rest = n.substr(kOptPrefix.size());
            const auto slash = rest.find('/');
            if (slash == std::string::npos) throw IoError("load_weights: '" + path + "' has a malformed entry '" + n + "'");
            file_optimizer = rest.substr(0, slash);
            state[rest.substr(slash + 1)] = std::move(a);
        } else if (!params.emplace(n, std::move(a)).second) {
            throw IoError("load_weights: '" + path + "' holds '" + n + "' twice");
        }
    }
    auto named = named_parameters();
    std::set<std::string> model_names;
    for (auto& [n, t] : named) {
        model_names.insert(n);
        auto it = params.find(n);
        if (it == params.end()) {
            throw ValueError("load_weights: '" + path + "' has no tensor for model parameter '" + n + "' " + shape_str(t.shape()));
        }
        if (it->second.shape() != t.shape()) {
            throw ValueError("load_weights: '" + n + "' is " + shape_str(it->second.shape()) + " in '" + path +
                             "' but " + shape_str(t.shape()) + " in the model");
        }
    }
    for (auto& [n, a] : params) {
        if (!model_names.count(n)) {
            throw ValueError("load_weights: '" + path + "' holds '" + n + "' " + shape_str(a.shape()) +
                             ", which model '" + name() + "' does not have");
        }
    }
    const bool restore_optimizer = options.include_optimizer && compiled() && !state.empty();
    if (restore_optimizer) {
        if (file_optimizer != shared_optimizer()->name()) {
            throw ValueError("load_weights: '" + path + "' holds " + file_optimizer + " state but the model's optimizer is " +
                             shared_optimizer()->name() + " (pass include_optimizer = false to skip it)");
        }
        shared_optimizer()->attach(named);
        shared_optimizer()->check_state(state);
    }
    // Commit: nothing below can fail.
    {
        NoGradGuard no_grad;
        for (auto& [n, t] : named) t.data() = std::move(params.at(n));
    }
    if (restore_optimizer) shared_optimizer()->load_state(state);
}

}  // namespace xgrad::nn
