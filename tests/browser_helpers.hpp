#pragma once
// Helpers of the tests that write HTML pages and load them in headless Chromium (study
// explorers, the training report): file text, the browser command, the skip condition.

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "file_helpers.hpp"

namespace xgrad::test::browser {

using files::TempDir;
namespace fs = std::filesystem;

/// The whole file as text ("" when it cannot be read).
inline std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// Occurrences of `what` in `s`.
inline std::size_t count(const std::string& s, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
    return n;
}

/// Headless Chromium with a throw-away profile in `dir`, no network chatter, 3 s of virtual
/// time for the page's scripts; append `--dump-dom URL` or `--screenshot=FILE URL`.
inline std::string chromium_command(const fs::path& dir) {
    return "timeout 120 /usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
           "--disable-background-networking --disable-component-update --disable-sync --disable-dev-shm-usage "
           "--user-data-dir='" + (dir / "profile").string() + "' --virtual-time-budget=3000 ";
}

/// Precondition of the browser tests: skipped, with the reason, without /usr/bin/chromium.
inline boost::test_tools::assertion_result chromium_installed(boost::unit_test::test_unit_id) {
    boost::test_tools::assertion_result r(fs::exists("/usr/bin/chromium"));
    r.message() << "/usr/bin/chromium is not installed: headless browser test skipped (apt-get install chromium)";
    return r;
}

}  // namespace xgrad::test::browser
