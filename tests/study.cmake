xgrad_add_test(test_study
  SOURCES test_study.cpp test_study_explorer.cpp test_study_step.cpp test_study_step_page.cpp test_study_report.cpp
  SUITES stepper rules trace optimizer_explain explorer frames explorer_browser forward_stepper update_stepper
         step_explorer step_explorer_browser html_report html_report_browser)
# GCC 12 reports -Wmaybe-uninitialized inside boost::function's copy (function_template.hpp)
# for the precondition lambda of a test case (Boost.Test's own code, inlined at static init).
set_source_files_properties(test_study_explorer.cpp PROPERTIES COMPILE_OPTIONS $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>)
