xgrad_add_test(test_nn
  SOURCES test_nn.cpp test_conv_layers.cpp test_optim.cpp test_train.cpp test_engine.cpp test_functional.cpp
          test_prefetch.cpp test_nested_model.cpp test_model_names.cpp
          test_model_io.cpp test_callbacks.cpp
  SUITES nn_layers nn_conv_layers nn_losses nn_optim nn_train nn_train_errors nn_weights nn_engine nn_functional
         nn_functional_errors nn_prefetch nn_nested nn_nested_errors nn_model_names
         nn_model_io nn_model_io_errors nn_callbacks_lr nn_callbacks_files
         nn_callbacks_restore)
# The prefetcher's suite drives fit()'s private batch prefetcher and the pool's idle work.
target_include_directories(test_nn PRIVATE ${PROJECT_SOURCE_DIR}/src)
