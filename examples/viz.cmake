xgrad_add_example(graph_export)

# The pictures in docs/diagrams.md: `cmake --build build --target docs_diagrams`.
add_custom_target(docs_diagrams
  COMMAND graph_export ${CMAKE_BINARY_DIR}/docs/diagrams
  DEPENDS graph_export
  COMMENT "Rendering the diagrams of docs/diagrams.md into ${CMAKE_BINARY_DIR}/docs/diagrams"
  VERBATIM)
