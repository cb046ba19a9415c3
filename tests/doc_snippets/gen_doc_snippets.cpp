// gen_doc_snippets: turns the ```cpp blocks of one Markdown file into a C++ file that the test
// build compiles, so a block that no longer matches the API breaks `scripts/test.sh` with the
// document's own file and line in the message (#line).
//
//   gen_doc_snippets OUT.cpp NAME DOC.md    (NAME: the path printed in messages, e.g. docs/models.md)
//
// A block's lines at brace depth 0 that start a class, struct, enum, template or function
// definition go to namespace scope (in document order, so a later block sees an earlier block's
// classes); every other line goes into a function of its own, one per block, which is compiled
// but never called. Hidden lines, written as HTML comments (invisible on the rendered page):
//
//   <!-- snippet-setup           once per document, namespace scope as written, before every
//   using namespace xgrad;        block: e.g. the using-directive the text assumes
//   -->
//   <!-- snippet                 right before a block: lines that run before it, e.g. the
//   xgrad::Array x, y;            variables the text declared elsewhere
//   -->
//   <!-- snippet: skip WHY -->   right before a block that is not C++ on its own (pseudo-code)
//
// Exit status 1, with a message naming the file and line, for a directive not followed by a
// ```cpp block, an unterminated comment or block, or a skip without a reason.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Line {
    int number;  // 1-based line in the document
    std::string text;
};

struct Block {
    int fence_line = 0;        // the ```cpp line
    std::vector<Line> hidden;  // <!-- snippet ... --> lines
    std::vector<Line> code;
};

[[noreturn]] void fail(const std::string& where, int line, const std::string& what) {
    std::cerr << where << ":" << line << ": gen_doc_snippets: " << what << "\n";
    std::exit(1);
}

std::string trim_left(const std::string& s) {
    const auto p = s.find_first_not_of(" \t");
    return p == std::string::npos ? std::string() : s.substr(p);
}

std::string trim(const std::string& s) {
    std::string t = trim_left(s);
    const auto p = t.find_last_not_of(" \t\r");
    return p == std::string::npos ? std::string() : t.substr(0, p + 1);
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

// The line without a trailing // comment and without string and character literals' contents,
// so braces and parentheses inside them are not counted.
std::string code_only(const std::string& s) {
    std::string out;
    char quote = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (quote) {
            if (c == '\\') ++i;
            else if (c == quote) { quote = 0; out += c; }
            continue;
        }
        if (c == '"' || c == '\'') { quote = c; out += c; continue; }
        if (c == '/' && i + 1 < s.size() && s[i + 1] == '/') break;
        out += c;
    }
    return trim(out);
}

int brace_change(const std::string& code) {
    int d = 0;
    for (char c : code) d += (c == '{') - (c == '}');
    return d;
}

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// A function definition's first line: "type name(...) ... {" or "... }" with a return type
// before the name (no '=', no call chain, no keyword first), e.g. "Tensor dense(const Tensor& x) {".
bool starts_function(const std::string& code) {
    const auto paren = code.find('(');
    if (paren == std::string::npos || code.empty()) return false;
    if (code.back() != '{' && code.back() != '}') return false;
    const std::string head = trim(code.substr(0, paren));
    if (head.find('=') != std::string::npos || head.find("<<") != std::string::npos || head.find('.') != std::string::npos ||
        head.find("->") != std::string::npos) {
        return false;
    }
    for (const char* keyword : {"return", "if", "for", "while", "switch", "else", "do", "case", "new", "delete", "throw"}) {
        const std::string k = keyword;
        if (head == k || starts_with(head, k + " ") || starts_with(head, k + "(")) return false;
    }
    // The name is the last word; a type must come before it, separated by a space, & or *.
    std::size_t end = head.size();
    while (end > 0 && (is_word_char(head[end - 1]) || head[end - 1] == ':' || head[end - 1] == '~')) --end;
    if (end == head.size() || end == 0) return false;
    const char sep = head[end - 1];
    return sep == ' ' || sep == '&' || sep == '*' || sep == '>';
}

bool starts_declaration(const std::string& code) {
    for (const char* k : {"class ", "struct ", "enum ", "union ", "template", "namespace ", "#"}) {
        if (starts_with(code, k)) return true;
    }
    return starts_function(code);
}

struct Split {
    std::vector<std::vector<Line>> declarations;  // each one contiguous run
    std::vector<std::vector<Line>> statements;    // each one contiguous run
    std::vector<Line> includes;
};

// Splits lines into namespace-scope declarations and statements by the rule above.
void split(const std::vector<Line>& lines, Split& out) {
    int depth = 0;
    bool in_declaration = false;
    bool last_was_statement = false;
    for (const Line& l : lines) {
        const std::string code = code_only(l.text);
        if (depth == 0 && !in_declaration) {
            if (starts_with(code, "#include")) {
                out.includes.push_back(l);
                continue;
            }
            if (starts_declaration(code)) {
                in_declaration = true;
                out.declarations.emplace_back();
                last_was_statement = false;
            }
        }
        if (in_declaration) {
            out.declarations.back().push_back(l);
            depth += brace_change(code);
            // A declaration ends back at depth 0 on a line that closes it ("}", "};", or a
            // one-line "struct S;"/"template ... f();").
            if (depth == 0 && !code.empty() && (code.back() == '}' || code.back() == ';')) in_declaration = false;
            continue;
        }
        if (!last_was_statement) out.statements.emplace_back();
        out.statements.back().push_back(l);
        last_was_statement = true;
        depth += brace_change(code);
    }
}

void emit_lines(std::ostream& os, const std::string& name, const std::vector<Line>& run, const char* indent) {
    if (run.empty()) return;
    os << "#line " << run.front().number << " \"" << name << "\"\n";
    int expected = run.front().number;
    for (const Line& l : run) {
        if (l.number != expected) os << "#line " << l.number << " \"" << name << "\"\n";
        os << indent << l.text << "\n";
        expected = l.number + 1;
    }
}

std::string identifier_of(const std::string& name) {
    std::string id;
    for (char c : name) id += is_word_char(c) ? c : '_';
    return id;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::cerr << "usage: gen_doc_snippets OUT.cpp NAME DOC.md\n";
        return 2;
    }
    const std::string out_path = argv[1], name = argv[2], doc_path = argv[3];
    std::ifstream in(doc_path);
    if (!in) fail(name, 0, "cannot read " + doc_path);

    std::vector<Line> setup;
    std::vector<Block> blocks;
    std::vector<Line> pending_hidden;
    int pending_line = 0;  // line of the directive waiting for its block (0: none)
    bool pending_skip = false;
    enum class State { Text, Setup, Hidden, Code, OtherFence } state = State::Text;
    std::size_t fence_indent = 0;
    std::string raw;
    int number = 0;
    while (std::getline(in, raw)) {
        ++number;
        const std::string t = trim(raw);
        switch (state) {
        case State::Setup:
        case State::Hidden:
            if (t == "-->") {
                state = State::Text;
            } else {
                (state == State::Setup ? setup : pending_hidden).push_back({number, raw});
            }
            break;
        case State::Code:
        case State::OtherFence:
            if (starts_with(t, "```")) {
                state = State::Text;
            } else if (state == State::Code) {
                // Lines of a block indented under a list item lose the fence's indent.
                const std::size_t lead = std::min(raw.find_first_not_of(" \t"), raw.size());
                blocks.back().code.push_back({number, raw.substr(std::min(fence_indent, lead))});
            }
            break;
        case State::Text:
            if (t == "<!-- snippet-setup") {
                state = State::Setup;
            } else if (t == "<!-- snippet") {
                if (pending_line) fail(name, number, "two snippet comments before one block");
                pending_line = number;
                state = State::Hidden;
            } else if (starts_with(t, "<!-- snippet: skip")) {
                if (pending_line) fail(name, number, "two snippet comments before one block");
                const std::string why = trim(t.substr(18, t.size() >= 21 ? t.size() - 21 : 0));
                if (t.size() < 22 || t.substr(t.size() - 3) != "-->" || why.empty()) {
                    fail(name, number, "a skip needs a reason: <!-- snippet: skip WHY -->");
                }
                pending_line = number;
                pending_skip = true;
            } else if (starts_with(t, "```cpp")) {
                fence_indent = raw.find_first_not_of(" \t");
                if (pending_skip) {
                    state = State::OtherFence;
                } else {
                    state = State::Code;
                    blocks.push_back({number, std::move(pending_hidden), {}});
                }
                pending_hidden.clear();
                pending_line = 0;
                pending_skip = false;
            } else if (starts_with(t, "```")) {
                if (pending_line) fail(name, pending_line, "a snippet comment must be followed by a ```cpp block");
                state = State::OtherFence;
            } else if (!t.empty() && pending_line) {
                fail(name, pending_line, "a snippet comment must be followed by a ```cpp block");
            }
            break;
        }
    }
    if (state == State::Code || state == State::OtherFence) fail(name, number, "a code block is not closed");
    if (state == State::Setup || state == State::Hidden) fail(name, number, "a snippet comment is not closed (-->)");
    if (pending_line) fail(name, pending_line, "a snippet comment must be followed by a ```cpp block");

    std::ostringstream os;
    os << "// Generated from " << name << " by tests/doc_snippets/gen_doc_snippets.cpp: do not edit.\n"
       << "#include <iostream>\n#include <xgrad/xgrad.hpp>\n#include <xgrad/onnx/export.hpp>\n"
       << "#include <xgrad/dist/dist.hpp>\n";
    std::vector<Split> splits(blocks.size());
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        split(blocks[i].hidden, splits[i]);
        split(blocks[i].code, splits[i]);
    }
    for (const Split& s : splits) {
        for (const Line& l : s.includes) emit_lines(os, name, {l}, "");
    }
    os << "namespace doc_snippets_" << identifier_of(name) << " {\n";
    emit_lines(os, name, setup, "");  // namespace scope as written (using-directives, aliases)
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        for (const auto& run : splits[i].declarations) emit_lines(os, name, run, "");
        os << "[[maybe_unused]] void block_at_line_" << blocks[i].fence_line << "() {\n";
        for (const auto& run : splits[i].statements) emit_lines(os, name, run, "    ");
        os << "}\n";
    }
    os << "}  // namespace\n";

    // Written only when it changed, so an edit elsewhere in the document's prose does not
    // recompile it (the #line numbers do change when lines move: then it must).
    std::ifstream old(out_path);
    std::ostringstream old_text;
    old_text << old.rdbuf();
    if (old && old_text.str() == os.str()) return 0;
    std::ofstream out(out_path + ".tmp");
    out << os.str();
    out.close();
    if (!out || std::rename((out_path + ".tmp").c_str(), out_path.c_str()) != 0) {
        fail(name, 0, "cannot write " + out_path);
    }
    return 0;
}
