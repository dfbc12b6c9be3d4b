// The other file of tests/dynamic_dispatch_test.cpp's binary: it reaches the
// Dispatcher that dynamic_dispatch_test.cpp defines through
// FIXNET_DECLARE_DYNAMIC_DISPATCH, as the rest of a program would through a
// header, without hwy/foreach_target.h.
#include <array>
#include <cstdio>

#include <fixnet/dispatch/dynamic_dispatch.hpp>
#include <fixnet/fixnet.hpp>

#include "dynamic_dispatch_caller.hpp"

namespace fixnet::tests {

FIXNET_DECLARE_DYNAMIC_DISPATCH(blobs_dispatcher, Blobs, kBatch, CrossEntropy, MeanSquaredError);
// Anywhere else; a header declares the function for the rest of the program:
FIXNET_DECLARE_DYNAMIC_DISPATCH(mnist_dispatcher, Mnist, 32, fixnet::CrossEntropy);

CallerResult call_from_another_file(const Blobs& net, const std::array<float, 2>& x) {
  const auto dispatcher = blobs_dispatcher();
  return {dispatcher.target(), dispatcher.forward(net, x)};
}

MnistCallerResult mnist_from_another_file(Mnist* net, const std::array<float, 784>& image,
                                          const std::array<std::array<float, 784>, kBatch>* images,
                                          const std::array<int, kBatch>& labels,
                                          std::array<std::array<float, 10>, kBatch>& probabilities,
                                          Workspace<Mnist, kBatch>* ws, Gradients<Mnist>& grads,
                                          float learning_rate) {
  const auto mnist = mnist_dispatcher();  // choose once: the best target of this CPU
  std::printf("Highway target: %s\n", mnist.target_name());  // AVX3_DL, AVX3, AVX2, SSE4, ...
  std::array<float, 10> p = mnist.forward(*net, image);      // one sample
  mnist.forward(*net, *images, probabilities, *ws);          // a batch of 32 (Workspace<Mnist, 32>)
  float loss = mnist.backward(*net, *images, labels, fixnet::CrossEntropy{}, grads, *ws);
  mnist.add_scaled(*net, -learning_rate, grads);  // gradient descent, or fused:
  mnist.backward(*net, *images, labels, fixnet::CrossEntropy{}, net->parameters(), *ws,
                 -learning_rate);
  return {p, loss};
}

}  // namespace fixnet::tests
