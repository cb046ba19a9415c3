// Tutorial, section 4: the chain rule and backpropagation, on the computation graph of the book:
//   x1 = w * x,  x2 = x1 + b,  loss_val = abs(y_true - x2)   with x = 2, w = 3, b = 1, y_true = 4.
//   tutorial_chain_rule [picture_dir]   (pictures only when a directory is given)
#include <filesystem>
#include <iostream>
#include <xgrad/study.hpp>
#include <xgrad/viz.hpp>
#include <xgrad/xgrad.hpp>

#include "common/cli.hpp"

using namespace xgrad;

int main(int argc, char** argv) {
    CLI::App app{"Tutorial, section 4: the chain rule, one backward step at a time, on x1 = w * x,\n"
                 "x2 = x1 + b, loss_val = abs(y_true - x2).",
                 "tutorial_chain_rule"};
    std::string picture_dir;
    app.add_option("picture_dir", picture_dir, "also draw the graphs and the step frames into DIR (docs/tutorial)")->type_name("DIR");
    if (auto status = examples::parse(app, argc, argv)) return *status;
    try {
        if (!picture_dir.empty()) examples::prepare_output_dir(picture_dir, "picture_dir");
    } catch (const Error& e) {
        std::cerr << "tutorial_chain_rule: " << e.what() << '\n';
        return 1;
    }
    Tensor x = constant(Array(2.f), "x");
    Tensor w = parameter(Array(3.f), "w");
    Tensor b = parameter(Array(1.f), "b");
    Tensor y_true = constant(Array(4.f), "y_true");
    Tensor x1 = (w * x).set_label("x1");
    Tensor x2 = (x1 + b).set_label("x2");
    Tensor loss_val = abs(y_true - x2).set_label("loss_val");
    std::cout << "forward: x1 = " << x1.item() << ", x2 = " << x2.item() << ", loss_val = " << loss_val.item() << "\n\n";

    // Backward, one node at a time: each step multiplies the gradient that arrived (dL/dC)
    // by the local derivative of one op, and hands the product to that op's inputs.
    study::BackwardStepper stepper(loss_val);
    while (!stepper.done()) std::cout << study::format_step(stepper.next()) << "\n";
    std::cout << "grad_of_loss_val_wrt_w = " << stepper.gradient(w).item() << "   (1 * 1 * x = 2)\n"
              << "grad_of_loss_val_wrt_b = " << stepper.gradient(b).item() << "   (1 * 1 = 1)\n";

    if (!picture_dir.empty()) {
        const std::filesystem::path dir = picture_dir;
        viz::DotOptions o;
        o.legend = false;
        o.rankdir = "LR";
        viz::render(viz::to_dot(loss_val, o), (dir / "chain_rule_forward.svg").string());
        for (const std::string& p : study::write_frames(stepper, (dir / "chain_rule_steps").string(), "svg", o))
            std::cout << "wrote " << p << "\n";
        viz::render(viz::backward_to_dot(loss_val, o), (dir / "chain_rule_backward.svg").string());
        std::cout << "wrote " << (dir / "chain_rule_forward.svg").string() << " and chain_rule_backward.svg\n";
    }
    return 0;
}
