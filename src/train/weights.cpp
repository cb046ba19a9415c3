// Model::save_weights / load_weights: parameters by dotted name, optimizer state by
// "@optimizer:<name>/...". Loading validates everything before touching the model.
#include <map>
#include <set>

#include "train/model_weights.hpp"
#include "xgrad/format.hpp"
#include "xgrad/train/distribution.hpp"
#include "xgrad/train/fit_options.hpp"

namespace xgrad::train::detail {

namespace {
const std::string kOptPrefix = "@optimizer:";
}

NamedArrays model_tensors(const nn::Model& model, bool include_optimizer) {
    NamedArrays tensors;
    for (auto& [n, t] : model.named_parameters()) tensors.emplace_back(n, t.value());
    if (include_optimizer && model.compiled()) {
        const std::string prefix = kOptPrefix + model.optimizer().name() + "/";
        for (auto& [k, v] : model.optimizer().state()) tensors.emplace_back(prefix + k, v);
    }
    return tensors;
}

void apply_tensors(nn::Model& model, NamedArrays file, const std::string& path, const std::string& who,
                   bool include_optimizer) {
    // Everything is checked into temporaries first: on any error nothing changes.
    std::map<std::string, Array> params;
    optim::State state;
    std::string file_optimizer;
    for (auto& [n, a] : file) {
        if (n.rfind(kOptPrefix, 0) == 0) {
            const std::string rest = n.substr(kOptPrefix.size());
            const auto slash = rest.find('/');
            if (slash == std::string::npos) throw IoError(who + ": '" + path + "' has a malformed entry '" + n + "'");
            file_optimizer = rest.substr(0, slash);
            state[rest.substr(slash + 1)] = std::move(a);
        } else if (!params.emplace(n, std::move(a)).second) {
            throw IoError(who + ": '" + path + "' holds '" + n + "' twice");
        }
    }
    auto named = model.named_parameters();
    std::set<std::string> model_names;
    for (auto& [n, t] : named) {
        model_names.insert(n);
        auto it = params.find(n);
        if (it == params.end()) {
            throw ValueError(who + ": '" + path + "' has no tensor for model parameter '" + n + "' " + shape_str(t.shape()));
        }
        if (it->second.shape() != t.shape()) {
            throw ValueError(who + ": '" + n + "' is " + shape_str(it->second.shape()) + " in '" + path + "' but " +
                             shape_str(t.shape()) + " in the model");
        }
    }
    for (auto& [n, a] : params) {
        if (!model_names.count(n)) {
            throw ValueError(who + ": '" + path + "' holds '" + n + "' " + shape_str(a.shape()) + ", which model '" +
                             model.name() + "' does not have");
        }
    }
    const bool restore_optimizer = include_optimizer && model.compiled() && !state.empty();
    if (restore_optimizer) {
        optim::Optimizer& optimizer = model.optimizer();
        if (file_optimizer != optimizer.name()) {
            throw ValueError(who + ": '" + path + "' holds " + file_optimizer + " state but the model's optimizer is " +
                             optimizer.name() + " (pass include_optimizer = false to skip it)");
        }
        optimizer.attach(named);
        optimizer.check_state(state);
    }
    // Commit: nothing below can fail.
    {
        NoGradGuard no_grad;
        for (auto& [n, t] : named) t.data() = std::move(params.at(n));
    }
    if (restore_optimizer) model.optimizer().load_state(state);
}

}  // namespace xgrad::train::detail

namespace xgrad::nn {

void Model::save_weights(const std::string& path, const train::SaveOptions& options) const {
    if (!built()) throw ValueError("save_weights: model '" + name() + "' is not built (no parameters yet)");
    if (!train::distribution().is_chief()) return;  // data-parallel: every process holds the same weights
    train::write_weights_file(path, train::detail::model_tensors(*this, options.include_optimizer));
}

void Model::load_weights(const std::string& path, const train::LoadOptions& options) {
    if (!built()) throw ValueError("load_weights: model '" + name() + "' is not built (no parameters to load into)");
    train::detail::apply_tensors(*this, train::read_weights_file(path), path, "load_weights", options.include_optimizer);
}

}  // namespace xgrad::nn
