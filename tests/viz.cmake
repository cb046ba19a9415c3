xgrad_add_test(test_viz
  SOURCES test_viz.cpp test_viz_render.cpp
  SUITES viz_dot viz_backward viz_render)

# Under XGRAD_SANITIZE, LeakSanitizer would report Graphviz's own leaks (see the file).
set_tests_properties(test_viz.viz_dot test_viz.viz_backward test_viz.viz_render PROPERTIES
  ENVIRONMENT "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/lsan_graphviz.supp")
