// Backpropagation one chain-rule step at a time, with the numbers.
//   backprop_steps [output_dir]   (default: study_out/)
// Part 1: the scalar example of Deep Learning with Python's gradient section,
//         y_pred = dot(W, x), loss_value = loss(y_pred, y_true), with a squared loss.
// Part 2: Dense(3, relu) -> Dense(2, softmax) built from core ops, categorical cross-entropy on a
//         batch of 2, traced step by step; writes the HTML explorer and explains one RMSprop step.
#include <filesystem>
#include <iostream>
#include <xgrad/study.hpp>
#include <xgrad/xgrad.hpp>

#include "common/cli.hpp"

using namespace xgrad;

namespace {

// Keras' Dense, by hand: relu/softmax(x·kernel + bias), everything named in the layer's scope.
Tensor dense(const Tensor& x, const Tensor& kernel, const Tensor& bias, const std::string& name, bool softmax_out) {
    NameScope scope(name);
    Tensor z = matmul(x, kernel) + bias;
    return softmax_out ? softmax(z) : relu(z);
}

void part1() {
    std::cout << "== Part 1: y_pred = dot(W, x), loss_value = mean((y_pred - y_true)^2) ==\n\n";
    Tensor W = parameter(Array{{0.2f, -0.1f, 0.4f}, {0.5f, 0.3f, -0.2f}}, "W");
    Tensor x = constant(Array{1.f, 2.f, 3.f}, "x");
    Tensor y_true = constant(Array{1.f, 0.f}, "y_true");
    Tensor y_pred = matmul(W, x).set_label("y_pred");
    Tensor loss_value = mean(square(y_pred - y_true)).set_label("loss_value");
    std::cout << "y_pred = " << summarize(y_pred.value()) << ", loss_value = " << loss_value.item() << "\n\n";

    study::BackwardStepper stepper(loss_value);
    while (!stepper.done()) std::cout << study::format_step(stepper.next()) << '\n';
    std::cout << study::trace_table(stepper.history()) << '\n';
    std::cout << "dloss/dW = " << summarize(stepper.gradient(W).value())
              << "   (by hand: 2/2·(y_pred - y_true) ⊗ x)\n\n";
}

void part2(const std::filesystem::path& out) {
    std::cout << "== Part 2: Dense(3, relu) -> Dense(2, softmax), categorical cross-entropy, batch of 2 ==\n\n";
    manual_seed(7);
    Tensor x = constant(random_uniform({2, 4}, 0.f, 1.f), "x");
    Tensor y_true = constant(Array{{1.f, 0.f}, {0.f, 1.f}}, "y_true");
    Tensor k1 = parameter(random_uniform({4, 3}, -0.7f, 0.7f), "dense_1/kernel");
    Tensor b1 = parameter(Array{0.f, 0.f, 0.f}, "dense_1/bias");
    Tensor k2 = parameter(random_uniform({3, 2}, -0.9f, 0.9f), "dense_2/kernel");
    Tensor b2 = parameter(Array{0.f, 0.f}, "dense_2/bias");
    Tensor probs = dense(dense(x, k1, b1, "dense_1", false), k2, b2, "dense_2", true);
    Tensor loss;
    {
        NameScope scope("loss");
        // categorical cross-entropy: mean over the batch of -Σ y_true·log(probs)
        loss = mean(neg(sum(y_true * log(probs), {1})));
    }
    std::cout << "probs = " << summarize(probs.value()) << ", loss = " << loss.item() << "\n\n";

    study::BackwardStepper stepper(loss);
    std::vector<study::StepRecord> steps = stepper.run_to_end();
    std::cout << study::trace_table(steps) << '\n';
    std::cout << "-- only layer dense_1, values of more than 3 elements summarised --\n"
              << study::trace_table(steps, {.max_elements = 3, .scopes = {"dense_1"}}) << '\n';

    const std::string page = (out / "backprop_explorer.html").string();
    study::write_explorer(stepper, page, {.title = "Dense(3, relu) -> Dense(2, softmax): backprop step by step"});
    std::cout << "wrote " << page << " (" << stepper.size() << " steps; open it in a browser)\n";
    const auto frames = study::write_frames(stepper, (out / "frames").string(), "svg");
    std::cout << "wrote " << frames.size() << " frames to " << (out / "frames").string() << "\n\n";

    // The optimizer's turn: the gradients go into grad() as backward() would put them.
    stepper.accumulate_into_leaves();
    std::cout << study::explain_rmsprop_step(k1, {0, 1}).text();
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Backpropagation one chain-rule step at a time, with the numbers: the scalar example of\n"
                 "Deep Learning with Python's gradient section, then Dense(3, relu) -> Dense(2, softmax)\n"
                 "traced step by step, with an HTML explorer and SVG frames written to OUTPUT_DIR.",
                 "backprop_steps"};
    std::string out = "study_out";
    app.add_option("output_dir", out, "where the explorer and the frames go")->capture_default_str();
    if (auto status = examples::parse(app, argc, argv)) return *status;
    try {
        examples::prepare_output_dir(out, "output_dir");
        part1();
        part2(out);
    } catch (const Error& e) {
        std::cerr << "backprop_steps: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
