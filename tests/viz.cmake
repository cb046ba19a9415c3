xgrad_add_test(test_viz
  SOURCES test_viz.cpp test_viz_render.cpp
  SUITES viz_dot viz_backward viz_render)

