// Optimizers' options as JSON and back (Keras' get_config / from_config), for whole-model
// files: one line per option on each side, so that a new option is two lines here.
#include <nlohmann/json.hpp>

#include "json_config.hpp"
#include "xgrad/optim/optimizers.hpp"

namespace xgrad::optim {

using nlohmann::json;
using xgrad::detail::ConfigReader;
using xgrad::detail::json_float;

json Optimizer::config() const { return json::object(); }

json RMSprop::config() const {
    return {{"learning_rate", json_float(options_.learning_rate)},
            {"rho", json_float(options_.rho)},
            {"momentum", json_float(options_.momentum)},
            {"epsilon", json_float(options_.epsilon)},
            {"centered", options_.centered},
            {"eps_inside_sqrt", options_.eps_inside_sqrt}};
}

json SGD::config() const {
    return {{"learning_rate", json_float(options_.learning_rate)},
            {"momentum", json_float(options_.momentum)},
            {"nesterov", options_.nesterov}};
}

json Adam::config() const {
    return {{"learning_rate", json_float(options_.learning_rate)},
            {"beta_1", json_float(options_.beta_1)},
            {"beta_2", json_float(options_.beta_2)},
            {"epsilon", json_float(options_.epsilon)}};
}

std::shared_ptr<Optimizer> from_config(const std::string& name, const json& config) {
    ConfigReader r(config, "optimizer '" + name + "'");
    std::shared_ptr<Optimizer> out;
    if (name == "rmsprop") {
        RMSpropOptions o;
        o.learning_rate = r.get("learning_rate", o.learning_rate);
        o.rho = r.get("rho", o.rho);
        o.momentum = r.get("momentum", o.momentum);
        o.epsilon = r.get("epsilon", o.epsilon);
        o.centered = r.get("centered", o.centered);
        o.eps_inside_sqrt = r.get("eps_inside_sqrt", o.eps_inside_sqrt);
        out = std::make_shared<RMSprop>(o);
    } else if (name == "sgd") {
        SGDOptions o;
        o.learning_rate = r.get("learning_rate", o.learning_rate);
        o.momentum = r.get("momentum", o.momentum);
        o.nesterov = r.get("nesterov", o.nesterov);
        out = std::make_shared<SGD>(o);
    } else if (name == "adam") {
        AdamOptions o;
        o.learning_rate = r.get("learning_rate", o.learning_rate);
        o.beta_1 = r.get("beta_1", o.beta_1);
        o.beta_2 = r.get("beta_2", o.beta_2);
        o.epsilon = r.get("epsilon", o.epsilon);
        out = std::make_shared<Adam>(o);
    } else {
        return get(name);  // ValueError listing the valid names
    }
    r.done();
    return out;
}

}  // namespace xgrad::optim
