xgrad_add_test(test_study
  SOURCES test_study.cpp test_study_explorer.cpp
  SUITES stepper rules trace optimizer_explain explorer frames explorer_browser)
# GCC 12 reports -Wmaybe-uninitialized inside boost::function's copy (function_template.hpp)
# for the precondition lambda of a test case (Boost.Test's own code, inlined at static init).
set_source_files_properties(test_study_explorer.cpp PROPERTIES COMPILE_OPTIONS -Wno-maybe-uninitialized)
