xgrad_add_test(test_hardening SOURCES test_hardening.cpp test_hardening_process.cpp
  SUITES bad_files anomaly leaks atomic_save)
target_link_libraries(test_hardening PRIVATE ZLIB::ZLIB)
