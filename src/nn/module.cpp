// Module bookkeeping: names, paths (parameter labels) and recursive traversal.
#include "xgrad/nn/module.hpp"

namespace xgrad::nn {

Tensor Module::forward_without_activation(const Tensor&) {
    throw ValueError("forward_without_activation: " + type_name() + " '" + name_ +
                     "' has no separable final activation");
}

std::vector<Tensor> Module::parameters() const {
    std::vector<Tensor> out;
    for (auto& [n, t] : named_parameters()) out.push_back(t);
    return out;
}

std::vector<NamedTensor> Module::named_parameters() const {
    std::vector<NamedTensor> out;
    collect("", out);
    return out;
}

void Module::collect(const std::string& prefix, std::vector<NamedTensor>& out) const {
    for (auto& [n, t] : params_) out.emplace_back(prefix + n, t);
    for (auto& [n, child] : children_) child->collect(prefix + n + ".", out);
}

std::size_t Module::count_params() const {
    std::size_t n = 0;
    for (auto& [name, t] : named_parameters()) n += t.size();
    return n;
}

void Module::train(bool on) {
    training_ = on;
    for (auto& [n, child] : children_) child->train(on);
}

void Module::set_name(std::string name) {
    name_ = std::move(name);
    automatic_name_ = false;
    // A root's path is its own name; a child's path is set by its parent.
    set_path(name_);
}

void Module::set_path(const std::string& path) {
    path_ = path;
    for (auto& [n, t] : params_) t.set_label(path_.empty() ? n : path_ + "." + n);
    for (auto& [n, child] : children_) child->set_path(path_.empty() ? n : path_ + "." + n);
}

Tensor Module::register_parameter(const std::string& name, Array value) {
    for (auto& [n, t] : params_) {
        if (n == name) throw ValueError("register_parameter: " + type_name() + " '" + name_ + "' already has a parameter '" + name + "'");
    }
    Tensor t = parameter(std::move(value), path_.empty() ? name : path_ + "." + name);
    params_.emplace_back(name, t);
    return t;
}

std::shared_ptr<Module> Module::register_module(const std::string& name, std::shared_ptr<Module> child) {
    if (!child) throw ValueError("register_module: null module for '" + name + "'");
    for (auto& [n, c] : children_) {
        if (n == name) throw ValueError("register_module: " + type_name() + " '" + name_ + "' already has a child '" + name + "'");
    }
    child->name_ = name;
    child->set_path(path_.empty() ? name : path_ + "." + name);
    children_.emplace_back(name, child);
    return child;
}

}  // namespace xgrad::nn
