xgrad_add_test(test_study
  SOURCES test_study.cpp test_study_explorer.cpp test_study_step.cpp test_study_step_page.cpp test_study_report.cpp
  SUITES stepper rules trace optimizer_explain explorer frames explorer_browser forward_stepper update_stepper
         step_explorer step_explorer_browser html_report html_report_browser)
