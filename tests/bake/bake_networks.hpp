// The networks baked for baked_test.cpp, named once for the program that
// writes them and the test that reads them.
#ifndef FIXNET_TESTS_BAKE_NETWORKS_HPP
#define FIXNET_TESTS_BAKE_NETWORKS_HPP

#include <fixnet/inference.hpp>

namespace fixnet::tests {
using Blobs = Mlp<Sigmoid, Softmax, 2, 4, 3>;
using Mnist = Mlp<Sigmoid, Softmax, 784, 50, 10>;
}  // namespace fixnet::tests

#endif  // FIXNET_TESTS_BAKE_NETWORKS_HPP
