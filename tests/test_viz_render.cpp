// Rendering through libgvc: SVG is well-formed XML with the labels, PNG and PDF have their
// signatures, errors are ValueError/IoError naming the problem, nothing is left half-written.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>
#include <xgrad/viz.hpp>

#include "helpers.hpp"

using namespace xgrad;
using xgrad::test::has_message;
namespace fs = std::filesystem;

namespace {

// A fresh directory per test, removed afterwards.
struct TempDir {
    fs::path path;
    TempDir() {
        static int counter = 0;
        path = fs::temp_directory_path() /
               ("xgrad_test_viz_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
        fs::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::string operator/(const std::string& name) const { return (path / name).string(); }
};

std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Minimal XML well-formedness: a prolog or <svg> first, every tag closed in order.
bool well_formed_xml(const std::string& s, std::string& why) {
    if (s.rfind("<?xml", 0) != 0 && s.rfind("<svg", 0) != 0) {
        why = "does not start with <?xml or <svg";
        return false;
    }
    std::vector<std::string> open;
    std::size_t i = 0;
    while ((i = s.find('<', i)) != std::string::npos) {
        if (s.compare(i, 4, "<!--") == 0) {
            i = s.find("-->", i);
            if (i == std::string::npos) return why = "unclosed comment", false;
            continue;
        }
        std::size_t j = i + 1;
        char quote = 0;
        for (; j < s.size(); ++j) {  // '>' inside a quoted attribute does not end the tag
            if (quote) {
                if (s[j] == quote) quote = 0;
            } else if (s[j] == '"' || s[j] == '\'') {
                quote = s[j];
            } else if (s[j] == '>') {
                break;
            }
        }
        if (j >= s.size()) return why = "unterminated tag", false;
        const std::string tag = s.substr(i + 1, j - i - 1);
        i = j + 1;
        if (tag.empty() || tag[0] == '?' || tag[0] == '!' || tag.back() == '/') continue;
        const std::string name = tag.substr(tag[0] == '/', tag.find_first_of(" \t\n") - (tag[0] == '/'));
        if (tag[0] != '/') {
            open.push_back(name);
        } else if (open.empty() || open.back() != name) {
            return why = "</" + name + "> closes <" + (open.empty() ? "" : open.back()) + ">", false;
        } else {
            open.pop_back();
        }
    }
    if (!open.empty()) return why = "<" + open.back() + "> never closed", false;
    return true;
}

Tensor layer_graph() {
    Tensor x = constant(Array{{1.f, 2.f}}, "x");
    NameScope scope("dense_1");
    Tensor w = parameter(Array{{0.5f, -1.f}, {1.5f, 0.25f}}, "kernel");
    return relu(matmul(x, w));
}

bool leftovers(const fs::path& dir) {
    for (const auto& e : fs::directory_iterator(dir)) {
        if (e.path().extension() == ".tmp") return true;
    }
    return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(viz_render)

BOOST_AUTO_TEST_CASE(svg_is_well_formed_and_has_the_labels) {
    TempDir dir;
    Tensor y = layer_graph();
    const std::string path = dir / "graph.svg";
    viz::save_diagram(y, path);
    const std::string svg = read_bytes(path);
    std::string why;
    BOOST_TEST(well_formed_xml(svg, why), why);
    BOOST_TEST(svg.find(">dense_1</text>") != std::string::npos);  // cluster label
    BOOST_TEST(svg.find(">kernel</text>") != std::string::npos);
    BOOST_TEST(svg.find(">matmul</text>") != std::string::npos);
    BOOST_TEST(svg.find(">(1x2)</text>") != std::string::npos);
    BOOST_TEST(!leftovers(dir.path));
    // The checker itself catches broken XML.
    BOOST_TEST(!well_formed_xml("<?xml version=\"1.0\"?><svg><g></svg>", why));
    BOOST_TEST(!well_formed_xml("<html></html>", why));
}

BOOST_AUTO_TEST_CASE(escaped_labels_render) {
    TempDir dir;
    Tensor p = parameter(Array{1.f}, "a{b}|<c> \"q\" back\\slash");
    Tensor y = p * 2.f;
    y.set_label("end\\");
    viz::save_diagram(y, dir / "escaped.svg");
    const std::string svg = read_bytes(dir / "escaped.svg");
    std::string why;
    BOOST_TEST(well_formed_xml(svg, why), why);
    BOOST_TEST(svg.find("a{b}|&lt;c&gt; &quot;q&quot; back\\slash") != std::string::npos, svg);
}

BOOST_AUTO_TEST_CASE(png_pdf_and_dot_formats) {
    TempDir dir;
    Tensor y = layer_graph();
    viz::DotOptions o;
    o.collapse_layers = true;
    const std::string dot = viz::to_dot(y, o);
    viz::render(dot, dir / "g.png");
    BOOST_TEST(read_bytes(dir / "g.png").rfind("\x89PNG\r\n\x1a\n", 0) == 0);
    viz::render(dot, dir / "g.PDF");
    BOOST_TEST(read_bytes(dir / "g.PDF").rfind("%PDF", 0) == 0);
    viz::render(dot, dir / "g.dot");
    BOOST_TEST(read_bytes(dir / "g.dot") == dot);
    viz::render(viz::backward_to_dot(sum(y)), dir / "back.svg");
    BOOST_TEST(read_bytes(dir / "back.svg").find("dL/dkernel") != std::string::npos);
    BOOST_TEST(!leftovers(dir.path));
}

BOOST_AUTO_TEST_CASE(bad_dot_is_a_value_error_and_graphviz_recovers) {
    TempDir dir;
    BOOST_CHECK_EXCEPTION(viz::render("digraph { a -> ; }", dir / "bad.svg"), ValueError,
                          has_message("render: Graphviz rejected the DOT text: "));
    BOOST_CHECK_EXCEPTION(viz::render("digraph { a -> ; }", dir / "bad.svg"), ValueError, has_message("syntax error"));
    BOOST_CHECK_EXCEPTION(viz::render("", dir / "empty.svg"), ValueError, has_message("render: Graphviz rejected"));
    BOOST_TEST(!fs::exists(dir / "bad.svg"));
    BOOST_TEST(!leftovers(dir.path));
    viz::render("digraph { a -> b; }", dir / "good.svg");  // the parser is usable again
    BOOST_TEST(read_bytes(dir / "good.svg").find(">b</text>") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(missing_directory_and_unknown_format) {
    TempDir dir;
    const std::string missing = dir / "no/such/dir/g.svg";
    BOOST_CHECK_EXCEPTION(viz::render("digraph { a; }", missing), IoError,
                          has_message("render: cannot write '" + missing + "': directory '"));
    BOOST_CHECK_EXCEPTION(viz::render("digraph { a; }", dir / "g.jpeg"), ValueError,
                          has_message("extension '.jpeg': use .svg, .png, .pdf or .dot"));
    BOOST_CHECK_EXCEPTION(viz::render("digraph { a; }", dir / "noext"), ValueError, has_message("extension ''"));
    // A path that is a directory cannot be replaced by the rename.
    fs::create_directories(dir / "taken.svg");
    BOOST_CHECK_EXCEPTION(viz::render("digraph { a; }", dir / "taken.svg"), IoError, has_message("taken.svg"));
    BOOST_TEST(!leftovers(dir.path));
}

BOOST_AUTO_TEST_CASE(existing_file_is_replaced_whole) {
    TempDir dir;
    const std::string path = dir / "g.svg";
    std::ofstream(path) << "old";
    viz::render("digraph { first; }", path);
    viz::render("digraph { second; }", path);
    const std::string svg = read_bytes(path);
    BOOST_TEST(svg.find(">second</text>") != std::string::npos);
    BOOST_TEST(svg.find("first") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
