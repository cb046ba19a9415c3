// User-defined ops: Function::forward under NoGradGuard, then record() with a checked backward.
#include "xgrad/function.hpp"

#include "xgrad/format.hpp"

namespace xgrad {

Tensor apply(std::shared_ptr<const Function> f, std::vector<Tensor> inputs) {
    if (!f) throw ValueError("apply: null Function");
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (!inputs[i].defined()) throw ValueError("apply: input " + std::to_string(i) + " of op '" + f->name() + "' is undefined");
    }
    Array value;
    {
        NoGradGuard no_grad;
        value = f->forward(inputs);
    }
    OpInfo info{f->name(), f->rule(), f->attrs()};
    return record(std::move(info), std::move(inputs), std::move(value),
                  [f](const BackwardContext& c) -> std::vector<Tensor> {
                      std::vector<Tensor> g = f->backward(c);
                      if (g.size() != c.inputs.size()) {
                          throw GraphError("op '" + f->name() + "': backward returned " + std::to_string(g.size()) +
                                           " gradient(s) for " + std::to_string(c.inputs.size()) + " input(s)");
                      }
                      for (std::size_t i = 0; i < g.size(); ++i) {
                          if (g[i].defined() && g[i].shape() != c.inputs[i].shape()) {
                              throw GraphError("op '" + f->name() + "': backward gave input " + std::to_string(i) +
                                               " a gradient of shape " + shape_str(g[i].shape()) + " but the input is " +
                                               shape_str(c.inputs[i].shape()));
                          }
                          if (c.needs[i] && !g[i].defined()) {
                              throw GraphError("op '" + f->name() + "': backward gave no gradient for input " +
                                               std::to_string(i) + ", which needs one");
                          }
                      }
                      return g;
                  });
}

}  // namespace xgrad
