// The Keras summary table: fixed-width columns, rules, parameter totals.
#include "nn/summary_table.hpp"

#include <iomanip>
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
    auto line = [&](const std::vector<std::string>& cells) {
        s << " ";
        for (std::size_t c = 0; c < cells.size(); ++c) {
            if (c + 1 < cells.size()) s << std::left << std::setw(int(widths[c])) << cells[c];
            else s << cells[c];
        }
        s << "\n";
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

}  // namespace xgrad::nn::detail
