// A functional model with several outputs used as a layer of another functional model:
// call_all, training through the engine against the same network written flat, gradients,
// summary, weights files, a model used twice, diagrams, and the misuse messages.
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include "helpers.hpp"
#include <xgrad/nn.hpp>
#include <xgrad/viz.hpp>

using namespace xgrad;
using xgrad::test::has_message;
namespace fs = std::filesystem;

namespace {

double max_abs_diff(const Array& a, const Array& b) { return double(xt::amax(xt::abs(a - b))()); }

// The inner model: a trunk and two heads, a softmax (3) and a tanh code (2).
nn::Model make_encoder() {
    auto x = nn::Input({4}, "x");
    auto h = nn::Dense(nn::DenseOptions{.units = 6, .activation = nn::Activation::Tanh, .name = "trunk"})(x);
    auto probs = nn::Dense(nn::DenseOptions{.units = 3, .activation = nn::Activation::Softmax, .name = "probs"})(h);
    auto code = nn::Dense(nn::DenseOptions{.units = 2, .activation = nn::Activation::Tanh, .name = "code"})(h);
    return nn::Model({x}, {probs, code}, "encoder");
}

// The outer model: the encoder's probabilities are output 0 as they are, its code feeds a
// regression head "value" (output 1).
nn::Model make_nested(std::uint64_t seed) {
    manual_seed(seed);
    nn::Model encoder = make_encoder();
    auto u = nn::Input({4}, "u");
    std::vector<nn::SymbolicTensor> outs = encoder.call_all(u);
    auto value = nn::Dense(nn::DenseOptions{.units = 1, .name = "value"})(outs[1]);
    return nn::Model({u}, {outs[0], value}, "outer");
}

// The same network written flat, with the same layer names.
nn::Model make_flat(std::uint64_t seed) {
    manual_seed(seed);
    auto u = nn::Input({4}, "u");
    auto h = nn::Dense(nn::DenseOptions{.units = 6, .activation = nn::Activation::Tanh, .name = "trunk"})(u);
    auto probs = nn::Dense(nn::DenseOptions{.units = 3, .activation = nn::Activation::Softmax, .name = "probs"})(h);
    auto code = nn::Dense(nn::DenseOptions{.units = 2, .activation = nn::Activation::Tanh, .name = "code"})(h);
    auto value = nn::Dense(nn::DenseOptions{.units = 1, .name = "value"})(code);
    return nn::Model({u}, {probs, value}, "flat");
}

// Copies the nested model's weights into the flat one ("encoder.trunk.kernel" -> "trunk.kernel").
void copy_weights(const nn::Model& nested, nn::Model& flat) {
    std::map<std::string, Tensor> to;
    for (auto& [name, p] : flat.named_parameters()) to[name] = p;
    NoGradGuard no_grad;
    for (auto& [name, p] : nested.named_parameters()) {
        const std::string key = name.rfind("encoder.", 0) == 0 ? name.substr(8) : name;
        to.at(key).copy_(p);
    }
}

struct Task {
    Array x, y_class, y_value;
};
Task make_task(std::size_t n) {
    Task t{test::mixed({n, 4}, -1, 1), Array(Array::shape_type{n, 3}, 0.f), Array(Array::shape_type{n, 1}, 0.f)};
    for (std::size_t i = 0; i < n; ++i) {
        t.y_class(i, (t.x(i, 0) > 0.3f ? 2 : t.x(i, 0) > -0.3f ? 1 : 0)) = 1.f;
        t.y_value(i, 0) = 0.5f * t.x(i, 1) - 0.25f * t.x(i, 2);
    }
    return t;
}

std::string temp_path(const std::string& name) {
    return (fs::temp_directory_path() / ("xgrad_nested_" + std::to_string(::getpid()) + "_" + name)).string();
}

// The body of the DOT block that opens at the first '{' after `at`, up to its matching '}'
// (braces inside quoted labels, as record labels have, do not count).
std::string dot_block(const std::string& dot, std::size_t at) {
    const std::size_t open = dot.find('{', at);
    int depth = 0;
    bool quoted = false;
    for (std::size_t i = open; i < dot.size(); ++i) {
        const char c = dot[i];
        if (quoted) {
            if (c == '\\') ++i;
            else if (c == '"') quoted = false;
        } else if (c == '"') {
            quoted = true;
        } else if (c == '{') {
            ++depth;
        } else if (c == '}' && --depth == 0) {
            return dot.substr(open + 1, i - open - 1);
        }
    }
    return "";
}

// The collapsed layer boxes defined in DOT text `dot` (lines "layer_... [").
std::set<std::string> layer_boxes(const std::string& dot) {
    std::set<std::string> boxes;
    std::istringstream lines(dot);
    for (std::string line; std::getline(lines, line);) {
        const std::size_t start = line.find_first_not_of(' ');
        if (start == std::string::npos || line.compare(start, 6, "layer_") != 0) continue;
        const std::size_t end = line.find(' ', start);
        if (end != std::string::npos && line.compare(end, 2, " [") == 0) boxes.insert(line.substr(start, end - start));
    }
    return boxes;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(nn_nested)

BOOST_AUTO_TEST_CASE(call_all_gives_one_symbolic_tensor_per_output_and_the_weights_once) {
    manual_seed(1);
    nn::Model encoder = make_encoder();
    auto u = nn::Input({4}, "u");
    auto outs = encoder.call_all(u);
    BOOST_TEST_REQUIRE(outs.size() == 2u);
    BOOST_TEST(outs[0].shape() == Shape({3}), boost::test_tools::per_element());
    BOOST_TEST(outs[1].shape() == Shape({2}), boost::test_tools::per_element());
    BOOST_TEST(outs[1].slot() == 1u);
    BOOST_TEST(outs[0].node() == outs[1].node());  // one call, run once per forward pass
    BOOST_TEST(nn::describe_symbolic(outs[1]) == "'encoder'[1] (None, 2)");
    BOOST_TEST(nn::describe_symbolic(u) == "'u' (None, 4)");

    nn::Model outer({u}, {outs[0], nn::Dense(nn::DenseOptions{.units = 1, .name = "value"})(outs[1])}, "outer");
    std::vector<std::string> names;
    for (auto& [n, p] : outer.named_parameters()) names.push_back(n);
    const std::vector<std::string> expected = {"encoder.trunk.kernel", "encoder.trunk.bias", "encoder.probs.kernel",
                                               "encoder.probs.bias",   "encoder.code.kernel", "encoder.code.bias",
                                               "value.kernel",         "value.bias"};
    BOOST_TEST(names == expected, boost::test_tools::per_element());
    BOOST_TEST(outer.count_params() == encoder.count_params() + 3);
    BOOST_TEST(outer.output_names() == std::vector<std::string>({"encoder", "value"}), boost::test_tools::per_element());
    // The encoder's softmax is output 0 as it is, so training fuses it with cross-entropy.
    outer.compile("sgd", {.loss = {"categorical_crossentropy", "mse"}});
    BOOST_TEST(outer.uses_fused_softmax_cross_entropy(0));
    BOOST_TEST(!outer.uses_fused_softmax_cross_entropy(1));
}

BOOST_AUTO_TEST_CASE(gradients_match_finite_differences) {
    nn::Model outer = make_nested(2);
    const Array x = test::mixed({5, 4}, -1, 1);
    const Array y = make_task(5).y_class;
    // gradcheck perturbs the parameters' values in place; the model reads the same tensors.
    std::vector<Tensor> inputs = outer.parameters();
    inputs.push_back(parameter(x, "x"));
    auto loss = [&](const std::vector<Tensor>& in) {
        auto outs = outer.forward_all({in.back()});
        return losses::categorical_crossentropy(constant(y), outs[0]) + mean(outs[1] * outs[1]);
    };
    auto r = gradcheck(loss, inputs);
    BOOST_TEST(r.ok, r.report);
}

BOOST_AUTO_TEST_CASE(equals_the_same_network_written_flat_and_fit_lowers_the_loss) {
    nn::Model nested = make_nested(3);
    nn::Model flat = make_flat(4);
    copy_weights(nested, flat);
    const Task t = make_task(48);

    // Same weights: same outputs, same gradients (forward by hand, one loss).
    auto run = [&](nn::Model& m) {
        for (auto& p : m.parameters()) p.zero_grad();
        auto outs = m.forward_all({constant(t.x)});
        Tensor l = losses::categorical_crossentropy(constant(t.y_class), outs[0]) +
                   losses::mean_squared_error(constant(t.y_value), outs[1]);
        l.backward();
        return std::pair{outs[0].value(), outs[1].value()};
    };
    auto [n0, n1] = run(nested);
    auto [f0, f1] = run(flat);
    BOOST_TEST(max_abs_diff(n0, f0) < 1e-6);
    BOOST_TEST(max_abs_diff(n1, f1) < 1e-6);
    std::map<std::string, Array> flat_grads;
    for (auto& [name, p] : flat.named_parameters()) flat_grads[name] = p.grad().value();
    for (auto& [name, p] : nested.named_parameters()) {
        const std::string key = name.rfind("encoder.", 0) == 0 ? name.substr(8) : name;
        BOOST_TEST(max_abs_diff(p.grad().value(), flat_grads.at(key)) < 1e-6, name);
    }

    // The engine: the same steps give the same losses, the same weights and lower losses.
    for (nn::Model* m : {&nested, &flat}) {
        m->compile(optim::Adam({.learning_rate = 0.02f}), {.loss = {"categorical_crossentropy", "mse"}});
    }
    const train::FitOptions fit{.epochs = 30, .batch_size = 16, .shuffle = false, .verbose = 0};
    auto hn = nested.fit({t.x}, {t.y_class, t.y_value}, fit);
    auto hf = flat.fit({t.x}, {t.y_class, t.y_value}, fit);
    BOOST_TEST(hn["loss"].back() < 0.5 * hn["loss"].front());
    for (std::size_t e = 0; e < hn["loss"].size(); ++e) {
        BOOST_TEST(std::abs(hn["loss"][e] - hf["loss"][e]) < 1e-5, "epoch " << e);
    }
    BOOST_TEST(hn["encoder_loss"].back() == hf["probs_loss"].back(), boost::test_tools::tolerance(1e-4));
    const auto rn = nested.evaluate({t.x}, {t.y_class, t.y_value}, {.verbose = 0});
    const auto rf = flat.evaluate({t.x}, {t.y_class, t.y_value}, {.verbose = 0});
    BOOST_TEST(std::abs(rn.at("loss") - rf.at("loss")) < 1e-5);
    const auto pn = nested.predict(std::vector<Array>{t.x}), pf = flat.predict(std::vector<Array>{t.x});
    BOOST_TEST(max_abs_diff(pn[0], pf[0]) < 1e-5);
    BOOST_TEST(max_abs_diff(pn[1], pf[1]) < 1e-5);
}

BOOST_AUTO_TEST_CASE(summary_shows_the_nested_model_as_one_row_with_its_output_shapes) {
    nn::Model outer = make_nested(5);
    const std::string s = outer.summary(nullptr);
    const std::string expected =
        "Model: \"outer\"\n"
        "__________________________________________________________________________________________________\n"
        " Layer (type)                   Output Shape         Param #     Connected to\n"
        "==================================================================================================\n"
        " u (InputLayer)                 (None, 4)            0           []\n"
        "\n"
        " encoder (Functional)           [(None, 3),          65          ['u[0][0]']\n"
        "                                 (None, 2)]\n"
        "\n"
        " value (Dense)                  (None, 1)            3           ['encoder[0][1]']\n"
        "==================================================================================================\n"
        "Total params: 68\n"
        "Trainable params: 68\n"
        "Non-trainable params: 0\n"
        "__________________________________________________________________________________________________\n";
    BOOST_TEST(s == expected);
}

BOOST_AUTO_TEST_CASE(a_nested_model_with_two_inputs_gives_what_it_gives_alone) {
    manual_seed(11);
    auto a = nn::Input({3}, "a");
    auto b = nn::Input({2}, "b");
    auto joined = nn::Dense(nn::DenseOptions{.units = 2, .activation = nn::Activation::Tanh, .name = "joined"})(
        nn::concatenate({a, b}));
    nn::Model pair({a, b}, {joined, nn::Dense(nn::DenseOptions{.units = 1, .name = "only_b"})(b)}, "pair");
    auto p = nn::Input({3}, "p");
    auto q = nn::Input({2}, "q");
    auto outs = pair.call_all({p, q});
    nn::Model outer({p, q}, {outs[1], outs[0]}, "outer");  // swapped: the slots, not the order, decide
    const Array xa = test::mixed({5, 3}, -1, 1), xb = test::mixed({5, 2}, -2, 1);
    const auto alone = pair.predict({xa, xb}), nested = outer.predict({xa, xb});
    BOOST_TEST(nested[0].shape() == Array::shape_type({5, 1}), boost::test_tools::per_element());
    BOOST_TEST(max_abs_diff(nested[0], alone[1]) == 0.0);
    BOOST_TEST(max_abs_diff(nested[1], alone[0]) == 0.0);
}

BOOST_AUTO_TEST_CASE(save_and_load_weights_round_trip) {
    const Task t = make_task(16);
    nn::Model m = make_nested(6);
    m.compile("rmsprop", {.loss = {"categorical_crossentropy", "mse"}});
    m.fit({t.x}, {t.y_class, t.y_value}, {.epochs = 2, .batch_size = 8, .verbose = 0});
    const std::string path = temp_path("outer.xgw");
    m.save_weights(path);
    nn::Model back = make_nested(7);  // other initial weights, same architecture
    back.compile("rmsprop", {.loss = {"categorical_crossentropy", "mse"}});
    const auto before = back.predict(std::vector<Array>{t.x});
    back.load_weights(path);
    fs::remove(path);
    const auto p1 = m.predict(std::vector<Array>{t.x}), p2 = back.predict(std::vector<Array>{t.x});
    BOOST_TEST(max_abs_diff(p1[1], before[1]) > 0.0);
    for (std::size_t i = 0; i < 2; ++i) {
        BOOST_TEST(std::memcmp(p1[i].data(), p2[i].data(), p1[i].size() * sizeof(float)) == 0, "output " << i);
    }
}

BOOST_AUTO_TEST_CASE(a_model_used_twice_is_one_set_of_weights) {
    manual_seed(8);
    auto encoder = std::make_shared<nn::Model>(make_encoder());
    auto u1 = nn::Input({4}, "u1");
    auto u2 = nn::Input({4}, "u2");
    auto a = encoder->call_all(u1);
    auto b = encoder->call_all(u2);
    auto out = nn::Dense(nn::DenseOptions{.units = 1, .name = "value"})(nn::subtract({a[1], b[1]}));
    nn::Model siamese({u1, u2}, {out}, "siamese");
    BOOST_TEST(siamese.count_params() == encoder->count_params() + 3);
    BOOST_TEST(siamese.layers().size() == 3u);  // encoder, subtract, value
    const std::string s = siamese.summary(nullptr);
    BOOST_TEST(s.find("['u1[0][0]', 'u2[0][0]']") != std::string::npos, s);
    BOOST_TEST(s.find("['encoder[0][1]', 'encoder[1][1]']") != std::string::npos, s);

    // The same input on both sides: the two calls use one set of weights, so the code cancels.
    const Array x = test::mixed({6, 4}, -1, 1);
    const Array bias = siamese.named_parameters().back().second.value();
    const Array same = siamese.predict({x, x})[0];
    BOOST_TEST(max_abs_diff(same, xt::broadcast(bias, same.shape())) < 1e-6);

    // Gradients of both calls add up in the one kernel (checked against finite differences).
    const Array x2 = test::mixed({6, 4}, -0.5f, 1);
    auto r = gradcheck([&](const std::vector<Tensor>&) { return mean(siamese.forward_all({constant(x), constant(x2)})[0]); },
                       siamese.parameters());
    BOOST_TEST(r.ok, r.report);

    // Training the siamese model trains the encoder object itself.
    const Array before = encoder->predict(std::vector<Array>{x})[1];
    siamese.compile(optim::SGD({.learning_rate = 0.1f}), "mse");
    siamese.fit({x, x2}, {test::mixed({6, 1}, -1, 1)}, {.epochs = 2, .batch_size = 6, .verbose = 0});
    BOOST_TEST(max_abs_diff(before, encoder->predict(std::vector<Array>{x})[1]) > 1e-4);
}

BOOST_AUTO_TEST_CASE(diagrams_draw_the_nested_model_as_one_cluster_around_its_layers) {
    // The outer model has its own "trunk": it must not share a cluster with the encoder's.
    manual_seed(9);
    nn::Model encoder = make_encoder();
    auto u = nn::Input({4}, "u");
    auto outs = encoder.call_all(u);
    auto trunk = nn::Dense(nn::DenseOptions{.units = 2, .name = "trunk"})(outs[1]);
    nn::Model outer({u}, {outs[0], trunk}, "outer");
    auto y = outer.forward_all({constant(test::mixed({2, 4}, -1, 1), "u")});
    Tensor loss = mean(y[0]) + mean(y[1]);
    const std::string full = viz::to_dot(loss);
    for (const char* cluster : {"subgraph cluster_encoder {", "subgraph cluster_encoder_trunk {",
                                "subgraph cluster_encoder_probs {", "subgraph cluster_trunk {"}) {
        BOOST_TEST(full.find(cluster) != std::string::npos, cluster << "\n" << full);
    }
    // The encoder's kernel is drawn in its layer's cluster, not at the top level.
    const std::size_t cluster = full.find("subgraph cluster_encoder_trunk {");
    const std::size_t kernel = full.find("encoder.trunk.kernel");
    BOOST_TEST_REQUIRE(kernel != std::string::npos);
    BOOST_TEST(full.find('}', cluster) > kernel, full);
    BOOST_TEST(kernel > cluster);
    const std::string boxes = viz::model_dot(loss);
    BOOST_TEST(boxes.find("layer_encoder_trunk") != std::string::npos, boxes);
    BOOST_TEST(boxes.find("layer_trunk") != std::string::npos, boxes);
}

BOOST_AUTO_TEST_CASE(model_dot_draws_the_nested_model_as_a_cluster_around_its_layer_boxes) {
    // As the detailed diagram: a cluster "encoder" holding exactly the encoder's layer boxes,
    // the outer model's own "trunk" outside it.
    manual_seed(9);
    nn::Model encoder = make_encoder();
    auto u = nn::Input({4}, "u");
    auto outs = encoder.call_all(u);
    auto trunk = nn::Dense(nn::DenseOptions{.units = 2, .name = "trunk"})(outs[1]);
    nn::Model outer({u}, {outs[0], trunk}, "outer");
    auto y = outer.forward_all({constant(test::mixed({2, 4}, -1, 1), "u")});
    Tensor loss = mean(y[0]) + mean(y[1]);
    const std::string dot = viz::model_dot(loss);
    const std::size_t at = dot.find("subgraph cluster_encoder {");
    BOOST_TEST_REQUIRE(at != std::string::npos, dot);
    const std::string cluster = dot_block(dot, at);
    BOOST_TEST(cluster.find("label=\"encoder\"; style=\"rounded,dashed\"") != std::string::npos, cluster);
    const std::set<std::string> inside = layer_boxes(cluster);
    const std::set<std::string> expected{"layer_encoder_code", "layer_encoder_probs", "layer_encoder_trunk"};
    BOOST_TEST(inside == expected, boost::test_tools::per_element());
    std::set<std::string> all = expected;
    all.insert("layer_trunk");
    BOOST_TEST(layer_boxes(dot) == all, boost::test_tools::per_element());
    // One cluster besides the legend: the layers of the outer model are boxes, not clusters.
    std::size_t clusters = 0;
    for (std::size_t p = dot.find("subgraph cluster_"); p != std::string::npos; p = dot.find("subgraph cluster_", p + 1)) {
        ++clusters;
    }
    BOOST_TEST(clusters == 2u, dot);
    // clusters = false draws the boxes alone.
    viz::DotOptions flat;
    flat.clusters = false;
    const std::string unclustered = viz::model_dot(loss, flat);
    BOOST_TEST(unclustered.find("cluster_encoder") == std::string::npos, unclustered);
    BOOST_TEST(layer_boxes(unclustered) == all, boost::test_tools::per_element());
    // Graphviz (in-process) lays it out and draws the cluster.
    const std::string svg = temp_path("model_dot.svg");
    BOOST_CHECK_NO_THROW(viz::render(dot, svg));
    std::ifstream in(svg);
    const std::string drawn{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    BOOST_TEST(drawn.find("<title>cluster_encoder</title>") != std::string::npos);
    fs::remove(svg);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(nn_nested_errors)

BOOST_AUTO_TEST_CASE(misuse_names_the_model_and_the_counts) {
    manual_seed(10);
    nn::Model encoder = make_encoder();
    auto u = nn::Input({4}, "u");
    auto v = nn::Input({4}, "v");
    // The call of a model with two outputs used as one tensor.
    BOOST_CHECK_EXCEPTION(encoder(u), ValueError,
                          has_message("calling Functional 'encoder' on 'u' (None, 4): it has 2 outputs ('encoder'[0] "
                                      "(None, 3), 'encoder'[1] (None, 2)), not one symbolic tensor; call_all(...) "
                                      "returns one per output"));
    // Both outputs handed to a one-input layer.
    auto outs = encoder.call_all(u);
    BOOST_CHECK_EXCEPTION(nn::Dense(nn::DenseOptions{.units = 2, .name = "d"})(outs), ValueError,
                          has_message("calling Dense 'd' on 'encoder'[0] (None, 3), 'encoder'[1] (None, 2): Dense 'd' "
                                      "takes 1 input, got 2"));
    // Wrong number of inputs, and a wrong shape.
    BOOST_CHECK_EXCEPTION(encoder.call_all({u, v}), ValueError,
                          has_message("calling Functional 'encoder' on 'u' (None, 4), 'v' (None, 4): model 'encoder' "
                                      "takes 1 input, got 2"));
    BOOST_CHECK_EXCEPTION(encoder.call_all(nn::Input({5}, "w")), ShapeError,
                          has_message("calling Functional 'encoder' on 'w' (None, 5): model 'encoder': input 'x' "
                                      "expects (None, 4), got (1x5)"));
    // The outer model's forward() when it has several outputs.
    nn::Model outer({u}, {outs[0], outs[1]}, "outer");
    BOOST_CHECK_EXCEPTION(outer.forward(constant(test::mixed({2, 4}, -1, 1))), ValueError,
                          has_message("model 'outer' has 2 outputs; call forward_all to get them all"));
    // A subclass of Model called by value cannot be copied without losing its forward().
    struct Doubler : nn::Model {
        Doubler() : nn::Model("doubler") {}
        Tensor forward(const Tensor& x) override { return x * 2.0f; }
    };
    Doubler doubler;
    BOOST_CHECK_EXCEPTION(doubler(u), ValueError,
                          has_message("Model 'doubler' cannot be adopted by a functional model: it does not implement "
                                      "clone()"));
    auto held = std::make_shared<Doubler>();
    BOOST_TEST((*held)(u).shape() == Shape({4}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
