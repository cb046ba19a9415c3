// Sequential: layer stacking, automatic names, shape propagation and the summary table.
#include "xgrad/nn/sequential.hpp"

#include <cctype>
#include <iomanip>
#include <sstream>

#include "nn/naming.hpp"
#include "xgrad/format.hpp"

namespace xgrad::nn {

namespace {

// Thousands separators, built digit by digit (GCC 12 misreports string::insert here).
std::string with_commas(std::size_t n) {
    std::string rev;
    int digits = 0;
    do {
        if (digits > 0 && digits % 3 == 0) rev.push_back(',');
        rev.push_back(char('0' + n % 10));
        n /= 10;
        ++digits;
    } while (n > 0);
    return std::string(rev.rbegin(), rev.rend());
}

std::string batch_shape(const Shape& s) {
    std::string out = "(None";
    for (auto d : s) out += ", " + std::to_string(d);
    return out + ")";
}


}  // namespace

Sequential::Sequential(std::string name) { set_display_name(std::move(name)); }

std::string Sequential::unique_name(const std::string& base) const {
    for (std::size_t k = 1;; ++k) {
        const std::string candidate = base + "_" + std::to_string(k);
        bool taken = false;
        for (auto& [n, c] : children()) taken = taken || n == candidate;
        if (!taken) return candidate;
    }
}

Sequential& Sequential::add(std::shared_ptr<Module> layer) {
    if (!layer) throw ValueError("Sequential::add: null layer");
    std::string name = layer->name();
    if (name.empty()) {
        name = unique_name(detail::snake_case(layer->type_name()));
    } else {
        for (auto& [n, c] : children()) {
            if (n == name) throw ValueError("Sequential::add: model '" + this->name() + "' already has a layer named '" + name + "'");
        }
    }
    // Build now when the incoming shape is known: summary() then works before any data.
    if (!layers_.empty() && layers_.back()->built() && !layer->built()) {
        const Shape in = layers_.back()->output_shape();
        if (!in.empty()) layer->build(in);
    }
    register_module(name, layer);
    layers_.push_back(std::move(layer));
    return *this;
}

Tensor Sequential::forward(const Tensor& x) {
    if (layers_.empty()) throw ValueError("Sequential::forward: model '" + name() + "' has no layers");
    Tensor h = x;
    for (auto& layer : layers_) h = layer->forward(h);
    return h;
}

Tensor Sequential::forward_without_activation(const Tensor& x) {
    if (layers_.empty()) throw ValueError("Sequential::forward: model '" + name() + "' has no layers");
    Tensor h = x;
    for (std::size_t i = 0; i + 1 < layers_.size(); ++i) h = layers_[i]->forward(h);
    return layers_.back()->forward_without_activation(h);
}

std::optional<Activation> Sequential::activation() const {
    if (layers_.empty()) return std::nullopt;
    return layers_.back()->activation();
}

Shape Sequential::build(const Shape& input_shape) {
    if (layers_.empty()) throw ValueError("Sequential::build: model '" + name() + "' has no layers");
    Shape s = input_shape;
    for (auto& layer : layers_) s = layer->build(s);
    input_shape_ = input_shape;
    return s;
}

bool Sequential::built() const {
    if (layers_.empty()) return false;
    for (auto& layer : layers_) {
        if (!layer->built()) return false;
    }
    return true;
}

Shape Sequential::output_shape() const {
    if (!built()) return {};
    return layers_.back()->output_shape();
}

std::string Sequential::summary(std::ostream* out) const {
    if (!built()) {
        throw ValueError("summary: model '" + name() +
                         "' is not built yet; give the first layer an input_dim or call fit/predict first");
    }
    const std::string rule(65, '_'), thick(65, '=');
    std::ostringstream s;
    s << "Model: \"" << name() << "\"\n" << rule << "\n";
    s << std::left << " " << std::setw(28) << "Layer (type)" << std::setw(26) << "Output Shape" << "Param #\n"
      << thick << "\n";
    std::size_t total = 0, frozen = 0;
    for (std::size_t i = 0; i < layers_.size(); ++i) {
        const auto& layer = layers_[i];
        const std::size_t n = layer->count_params();
        total += n;
        for (auto& [pn, t] : layer->named_parameters()) frozen += t.requires_grad() ? 0 : t.size();
        // Keras cuts a long "name (Type)" at the column ("max_pooling2d_1 (MaxPooling2").
        const std::string label = (layer->name() + " (" + layer->type_name() + ")").substr(0, 27);
        s << " " << std::setw(28) << label << std::setw(26) << batch_shape(layer->output_shape()) << n << "\n";
        if (i + 1 < layers_.size()) s << "\n";
    }
    s << thick << "\n";
    s << "Total params: " << with_commas(total) << "\n";
    s << "Trainable params: " << with_commas(total - frozen) << "\n";
    s << "Non-trainable params: " << with_commas(frozen) << "\n" << rule << "\n";
    if (out) *out << s.str();
    return s.str();
}

}  // namespace xgrad::nn
