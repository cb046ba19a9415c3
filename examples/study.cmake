xgrad_add_example(backprop_steps)
xgrad_add_example(mnist_step)
# The tutorial's programs (docs/tutorial.md); each runs in well under a second.
foreach(t tensors gradient sgd chain_rule)
  xgrad_add_example(tutorial_${t})
endforeach()

# The tutorial's pictures, generated (never hand-drawn) into docs/tutorial/:
#   cmake --build build --target docs_tutorial
# The HTML explorer of backprop_steps goes to the build tree (it is large).
set(XGRAD_TUTORIAL_PICTURES ${PROJECT_SOURCE_DIR}/docs/tutorial)
add_custom_target(docs_tutorial
  COMMAND tutorial_gradient ${XGRAD_TUTORIAL_PICTURES}
  COMMAND tutorial_sgd ${XGRAD_TUTORIAL_PICTURES}
  COMMAND tutorial_chain_rule ${XGRAD_TUTORIAL_PICTURES}
  COMMAND backprop_steps ${CMAKE_BINARY_DIR}/docs/study_out
  COMMAND ${CMAKE_COMMAND} -E copy ${CMAKE_BINARY_DIR}/docs/study_out/frames/step_008.svg
          ${XGRAD_TUTORIAL_PICTURES}/network_step_08.svg
  DEPENDS tutorial_gradient tutorial_sgd tutorial_chain_rule backprop_steps
  COMMENT "Generating the tutorial's pictures into ${XGRAD_TUTORIAL_PICTURES}"
  VERBATIM)
