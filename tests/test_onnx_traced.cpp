// The traced export of subclassed models: a Module without a registered exporter is run once
// and its recorded ops are written to ONNX. Structure and errors here; round trips through
// ONNX Runtime (skipped without it) compare with predict() on a batch size other than the
// trace's.
#include <onnx/onnx_pb.h>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstring>
#include <map>
#include <stdexcept>

#include "file_helpers.hpp"
#include "helpers.hpp"
#include "onnx_runtime.hpp"
#include <xgrad/nn.hpp>
#include <xgrad/onnx/export.hpp>
#include <xgrad/xgrad.hpp>

using namespace xgrad;
using xgrad::test::mixed;
using xgrad::test::ramp;
using xgrad::test::files::Says;
namespace ort = xgrad::test::ort;
// `onnx` alone would be ambiguous: xgrad::onnx (using namespace xgrad) and ONNX's ::onnx.
namespace xonnx = xgrad::onnx;

namespace {

// Dense layers, a residual add, a per-feature scale, concat, centring by a mean, a product
// with a raw weight matrix, an abs-sum and softmax.
class ResidualMlp : public nn::Model {
public:
    ResidualMlp() : nn::Model("residual") {
        manual_seed(11);
        fc1_ = register_module("fc1", std::make_shared<nn::Dense>(8, "tanh", 6));
        fc2_ = register_module("fc2", std::make_shared<nn::Dense>(8, "relu", 8));
        scale_ = register_parameter("scale", ramp({8}, 0.5f, 1.5f));
        head_ = register_parameter("head", mixed({16, 3}, -1.f, 1.f));
    }
    Tensor forward(const Tensor& x) override {
        Tensor h = (*fc1_)(x);
        Tensor r = (*fc2_)(h) + h;
        Tensor c = concat({h, r * scale_}, 1);
        Tensor centred = c - mean(c, {1}, true);
        // One statement per op: the order of the ops (checked below) is the order of the code.
        Tensor logits = matmul(centred, head_);
        Tensor spread = sum(abs(c), {1}, true) / 16.f;
        return softmax(logits + spread);
    }

private:
    std::shared_ptr<nn::Module> fc1_, fc2_;
    Tensor scale_, head_;
};

// The other elementwise ops, transpose, reshape, a max, clip, maximum and log_softmax on
// per-sample (4, 3) inputs; the transposed weight goes through Gemm's transB, the product with
// a vector through reshapes around MatMul.
class Elementwise : public nn::Model {
public:
    Elementwise() : nn::Model("elementwise") {
        w_ = register_parameter("w", mixed({5, 4}, -0.5f, 0.5f));
        u_ = register_parameter("u", ramp({3}, -1.f, 1.f));
    }
    Tensor forward(const Tensor& x) override {
        Tensor t = transpose(x, {0, 2, 1});                       // (N, 3, 4)
        Tensor a = sigmoid(t) + exp(-t) * 0.5f;
        Tensor b = log(square(t) + 1.f) / sqrt(abs(t) + 1.f);
        Tensor m = max(a * b, {2}, false);                        // (N, 3)
        Tensor flat = reshape(clip(a - b, -1.f, 1.f), {-1, 12});  // (N, 12)
        Tensor q = maximum(matmul(max(t, {1}), w_, {false, true}), scalar(0.1f));  // (N, 5)
        Tensor v = reshape(matmul(m, u_), {-1, 1});  // a vector on the right: per-sample () in between
        return log_softmax(concat({m, flat, q, v}, 1));
    }

private:
    Tensor w_, u_;
};

// conv2d with bias ('same'), relu, BatchNormalization (inference), max_pool2d, a dilated conv2d without bias, avg_pool2d
// ('same', stride 1: border windows average fewer taps), flatten by reshape, matmul + add, softmax.
class SmallConvnet : public nn::Model {
public:
    SmallConvnet() : nn::Model("convnet") {
        k1_ = register_parameter("k1", mixed({3, 3, 2, 4}, -0.5f, 0.5f));
        b1_ = register_parameter("b1", ramp({4}, -0.1f, 0.2f));
        k2_ = register_parameter("k2", mixed({2, 2, 4, 3}, -0.5f, 0.5f));
        w_ = register_parameter("w", mixed({36, 5}, -0.3f, 0.3f));
        b_ = register_parameter("b", ramp({5}, -0.2f, 0.2f));
        auto bn = std::make_shared<nn::BatchNormalization>();
        bn->build({8, 8, 4});
        Tensor mean = bn->moving_mean(), variance = bn->moving_variance();
        mean.data() = ramp({4}, -0.2f, 0.3f);
        variance.data() = ramp({4}, 0.5f, 2.f);
        bn_ = register_module("bn", bn);
    }
    Tensor forward(const Tensor& x) override {                               // (N, 8, 8, 2)
        Tensor h = relu(conv2d(x, k1_, b1_, {.padding = Padding::Same}));     // (N, 8, 8, 4)
        h = (*bn_)(h);  // inference form: γ/sqrt(σ² + ε) is folded into one initializer
        h = max_pool2d(h, {.pool_size = {2, 2}});                            // (N, 4, 4, 4)
        h = conv2d(h, k2_, {.dilation_rate = {2, 2}});                       // (N, 2, 2, 3)
        h = avg_pool2d(h, {.pool_size = {2, 2}, .strides = {1, 1}, .padding = Padding::Same});  // (N, 2, 2, 3)
        h = reshape(concat({h, h * h, h + 1.f}, 3), {-1, 36});
        return softmax(matmul(h, w_) + b_);
    }

private:
    Tensor k1_, b1_, k2_, w_, b_;
    std::shared_ptr<nn::Module> bn_;
};

// y = x + tanh(fc(x)): a plain Module subclass, no exporter registered for "Block".
class Block : public nn::Module {
public:
    explicit Block(std::size_t units) { fc_ = register_module("fc", std::make_shared<nn::Dense>(units, "linear", units)); }
    Tensor forward(const Tensor& x) override { return x + tanh((*fc_)(x)); }
    std::string type_name() const override { return "Block"; }
    std::shared_ptr<nn::Module> clone() const override { return std::make_shared<Block>(*this); }

private:
    std::shared_ptr<nn::Module> fc_;
};

// y = fc(fc(x) * scale) * scale: a child Dense and a parameter each used twice in one forward.
class Reuse : public nn::Module {
public:
    Reuse() {
        manual_seed(15);
        fc_ = register_module("fc", std::make_shared<nn::Dense>(4, "tanh", 4));
        scale_ = register_parameter("scale", ramp({4}, 0.5f, 1.5f));
        Tensor bias = std::dynamic_pointer_cast<nn::Dense>(fc_)->bias();
        bias.data() = ramp({4}, -0.2f, 0.3f);  // non-zero: a call without its bias would show
    }
    Tensor forward(const Tensor& x) override { return (*fc_)((*fc_)(x) * scale_) * scale_; }
    std::string type_name() const override { return "Reuse"; }
    std::shared_ptr<nn::Module> clone() const override { return std::make_shared<Reuse>(*this); }

private:
    std::shared_ptr<nn::Module> fc_;
    Tensor scale_;
};

// One Reuse object called on two inputs of a functional model: each call is traced on its own.
nn::Model reuse_called_twice() {
    auto reuse = std::make_shared<Reuse>();
    auto a = nn::Input({4}, "a");
    auto b = nn::Input({4}, "b");
    return nn::Model({a, b}, {nn::subtract({(*reuse)(a), (*reuse)(b)})}, "reused");
}

// Two inputs: a * sigmoid(b), a merge the library does not have.
class Gate : public nn::Module {
public:
    Tensor forward(const Tensor& x) override { return x; }
    Tensor forward_inputs(const std::vector<Tensor>& in) override { return in.at(0) * sigmoid(in.at(1)); }
    std::string type_name() const override { return "Gate"; }
    std::shared_ptr<nn::Module> clone() const override { return std::make_shared<Gate>(*this); }
};

// A Dense then clip with bounds that no short decimal gives back: 0.1f and 1/3.f.
class Clipped : public nn::Model {
public:
    Clipped() : nn::Model("clipped") {
        manual_seed(7);
        fc_ = register_module("fc", std::make_shared<nn::Dense>(5, "linear", 4));
    }
    Tensor forward(const Tensor& x) override { return clip((*fc_)(x), 0.1f, 1.f / 3.f); }

private:
    std::shared_ptr<nn::Module> fc_;
};

// Ids (N, 3) -> Embedding (N, 3, 4) -> the mean over the ids next to all of them flattened ->
// Dense softmax.
class EmbeddingBag : public nn::Model {
public:
    EmbeddingBag() : nn::Model("bag") {
        manual_seed(9);
        auto emb = std::make_shared<nn::Embedding>(10, 4);
        emb->build({3});
        emb_ = register_module("emb", emb);
        fc_ = register_module("fc", std::make_shared<nn::Dense>(3, "softmax", 16));
    }
    Tensor forward(const Tensor& ids) override {
        Tensor e = (*emb_)(ids);
        return (*fc_)(concat({mean(e, {1}), reshape(e, {-1, 12})}, 1));
    }

private:
    std::shared_ptr<nn::Module> emb_, fc_;
};

// Two inputs (N, 4) and (N, 3): tanh(fa(a)) * sigmoid(fb(b)), a subclass whose forward_all
// takes both.
class TwoInputs : public nn::Model {
public:
    explicit TwoInputs(std::vector<std::string> names = {}) : nn::Model("pair"), names_(std::move(names)) {
        manual_seed(12);
        fa_ = register_module("fa", std::make_shared<nn::Dense>(5, "tanh", 4));
        fb_ = register_module("fb", std::make_shared<nn::Dense>(5, "sigmoid", 3));
    }
    std::size_t num_inputs() const override { return 2; }
    std::vector<std::string> input_names() const override { return names_.empty() ? nn::Model::input_names() : names_; }
    std::vector<Tensor> forward_all(const std::vector<Tensor>& in, const std::vector<bool>& = {}) override {
        return {(*fa_)(in.at(0)) * (*fb_)(in.at(1))};
    }

private:
    std::vector<std::string> names_;
    std::shared_ptr<nn::Module> fa_, fb_;
};

// Two outputs from one trunk h = tanh(trunk(x)): softmax(head(h)) (3) and h * scale (5), a
// subclass whose forward_all returns both; `names` for its output_names(), `declared` for its
// num_outputs().
class TwoOutputs : public nn::Model {
public:
    explicit TwoOutputs(std::vector<std::string> names = {}, std::size_t declared = 2)
        : nn::Model("two_out"), names_(std::move(names)), declared_(declared) {
        manual_seed(13);
        trunk_ = register_module("trunk", std::make_shared<nn::Dense>(5, "tanh", 4));
        head_ = register_module("head", std::make_shared<nn::Dense>(3, "softmax", 5));
        scale_ = register_parameter("scale", ramp({5}, -1.f, 1.f));
    }
    std::size_t num_outputs() const override { return declared_; }
    std::vector<std::string> output_names() const override {
        return names_.empty() ? nn::Model::output_names() : names_;
    }
    std::vector<Tensor> forward_all(const std::vector<Tensor>& in, const std::vector<bool>& = {}) override {
        Tensor h = (*trunk_)(in.at(0));
        return {(*head_)(h), h * scale_};
    }

private:
    std::vector<std::string> names_;
    std::size_t declared_;
    std::shared_ptr<nn::Module> trunk_, head_;
    Tensor scale_;
};

// A functional model calling a TwoOutputs as a layer: its features (output 2) through a Dense
// "value", its probabilities (output 1) as they are.
nn::Model two_outputs_as_a_layer() {
    auto net = std::make_shared<TwoOutputs>();
    manual_seed(14);
    auto a = nn::Input({4}, "a");
    std::vector<nn::SymbolicTensor> outs = net->call_all(a);
    auto value = nn::Dense(nn::DenseOptions{.units = 2, .name = "value"})(outs[1]);
    return nn::Model({a}, {value, outs[0]}, "outer");
}

// A user's op that calls itself "clip" but records no readable bounds.
struct FakeClip : Function {
    using Attrs = std::vector<std::pair<std::string, std::string>>;
    Attrs attributes;
    explicit FakeClip(Attrs a) : attributes(std::move(a)) {}
    std::string name() const override { return "clip"; }
    std::vector<std::pair<std::string, std::string>> attrs() const override { return attributes; }
    Array forward(const std::vector<Tensor>& in) const override { return in[0].value(); }
    std::vector<Tensor> backward(const BackwardContext& c) const override { return {c.grad}; }
};

// A module whose forward does what the trace cannot follow.
class Unsupported : public nn::Model {
public:
    enum class Kind {
        Pow, BatchSum, BatchConstant, BatchMean, MixSamples, Unrecorded, ClipNoRange, ClipBadRange, GatherBatch,
        GatherBatchIds, GatherOutOfRange, BadBroadcast, UserRuntimeError, UserOutOfRange
    };
    explicit Unsupported(Kind kind) : nn::Model("odd"), kind_(kind) {
        table_ = register_parameter("table", ramp({5, 4}, -1.f, 1.f));
    }
    Tensor forward(const Tensor& x) override {
        switch (kind_) {
            case Kind::Pow: return pow(x, 3.f);
            case Kind::BatchSum: return x - sum(x, {0}, true);
            case Kind::BatchConstant: return x + zeros({x.shape()[0], x.shape()[1]});
            case Kind::BatchMean: return reshape(mean(x, {1}), {1, -1});
            case Kind::MixSamples: return reshape(reshape(x, {-1, 2}), {-1, 4});
            case Kind::Unrecorded: {
                NoGradGuard off;
                return relu(x);
            }
            case Kind::ClipNoRange: return apply(std::make_shared<FakeClip>(FakeClip::Attrs{}), {x});
            case Kind::ClipBadRange: return apply(std::make_shared<FakeClip>(FakeClip::Attrs{{"range", "[lo, hi]"}}), {x});
            case Kind::GatherBatch: return gather(x, constant(Array{0.f, 2.f}));
            case Kind::GatherBatchIds:  // ids shaped by the batch, made during the forward: frozen in the file
                return x + reshape(gather(table_, zeros({x.shape()[0], 1})), {-1, 4});
            case Kind::GatherOutOfRange: return gather(table_, x + 7.f);  // row 7 of a table of 5
            case Kind::BadBroadcast: return x + ones({5});
            // User code throwing exceptions that are not xgrad's.
            case Kind::UserRuntimeError: throw std::runtime_error("vocabulary 'words.txt' is not loaded");
            case Kind::UserOutOfRange: throw std::out_of_range("feature 9 of a sample of 4");
        }
        return x;
    }

private:
    Kind kind_;
    Tensor table_;
};

::onnx::ModelProto parse(const std::string& bytes) {
    ::onnx::ModelProto m;
    BOOST_REQUIRE(m.ParseFromString(bytes));
    return m;
}

std::vector<std::string> op_types(const ::onnx::ModelProto& m) {
    std::vector<std::string> ops;
    for (const auto& n : m.graph().node()) ops.push_back(n.op_type());
    return ops;
}

// The float values of initializer `name` (none if it is missing).
std::vector<float> initializer_values(const ::onnx::ModelProto& m, const std::string& name) {
    for (const auto& t : m.graph().initializer()) {
        if (t.name() != name) continue;
        std::vector<float> v(t.raw_data().size() / sizeof(float));
        std::memcpy(v.data(), t.raw_data().data(), v.size() * sizeof(float));
        for (float f : t.float_data()) v.push_back(f);
        return v;
    }
    return {};
}

const ::onnx::NodeProto* find_node(const ::onnx::ModelProto& m, const std::string& op_type) {
    for (const auto& n : m.graph().node()) {
        if (n.op_type() == op_type) return &n;
    }
    return nullptr;
}

bool has_initializer(const ::onnx::ModelProto& m, const std::string& name) {
    for (const auto& t : m.graph().initializer()) {
        if (t.name() == name) return true;
    }
    return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(onnx_traced_structure)

BOOST_AUTO_TEST_CASE(subclassed_model_becomes_its_ops_with_named_weights) {
    ResidualMlp net;
    const auto m = parse(xonnx::export_to_string(net, {.input_shape = {6}}));
    const std::vector<std::string> expected{"MatMul", "Add", "Tanh", "MatMul", "Add", "Relu", "Add", "Mul",
                                            "Concat", "ReduceMean", "Sub", "MatMul", "Abs", "ReduceSum",
                                            "Div", "Add", "Softmax"};
    BOOST_TEST(op_types(m) == expected, boost::test_tools::per_element());
    for (const char* name : {"fc1.kernel", "fc1.bias", "fc2.kernel", "fc2.bias", "scale", "head"}) {
        BOOST_TEST_INFO(name);
        BOOST_TEST(has_initializer(m, name));
    }
    BOOST_TEST(m.graph().node(0).input(0) == "input");
    BOOST_TEST(m.graph().node(0).name() == "residual/fc1/MatMul");
    BOOST_TEST(m.graph().output(0).name() == "output");
}

BOOST_AUTO_TEST_CASE(convnet_kernels_are_transposed_and_batch_norm_folded) {
    SmallConvnet net;
    const auto m = parse(xonnx::export_to_string(net, {.input_shape = {8, 8, 2}}));
    const auto ops = op_types(m);
    BOOST_TEST(std::count(ops.begin(), ops.end(), "Conv") == 2);
    BOOST_TEST(std::count(ops.begin(), ops.end(), "Sqrt") == 0);  // γ/sqrt(σ² + ε) is one initializer
    std::vector<const ::onnx::NodeProto*> convs, pools;
    for (const auto& n : m.graph().node()) {
        if (n.op_type() == "Conv") convs.push_back(&n);
        if (n.op_type() == "AveragePool") pools.push_back(&n);
    }
    BOOST_REQUIRE_EQUAL(convs.size(), 2u);
    BOOST_REQUIRE_EQUAL(convs[0]->input_size(), 3);
    BOOST_TEST(convs[0]->input(1) == "k1");
    BOOST_TEST(convs[0]->input(2) == "b1");
    BOOST_TEST(convs[1]->input_size() == 2);
    BOOST_TEST(has_initializer(m, "k1"));
    for (const auto& t : m.graph().initializer()) {
        if (t.name() == "k1") BOOST_TEST((std::vector<std::int64_t>(t.dims().begin(), t.dims().end()) ==
                                          std::vector<std::int64_t>{4, 2, 3, 3}));  // (F, C, kh, kw)
    }
    BOOST_REQUIRE_EQUAL(pools.size(), 1u);
    bool excludes_padding = false;
    for (const auto& a : pools[0]->attribute()) {
        if (a.name() == "count_include_pad") excludes_padding = a.i() == 0;
        if (a.name() == "pads") BOOST_TEST((std::vector<std::int64_t>(a.ints().begin(), a.ints().end()) ==
                                            std::vector<std::int64_t>{0, 0, 1, 1}));  // 'same': the odd one after
    }
    BOOST_TEST(excludes_padding);
}

BOOST_AUTO_TEST_CASE(the_trace_leaves_the_model_as_it_was) {
    ResidualMlp net;
    net.train();
    net.children().front().second->eval();  // fc1 in inference mode, the rest training
    std::vector<Array> before;
    for (const auto& [name, p] : net.named_parameters()) before.push_back(p.value());
    {
        NoGradGuard off;  // the trace records anyway
        BOOST_CHECK_NO_THROW(xonnx::export_to_string(net, {.input_shape = {6}}));
        BOOST_TEST(!grad_enabled());
    }
    BOOST_TEST(net.is_training());
    BOOST_TEST(!net.children()[0].second->is_training());
    BOOST_TEST(net.children()[1].second->is_training());
    std::size_t i = 0;
    for (const auto& [name, p] : net.named_parameters()) {
        BOOST_TEST_INFO(name);
        BOOST_TEST(!p.grad().defined());
        BOOST_TEST((p.value() == before[i++]));
    }
}

BOOST_AUTO_TEST_CASE(a_registered_exporter_wins_over_the_trace) {
    // Dense is a Module with a forward too: its Gemm shows that the registry was asked first.
    nn::Sequential net;
    net.add(nn::Dense(4, "relu", 3));
    net.add(Block(4));
    const auto m = parse(xonnx::export_to_string(net));
    const std::vector<std::string> expected{"Gemm", "Relu", "MatMul", "Add", "Tanh", "Add"};
    BOOST_TEST(op_types(m) == expected, boost::test_tools::per_element());
    BOOST_TEST(m.graph().node(2).name() == "block_1/fc/MatMul");
    BOOST_TEST(has_initializer(m, "block_1.fc.kernel"));
}

BOOST_AUTO_TEST_CASE(clip_bounds_are_written_exactly) {
    Clipped net;
    const auto m = parse(xonnx::export_to_string(net, {.input_shape = {4}}));
    const ::onnx::NodeProto* c = find_node(m, "Clip");
    BOOST_REQUIRE(c != nullptr);
    BOOST_REQUIRE_EQUAL(c->input_size(), 3);
    BOOST_TEST(initializer_values(m, c->input(1)) == std::vector<float>{0.1f});
    BOOST_TEST(initializer_values(m, c->input(2)) == std::vector<float>{1.f / 3.f});
}

BOOST_AUTO_TEST_CASE(clip_records_bounds_that_read_back_exactly) {
    // The text diagrams and the study tools show stays short where a short text is exact.
    Tensor x = parameter(Array{0.f, 0.5f});
    BOOST_TEST(clip(x, -0.75f, 0.9f).attrs().at(0).second == "[-0.75, 0.9]");
    BOOST_TEST(clip(x, 0.1f, 1.f / 3.f).attrs().at(0).second == "[0.1, 0.33333334]");
}

BOOST_AUTO_TEST_CASE(embedding_becomes_gather_of_its_table_by_int64_ids) {
    EmbeddingBag net;
    const auto m = parse(xonnx::export_to_string(net, {.input_shape = {3}}));
    const ::onnx::NodeProto* cast = find_node(m, "Cast");
    const ::onnx::NodeProto* g = find_node(m, "Gather");
    BOOST_REQUIRE(cast != nullptr);
    BOOST_REQUIRE(g != nullptr);
    BOOST_TEST(cast->input(0) == "input");
    BOOST_REQUIRE_EQUAL(cast->attribute_size(), 1);
    BOOST_TEST(cast->attribute(0).i() == ::onnx::TensorProto::INT64);
    BOOST_TEST(g->input(0) == "emb.embeddings");
    BOOST_TEST(g->input(1) == cast->output(0));
    BOOST_REQUIRE_EQUAL(g->attribute_size(), 1);
    BOOST_TEST(g->attribute(0).name() == "axis");
    BOOST_TEST(g->attribute(0).i() == 0);
    BOOST_TEST(initializer_values(m, "emb.embeddings").size() == 40u);
}

BOOST_AUTO_TEST_CASE(several_inputs_get_their_shapes_and_names) {
    TwoInputs net;
    const auto named = parse(xonnx::export_to_string(net, {.input_names = {"a", "b"}, .input_shapes = {{4}, {3}}}));
    BOOST_REQUIRE_EQUAL(named.graph().input_size(), 2);
    BOOST_TEST(named.graph().input(0).name() == "a");
    BOOST_TEST(named.graph().input(1).name() == "b");
    BOOST_TEST(named.graph().input(1).type().tensor_type().shape().dim(1).dim_value() == 3);
    std::vector<std::string> read;  // the names the nodes read
    for (const auto& n : named.graph().node()) read.insert(read.end(), n.input().begin(), n.input().end());
    BOOST_TEST(std::count(read.begin(), read.end(), "a") == 1);
    BOOST_TEST(std::count(read.begin(), read.end(), "b") == 1);
    const auto numbered = parse(xonnx::export_to_string(net, {.input_shapes = {{4}, {3}}}));
    BOOST_TEST(numbered.graph().input(0).name() == "input_1");
    BOOST_TEST(numbered.graph().input(1).name() == "input_2");
    TwoInputs self_named({"left", "right"});  // the model's input_names() when it gives one per input
    const auto own = parse(xonnx::export_to_string(self_named, {.input_shapes = {{4}, {3}}}));
    BOOST_TEST(own.graph().input(0).name() == "left");
    BOOST_TEST(own.graph().input(1).name() == "right");
}

BOOST_AUTO_TEST_CASE(several_outputs_get_one_graph_output_each) {
    TwoOutputs net;  // output_names() gives one name ("head"), not one per output: numbered
    const auto numbered = parse(xonnx::export_to_string(net, {.input_shape = {4}}));
    BOOST_CHECK_NO_THROW(::onnx::checker::check_model(numbered));
    BOOST_REQUIRE_EQUAL(numbered.graph().output_size(), 2);
    BOOST_TEST(numbered.graph().output(0).name() == "output_1");
    BOOST_TEST(numbered.graph().output(1).name() == "output_2");
    BOOST_TEST(numbered.graph().output(0).type().tensor_type().shape().dim(1).dim_value() == 3);
    BOOST_TEST(numbered.graph().output(1).type().tensor_type().shape().dim(1).dim_value() == 5);
    // The trunk both outputs read is written once; output 1 is the head's softmax, output 2 the
    // product with the scale.
    const auto ops = op_types(numbered);
    BOOST_TEST(std::count(ops.begin(), ops.end(), "Tanh") == 1);
    BOOST_TEST(std::count(ops.begin(), ops.end(), "MatMul") == 2);
    std::string produces_1, produces_2;
    for (const auto& n : numbered.graph().node()) {
        if (n.output(0) == "output_1") produces_1 = n.op_type();
        if (n.output(0) == "output_2") produces_2 = n.op_type();
    }
    BOOST_TEST(produces_1 == "Softmax");
    BOOST_TEST(produces_2 == "Mul");
    const auto from_output_name = parse(xonnx::export_to_string(net, {.output_name = "y", .input_shape = {4}}));
    BOOST_TEST(from_output_name.graph().output(1).name() == "y_2");
    TwoOutputs self_named({"probs", "features"});  // the model's output_names() when it gives one per output
    const auto own = parse(xonnx::export_to_string(self_named, {.input_shape = {4}}));
    BOOST_TEST(own.graph().output(0).name() == "probs");
    BOOST_TEST(own.graph().output(1).name() == "features");
    const auto given = parse(xonnx::export_to_string(self_named, {.output_names = {"p", "f"}, .input_shape = {4}}));
    BOOST_TEST(given.graph().output(0).name() == "p");
    BOOST_TEST(given.graph().output(1).name() == "f");
    ResidualMlp one;  // one output: output_name as before, or output_names of one
    const auto z = parse(xonnx::export_to_string(one, {.output_name = "z", .input_shape = {6}}));
    BOOST_TEST(z.graph().output(0).name() == "z");
    const auto w = parse(xonnx::export_to_string(one, {.output_names = {"w"}, .input_shape = {6}}));
    BOOST_TEST(w.graph().output(0).name() == "w");
}

BOOST_AUTO_TEST_CASE(weights_used_twice_are_written_once) {
    // Used twice within one forward (one trace), and a module called twice (two traces): one
    // initializer per weight either way, every use reading it.
    const auto labels = [](const nn::Module& net) {
        std::vector<std::string> v;
        for (const auto& [name, p] : net.named_parameters()) v.push_back(p.label());
        std::sort(v.begin(), v.end());
        return v;
    };
    const auto initializers = [](const ::onnx::ModelProto& m) {
        std::vector<std::string> v;
        for (const auto& t : m.graph().initializer()) v.push_back(t.name());
        std::sort(v.begin(), v.end());
        return v;
    };
    Reuse once;
    const auto m = parse(xonnx::export_to_string(once, {.input_shape = {4}}));
    BOOST_TEST(labels(once) == (std::vector<std::string>{"fc.bias", "fc.kernel", "scale"}), boost::test_tools::per_element());
    BOOST_TEST(initializers(m) == labels(once), boost::test_tools::per_element());
    const auto ops = op_types(m);
    BOOST_TEST(std::count(ops.begin(), ops.end(), "MatMul") == 2);  // fc twice, one kernel
    nn::Model twice = reuse_called_twice();
    const auto t = parse(xonnx::export_to_string(twice));
    BOOST_CHECK_NO_THROW(::onnx::checker::check_model(t));
    BOOST_TEST(labels(twice).size() == 3u);
    BOOST_TEST(initializers(t) == labels(twice), boost::test_tools::per_element());
    const auto both = op_types(t);
    BOOST_TEST(std::count(both.begin(), both.end(), "MatMul") == 4);
}

BOOST_AUTO_TEST_CASE(a_module_with_two_outputs_in_a_functional_model_is_traced_once) {
    nn::Model outer = two_outputs_as_a_layer();
    const auto m = parse(xonnx::export_to_string(outer));
    BOOST_CHECK_NO_THROW(::onnx::checker::check_model(m));
    const auto ops = op_types(m);
    BOOST_TEST(std::count(ops.begin(), ops.end(), "Tanh") == 1);
    BOOST_TEST(std::count(ops.begin(), ops.end(), "Softmax") == 1);
    BOOST_REQUIRE_EQUAL(m.graph().output_size(), 2);
    BOOST_TEST(m.graph().output(1).type().tensor_type().shape().dim(1).dim_value() == 3);
    // "value" reads the traced module's second output, the Mul by its scale.
    std::map<std::string, std::string> producer;
    for (const auto& n : m.graph().node()) producer[n.output(0)] = n.op_type();
    const auto* gemm = find_node(m, "Gemm");
    BOOST_REQUIRE(gemm != nullptr);
    BOOST_TEST(gemm->name() == "value/Gemm");
    BOOST_TEST(producer[gemm->input(0)] == "Mul");
    BOOST_TEST(producer[m.graph().output(1).name()] == "Softmax");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(onnx_traced_errors)

BOOST_AUTO_TEST_CASE(an_op_without_onnx_form_is_named_with_its_shapes) {
    Unsupported net(Unsupported::Kind::Pow);
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(net, {.input_shape = {4}}), ValueError,
                          Says({"onnx::export_model: module 'odd' (Model)", "op 'pow' on (3x4)", "does not support",
                                "supported: ", "matmul", "conv2d", "register_layer_exporter"}));
}

BOOST_AUTO_TEST_CASE(work_across_the_batch_is_refused) {
    Unsupported sum_over_batch(Unsupported::Kind::BatchSum);
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(sum_over_batch, {.input_shape = {4}}), ValueError,
                          Says({"module 'odd' (Model)", "op 'sum' over axes (0)", "(3x4)", "batch axis"}));
    Unsupported batch_constant(Unsupported::Kind::BatchConstant);
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(batch_constant, {.input_shape = {4}}), ValueError,
                          Says({"module 'odd' (Model)", "constant of shape (3x4)", "depends on the batch"}));
    Unsupported moved(Unsupported::Kind::BatchMean);
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(moved, {.input_shape = {4}}), ValueError,
                          Says({"module 'odd' (Model)", "op 'reshape' from (3) to (1x3)", "batch"}));
    Unsupported mixes(Unsupported::Kind::MixSamples);
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(mixes, {.input_shape = {4}}), ValueError,
                          Says({"module 'odd' (Model)", "op 'reshape' from (3x4) to (6x2)", "batch axis"}));
    Unsupported unrecorded(Unsupported::Kind::Unrecorded);
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(unrecorded, {.input_shape = {4}}), ValueError,
                          Says({"module 'odd' (Model)", "value of shape (3x4)", "cannot connect", "NoGradGuard"}));
}

BOOST_AUTO_TEST_CASE(a_clip_without_readable_bounds_is_refused) {
    // Library clips always record exact bounds: only a user's op named "clip" can fail here.
    Unsupported bad(Unsupported::Kind::ClipBadRange);
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(bad, {.input_shape = {4}}), ValueError,
                          Says({"module 'odd' (Model)", "op 'clip' on (3x4) with range '[lo, hi]'", "not two numbers",
                                "custom op"}));
    Unsupported none(Unsupported::Kind::ClipNoRange);
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(none, {.input_shape = {4}}), ValueError,
                          Says({"module 'odd' (Model)", "op 'clip' without its 'range' attribute"}));
}

BOOST_AUTO_TEST_CASE(gather_must_pick_rows_of_a_table_off_the_batch) {
    Unsupported over_batch(Unsupported::Kind::GatherBatch);
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(over_batch, {.input_shape = {4}}), ValueError,
                          Says({"module 'odd' (Model)", "op 'gather' on table (3x4) and indices (2)", "mix samples"}));
    Unsupported batch_ids(Unsupported::Kind::GatherBatchIds);
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(batch_ids, {.input_shape = {4}}), ValueError,
                          Says({"module 'odd' (Model)", "constant of shape (3x1)", "depends on the batch"}));
}

BOOST_AUTO_TEST_CASE(errors_of_the_traced_forward_name_the_module) {
    // Ids out of the table on both samples (floats, then row indices 0 shifted by 7): both said.
    Unsupported out_of_range(Unsupported::Kind::GatherOutOfRange);
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(out_of_range, {.input_shape = {2}}), ValueError,
                          Says({"onnx::export_model: module 'odd' (Model) fails in its traced forward on a sample "
                                "batch (3x2) of floats", "gather: index 7.6", "and on row indices 0",
                                "gather: index 7.000000", "(5x4 'table')"}));
    // The same error on both samples keeps its type.
    Unsupported broadcast(Unsupported::Kind::BadBroadcast);
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(broadcast, {.input_shape = {4}}), ShapeError,
                          Says({"onnx::export_model: module 'odd' (Model) fails in its traced forward on a sample "
                                "batch (3x4): ", "(5)"}));
}

BOOST_AUTO_TEST_CASE(other_exceptions_of_the_traced_forward_become_value_errors_naming_the_module) {
    // Not xgrad's own: a std::runtime_error and a std::out_of_range thrown by the user's forward
    // come out as xgrad errors (catchable as xgrad::Error) with the module's name and their text.
    Unsupported runtime(Unsupported::Kind::UserRuntimeError);
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(runtime, {.input_shape = {4}}), ValueError,
                          Says({"onnx::export_model: module 'odd' (Model) fails in its traced forward on a sample "
                                "batch (3x4): vocabulary 'words.txt' is not loaded"}));
    Unsupported out_of_range(Unsupported::Kind::UserOutOfRange);
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(out_of_range, {.input_shape = {4}}), Error,
                          Says({"onnx::export_model: module 'odd' (Model) fails in its traced forward on a sample "
                                "batch (3x4): feature 9 of a sample of 4"}));
}

BOOST_AUTO_TEST_CASE(input_counts_must_match_the_model) {
    TwoInputs pair;
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(pair, {.input_shapes = {{4}, {3}, {2}}}), ValueError,
                          Says({"model 'pair' (Model) takes 2 inputs (its num_inputs())", "gives 3 input shape(s)",
                                "input_shapes"}));
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(pair, {.input_shape = {4}}), ValueError,
                          Says({"model 'pair' (Model) takes 2 inputs (its num_inputs())", "gives 1 input shape(s)"}));
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(pair, {.input_names = {"a"}, .input_shapes = {{4}, {3}}}),
                          ValueError, Says({"model 'pair' (Model) takes 2 inputs", "input_names gives 1"}));
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(pair, {.input_names = {"a", "a"}, .input_shapes = {{4}, {3}}}),
                          ValueError, Says({"model 'pair' (Model) has two inputs named 'a'"}));
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(pair, {.input_shape = {4}, .input_shapes = {{4}, {3}}}), ValueError,
                          Says({"model 'pair' (Model)", "input_shape (one input) or input_shapes (several), not both"}));
    ResidualMlp one;  // one input
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(one, {.input_shapes = {{6}, {6}}}), ValueError,
                          Says({"model 'residual' (Model) takes 1 input (its num_inputs())", "gives 2 input shape(s)"}));
    auto a = nn::Input({4}, "a");
    nn::Model functional({a}, {nn::Dense(2, "linear")(a)}, "functional");
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(functional, {.input_shapes = {{4}, {4}}}), ValueError,
                          Says({"model 'functional' (Functional) takes 1 input (its nn::Input tensors)",
                                "input_shapes gives 2"}));
}

BOOST_AUTO_TEST_CASE(output_counts_must_match_the_model) {
    TwoOutputs two;
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(two, {.output_names = {"a"}, .input_shape = {4}}), ValueError,
                          Says({"onnx::export_model: model 'two_out' (Model) has 2 outputs",
                                "ExportOptions::output_names gives 1"}));
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(two, {.output_names = {"a", "a"}, .input_shape = {4}}), ValueError,
                          Says({"model 'two_out' has two inputs or outputs named 'a'"}));
    TwoOutputs clashing({"same", "same"});
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(clashing, {.input_shape = {4}}), ValueError,
                          Says({"model 'two_out' (Model) has an output named 'same'", "already the name of",
                                "ExportOptions::output_names"}));
    TwoOutputs says_one({}, 1);  // forward_all returns 2, num_outputs() says 1
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(says_one, {.input_shape = {4}}), ValueError,
                          Says({"model 'two_out' (Model) returns 2 outputs from its traced forward_all",
                                "its num_outputs() is 1", "override num_outputs()"}));
    nn::Sequential sequential("sequential");  // a layer of a Sequential gives one value
    sequential.add(std::make_shared<TwoOutputs>());
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(sequential, {.input_shape = {4}}), ValueError,
                          Says({"onnx::export_model: layer 'two_out' (Model) has 2 outputs where one value is expected",
                                "functional model", "call_all"}));
    ResidualMlp one;
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(one, {.output_names = {"a", "b"}, .input_shape = {6}}), ValueError,
                          Says({"model 'residual' (Model) has 1 output,", "ExportOptions::output_names gives 2"}));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(onnx_traced_runtime, *boost::unit_test::precondition(ort::available))

BOOST_AUTO_TEST_CASE(residual_mlp_matches_predict_on_another_batch_size) {
    ResidualMlp net;
    const Array x = mixed({5, 6}, -2.f, 2.f);
    BOOST_TEST(ort::round_trip(net, x, {.input_shape = {6}}) <= ort::kTolerance);
}

BOOST_AUTO_TEST_CASE(elementwise_reductions_and_transposes_match_predict) {
    Elementwise net;
    const Array x = mixed({5, 4, 3}, -2.f, 2.f);
    BOOST_TEST(ort::round_trip(net, x, {.input_shape = {4, 3}}) <= ort::kTolerance);
}

BOOST_AUTO_TEST_CASE(convnet_matches_predict) {
    SmallConvnet net;
    const Array x = mixed({5, 8, 8, 2}, -1.f, 1.f);
    BOOST_TEST(ort::round_trip(net, x, {.input_shape = {8, 8, 2}}) <= ort::kTolerance);
}

BOOST_AUTO_TEST_CASE(sequential_holding_a_subclassed_module) {
    manual_seed(4);
    nn::Sequential net;
    net.add(nn::Dense(6, "relu", 4));
    net.add(Block(6));
    net.add(nn::Dense(3, "softmax", 6));  // Block cannot tell its output shape: the Dense is told
    for (auto& [name, p] : net.named_parameters()) {
        if (name.find("bias") != std::string::npos) p.data() = ramp({p.size()}, -0.3f, 0.3f);
    }
    BOOST_TEST(ort::round_trip(net, mixed({5, 4}, -1.f, 1.f)) <= ort::kTolerance);
}

BOOST_AUTO_TEST_CASE(clip_to_bounds_without_a_short_decimal_matches_predict) {
    Clipped net;
    // Many values above 1/3: bounds rounded to 4 digits would be 3.3e-5 off.
    BOOST_TEST(ort::round_trip(net, mixed({5, 4}, -2.f, 2.f), {.input_shape = {4}}) <= ort::kTolerance);
}

BOOST_AUTO_TEST_CASE(embedding_in_a_subclass_matches_predict_on_another_batch_size) {
    EmbeddingBag net;
    Array ids = xt::zeros<float>({5, 3});
    for (std::size_t i = 0; i < ids.size(); ++i) ids.data()[i] = float((7 * i + 3) % 10);  // every row of the table
    BOOST_TEST(ort::round_trip(net, ids, {.input_shape = {3}}) <= ort::kTolerance);
}

BOOST_AUTO_TEST_CASE(a_two_input_subclass_matches_predict) {
    TwoInputs net;
    BOOST_TEST(ort::round_trip_all(net, {mixed({5, 4}, -1.f, 1.f), mixed({5, 3}, -2.f, 2.f)},
                                   {.input_shapes = {{4}, {3}}}) <= ort::kTolerance);
}

BOOST_AUTO_TEST_CASE(a_two_input_module_in_a_functional_model) {
    manual_seed(6);
    auto a = nn::Input({4}, "a");
    auto b = nn::Input({4}, "b");
    auto gated = Gate()({nn::Dense(4, "tanh")(a), b});
    nn::Model net({a, b}, {nn::Dense(2, "linear")(gated)}, "gated");
    BOOST_TEST(ort::round_trip_all(net, {mixed({5, 4}, -1.f, 1.f), mixed({5, 4}, -2.f, 2.f)}) <= ort::kTolerance);
}

BOOST_AUTO_TEST_CASE(a_module_called_twice_with_weights_used_twice_matches_predict) {
    nn::Model net = reuse_called_twice();
    BOOST_TEST(ort::round_trip_all(net, {mixed({5, 4}, -1.f, 1.f), mixed({5, 4}, -2.f, 2.f)}) <= ort::kTolerance);
}

BOOST_AUTO_TEST_CASE(a_two_output_subclass_matches_predict_for_each_output) {
    TwoOutputs net;
    BOOST_TEST(ort::round_trip_all(net, {mixed({5, 4}, -1.5f, 1.5f)}, {.input_shape = {4}}) <= ort::kTolerance);
}

BOOST_AUTO_TEST_CASE(a_two_output_module_in_a_functional_model_matches_predict) {
    nn::Model outer = two_outputs_as_a_layer();
    BOOST_TEST(ort::round_trip_all(outer, {mixed({5, 4}, -1.5f, 1.5f)}) <= ort::kTolerance);
}

BOOST_AUTO_TEST_SUITE_END()
