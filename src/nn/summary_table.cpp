// The Keras summary table: fixed-width columns, rules, parameter totals.
#include "nn/summary_table.hpp"

#include <algorithm>
#include <sstream>

namespace xgrad::nn::detail {

// Thousands separators, built digit by digit (GCC 12 misreports string::insert here).
std::string with_commas(std::size_t n) {
    std::string rev;
    int digits = 0;
    do {
        if (digits > 0 && digits % 3 == 0) rev.push_back(',');
        rev.push_back(char('0' + n % 10));
        n /= 10;
        ++digits;
    } while (n > 0);
    return std::string(rev.rbegin(), rev.rend());
}

std::string batch_shape(const Shape& s) {
    if (s.empty()) return "?";
    std::string out = "(None";
    for (auto d : s) out += ", " + std::to_string(d);
    return out + ")";
}

std::string summary_table(const std::string& model_name, const std::vector<std::string>& headers,
                          const std::vector<std::size_t>& widths,
                          const std::vector<std::vector<std::string>>& rows, std::size_t total_params,
                          std::size_t non_trainable) {
    std::size_t width = 1;
    for (auto w : widths) width += w;
    const std::string rule(width, '_'), thick(width, '=');
    std::ostringstream s;
    // A cell may hold several lines ("[(None, 3),\n (None, 2)]"): the row then takes as many.
    auto line = [&](const std::vector<std::string>& cells) {
        std::vector<std::vector<std::string>> parts(cells.size());
        std::size_t height = 1;
        for (std::size_t c = 0; c < cells.size(); ++c) {
            for (std::size_t from = 0;;) {
                const std::size_t nl = cells[c].find('\n', from);
                parts[c].push_back(cells[c].substr(from, nl == std::string::npos ? std::string::npos : nl - from));
                if (nl == std::string::npos) break;
                from = nl + 1;
            }
            height = std::max(height, parts[c].size());
        }
        for (std::size_t l = 0; l < height; ++l) {
            std::string text = " ";
            for (std::size_t c = 0; c < cells.size(); ++c) {
                const std::string cell = l < parts[c].size() ? parts[c][l] : "";
                if (c + 1 < cells.size()) {
                    std::string cut = cell.substr(0, widths[c] - 1);
                    text += cut + std::string(widths[c] - cut.size(), ' ');
                } else {
                    text += cell;
                }
            }
            // Continuation lines may end in padding: trim it, as the one-line rows have none.
            if (l > 0) text.erase(text.find_last_not_of(' ') + 1);
            s << text << "\n";
        }
    };
    s << "Model: \"" << model_name << "\"\n" << rule << "\n";
    line(headers);
    s << thick << "\n";
    for (std::size_t i = 0; i < rows.size(); ++i) {
        line(rows[i]);
        if (i + 1 < rows.size()) s << "\n";
    }
    s << thick << "\n";
    s << "Total params: " << with_commas(total_params) << "\n";
    s << "Trainable params: " << with_commas(total_params - non_trainable) << "\n";
    s << "Non-trainable params: " << with_commas(non_trainable) << "\n" << rule << "\n";
    return s.str();
}

std::size_t non_trainable_params(const Module& m) {
    std::size_t n = 0;
    for (const auto& [name, t] : m.named_parameters()) n += t.requires_grad() ? 0 : t.size();
    return n;
}

}  // namespace xgrad::nn::detail
