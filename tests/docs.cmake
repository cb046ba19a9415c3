# The ```cpp blocks of README.md and docs/*.md, compiled (never run): a block that no longer
# matches the API fails the test build with the document's own file and line
# (tests/doc_snippets/gen_doc_snippets.cpp explains the hidden lines a block may need).
add_executable(gen_doc_snippets doc_snippets/gen_doc_snippets.cpp)
xgrad_warnings(gen_doc_snippets)

file(GLOB doc_pages CONFIGURE_DEPENDS RELATIVE ${PROJECT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/docs/*.md)
set(doc_snippet_sources "")
foreach(page README.md ${doc_pages})
  string(REGEX REPLACE "[/.]" "_" stem "${page}")
  set(out ${CMAKE_CURRENT_BINARY_DIR}/doc_snippets/${stem}.cpp)
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/doc_snippets
    COMMAND gen_doc_snippets ${out} ${page} ${PROJECT_SOURCE_DIR}/${page}
    DEPENDS gen_doc_snippets ${PROJECT_SOURCE_DIR}/${page}
    COMMENT "" VERBATIM)
  list(APPEND doc_snippet_sources ${out})
endforeach()

add_library(doc_snippets OBJECT ${doc_snippet_sources})
target_link_libraries(doc_snippets PRIVATE xgrad_test_main)
xgrad_api_user_warnings(doc_snippets)
# A snippet shows a call and drops what it returns, or declares what the text then talks about.
target_compile_options(doc_snippets PRIVATE -Wno-unused-variable -Wno-unused-but-set-variable -Wno-unused-value
                       -Wno-unused-result)
target_precompile_headers(doc_snippets REUSE_FROM xgrad_test_main)
