#pragma once
// Where the checkout lies, for the tests that read files of it (golden diagrams, fuzz
// regressions, scripts). Only tests/source_tree.cpp is compiled with the absolute paths, so
// every other test object is the same in any clone and ccache (CCACHE_BASEDIR) reuses it in a
// fresh one, as CI's.

#include <string>

namespace xgrad::test {

/// The checkout's tests/ directory.
std::string test_dir();
/// The checkout's top directory.
std::string source_dir();

}  // namespace xgrad::test
