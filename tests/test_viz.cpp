// DOT export: golden files (renumbered ids), clusters, collapsed layers, colouring, guards,
// and the gradient graph of backward_to_dot.
#include <fstream>
#include <sstream>
#include <xgrad/viz.hpp>

#include "helpers.hpp"
#include "source_tree.hpp"

using namespace xgrad;
using xgrad::test::has_message;

namespace {

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Compares with tests/golden/<name>.dot; XGRAD_UPDATE_GOLDEN=1 rewrites the file instead
// (review the diff before committing it).
void check_golden(const std::string& name, const std::string& dot) {
    const std::string path = xgrad::test::test_dir() + "/golden/" + name + ".dot";
    if (const char* up = std::getenv("XGRAD_UPDATE_GOLDEN"); up && std::string(up) == "1") {
        std::ofstream(path, std::ios::binary) << dot;
    }
    const std::string expected = read_text(path);
    BOOST_TEST(!expected.empty(), "missing golden file " << path);
    BOOST_TEST(dot == expected, "DOT differs from " << path << ":\n" << dot);
}

// The DOT line that declares node `id` ("  n7 [...").
std::string node_line(const std::string& dot, const std::string& id) {
    const auto p = dot.find("  " + id + " [");
    if (p == std::string::npos) return "";
    return dot.substr(p, dot.find('\n', p) - p);
}

std::string n(const Tensor& t) { return std::string("n").append(std::to_string(t.id())); }

viz::DotOptions renumbered() {
    viz::DotOptions o;
    o.renumber = true;
    return o;
}

// y = sum(a*a + b): a used twice, b a constant.
Tensor small_graph(Tensor& a) {
    a = parameter(Array{1.f, -2.f, 3.f}, "a");
    Tensor b = constant(Array{4.f, 5.f, 6.f}, "b");
    Tensor y = sum(a * a + b);
    y.set_label("y");
    return y;
}

// A dense layer in scope "dense_1" and a loss outside it.
Tensor scoped_graph() {
    Tensor x = constant(Array{{1.f, 2.f}}, "x");
    Tensor loss;
    {
        NameScope scope("dense_1");
        Tensor w = parameter(Array{{0.5f, -1.f, 2.f}, {1.5f, 0.25f, -0.5f}}, "kernel");
        Tensor b = parameter(Array{0.1f, 0.2f, 0.3f}, "bias");
        Tensor h = relu(matmul(x, w) + b);
        loss = h;
    }
    loss = sum(loss);
    loss.set_label("loss");
    return loss;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(viz_dot)

BOOST_AUTO_TEST_CASE(golden_small_forward_graph) {
    Tensor a;
    Tensor y = small_graph(a);
    y.backward();
    check_golden("small_forward", viz::to_dot(y, renumbered()));
}

BOOST_AUTO_TEST_CASE(golden_scoped_expanded_and_collapsed) {
    Tensor loss = scoped_graph();
    check_golden("scoped_expanded", viz::to_dot(loss, renumbered()));
    viz::DotOptions o = renumbered();
    o.collapse_layers = true;
    o.rankdir = "LR";
    check_golden("scoped_collapsed", viz::to_dot(loss, o));
}

BOOST_AUTO_TEST_CASE(golden_escaped_labels) {
    Tensor p = parameter(Array{1.f}, "a{b}|<c> \"q\" back\\slash");
    Tensor y = p * 2.f;
    y.set_label("end\\");
    check_golden("escaped", viz::to_dot(y, renumbered()));
    const std::string dot = viz::to_dot(y, renumbered());
    BOOST_TEST(dot.find(R"(a\{b\}\|\<c\> \"q\" back\\slash)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(same_graph_same_bytes_and_ids_from_tensor_ids) {
    Tensor a;
    Tensor y = small_graph(a);
    const std::string first = viz::to_dot(y);
    BOOST_TEST(first == viz::to_dot(y));
    BOOST_TEST(!node_line(first, n(a)).empty());
    BOOST_TEST(!node_line(first, n(y)).empty());
    BOOST_TEST(first.find(n(y) + "_op -> " + n(y) + ";") != std::string::npos);
    // Renumbering gives the same text for a second, identical graph made later.
    Tensor a2;
    Tensor y2 = small_graph(a2);
    BOOST_TEST(viz::to_dot(y, renumbered()) == viz::to_dot(y2, renumbered()));
    BOOST_TEST(viz::to_dot(y) != viz::to_dot(y2));
}

BOOST_AUTO_TEST_CASE(a_times_a_draws_two_labelled_edges) {
    Tensor a = parameter(Array{3.f}, "a");
    Tensor y = a * a;
    const std::string dot = viz::to_dot(y);
    const std::string op = n(y) + "_op";
    BOOST_TEST(dot.find(n(a) + " -> " + op + " [label=\"0\"];") != std::string::npos);
    BOOST_TEST(dot.find(n(a) + " -> " + op + " [label=\"1\"];") != std::string::npos);
    // A one-input op gets an unlabelled edge.
    Tensor z = exp(a);
    BOOST_TEST(viz::to_dot(z).find(n(a) + " -> " + n(z) + "_op;") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(kinds_have_distinct_styles_and_a_legend) {
    Tensor a;
    Tensor y = small_graph(a);
    const std::string dot = viz::to_dot(y);
    const std::string param = node_line(dot, n(a)), out = node_line(dot, n(y));
    BOOST_TEST(param.find("fillcolor=\"#fdd49e\"") != std::string::npos);
    BOOST_TEST(out.find("shape=Mrecord") != std::string::npos);
    BOOST_TEST(out.find("fillcolor=\"#c7e9c0\"") != std::string::npos);
    BOOST_TEST(dot.find("subgraph cluster_xgrad_legend") != std::string::npos);
    BOOST_TEST(dot.find("label=\"parameter\"") != std::string::npos);
    BOOST_TEST(dot.find("label=\"input / constant\"") != std::string::npos);
    viz::DotOptions o;
    o.legend = false;
    BOOST_TEST(viz::to_dot(y, o).find("legend") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(values_grads_and_summaries) {
    Tensor a;
    Tensor y = small_graph(a);
    BOOST_TEST(node_line(viz::to_dot(y), n(a)).find("grad") == std::string::npos);  // no backward yet
    y.backward();
    std::string line = node_line(viz::to_dot(y), n(a));
    BOOST_TEST(line.find("value [1, -2, 3]") != std::string::npos);
    BOOST_TEST(line.find("grad [2, -4, 6]") != std::string::npos);
    viz::DotOptions o;
    o.gradients[a.id()] = Array{7.f, 8.f, 9.f};
    BOOST_TEST(node_line(viz::to_dot(y, o), n(a)).find("grad [7, 8, 9]") != std::string::npos);
    o.show_values = false;
    o.show_grads = false;
    line = node_line(viz::to_dot(y, o), n(a));
    BOOST_TEST(line.find("value") == std::string::npos);
    BOOST_TEST(line.find("grad") == std::string::npos);
    o = {};
    o.max_value_elements = 2;
    BOOST_TEST(node_line(viz::to_dot(y, o), n(a)).find("value min -2, max 3, mean 0.6667") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(scopes_become_nested_clusters) {
    Tensor loss = scoped_graph();
    std::string dot = viz::to_dot(loss);
    BOOST_TEST(dot.find("subgraph cluster_dense_1 {\n    label=\"dense_1\";") != std::string::npos);
    viz::DotOptions o;
    o.clusters = false;
    BOOST_TEST(viz::to_dot(loss, o).find("cluster_dense_1") == std::string::npos);

    Tensor x = parameter(Array{1.f, 2.f}, "x");
    Tensor y;
    {
        NameScope outer("model");
        NameScope inner("dense_1");
        y = x * 2.f;
    }
    dot = viz::to_dot(sum(y));
    const auto outer_at = dot.find("subgraph cluster_model {");
    const auto inner_at = dot.find("subgraph cluster_model_dense_1 {");
    BOOST_TEST(outer_at != std::string::npos);
    BOOST_TEST(inner_at > outer_at);
    BOOST_TEST(dot.find("label=\"dense_1\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(collapse_layers_draws_one_box_per_scope) {
    Tensor x = constant(Array{{1.f, 2.f}}, "x");
    // A parameter made outside the scope, named like the layer: counted as the layer's.
    Tensor w = parameter(Array{{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}}, "dense_1.kernel");
    Tensor h;
    {
        NameScope scope("dense_1");
        Tensor b = parameter(Array{0.f, 0.f, 0.f}, "bias");
        h = relu(matmul(x, w) + b);
    }
    Tensor w2 = parameter(test::column({1.f, 1.f, 1.f}), "w2");
    Tensor out;
    {
        NameScope scope("dense_2");
        out = matmul(h, w2);
    }
    viz::DotOptions o;
    o.collapse_layers = true;
    const std::string dot = viz::to_dot(out, o);
    const std::string box = node_line(dot, "layer_dense_1");
    BOOST_TEST(box.find("dense_1|input (1x2)|output (1x3)|params 9") != std::string::npos, box);
    BOOST_TEST(node_line(dot, "layer_dense_2").find("params 0") != std::string::npos);  // w2 has no scope
    BOOST_TEST(node_line(dot, n(w)).empty());  // absorbed into the box
    BOOST_TEST(!node_line(dot, n(x)).empty());
    BOOST_TEST(dot.find(n(x) + " -> layer_dense_1 [label=\"(1x2)\"];") != std::string::npos);
    BOOST_TEST(dot.find("layer_dense_1 -> layer_dense_2 [label=\"(1x3)\"];") != std::string::npos);
    BOOST_TEST(dot.find("cluster_dense_1") == std::string::npos);

    const std::string model = viz::model_dot(out);
    BOOST_TEST(model.find("layer_dense_1") != std::string::npos);
    BOOST_TEST(model.find("value") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(collapsed_boxes_sit_in_the_cluster_of_their_enclosing_scope) {
    // "block" has a sub-layer "block/dense_1" and an op of its own; "head" is a layer alone.
    Tensor x = constant(Array{{1.f, 2.f}}, "x");
    Tensor y;
    {
        NameScope block("block");
        Tensor h;
        {
            NameScope inner("dense_1");
            h = relu(x * parameter(Array{1.f, 2.f}, "kernel"));
        }
        y = h + x;
    }
    Tensor top;
    {
        NameScope head("head");
        top = exp(y);
    }
    viz::DotOptions o;
    o.collapse_layers = true;
    const std::string dot = viz::to_dot(sum(top), o);
    const auto at = dot.find("\n  subgraph cluster_block {\n    label=\"block\"; style=\"rounded,dashed\"");
    BOOST_TEST_REQUIRE(at != std::string::npos, dot);
    const std::string body = dot.substr(at, dot.find("\n  }\n", at) - at);
    BOOST_TEST(body.find("\n    layer_block [") != std::string::npos, body);  // the block's own ops
    BOOST_TEST(body.find("\n    layer_block_dense_1 [") != std::string::npos, body);
    BOOST_TEST(body.find("layer_head") == std::string::npos, body);
    BOOST_TEST(dot.find("\n  layer_head [") != std::string::npos, dot);  // a layer alone: no cluster
    std::size_t clusters = 0;
    for (auto p = dot.find("subgraph cluster_"); p != std::string::npos; p = dot.find("subgraph cluster_", p + 1)) ++clusters;
    BOOST_TEST(clusters == 2u, dot);  // block and the legend
    o.clusters = false;
    const std::string flat = viz::to_dot(sum(top), o);
    BOOST_TEST(flat.find("cluster_block") == std::string::npos, flat);
    BOOST_TEST(flat.find("\n  layer_block_dense_1 [") != std::string::npos, flat);
}

BOOST_AUTO_TEST_CASE(highlight_nodes_and_edges) {
    Tensor a = parameter(Array{1.f}, "a");
    Tensor b = exp(a);
    Tensor c = b * 2.f;
    viz::DotOptions o;
    o.highlight = {b.id()};
    o.highlight_edges = {{b.id(), c.id()}};
    const std::string dot = viz::to_dot(c, o);
    BOOST_TEST(node_line(dot, n(b)).find("color=\"#d62728\", penwidth=3") != std::string::npos);
    BOOST_TEST(node_line(dot, n(b) + "_op").find("penwidth=3") != std::string::npos);
    BOOST_TEST(node_line(dot, n(a)).find("penwidth") == std::string::npos);
    BOOST_TEST(dot.find(n(b) + " -> " + n(c) + "_op [label=\"0\", color=\"#d62728\", penwidth=3];") !=
               std::string::npos);
    BOOST_TEST(dot.find(n(a) + " -> " + n(b) + "_op;") != std::string::npos);  // not highlighted
    o.highlight_edges = {{c.id(), b.id()}};  // reversed order is accepted
    BOOST_TEST(viz::to_dot(c, o).find(n(b) + " -> " + n(c) + "_op [label=\"0\", color=") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(color_by_grad_gives_the_largest_gradient_the_strongest_colour) {
    Tensor small = parameter(Array{1.f}, "small");
    Tensor mid = parameter(Array{1.f}, "mid");
    Tensor big = parameter(Array{1.f}, "big");
    Tensor y = small * 0.001f + mid * 0.1f + big * 100.f;
    y.backward();
    viz::DotOptions o;
    o.color_by_grad = true;
    const std::string dot = viz::to_dot(y, o);
    BOOST_TEST(node_line(dot, n(big)).find("fillcolor=\"#a50f15\"") != std::string::npos);
    BOOST_TEST(node_line(dot, n(small)).find("fillcolor=\"#fff5f0\"") != std::string::npos);
    const std::string m = node_line(dot, n(mid));
    BOOST_TEST(m.find("#a50f15") == std::string::npos);
    BOOST_TEST(m.find("#fff5f0") == std::string::npos);
    BOOST_TEST(dot.find("|grad| 0.001") != std::string::npos);
    BOOST_TEST(dot.find("|grad| 1e+02") != std::string::npos);
    // Moving the biggest gradient moves the strongest colour.
    o.gradients[small.id()] = Array{1e6f};
    BOOST_TEST(node_line(viz::to_dot(y, o), n(small)).find("fillcolor=\"#a50f15\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(size_guard_suggests_collapse) {
    Tensor x = parameter(Array{1.f}, "x");
    Tensor t = x;
    for (int i = 0; i < 300; ++i) t = neg(t);  // 1 leaf + 300 (tensor, op) pairs = 601 nodes
    BOOST_CHECK_EXCEPTION(viz::to_dot(t), ValueError,
                          has_message("to_dot: graph has 601 nodes (limit 500): pass collapse_layers = true or raise max_nodes"));
    viz::DotOptions o;
    o.max_nodes = 601;
    BOOST_TEST(!viz::to_dot(t, o).empty());
    o.max_nodes = 10;
    o.collapse_layers = true;
    BOOST_CHECK_EXCEPTION(viz::to_dot(t, o), ValueError, has_message("collapse_layers is already on"));
}

BOOST_AUTO_TEST_CASE(bad_options_and_roots) {
    Tensor a;
    Tensor y = small_graph(a);
    viz::DotOptions o;
    o.rankdir = "BT";
    BOOST_CHECK_EXCEPTION(viz::to_dot(y, o), ValueError, has_message("to_dot: rankdir must be \"TB\" or \"LR\", got \"BT\""));
    BOOST_CHECK_EXCEPTION(viz::to_dot(Tensor()), ValueError, has_message("to_dot: root 0 is an undefined tensor"));
    BOOST_CHECK_EXCEPTION(viz::to_dot(std::vector<Tensor>{}), ValueError, has_message("to_dot: no root tensors"));
    // Several roots are all outputs.
    Tensor z = exp(a);
    const std::string dot = viz::to_dot(std::vector<Tensor>{y, z});
    BOOST_TEST(node_line(dot, n(z)).find("#c7e9c0") != std::string::npos);
    BOOST_TEST(node_line(dot, n(y)).find("#c7e9c0") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(viz_backward)

BOOST_AUTO_TEST_CASE(golden_small_backward_graph) {
    Tensor a;
    Tensor y = small_graph(a);
    check_golden("small_backward", viz::backward_to_dot(y, renumbered()));
}

BOOST_AUTO_TEST_CASE(tensor_used_twice_shows_accumulation) {
    Tensor a = parameter(Array{3.f}, "a");
    Tensor y = a * a;
    const std::string dot = viz::backward_to_dot(y);
    BOOST_TEST(dot.find("label=\"+=\"") != std::string::npos);
    BOOST_TEST(dot.find("dL/da|(1)|value [6]") != std::string::npos, dot);  // 2a at a = 3
    BOOST_TEST(dot.find("dL/da part via mul[0]") != std::string::npos);
    // Used once: nothing to accumulate.
    Tensor z = exp(a);
    BOOST_TEST(viz::backward_to_dot(z).find("+=") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(broadcast_add_shows_the_reduction) {
    Tensor x = constant(Array{{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}}, "x");
    Tensor b = parameter(Array{0.1f, 0.2f, 0.3f}, "b");
    Tensor loss = sum(x + b);
    const std::string dot = viz::backward_to_dot(loss);
    BOOST_TEST(dot.find("label=\"sum over axis 0\"") != std::string::npos);
    BOOST_TEST(dot.find("dL/db|(3)|value [2, 2, 2]") != std::string::npos, dot);
    Tensor m = parameter(Array(Array::shape_type{1, 1}, 1.f), "m");  // (1x1) + (2x3): both axes summed
    BOOST_TEST(viz::backward_to_dot(sum(x + m)).find("sum over axes 0, 1") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(user_gradients_stay_untouched) {
    Tensor a = parameter(Array{2.f}, "a");
    Tensor h = a * 3.f;
    h.retain_grad();
    Tensor y = h * h;
    viz::backward_to_dot(y);
    BOOST_TEST(!a.grad().defined());
    BOOST_TEST(!h.grad().defined());
    y.backward(/*retain_graph=*/true);
    BOOST_TEST(a.grad().item() == 36.f);  // the graph is still usable: d(9a²)/da = 18a
    viz::backward_to_dot(y);
    BOOST_TEST(a.grad().item() == 36.f);
    BOOST_TEST(h.grad().item() == 12.f);
}

BOOST_AUTO_TEST_CASE(gradient_nodes_sit_in_the_scope_of_their_forward_op) {
    Tensor loss = scoped_graph();
    const std::string dot = viz::backward_to_dot(loss);
    const auto cluster = dot.find("subgraph cluster_dense_1 {");
    BOOST_TEST(cluster != std::string::npos);
    const auto kernel = dot.find("label=\"{dL/dkernel|");
    BOOST_TEST(kernel > cluster);
    BOOST_TEST(dot.find("label=\"{x|") != std::string::npos);  // matmul's backward reads the forward x
}

BOOST_AUTO_TEST_CASE(backward_errors_name_the_loss) {
    Tensor w = parameter(Array{1.f, 2.f}, "w");
    BOOST_CHECK_EXCEPTION(viz::backward_to_dot(w * 2.f), ValueError,
                          has_message("backward_to_dot: loss (2 'mul') is not a one-element tensor"));
    BOOST_CHECK_EXCEPTION(viz::backward_to_dot(constant(Array{1.f}, "c")), ValueError,
                          has_message("backward_to_dot: loss (1 'c') does not require grad"));
    BOOST_CHECK_EXCEPTION(viz::backward_to_dot(Tensor()), ValueError, has_message("backward_to_dot: loss is an undefined"));
    Tensor freed = sum(w * w);
    freed.backward();
    BOOST_CHECK_EXCEPTION(viz::backward_to_dot(freed), GraphError,
                          has_message("backward_to_dot: the graph of (scalar 'sum') was freed by an earlier backward()"));
    Tensor t = w;
    for (int i = 0; i < 100; ++i) t = t * 1.f;
    viz::DotOptions o;
    o.max_nodes = 50;
    BOOST_CHECK_EXCEPTION(viz::backward_to_dot(sum(t), o), ValueError, has_message("backward_to_dot: graph has"));
}

BOOST_AUTO_TEST_SUITE_END()
