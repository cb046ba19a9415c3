xgrad_add_example(mnist)
