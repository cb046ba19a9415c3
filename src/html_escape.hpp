#pragma once
// Text made safe inside HTML and SVG (element content and double-quoted attributes): the one
// escaper of the pages xgrad writes (study explorers and pictures, the training report).
#include <string>

namespace xgrad::detail {

inline std::string html_escape(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

}  // namespace xgrad::detail
