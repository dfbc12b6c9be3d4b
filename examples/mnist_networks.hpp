// The networks of the MNIST examples, named once for the example programs
// (mnist.cpp, deep.cpp) and for the translation units that instantiate their
// training (train_batch.cpp).
#ifndef FIXNET_EXAMPLES_MNIST_NETWORKS_HPP
#define FIXNET_EXAMPLES_MNIST_NETWORKS_HPP

#include <ratio>

#include <fixnet/fixnet.hpp>

namespace examples::mnist {

/// mnist: the tutorial's 784-50-10 sigmoid/softmax network.
using MnistNetwork = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 784, 50, 10>;

/// deep: the layers, one per line. Inverted dropout (20% of each hidden
/// layer's units in training, nothing in inference) is a layer of its own.
using DeepNetwork =
    fixnet::Network<fixnet::Dense<784, 256, fixnet::Relu>, fixnet::Dropout<256, std::ratio<1, 5>>,
                    fixnet::Dense<256, 128, fixnet::Relu>, fixnet::Dropout<128, std::ratio<1, 5>>,
                    fixnet::Dense<128, 10, fixnet::Softmax>>;

}  // namespace examples::mnist

#endif  // FIXNET_EXAMPLES_MNIST_NETWORKS_HPP
