// The one test object that depends on where the checkout lies (tests/source_tree.hpp).
#include "source_tree.hpp"

namespace xgrad::test {

std::string test_dir() { return XGRAD_SOURCE_DIR "/tests"; }
std::string source_dir() { return XGRAD_SOURCE_DIR; }

}  // namespace xgrad::test
