xgrad_add_example(mnist)
xgrad_add_example(mnist_convnet)
