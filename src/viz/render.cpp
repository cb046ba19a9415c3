// Rendering through libgvc in-process. Graphviz keeps global state (error handler, lexer),
// so renders are serialised; its C API takes char*, so strings are copied into buffers.
#include "xgrad/viz/render.hpp"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>

namespace xgrad::viz {

namespace {

std::mutex g_graphviz;
std::string* g_messages = nullptr;  // guarded by g_graphviz

int collect_message(char* text) {
    if (g_messages && text) *g_messages += text;
    return 0;
}

std::vector<char> c_string(const std::string& s) {
    std::vector<char> buf(s.begin(), s.end());
    buf.push_back('\0');
    return buf;
}

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s.empty() ? "no message from Graphviz" : s;
}

// Owns the Graphviz objects of one render and routes its messages into `messages`.
class Session {
public:
    explicit Session(std::string& messages) : lock_(g_graphviz) {
        g_messages = &messages;
        previous_ = agseterrf(collect_message);
        gvc_ = gvContext();
    }
    ~Session() {
        if (graph_) {
            if (laid_out_) gvFreeLayout(gvc_, graph_);
            agclose(graph_);
        }
        if (gvc_) gvFreeContext(gvc_);
        agseterrf(previous_);
        g_messages = nullptr;
    }
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    GVC_t* gvc_ = nullptr;
    Agraph_t* graph_ = nullptr;
    bool laid_out_ = false;

private:
    std::lock_guard<std::mutex> lock_;
    agusererrf previous_ = nullptr;
};

void remove_quietly(const std::string& path) {
    std::error_code ec;
    std::filesystem::remove(path, ec);
}

}  // namespace

void render(const std::string& dot, const std::string& path) {
    namespace fs = std::filesystem;
    const fs::path p(path);
    std::string ext = p.extension().string();
    for (auto& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (ext != ".svg" && ext != ".png" && ext != ".pdf" && ext != ".dot") {
        throw ValueError("render: cannot tell the format of '" + path + "' from its extension '" + ext +
                         "': use .svg, .png, .pdf or .dot");
    }
    const fs::path dir = p.parent_path();
    std::error_code ec;
    if (!dir.empty() && !fs::is_directory(dir, ec)) {
        throw IoError("render: cannot write '" + path + "': directory '" + dir.string() + "' does not exist");
    }
    const std::string tmp = path + ".tmp";

    if (ext == ".dot") {
        std::ofstream out(tmp, std::ios::binary);
        out << dot;
        out.close();
        if (!out) {
            remove_quietly(tmp);
            throw IoError("render: cannot write '" + tmp + "': " + std::strerror(errno));
        }
    } else {
        std::string messages;
        Session s(messages);
        if (!s.gvc_) throw IoError("render: Graphviz could not start (gvContext failed)");
        std::vector<char> text = c_string(dot);
        s.graph_ = agmemread(text.data());
        if (!s.graph_) {
            throw ValueError("render: Graphviz rejected the DOT text: " + trimmed(messages));
        }
        std::vector<char> engine = c_string("dot");
        if (gvLayout(s.gvc_, s.graph_, engine.data()) != 0) {
            throw ValueError("render: Graphviz could not lay out the graph: " + trimmed(messages));
        }
        s.laid_out_ = true;
        std::vector<char> format = c_string(ext.substr(1));
        std::vector<char> file = c_string(tmp);
        if (gvRenderFilename(s.gvc_, s.graph_, format.data(), file.data()) != 0) {
            remove_quietly(tmp);
            throw IoError("render: cannot write '" + path + "' as " + ext.substr(1) + ": " + trimmed(messages));
        }
    }
    // The renderer may report success yet leave nothing (a missing plugin, say).
    if (!fs::exists(tmp, ec) || fs::file_size(tmp, ec) == 0) {
        remove_quietly(tmp);
        throw IoError("render: Graphviz wrote nothing to '" + tmp + "'");
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        const std::string why = std::strerror(errno);
        remove_quietly(tmp);
        throw IoError("render: cannot rename '" + tmp + "' to '" + path + "': " + why);
    }
}

void save_diagram(const Tensor& root, const std::string& path, const DotOptions& options) {
    render(to_dot(root, options), path);
}

}  // namespace xgrad::viz
