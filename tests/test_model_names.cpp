// Models' default names: numbered like layers' (model_1, sequential_1, ...), so two
// default-named models nest in one outer model; names given are kept; a clone keeps its name;
// the outer model renumbers default-named models in its own order, so weight files do not
// depend on how many models the process created before.
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "helpers.hpp"
#include <xgrad/nn.hpp>

using namespace xgrad;
namespace fs = std::filesystem;

namespace {

// The number in "<base>_<n>", or 0 when `name` has another form.
// (Parsed by hand: <regex> draws GCC 12 -Wmaybe-uninitialized false positives in the sanitizer build.)
std::size_t number_of(const std::string& name, const std::string& base) {
    const std::string prefix = base + "_";
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) return 0;
    const std::string digits = name.substr(prefix.size());
    if (digits[0] == '0' || digits.find_first_not_of("0123456789") != std::string::npos) return 0;
    return std::stoul(digits);
}

// A default-named functional model (4) -> (3).
nn::Model make_branch() {
    auto x = nn::Input({4});
    return nn::Model({x}, {nn::Dense(3, "tanh")(x)});
}

// Two default-named branches side by side, a default-named outer model.
nn::Model make_two_branches(std::uint64_t seed) {
    manual_seed(seed);
    nn::Model left = make_branch(), right = make_branch();
    auto u = nn::Input({4}, "u");
    auto joined = nn::concatenate({left(u), right(u)});
    return nn::Model({u}, {nn::Dense(1)(joined)});
}

std::vector<std::string> layer_names(const nn::Model& m) {
    std::vector<std::string> out;
    for (const auto& layer : m.layers()) out.push_back(layer->name());
    return out;
}

std::string temp_path(const std::string& name) {
    return (fs::temp_directory_path() / ("xgrad_names_" + std::to_string(::getpid()) + "_" + name)).string();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(nn_model_names)

BOOST_AUTO_TEST_CASE(default_names_are_numbered_like_layers) {
    // Layers: dense_<n> from a process-wide counter. Models: the same form, one counter per kind.
    auto x = nn::Input({2});
    nn::Dense d(1);
    auto y = d(x);
    BOOST_TEST(number_of(d.name(), "dense") > 0u, d.name());

    nn::Model a({x}, {y});
    nn::Model b({x}, {y});
    const std::size_t na = number_of(a.name(), "model");
    BOOST_TEST_REQUIRE(na > 0u, a.name());
    BOOST_TEST(b.name() == "model_" + std::to_string(na + 1));
    BOOST_TEST(a.has_automatic_name());
    BOOST_TEST(a.summary(nullptr).find("Model: \"" + a.name() + "\"") == 0u);
    // The other constructors share the "model" counter; Sequential has its own.
    nn::Model plain;
    BOOST_TEST(plain.name() == "model_" + std::to_string(na + 2));
    nn::Model wrapped(std::make_shared<nn::Dense>(1, "linear", 2));
    BOOST_TEST(wrapped.name() == "model_" + std::to_string(na + 3));
    nn::Sequential s1, s2;
    const std::size_t ns = number_of(s1.name(), "sequential");
    BOOST_TEST_REQUIRE(ns > 0u, s1.name());
    BOOST_TEST(s2.name() == "sequential_" + std::to_string(ns + 1));
    BOOST_TEST(s1.has_automatic_name());
    // A root model's name is not part of its parameter names.
    s1.add(nn::Dense(2, "relu", 3));
    BOOST_TEST(s1.named_parameters().front().first == "dense_1.kernel");
}

BOOST_AUTO_TEST_CASE(a_name_you_give_is_kept) {
    auto x = nn::Input({2});
    auto y = nn::Dense(1)(x);
    nn::Model named({x}, {y}, "model");
    BOOST_TEST(named.name() == "model");
    BOOST_TEST(!named.has_automatic_name());
    BOOST_TEST(nn::Sequential("sequential").name() == "sequential");
    BOOST_TEST(nn::Model("mine").name() == "mine");
    BOOST_TEST(nn::Model(std::make_shared<nn::Dense>(1, "linear", 2), "wrapped").name() == "wrapped");

    // Nested next to a default-named model: the given name stays, the default one takes the
    // next free number.
    auto u = nn::Input({2}, "u");
    nn::Model given({x}, {y}, "model_1");
    nn::Model other({x}, {y});
    nn::Model outer({u}, {nn::add({given(u), other(u)})}, "outer");
    BOOST_TEST(layer_names(outer) == std::vector<std::string>({"model_1", "model_2", "add_1"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_clone_keeps_the_name) {
    auto x = nn::Input({2});
    auto y = nn::Dense(1)(x);
    nn::Model automatic({x}, {y});
    auto copy = automatic.clone();
    BOOST_TEST(copy->name() == automatic.name());
    BOOST_TEST(copy->has_automatic_name());
    nn::Model named({x}, {y}, "encoder");
    BOOST_TEST(named.clone()->name() == "encoder");
    BOOST_TEST(!named.clone()->has_automatic_name());
    nn::Sequential s;
    s.add(nn::Dense(1, "linear", 2));
    BOOST_TEST(s.clone()->name() == s.name());
    BOOST_TEST(s.clone()->has_automatic_name());

    // A model object called by value is adopted as its clone: the same layer, the same name.
    auto u = nn::Input({2}, "u");
    nn::Model outer({u}, {named(u)}, "outer");
    BOOST_TEST(layer_names(outer) == std::vector<std::string>({"encoder"}), boost::test_tools::per_element());
    BOOST_TEST(outer.layers()[0].get() != static_cast<nn::Module*>(&named));
}

BOOST_AUTO_TEST_CASE(two_default_named_models_nest_train_save_and_load) {
    nn::Model m = make_two_branches(1);
    BOOST_TEST(layer_names(m) == std::vector<std::string>({"model_1", "model_2", "concatenate_1", "dense_1"}),
               boost::test_tools::per_element());
    BOOST_TEST(m.named_parameters().front().first == "model_1.dense_1.kernel");
    BOOST_TEST(m.count_params() == 2u * (4 * 3 + 3) + 6 + 1);

    const Array x = test::mixed({32, 4}, -1, 1);
    Array y(Array::shape_type{32, 1}, 0.f);
    for (std::size_t i = 0; i < 32; ++i) y(i, 0) = 0.5f * x(i, 0) - 0.25f * x(i, 2);
    m.compile(optim::Adam({.learning_rate = 0.02f}), "mse");
    const double before = m.evaluate(x, y).at("loss");
    m.fit(x, y, {.epochs = 5, .batch_size = 8, .verbose = 0});
    BOOST_TEST(m.evaluate(x, y).at("loss") < before);

    // The same architecture built later in the process (its branches are model_<n> with other
    // numbers until nested) reads the file: the outer model numbers them model_1, model_2 again.
    const std::string path = temp_path("two_branches.xgw");
    struct RemoveLater {
        std::string path;
        ~RemoveLater() { fs::remove(path); }
    } remove_later{path};  // also when load_weights throws
    m.save_weights(path);
    nn::Model back = make_two_branches(2);
    back.compile(optim::Adam({.learning_rate = 0.02f}), "mse");
    back.load_weights(path);
    const Array p1 = m.predict(x), p2 = back.predict(x);
    BOOST_TEST(std::memcmp(p1.data(), p2.data(), p1.size() * sizeof(float)) == 0);
}

BOOST_AUTO_TEST_CASE(default_named_models_in_a_sequential_are_numbered_in_the_stack) {
    nn::Sequential inner_a, inner_b;
    inner_a.add(nn::Dense(3, "relu", 4));
    inner_b.add(nn::Dense(2, "relu", 3));
    nn::Sequential outer("outer");
    outer.add(inner_a);
    outer.add(inner_b);
    outer.add(nn::Dense(1));
    std::vector<std::string> names;
    for (const auto& layer : outer.layers()) names.push_back(layer->name());
    BOOST_TEST(names == std::vector<std::string>({"sequential_1", "sequential_2", "dense_1"}),
               boost::test_tools::per_element());
    BOOST_TEST(outer.named_parameters().front().first == "sequential_1.dense_1.kernel");
    const Array x = test::mixed({8, 4}, -1, 1);
    outer.compile("sgd", "mse");
    outer.fit(x, test::mixed({8, 1}, -1, 1), {.epochs = 2, .batch_size = 4, .verbose = 0});
    BOOST_TEST(outer.predict(x).shape() == Array::shape_type({8, 1}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(every_layer_can_be_called_by_value) {
    // Keras' functional style, `x = layers.Conv2D(...)(x)`, with each layer kind given by value
    // (adopted through clone()); the model trains like the same layers stacked.
    manual_seed(3);
    auto image = nn::Input({6, 6, 1});
    auto h = nn::Conv2D(2, {3, 3}, "relu")(image);
    h = nn::BatchNormalization()(h);
    h = nn::AveragePooling2D({2, 2})(h);
    h = nn::Reshape({2, 2, 2})(h);
    auto pooled = nn::MaxPooling2D({2, 2})(h);
    auto flat = nn::Flatten()(pooled);
    auto averaged = nn::GlobalAveragePooling2D()(h);
    auto joined = nn::concatenate({flat, averaged});
    auto out = nn::Dense(2, "softmax")(nn::Dropout(0.5f)(joined));
    auto ids = nn::Input({3});
    auto embedded = nn::Flatten()(nn::Embedding(5, 2)(ids));
    nn::Model model({image, ids}, {out, nn::Dense(1)(embedded)});
    std::vector<std::string> names;
    for (const auto& [n, c] : model.children()) names.push_back(n);
    const std::vector<std::string> expected{"conv2d_1", "batch_normalization_1", "average_pooling2d_1", "reshape_1",
                                            "max_pooling2d_1", "flatten_1", "global_average_pooling2d_1",
                                            "concatenate_1", "dropout_1", "dense_1", "embedding_1", "flatten_2",
                                            "dense_2"};
    BOOST_TEST(names == expected, boost::test_tools::per_element());
    const Array x = test::mixed({4, 6, 6, 1}, 0, 1);
    const Array i = {{0.f, 1.f, 4.f}, {2.f, 2.f, 3.f}, {4.f, 0.f, 1.f}, {1.f, 3.f, 0.f}};
    const std::vector<Tensor> outs = model.forward_all({constant(x), constant(i)});
    BOOST_TEST(outs.at(0).shape_vector() == (Shape{4, 2}), boost::test_tools::per_element());
    BOOST_TEST(outs.at(1).shape_vector() == (Shape{4, 1}), boost::test_tools::per_element());
    // every layer's weights reach the model: 2 conv (kernel, bias), 4 batch norm, 2 + 2 dense, 1 embedding
    BOOST_TEST(model.named_parameters().size() == 11u);
}

BOOST_AUTO_TEST_CASE(layers_are_named_alike_in_both_styles) {
    // Keras' snake_case names whether a layer is stacked or called on a symbolic tensor.
    nn::Sequential stack;
    stack.add(nn::MaxPooling2D({2, 2}));
    stack.add(nn::GlobalAveragePooling2D());
    auto x = nn::Input({4, 4, 1});
    auto pooled = nn::MaxPooling2D({2, 2})(x);
    nn::Model functional({x}, {nn::GlobalAveragePooling2D()(pooled)});
    std::vector<std::string> stacked, called;
    for (const auto& [n, c] : stack.children()) stacked.push_back(n);
    for (const auto& [n, c] : functional.children()) called.push_back(n);
    const std::vector<std::string> keras{"max_pooling2d_1", "global_average_pooling2d_1"};
    BOOST_TEST(stacked == keras, boost::test_tools::per_element());
    BOOST_TEST(called == keras, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
