xgrad_add_test(test_hardening SOURCES test_hardening.cpp test_hardening_process.cpp
  SUITES bad_files anomaly leaks atomic_save)
target_link_libraries(test_hardening PRIVATE ZLIB::ZLIB)
# test.sh and sanitize.sh stop before building when the disk lacks room, with a message.
add_test(NAME scripts.need_disk COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/script_need_disk.sh)
