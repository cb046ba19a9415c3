xgrad_add_test(test_data SOURCES test_data.cpp SUITES idx sha256 categorical mnist idx_folder fashion_mnist)
target_link_libraries(test_data PRIVATE ZLIB::ZLIB)
