// Whole-model files (Model::save, train::load_model): every style of model and every built-in
// layer comes back with the same architecture, summary, weight names and prediction bits, and
// compiled as it was: one more epoch from the same seed gives the same weights as the original's
// one more epoch (optimizer state restored). And every error says what is wrong.
#include <nlohmann/json.hpp>

#include <cstring>
#include <filesystem>

#include "file_helpers.hpp"
#include "helpers.hpp"
#include <xgrad/nn.hpp>

using namespace xgrad;
using xgrad::test::files::Says;
using xgrad::test::files::TempDir;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

bool same_bits(const Array& a, const Array& b) {
    return a.shape() == b.shape() && (a.size() == 0 || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

void check_same_parameters(const nn::Model& a, const nn::Model& b) {
    const auto pa = a.named_parameters(), pb = b.named_parameters();
    BOOST_REQUIRE_EQUAL(pa.size(), pb.size());
    for (std::size_t i = 0; i < pa.size(); ++i) {
        BOOST_TEST(pa[i].first == pb[i].first);
        BOOST_TEST(pa[i].second.label() == pb[i].second.label(), pa[i].first);
        BOOST_TEST(same_bits(pa[i].second.value(), pb[i].second.value()), pa[i].first);
    }
}

// `loaded` is `original` come back from a file: same architecture, summary, weights (names and
// bits), predictions and compile configuration; then one more epoch of each from the same seed
// ends at the same bits, loss values and History keys.
void check_same_model(nn::Model& original, nn::Model& loaded, const std::vector<Array>& x, const std::vector<Array>& y) {
    BOOST_TEST(loaded.type_name() == original.type_name());
    BOOST_TEST(loaded.name() == original.name());
    BOOST_TEST(loaded.has_automatic_name() == original.has_automatic_name());
    BOOST_TEST(loaded.summary(nullptr) == original.summary(nullptr));
    BOOST_TEST(nn::model_to_json(loaded, 1) == nn::model_to_json(original, 1));
    check_same_parameters(original, loaded);
    const auto pa = original.predict(x), pb = loaded.predict(x);
    BOOST_REQUIRE_EQUAL(pa.size(), pb.size());
    for (std::size_t i = 0; i < pa.size(); ++i) BOOST_TEST(same_bits(pa[i], pb[i]), "output " << i);

    BOOST_REQUIRE_EQUAL(loaded.compiled(), original.compiled());
    if (!original.compiled()) return;
    BOOST_TEST(loaded.optimizer().name() == original.optimizer().name());
    BOOST_TEST(loaded.optimizer().config() == original.optimizer().config());
    BOOST_TEST(loaded.optimizer().iterations() == original.optimizer().iterations());
    const auto sa = original.optimizer().state(), sb = loaded.optimizer().state();
    BOOST_TEST(sa.size() == sb.size());
    for (const auto& [k, v] : sa) BOOST_TEST((sb.count(k) && same_bits(sb.at(k), v)), k);
    for (std::size_t i = 0; i < original.num_outputs(); ++i) {
        BOOST_TEST(loaded.loss(i).name() == original.loss(i).name());
        BOOST_TEST(loaded.loss_weight(i) == original.loss_weight(i));
        std::vector<std::string> ma, mb;
        for (const auto& m : original.metrics(i)) ma.push_back(m.name());
        for (const auto& m : loaded.metrics(i)) mb.push_back(m.name());
        BOOST_TEST(ma == mb, boost::test_tools::per_element());
    }
    manual_seed(99);
    const auto ha = original.fit(x, y, {.epochs = 1, .batch_size = 4, .verbose = 0});
    manual_seed(99);
    const auto hb = loaded.fit(x, y, {.epochs = 1, .batch_size = 4, .verbose = 0});
    BOOST_TEST(ha.keys == hb.keys, boost::test_tools::per_element());
    for (const auto& k : ha.keys) BOOST_TEST(ha[k] == hb[k], k);
    check_same_parameters(original, loaded);
    BOOST_TEST(loaded.optimizer().iterations() == original.optimizer().iterations());
}

// Saves, loads back and compares (check_same_model).
std::shared_ptr<nn::Model> round_trip(nn::Model& model, const std::vector<Array>& x, const std::vector<Array>& y) {
    TempDir dir;
    const std::string path = dir / "model.xgrad";
    model.save(path);
    auto back = train::load_model(path);
    check_same_model(model, *back, x, y);
    return back;
}

// Three blobs in 4-D with one-hot targets.
std::pair<Array, Array> blobs(std::size_t n) { return test::blobs(n, 4, 3, 11, 0.5f, 2.f); }

nn::Sequential make_sequential() {
    manual_seed(3);
    nn::Sequential m;  // a default name: it comes back automatic (sequential_N)
    m.add(nn::Dense(8, "relu", 4));
    m.add(nn::Dropout(0.25f));
    m.add(nn::Dense(nn::DenseOptions{.units = 3, .activation = nn::Activation::Softmax,
                                     .kernel_initializer = nn::init::random_uniform(-0.3f, 0.3f), .name = "probs"}));
    return m;
}

// Two inputs, two outputs; a layer called twice; a residual add and a concatenation.
nn::Model make_functional() {
    manual_seed(4);
    auto a = nn::Input({4}, "a");
    auto b = nn::Input({4}, "b");
    auto shared = std::make_shared<nn::Dense>(6, "tanh");
    auto ha = (*shared)(a);
    auto hb = (*shared)(b);
    auto r = nn::Dense(6, "relu")(ha);
    auto z = nn::concatenate({nn::add({ha, r}), hb});
    auto label = nn::Dense(nn::DenseOptions{.units = 3, .activation = nn::Activation::Softmax, .name = "label"})(z);
    auto value = nn::Dense(nn::DenseOptions{.units = 1, .name = "value"})(z);
    return nn::Model({a, b}, {label, value}, "two_inputs");
}

// A layer of the user's: its weight is created on its first input.
class Scale : public nn::Module {
public:
    explicit Scale(float init) : init_(init) {}
    Tensor forward(const Tensor& x) override {
        if (!factor_.defined()) factor_ = register_parameter("factor", Array(Array::shape_type{x.shape().back()}, init_));
        return x * factor_;
    }
    std::string type_name() const override { return "Scale"; }
    std::shared_ptr<nn::Module> clone() const override { return std::make_shared<Scale>(*this); }
    json config() const override { return {{"init", init_}}; }

private:
    float init_;
    Tensor factor_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(nn_model_io)

BOOST_AUTO_TEST_CASE(a_sequential_comes_back_the_same_and_trains_on_identically) {
    auto [x, y] = blobs(24);
    nn::Sequential model = make_sequential();
    model.compile(optim::RMSprop({.learning_rate = 0.01f, .momentum = 0.5f, .centered = true}), "categorical_crossentropy",
                  {"accuracy"});
    model.fit(x, y, {.epochs = 2, .batch_size = 8, .verbose = 0});
    auto back = round_trip(model, {x}, {y});
    BOOST_TEST((std::dynamic_pointer_cast<nn::Sequential>(back) != nullptr));
    BOOST_TEST(back->optimizer().config().at("centered") == true);
}

BOOST_AUTO_TEST_CASE(a_functional_model_with_two_inputs_outputs_and_a_shared_layer_comes_back_the_same) {
    auto [x, y] = blobs(24);
    Array xb = test::mixed({24, 4}, -1, 1);
    Array value(Array::shape_type{24, 1});
    for (std::size_t i = 0; i < 24; ++i) value(i, 0) = x(i, 0) - xb(i, 1);
    nn::Model model = make_functional();
    model.compile(optim::Adam({.learning_rate = 0.005f, .beta_2 = 0.99f}),
                  {.loss = {"categorical_crossentropy", "mse"}, .loss_weights = {1.0, 0.5}, .metrics = {"accuracy"},
                   .output_metrics = {{}, {"binary_accuracy"}}});
    model.fit({x, xb}, {y, value}, {.epochs = 2, .batch_size = 8, .verbose = 0});
    auto back = round_trip(model, {x, xb}, {y, value});
    BOOST_TEST(back->is_functional());
    BOOST_TEST(back->layers().size() == model.layers().size());  // the shared layer is one layer again
}

BOOST_AUTO_TEST_CASE(nested_models_called_twice_and_default_names_come_back_the_same) {
    manual_seed(5);
    // An inner functional model with two outputs, left with its automatic name, called twice;
    // an inner Sequential (automatic name too) as a layer.
    auto x = nn::Input({4}, "x");
    auto h = nn::Dense(5, "tanh")(x);
    nn::Model inner({x}, {nn::Dense(3, "softmax")(h), nn::Dense(2)(h)});
    auto stack = std::make_shared<nn::Sequential>();
    stack->add(nn::Dense(4, "relu"));
    stack->add(nn::Dense(2));
    auto u = nn::Input({4}, "u");
    auto v = nn::Input({4}, "v");
    auto first = inner.call_all(u);
    auto second = inner.call_all(v);
    auto s = (*stack)(first[1]);
    auto out = nn::Dense(nn::DenseOptions{.units = 1, .name = "out"})(nn::concatenate({s, second[1]}));
    nn::Model model({u, v}, {first[0], out});
    BOOST_TEST(model.has_automatic_name());
    model.compile("sgd", {.loss = {"categorical_crossentropy", "mse"}});
    auto [xu, y] = blobs(16);
    Array xv = test::mixed({16, 4}, -1, 1);
    Array target = test::mixed({16, 1}, -1, 1);
    model.fit({xu, xv}, {y, target}, {.epochs = 1, .batch_size = 8, .verbose = 0});
    auto back = round_trip(model, {xu, xv}, {y, target});
    // Default-named models nest again without a clash: the loaded one is still automatic.
    auto w = nn::Input({4}, "w");
    auto again = back->call_all({w, w});
    nn::Model outer({w}, {again[1]});
    BOOST_TEST(outer.layers().front()->name() == "model_1");
}

// Every built-in layer kind in one functional model (and a Sequential of those that stack).
BOOST_AUTO_TEST_CASE(every_built_in_layer_kind_comes_back_the_same) {
    manual_seed(6);
    auto img = nn::Input({6, 6, 2}, "img");
    auto ids = nn::Input({3}, "ids");
    auto c = nn::Conv2D(4, {3, 3}, "relu", {.padding = Padding::Same, .bias_initializer = "ones"})(img);
    auto bn = nn::BatchNormalization({.momentum = 0.9f, .epsilon = 1e-2f, .synchronized = true})(c);
    auto mp = nn::MaxPooling2D({2, 2})(bn);
    auto ap = nn::AveragePooling2D({2, 2}, {2, 2}, Padding::Same)(c);
    auto sum = nn::add({mp, ap});
    auto diff = nn::subtract({mp, ap});
    auto prod = nn::multiply({mp, ap});
    auto avg = nn::average({sum, diff, prod});
    auto gap = nn::GlobalAveragePooling2D()(avg);
    auto flat = nn::Flatten()(nn::Reshape({-1, 4})(avg));
    auto emb = nn::Flatten()(nn::Embedding(10, 4, nn::init::random_normal(0.f, 0.1f))(ids));
    auto joined = nn::concatenate({gap, flat, emb}, 1);
    auto out = nn::Dense(3, "softmax")(nn::Dropout(0.5f)(joined));
    nn::Model model({img, ids}, {out}, "every_layer");
    model.compile(optim::SGD({.learning_rate = 0.05f, .momentum = 0.9f, .nesterov = true}), "categorical_crossentropy",
                  {"accuracy"});
    Array images = test::mixed({12, 6, 6, 2}, -1, 1);
    Array tokens(Array::shape_type{12, 3});
    for (std::size_t i = 0; i < tokens.size(); ++i) tokens.data()[i] = float((i * 7) % 10);
    Array y(Array::shape_type{12, 3}, 0.f);
    for (std::size_t i = 0; i < 12; ++i) y(i, i % 3) = 1.f;
    model.fit({images, tokens}, {y}, {.epochs = 2, .batch_size = 4, .verbose = 0});
    round_trip(model, {images, tokens}, {y});

    manual_seed(7);
    nn::Sequential stack("stack");
    stack.add(nn::Reshape({6, 6, 2}));
    stack.add(nn::Conv2D(3, {3, 3}, "tanh", {.strides = {1, 1}, .dilation_rate = {2, 2}, .use_bias = false}));
    stack.add(nn::BatchNormalization());
    stack.add(nn::MaxPooling2D({2, 2}, {1, 1}));
    stack.add(nn::AveragePooling2D({1, 1}));
    stack.add(nn::GlobalAveragePooling2D());
    stack.add(nn::Dropout(0.1f));
    stack.add(nn::Dense(3, "softmax"));
    stack.compile("adam", "categorical_crossentropy");
    Array flat_images = test::mixed({12, 72}, -1, 1);
    stack.fit(flat_images, y, {.epochs = 1, .batch_size = 4, .verbose = 0});  // built from the data: Reshape first
    round_trip(stack, {flat_images}, {y});
}

BOOST_AUTO_TEST_CASE(an_uncompiled_model_comes_back_uncompiled_and_compile_false_skips_it) {
    TempDir dir;
    nn::Sequential plain = make_sequential();
    plain.save(dir / "plain.xgrad");
    auto back = train::load_model(dir / "plain.xgrad");
    auto [x, y] = blobs(8);
    check_same_model(plain, *back, {x}, {y});

    nn::Sequential compiled = make_sequential();
    compiled.compile("rmsprop", "categorical_crossentropy");
    compiled.save(dir / "compiled.xgrad");
    BOOST_TEST(!train::load_model(dir / "compiled.xgrad", {.compile = false})->compiled());
    BOOST_TEST(train::load_model(dir / "compiled.xgrad")->compiled());
}

BOOST_AUTO_TEST_CASE(custom_losses_and_metrics_are_found_by_name) {
    TempDir dir;
    const losses::Loss half_mse("half_mse", [](const Tensor& t, const Tensor& p) { return losses::mean_squared_error(t, p) * 0.5f; });
    const metrics::Metric first_col("first_col", [](const Array& t, const Array& p) { return double(p(0, 0) - t(0, 0)); });
    nn::Sequential model = make_sequential();
    model.compile("sgd", half_mse, {first_col, "accuracy"});
    auto [x, y] = blobs(8);
    model.fit(x, y, {.epochs = 1, .batch_size = 4, .verbose = 0});
    model.save(dir / "custom.xgrad");
    auto back = train::load_model(dir / "custom.xgrad", {.custom_losses = {half_mse}, .custom_metrics = {first_col}});
    check_same_model(model, *back, {x}, {y});
}

// A layer of the user's, registered: saved and rebuilt in a Sequential (where it is first built
// by load_model's dry run: its weight is created on its first input), in a functional model,
// and as the module a Model wraps.
BOOST_AUTO_TEST_CASE(a_registered_layer_of_the_users_comes_back_in_every_style) {
    nn::register_layer_type<Scale>("Scale", [](const json& c) { return std::make_shared<Scale>(c.at("init").get<float>()); });
    auto [x, y] = blobs(8);

    manual_seed(8);
    nn::Sequential seq;
    seq.add(std::make_shared<Scale>(0.5f));
    seq.add(nn::Dense(3, "softmax"));
    seq.compile("adam", "categorical_crossentropy");
    seq.fit(x, y, {.epochs = 1, .batch_size = 4, .verbose = 0});
    round_trip(seq, {x}, {y});

    manual_seed(9);
    auto in = nn::Input({4}, "in");
    auto scaled = std::make_shared<Scale>(2.f);
    nn::Model functional({in}, {nn::Dense(3, "softmax")((*scaled)(in))}, "scaled");
    functional.compile("adam", "categorical_crossentropy");
    functional.fit(x, y, {.epochs = 1, .batch_size = 4, .verbose = 0});
    round_trip(functional, {x}, {y});

    nn::Model wrapped(std::make_shared<Scale>(3.f), "wrapped");
    wrapped.compile("sgd", "mse");
    Array target = test::mixed({8, 4}, -1, 1);
    wrapped.fit(x, target, {.epochs = 1, .batch_size = 4, .verbose = 0});
    round_trip(wrapped, {x}, {target});
}

BOOST_AUTO_TEST_CASE(the_architecture_alone_round_trips_as_json) {
    nn::Model model = make_functional();
    const std::string text = nn::model_to_json(model, 2);
    const json doc = json::parse(text);
    BOOST_TEST(doc.at("class_name") == "Functional");
    BOOST_TEST(doc.at("config").at("name") == "two_inputs");
    BOOST_TEST(doc.at("config").at("layers").size() == 6u);
    BOOST_TEST(doc.at("config").at("nodes").size() == 7u);  // the shared layer's two calls
    auto fresh = nn::model_from_json(text);
    BOOST_TEST(nn::model_to_json(*fresh, 2) == text);
    BOOST_TEST(fresh->summary(nullptr) == model.summary(nullptr));
}

BOOST_AUTO_TEST_CASE(load_weights_reads_the_weights_of_a_whole_model_file) {
    TempDir dir;
    nn::Model model = make_functional();
    model.compile("adam", {.loss = {"categorical_crossentropy", "mse"}});
    model.save(dir / "m.xgrad");
    nn::Model other = make_functional();  // the same architecture, other weights: seed 4 again, so perturb
    {
        NoGradGuard no_grad;
        for (auto p : other.parameters()) p.data() += 1.f;
    }
    other.load_weights(dir / "m.xgrad");
    check_same_parameters(model, other);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(nn_model_io_errors)

class ResidualMlp : public nn::Module {
public:
    ResidualMlp() { fc_ = register_module("fc", std::make_shared<nn::Dense>(4, "tanh", 4)); }
    Tensor forward(const Tensor& x) override { return x + (*fc_)(x); }
    std::string type_name() const override { return "ResidualMlp"; }

private:
    std::shared_ptr<nn::Module> fc_;
};

class MyModel : public nn::Model {
public:
    MyModel() : nn::Model("my_model") { net_ = register_module("net", std::make_shared<ResidualMlp>()); }
    Tensor forward(const Tensor& x) override { return (*net_)(x); }

private:
    std::shared_ptr<nn::Module> net_;
};

// A Dense that computes something else: not a Dense for saving, though it says so.
class DoubledDense : public nn::Dense {
public:
    using nn::Dense::Dense;
    Tensor forward(const Tensor& x) override { return nn::Dense::forward(x) * 2.f; }
    std::shared_ptr<nn::Module> clone() const override { return std::make_shared<DoubledDense>(*this); }
};

class Unregistered : public nn::Module {
public:
    Tensor forward(const Tensor& x) override { return x * 2.f; }
    std::string type_name() const override { return "Unregistered"; }
    std::shared_ptr<nn::Module> clone() const override { return std::make_shared<Unregistered>(*this); }
};

// Save refuses before writing anything: the path keeps what it held.
void check_refused(const nn::Model& model, std::initializer_list<std::string> parts) {
    TempDir dir;
    const std::string path = dir / "m.xgrad";
    xgrad::test::files::write_bytes(path, {'o', 'l', 'd'});
    BOOST_CHECK_EXCEPTION(model.save(path), ValueError, Says(parts));
    BOOST_TEST((xgrad::test::files::read_bytes(path) == xgrad::test::files::Bytes{'o', 'l', 'd'}));
    BOOST_TEST(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
}

BOOST_AUTO_TEST_CASE(a_subclassed_model_or_an_unregistered_layer_is_refused_before_writing) {
    MyModel sub;
    sub.build_inputs({{4}});
    check_refused(sub, {"save: model 'my_model' (Model, C++ type", "MyModel) is a subclassed model",
                        "its forward is C++ code", "save_weights(path)", "nn::register_layer_type<",
                        "MyModel>(\"MyModel\", factory)", "Nothing was written to '"});

    nn::Model wrapped(std::make_shared<ResidualMlp>(), "wrapped");
    check_refused(wrapped, {"save: model 'wrapped' (Model) wraps a Module subclass with its own forward",
                            "layer 'residualmlp' (ResidualMlp, C++ type", "ResidualMlp) has a type that is not registered",
                            "save_weights(path)", "ResidualMlp>(\"ResidualMlp\", factory)"});

    auto in = nn::Input({4}, "in");
    auto mid = std::make_shared<Unregistered>();
    nn::Model outer({in}, {nn::Dense(2)((*mid)(in))}, "outer");
    check_refused(outer, {"save: model 'outer': layer 'unregistered_1' (Unregistered, C++ type",
                          "has a type that is not registered for saving", "Unregistered>(\"Unregistered\", factory)"});

    // Nested: the path to the layer is named.
    auto u = nn::Input({4}, "u");
    nn::Model holder({u}, {outer(u)}, "holder");
    check_refused(holder, {"save: model 'holder': model 'outer': layer 'unregistered_1'"});

    nn::Sequential seq("seq");
    seq.add(std::make_shared<DoubledDense>(3, "relu", 4));
    check_refused(seq, {"save: model 'seq': layer 'dense_1' (Dense, C++ type", "DoubledDense) is not the Dense it names",
                        "DoubledDense>(\"DoubledDense\", factory)"});

    nn::Sequential empty("empty");
    BOOST_CHECK_EXCEPTION(empty.save("never.xgrad"), ValueError, Says({"save: model 'empty' is not built"}));
}

// A valid model file to break in the tests below, and its description.
struct SavedFile {
    TempDir dir;
    std::string path = dir / "m.xgrad";
    json description;
    train::NamedArrays tensors;
    SavedFile() {
        nn::Model model = make_functional();
        model.compile("rmsprop", {.loss = {"categorical_crossentropy", "mse"}, .metrics = {"accuracy"}});
        model.save(path);
        auto file = train::read_xgrad_file(path);
        BOOST_REQUIRE(file.version == train::kModelVersion);
        description = json::parse(file.model);
        tensors = file.tensors;
    }
    // Writes `text` as the description, with the same tensors, to a new file; returns its path.
    std::string with(const std::string& text, const std::string& name = "bad.xgrad") {
        train::write_model_file(dir / name, text, tensors);
        return dir / name;
    }
};

BOOST_AUTO_TEST_CASE(an_unknown_layer_type_names_it_and_the_known_types) {
    SavedFile f;
    json d = f.description;
    d["model"]["config"]["layers"][1]["class_name"] = "Attention";
    const std::string name = d["model"]["config"]["layers"][1]["config"]["name"];
    BOOST_CHECK_EXCEPTION(train::load_model(f.with(d.dump())), ValueError,
                          Says({"load_model: '" + f.dir / "bad.xgrad" + "': layer 'two_inputs' (Functional): layer '" + name +
                                    "' (Attention): unknown layer type 'Attention'",
                                "the types this program knows are Add, Average, AveragePooling2D, BatchNormalization, Concatenate, Conv2D, Dense",
                                "nn::register_layer_type<YourLayer>(\"Attention\", factory)"}));
}

BOOST_AUTO_TEST_CASE(a_bad_layer_config_names_the_layer_and_the_key) {
    SavedFile f;
    json d = f.description;
    d["model"]["config"]["layers"][1]["config"]["units"] = "six";
    const std::string name = d["model"]["config"]["layers"][1]["config"]["name"];
    BOOST_CHECK_EXCEPTION(train::load_model(f.with(d.dump())), ValueError,
                          Says({"layer '" + name + "' (Dense): config key 'units' must be an integer in [0, 2^31], got \"six\""}));
    d = f.description;
    d["model"]["config"]["layers"][1]["config"]["synchronized"] = true;  // an option of a newer xgrad
    BOOST_CHECK_EXCEPTION(train::load_model(f.with(d.dump())), ValueError,
                          Says({"(Dense): its config has unknown key(s) 'synchronized' (written by a newer xgrad"}));
    d = f.description;
    d["model"]["config"]["nodes"][2]["inputs"][0] = json::array({"nowhere", 0, 0});
    BOOST_CHECK_EXCEPTION(train::load_model(f.with(d.dump())), ValueError,
                          Says({"layer call 2", "tensor ['nowhere', 0, 0] is not an Input or the output of an earlier layer call"}));
    d = f.description;
    d["compile"]["optimizer"]["config"]["rho"] = -1;
    BOOST_CHECK_EXCEPTION(train::load_model(f.with(d.dump())), ValueError, Says({"RMSprop: rho must be in [0"}));
    d = f.description;
    d["compile"]["loss"][1] = "huber";
    BOOST_CHECK_EXCEPTION(train::load_model(f.with(d.dump())), ValueError,
                          Says({"the model was compiled with the loss 'huber', which is not a built-in loss",
                                "pass yours in LoadModelOptions::custom_losses, or load with .compile = false"}));
    BOOST_TEST(!train::load_model(f.with(d.dump()), {.compile = false})->compiled());
}

BOOST_AUTO_TEST_CASE(malformed_json_is_a_corrupt_file) {
    SavedFile f;
    const std::string text = f.description.dump();
    BOOST_CHECK_EXCEPTION(train::load_model(f.with(text.substr(0, text.size() / 2))), IoError,
                          Says({"load_model: '" + f.dir / "bad.xgrad" + "' is corrupt: its model description is not valid JSON",
                                "parse error"}));
    BOOST_CHECK_EXCEPTION(train::load_model(f.with("[1, 2]")), ValueError,
                          Says({"load_model: '" + f.dir / "bad.xgrad" + "': its config must be a JSON object, got [1,2]"}));
}

BOOST_AUTO_TEST_CASE(truncated_newer_plain_weights_and_foreign_files_say_what_they_are) {
    SavedFile f;
    const auto bytes = xgrad::test::files::read_bytes(f.path);
    const std::string bad = f.dir / "bad.xgrad";
    for (std::size_t keep : {bytes.size() - 3, bytes.size() / 2, std::size_t(40), std::size_t(14)}) {
        xgrad::test::files::write_bytes(bad, {bytes.begin(), bytes.begin() + std::ptrdiff_t(keep)});
        BOOST_CHECK_EXCEPTION(train::load_model(bad), IoError, Says({"load_model: '" + bad + "' is truncated"}));
    }
    auto newer = bytes;
    newer[8] = 3;  // the version field
    xgrad::test::files::write_bytes(bad, newer);
    BOOST_CHECK_EXCEPTION(train::load_model(bad), IoError,
                          Says({"load_model: '" + bad + "' has format version 3; this build reads versions 1 (weights) "
                                "and 2 (whole models) (the file was written by a newer xgrad)"}));

    nn::Model model = make_functional();
    model.save_weights(bad);
    BOOST_CHECK_EXCEPTION(train::load_model(bad), IoError,
                          Says({"load_model: '" + bad + "' is an xgrad weights file (written by save_weights): it holds "
                                "weights but no architecture. Build the model in code and call model.load_weights(\"" + bad + "\")"}));
    xgrad::test::files::write_bytes(bad, {'{', '}'});
    BOOST_CHECK_EXCEPTION(train::load_model(bad), IoError, Says({"load_model: '" + bad + "' is not an xgrad model file (bad magic)"}));
    BOOST_CHECK_EXCEPTION(train::load_model(f.dir / "missing.xgrad"), IoError, Says({"load_model: cannot open '"}));
}

// A layer whose config() is not an object, and one whose factory returns nothing.
class BadConfig : public nn::Module {
public:
    Tensor forward(const Tensor& x) override { return x; }
    std::string type_name() const override { return "BadConfig"; }
    std::shared_ptr<nn::Module> clone() const override { return std::make_shared<BadConfig>(*this); }
    json config() const override { return json::array({1, 2}); }
};

class NoLayer : public nn::Module {
public:
    Tensor forward(const Tensor& x) override { return x; }
    std::string type_name() const override { return "NoLayer"; }
    std::shared_ptr<nn::Module> clone() const override { return std::make_shared<NoLayer>(*this); }
};

BOOST_AUTO_TEST_CASE(bad_user_layers_plain_models_names_and_entries_are_named) {
    nn::register_layer_type<BadConfig>("BadConfig", [](const json&) { return std::make_shared<BadConfig>(); });
    nn::register_layer_type<NoLayer>("NoLayer", [](const json&) { return std::shared_ptr<NoLayer>(); });
    auto in = nn::Input({4}, "in");
    auto bad = std::make_shared<BadConfig>();
    check_refused(nn::Model({in}, {(*bad)(in)}, "odd"),
                  {"save: model 'odd': layer 'bad_config_1' (BadConfig): config() returned [1,2], not a JSON object"});
    check_refused(nn::Model("plain"), {"save: model 'plain' has no architecture to save: it is neither functional"});
    nn::Sequential latin("latin");
    latin.add(nn::Dense(nn::DenseOptions{.units = 2, .input_dim = 3, .name = "caf\xe9"}));
    check_refused(latin, {"save: model 'latin' cannot be described in JSON", "are its layers' and inputs' names valid UTF-8?"});

    TempDir dir;
    auto none = std::make_shared<NoLayer>();
    nn::Model holder({in}, {(*none)(in)}, "holder");
    holder.save(dir / "none.xgrad");
    BOOST_CHECK_EXCEPTION(train::load_model(dir / "none.xgrad"), ValueError,
                          Says({"layer 'no_layer_1' (NoLayer): the factory registered for 'NoLayer' returned no layer"}));
    BOOST_CHECK_EXCEPTION(nn::layer_from_json(json{{"class_name", "Dense"}, {"config", {{"units", -2}}}}), ValueError,
                          Says({"layer '' (Dense): config key 'units' must be an integer in [0, 2^31], got -2"}));
    BOOST_CHECK_EXCEPTION(nn::layer_from_json(json{{"class_name", "Dense"}}), ValueError,
                          Says({"layer entry {\"class_name\":\"Dense\"}: its config has no 'config'"}));
    BOOST_CHECK_EXCEPTION(
        nn::layer_from_json(json{{"class_name", "Dense"}, {"config", {{"units", 2}, {"kernel_initializer", {{"name", "zeros"}, {"scale", 2}}}}}}),
        ValueError, Says({"layer '' (Dense): initializer 'zeros' has no argument 'scale' (it takes none)"}));
    BOOST_CHECK_EXCEPTION(
        nn::layer_from_json(json{{"class_name", "Embedding"}, {"config", {{"input_dim", 5}, {"output_dim", 2},
                                                                           {"embeddings_initializer", {{"name", "random_uniform"}, {"low", 0}}}}}}),
        ValueError, Says({"initializer 'random_uniform' has no argument 'low' (it takes maxval, minval)"}));

    // A file whose top entry is a layer, not a model.
    nn::Dense d(3, "relu", 4);
    train::write_model_file(dir / "layer.xgrad", json{{"model", nn::layer_to_json(d)}}.dump(), {});
    BOOST_CHECK_EXCEPTION(train::load_model(dir / "layer.xgrad"), ValueError,
                          Says({"load_model: '" + dir / "layer.xgrad" + "': it describes Dense", "a layer, not a model"}));
}

BOOST_AUTO_TEST_CASE(model_from_json_refuses_a_layer_and_text_that_is_not_json) {
    nn::Dense d(3, "relu", 4);
    BOOST_CHECK_EXCEPTION(nn::model_from_json(nn::layer_to_json(d).dump()), ValueError,
                          Says({"model_from_json: the JSON describes Dense", "a layer, not a model"}));
    BOOST_CHECK_EXCEPTION(nn::model_from_json("{"), ValueError, Says({"model_from_json: the text is not valid JSON"}));
    BOOST_CHECK_EXCEPTION(nn::register_layer_type<Scale>("", [](const json&) { return std::make_shared<Scale>(1.f); }),
                          ValueError, Says({"nn::register_layer_type: empty layer type name"}));
}

BOOST_AUTO_TEST_SUITE_END()
