// Hardening tests that watch the process: graphs built and dropped leave nothing behind
// (nodes and heap bytes), and a writer killed mid-save never leaves a half-written file.
#include "file_helpers.hpp"
#include "helpers.hpp"

#include <xgrad/data/idx.hpp>
#include <xgrad/nn.hpp>
#include <xgrad/xgrad.hpp>

#include <boost/test/unit_test.hpp>

#include <malloc.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <memory>
#include <thread>
#include <unordered_set>

namespace xd = xgrad::data;
using namespace xgrad::test::files;

namespace {

// Every node reachable from `roots` through inputs and stored gradients, as weak pointers.
std::vector<std::weak_ptr<xgrad::Node>> reachable(const std::vector<xgrad::Tensor>& roots) {
    std::vector<std::weak_ptr<xgrad::Node>> out;
    std::unordered_set<const xgrad::Node*> seen;
    std::vector<std::shared_ptr<xgrad::Node>> stack;
    for (const auto& r : roots)
        if (r.defined()) stack.push_back(r.node());
    while (!stack.empty()) {
        std::shared_ptr<xgrad::Node> n = std::move(stack.back());
        stack.pop_back();
        if (!n || !seen.insert(n.get()).second) continue;
        out.push_back(n);
        for (const auto& in : n->inputs) stack.push_back(in);
        if (n->grad) stack.push_back(n->grad);
    }
    return out;
}

// A small MLP: params 8-16-4, a batch of 4, softmax cross-entropy against one-hot targets.
struct Mlp {
    xgrad::Tensor w1 = xgrad::parameter(xgrad::test::mixed({8, 16}, -0.5f, 0.5f), "w1");
    xgrad::Tensor b1 = xgrad::parameter(xgrad::Array::from_shape({16}) * 0.f, "b1");
    xgrad::Tensor w2 = xgrad::parameter(xgrad::test::mixed({16, 4}, -0.5f, 0.5f), "w2");
    xgrad::Tensor b2 = xgrad::parameter(xgrad::Array::from_shape({4}) * 0.f, "b2");
    xgrad::Tensor x = xgrad::constant(xgrad::test::mixed({4, 8}, -1.f, 1.f), "x");
    xgrad::Tensor y = xgrad::constant(xgrad::Array{{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}}, "y");

    std::vector<xgrad::Tensor> params() const { return {w1, b1, w2, b2}; }
    xgrad::Tensor loss() const {
        using namespace xgrad;
        const Tensor h = relu(matmul(x, w1) + b1);
        const Tensor logits = matmul(h, w2) + b2;
        return mean(-sum(y * log_softmax(logits), {1}));
    }
};

// Builds the graph, runs backward (optionally with a differentiable backward graph) and
// returns weak pointers to every node it made; the parameters' gradients are cleared after.
std::vector<std::weak_ptr<xgrad::Node>> one_step(const Mlp& m, bool create_graph) {
    const xgrad::Tensor loss = m.loss();
    loss.backward(false, create_graph);
    std::vector<xgrad::Tensor> roots = {loss};
    for (const auto& p : m.params()) roots.push_back(p.grad());
    auto nodes = reachable(roots);
    for (auto p : m.params()) p.zero_grad();
    return nodes;
}

std::size_t expired_count(const std::vector<std::weak_ptr<xgrad::Node>>& nodes, const Mlp& m) {
    std::size_t alive = 0;
    for (const auto& w : nodes) {
        const auto n = w.lock();
        if (!n) continue;
        bool is_input = false;
        for (const auto& t : {m.w1, m.b1, m.w2, m.b2, m.x, m.y}) is_input = is_input || t.node() == n;
        if (!is_input) ++alive;
    }
    return alive;
}

// Bytes malloc has handed out and not got back (glibc; 0 under ASan, whose LSan checks instead).
std::size_t heap_in_use() { return mallinfo2().uordblks; }

}  // namespace

namespace {

// After a killed save, the directory holds `target` and at most the writer's temporaries
// (`target.tmp.*`): checks that, removes them and returns how many there were.
int remove_temporaries(const fs::path& dir, const std::string& target) {
    int found = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        if (name == target) continue;
        BOOST_TEST(name.rfind(target + ".tmp.", 0) == 0u, "unexpected file " << name);
        ++found;
        fs::remove(entry.path());
    }
    return found;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(leaks)

// 10,000 forward+backward passes: every node but the inputs dies with its step, and the heap
// in use after the loop is what it was after a warm-up (a leak of even one node a step would
// be > 1 MB here).
BOOST_AUTO_TEST_CASE(graph_built_and_dropped_10000_times) {
    const Mlp m;
    std::size_t survivors = 0, nodes_per_step = 0;
    for (int i = 0; i < 100; ++i) one_step(m, false);  // warm-up: BLAS buffers, allocator caches
    const std::size_t heap_before = heap_in_use();
    for (int i = 0; i < 10000; ++i) {
        const auto nodes = one_step(m, false);
        nodes_per_step = nodes.size();
        survivors += expired_count(nodes, m);
    }
    const std::size_t heap_after = heap_in_use();
    BOOST_TEST(nodes_per_step > 10u);
    BOOST_TEST(survivors == 0u);
    BOOST_TEST_MESSAGE("heap in use: " << heap_before << " -> " << heap_after << " bytes");
    BOOST_TEST(heap_after <= heap_before + (256u << 10));
}

// With create_graph the gradients are graphs that reference the forward graph; clearing them
// must free both (a backward closure holding its own output would be a cycle and leak).
BOOST_AUTO_TEST_CASE(double_backward_graphs_are_freed) {
    const Mlp m;
    std::size_t survivors = 0, nodes_per_step = 0;
    for (int i = 0; i < 1000; ++i) {
        const auto nodes = one_step(m, true);
        nodes_per_step = nodes.size();
        survivors += expired_count(nodes, m);
    }
    BOOST_TEST(nodes_per_step > 20u);
    BOOST_TEST(survivors == 0u);
}

// A long chain of retained intermediate gradients is also released with the graph.
BOOST_AUTO_TEST_CASE(retained_grads_are_freed) {
    using namespace xgrad;
    const Tensor w = parameter(Array{1.f, 2.f}, "w");
    std::vector<std::weak_ptr<Node>> nodes;
    {
        Tensor t = w;
        for (int i = 0; i < 1000; ++i) {
            t = tanh(t) * 1.5f;
            t.retain_grad();
        }
        sum(t).backward();
        nodes = reachable({t, t.grad()});
    }
    w.node()->grad.reset();
    std::size_t alive = 0;
    for (const auto& n : nodes) alive += (!n.expired() && n.lock() != w.node()) ? 1 : 0;
    BOOST_TEST(nodes.size() > 2000u);
    BOOST_TEST(alive == 0u);
}

// The Keras-style loop (Sequential, RMSprop, fused softmax cross-entropy, fit): 2,000 more
// steps after a warm-up leave the heap where it was.
BOOST_AUTO_TEST_CASE(fit_steps_keep_the_heap_flat) {
    using namespace xgrad;
    nn::Sequential network;
    network.add(nn::Dense(16, "relu", 8));
    network.add(nn::Dense(4, "softmax"));
    network.compile("rmsprop", "categorical_crossentropy", {"accuracy"});
    const Array x = test::mixed({32, 8}, -1.f, 1.f);
    Array y = Array::from_shape({32, 4}) * 0.f;
    for (std::size_t r = 0; r < 32; ++r) y(r, r % 4) = 1.f;
    network.fit(x, y, {.epochs = 25, .batch_size = 8, .verbose = 0});  // 100 warm-up steps
    const std::size_t heap_before = heap_in_use();
    network.fit(x, y, {.epochs = 500, .batch_size = 8, .verbose = 0});
    const std::size_t heap_after = heap_in_use();
    BOOST_TEST_MESSAGE("heap in use around 2,000 fit steps: " << heap_before << " -> " << heap_after << " bytes");
    BOOST_TEST(heap_after <= heap_before + (256u << 10));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(atomic_save)

// A child process rewrites a 4 MB IDX file in a loop; the parent SIGKILLs it after a short
// delay (several rounds, raw and gzip). Whatever moment the kill hits, the target is a complete
// file with either the old or the new content, and nothing else but abandoned temporaries
// (target.tmp.*) is left next to it.
BOOST_AUTO_TEST_CASE(killed_writer_leaves_old_or_new_file) {
    TempDir dir;
    const std::string target = dir / "data.idx";
    const std::size_t n = 4u << 20;
    const Bytes old_content(n, 0x11), new_content(n, 0x22);
    int killed_mid_write = 0;
    for (int round = 0; round < 6; ++round) {
        const bool gz = round % 2 == 1;
        xd::write_idx(target, {n}, old_content, gz);
        const pid_t child = ::fork();
        BOOST_REQUIRE(child >= 0);
        if (child == 0) {
            try {
                for (;;) xd::write_idx(target, {n}, new_content, gz);
            } catch (...) {
            }
            ::_exit(3);  // never return into the test runner
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(15 + 10 * round));
        ::kill(child, SIGKILL);
        int status = 0;
        BOOST_REQUIRE(::waitpid(child, &status, 0) == child);
        BOOST_TEST((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL), "child exited on its own: " << status);

        const xd::IdxArray back = xd::read_idx(target);
        BOOST_TEST(back.dims == std::vector<std::size_t>{n}, boost::test_tools::per_element());
        BOOST_TEST((back.data == old_content || back.data == new_content), "round " << round << ": mixed content");
        killed_mid_write += remove_temporaries(dir.path, "data.idx");
    }
    BOOST_TEST_MESSAGE(killed_mid_write << " of 6 kills landed while a temporary was open");
}

namespace {

// A model with 1 MB of weights (a save takes a while), every weight set to `v`.
xgrad::nn::Sequential filled_model(float v) {
    xgrad::nn::Sequential m;
    m.add(xgrad::nn::Dense(256, "relu", 1024));
    m.add(xgrad::nn::Dense(10, "softmax"));
    for (auto p : m.parameters()) p.data().fill(v);
    return m;
}

// A child process saves the model (weights 2) over `target` (weights 1) in a loop with `save`
// and is killed mid-way, several times; each time `load` must read a complete file back (CRC
// checked) holding either the old or the new weights, and nothing but abandoned temporaries
// (target.tmp.*) may be left next to it.
void check_killed_saves(const std::string& target_name,
                        const std::function<void(const xgrad::nn::Sequential&, const std::string&)>& save,
                        const std::function<std::shared_ptr<xgrad::nn::Model>(const std::string&)>& load) {
    TempDir dir;
    const std::string target = dir / target_name;
    int killed_mid_write = 0;
    for (int round = 0; round < 4; ++round) {
        save(filled_model(1.f), target);
        const pid_t child = ::fork();
        BOOST_REQUIRE(child >= 0);
        if (child == 0) {
            try {
                const auto model = filled_model(2.f);
                for (;;) save(model, target);
            } catch (...) {
            }
            ::_exit(3);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20 + 10 * round));
        ::kill(child, SIGKILL);
        int status = 0;
        BOOST_REQUIRE(::waitpid(child, &status, 0) == child);
        BOOST_TEST((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL), "child exited on its own: " << status);

        std::shared_ptr<xgrad::nn::Model> back;
        BOOST_REQUIRE_NO_THROW(back = load(target));
        const float first = back->parameters().front().value().data()[0];
        BOOST_TEST((first == 1.f || first == 2.f));
        for (const auto& p : back->parameters())
            for (float v : p.value()) BOOST_REQUIRE_MESSAGE(v == first, "round " << round << ": mixed weights");
        killed_mid_write += remove_temporaries(dir.path, target_name);
    }
    BOOST_TEST_MESSAGE(target_name << ": " << killed_mid_write << " of 4 kills landed while a temporary was open");
}

}  // namespace

// The same for Model::save_weights: the file then loads into the same architecture.
BOOST_AUTO_TEST_CASE(killed_weights_writer_leaves_old_or_new_file) {
    check_killed_saves(
        "model.wts", [](const xgrad::nn::Sequential& m, const std::string& path) { m.save_weights(path); },
        [](const std::string& path) {
            auto m = std::make_shared<xgrad::nn::Sequential>(filled_model(0.f));
            m->load_weights(path);
            return std::shared_ptr<xgrad::nn::Model>(m);
        });
}

// And for Model::save: the file then loads as a whole model (load_model).
BOOST_AUTO_TEST_CASE(killed_model_writer_leaves_old_or_new_file) {
    check_killed_saves(
        "model.xgrad", [](const xgrad::nn::Sequential& m, const std::string& path) { m.save(path); },
        [](const std::string& path) { return xgrad::train::load_model(path); });
}

BOOST_AUTO_TEST_SUITE_END()
