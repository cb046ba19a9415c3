// Tutorial, section 3: stochastic gradient descent and momentum.
//   tutorial_sgd [picture_dir]   (the picture only when a directory is given)
// Part 1: mini-batch SGD fits y = 3x + 2 with the four steps of the book's training loop.
// Part 2: on f(w) = w^4/4 - w^2 + w/2, plain SGD settles in the local minimum near w = 1.27;
//         momentum carries w over the bump into the global minimum near w = -1.53.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <xgrad/study.hpp>
#include <xgrad/xgrad.hpp>

#include "common/cli.hpp"

using namespace xgrad;

namespace {

void minibatch_sgd() {
    manual_seed(0);
    const std::size_t n = 64, batch = 16;
    Array xs = random_uniform({n, 1}, -1.f, 1.f);
    Array ys = 3.f * xs + 2.f + random_normal({n, 1}, 0.f, 0.05f);
    Tensor W = parameter(Array(Array::shape_type{1, 1}, 0.f), "W");
    Tensor b = parameter(Array{0.f}, "b");
    const float lr = 0.1f;
    for (int epoch = 1; epoch <= 30; ++epoch) {
        float total = 0;
        for (std::size_t start = 0; start < n; start += batch) {
            // 1. draw a batch  2. run the model  3. the loss and its gradient  4. step against it
            Tensor x = slice_rows(constant(xs), start, start + batch);
            Tensor y = slice_rows(constant(ys), start, start + batch);
            Tensor loss = mean(square(matmul(x, W) + b - y));
            W.zero_grad();
            b.zero_grad();
            loss.backward();
            NoGradGuard no_grad;
            W.data() -= lr * W.grad().value();
            b.data() -= lr * b.grad().value();
            total += loss.item();
        }
        if (epoch == 1 || epoch % 10 == 0)
            std::cout << "epoch " << epoch << ": mean batch loss " << total / float(n / batch) << "\n";
    }
    std::cout << "learned W = " << W.value()(0, 0) << ", b = " << b.value()(0) << "   (true: 3, 2)\n\n";
}

// f(w) = w^4/4 - w^2 + w/2, differentiated by xgrad.
float f_and_grad(float w_value, float* g) {
    Tensor w = parameter(Array(w_value), "w");
    Tensor f = pow(w, 4.f) / 4.f - square(w) + 0.5f * w;
    f.backward();
    *g = w.grad().item();
    return f.item();
}

// The book's momentum update: velocity = momentum·velocity - lr·g; w += momentum·velocity - lr·g.
std::vector<float> descend(float w, float lr, float momentum, int steps) {
    std::vector<float> path{w};
    float velocity = 0.f;
    for (int i = 0; i < steps; ++i) {
        float g = 0.f;
        f_and_grad(w, &g);
        velocity = momentum * velocity - lr * g;
        w = w + momentum * velocity - lr * g;
        path.push_back(w);
    }
    return path;
}

// f and the two paths as a small SVG line chart, written by this program.
void plot(const std::vector<float>& sgd, const std::vector<float>& mom, const std::string& path) {
    const float x0 = -2.2f, x1 = 2.7f, y0 = -2.f, y1 = 3.f, W = 600, H = 360;
    auto px = [&](float w) { return 40 + (w - x0) / (x1 - x0) * (W - 60); };
    auto py = [&](float f) { return H - 30 - (f - y0) / (y1 - y0) * (H - 50); };
    float dummy = 0;
    std::ostringstream s;
    s << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << H << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<polyline fill=\"none\" stroke=\"#444\" stroke-width=\"2\" points=\"";
    for (float w = x0; w <= x1; w += 0.02f) s << px(w) << "," << py(f_and_grad(w, &dummy)) << " ";
    s << "\"/>\n";
    auto trail = [&](const std::vector<float>& p, const char* colour, const char* name, int row) {
        s << "<polyline fill=\"none\" stroke=\"" << colour << "\" stroke-opacity=\"0.5\" points=\"";
        for (float w : p) s << px(w) << "," << py(f_and_grad(w, &dummy)) << " ";
        s << "\"/>\n";
        for (float w : p) s << "<circle r=\"3\" fill=\"" << colour << "\" cx=\"" << px(w) << "\" cy=\"" << py(f_and_grad(w, &dummy)) << "\"/>\n";
        s << "<text x=\"50\" y=\"" << 20 + 16 * row << "\" fill=\"" << colour << "\">" << name << "</text>\n";
    };
    trail(sgd, "#1f77b4", "SGD (lr 0.02): stops in the local minimum", 0);
    trail(mom, "#d62728", "SGD with momentum 0.9: rolls into the global minimum", 1);
    s << "<text x=\"" << W - 150 << "\" y=\"" << H - 8 << "\">f(w) = w^4/4 - w^2 + w/2</text>\n</svg>\n";
    xgrad::write_file_atomic(path, s.str());
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Tutorial, section 3: mini-batch SGD fits y = 3x + 2; SGD with and without momentum on\n"
                 "f(w) = w^4/4 - w^2 + w/2.",
                 "tutorial_sgd"};
    std::string picture_dir;
    app.add_option("picture_dir", picture_dir, "also draw the SGD/momentum picture into DIR (docs/tutorial)")->type_name("DIR");
    if (auto status = examples::parse(app, argc, argv)) return *status;
    try {
        if (!picture_dir.empty()) examples::prepare_output_dir(picture_dir, "picture_dir");
    } catch (const Error& e) {
        std::cerr << "tutorial_sgd: " << e.what() << '\n';
        return 1;
    }
    minibatch_sgd();
    const float start = 2.5f, lr = 0.02f;
    std::vector<float> sgd = descend(start, lr, 0.f, 100), mom = descend(start, lr, 0.9f, 100);
    float g = 0;
    std::cout << "f(w) = w^4/4 - w^2 + w/2 from w = " << start << ", 100 steps of lr " << lr << ":\n"
              << "  SGD:                w = " << sgd.back() << ", f = " << f_and_grad(sgd.back(), &g) << "\n"
              << "  SGD, momentum 0.9:  w = " << mom.back() << ", f = " << f_and_grad(mom.back(), &g) << "\n";
    if (!picture_dir.empty()) {
        const std::string path = (std::filesystem::path(picture_dir) / "sgd_momentum.svg").string();
        plot(sgd, mom, path);
        std::cout << "wrote " << path << "\n";
    }
    return 0;
}
