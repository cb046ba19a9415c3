xgrad_add_test(test_study
  SOURCES test_study.cpp test_study_explorer.cpp
  SUITES stepper rules trace optimizer_explain explorer frames explorer_browser)
