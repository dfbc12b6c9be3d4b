// The README's tour of the API, compiled and run by the test suite so that
// the README cannot drift from the code.
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>

#include <fixnet/fixnet.hpp>

// The 2-4-3 classifier: 2 inputs, 4 sigmoid hidden units, 3 softmax outputs.
using Blobs = fixnet::Network<fixnet::Dense<2, 4, fixnet::Sigmoid>,
                              fixnet::Dense<4, 3, fixnet::Softmax>>;
// The same type, written as a multi-layer perceptron.
static_assert(std::is_same_v<Blobs, fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>>);
static_assert(Blobs::inputs == 2 && Blobs::outputs == 3 && Blobs::layer_count == 2);
static_assert(Blobs::parameter_count == 2 * 4 + 4 + 4 * 3 + 3);

// The MNIST classifier: 784 pixels, 50 sigmoid hidden units, 10 classes.
using Mnist = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 784, 50, 10>;

int main() {
  std::printf("Highway target: %s\n", fixnet::simd_target());

  // A network is a value: on the stack, parameters inside, no heap.
  Blobs net;
  fixnet::initialize(net, fixnet::init::XavierUniform{}, fixnet::init::Zeros{}, /*seed=*/42);
  const std::array<float, 2> x{0.5f, -1.0f};
  const std::array<float, 3> y = net.forward(x);
  std::printf("2-4-3: sizeof %zu bytes, forward(0.5, -1) = %.4f %.4f %.4f\n", sizeof(Blobs), y[0], y[1],
              y[2]);

  // One step of gradient descent on one sample of class 2.
  fixnet::Gradients<Blobs> grads;  // zero
  const float before = net.backward(x, /*class index=*/2, fixnet::CrossEntropy{}, grads);
  fixnet::GradientDescent<float>{0.5f}.step(net, grads);
  const float after = net.loss(x, 2, fixnet::CrossEntropy{});
  std::printf("2-4-3: loss %.4f, after one step %.4f\n", before, after);

  // Parameters in canonical order (per layer: W as [out][in], then b).
  std::array<float, Blobs::parameter_count> theta;
  net.get_parameters(theta);
  std::printf("2-4-3: W1[0][1] = %.4f = theta[1] = %.4f\n", net.layer_parameters<0>().weight(0, 1), theta[1]);

  // 784-50-10 is 160 KB: give it static storage or the heap, not the stack.
  auto mnist = std::make_unique<Mnist>();
  fixnet::initialize(*mnist, fixnet::init::ScaledNormal{}, fixnet::init::Zeros{}, 7);
  std::array<float, 784> image{};
  image[300] = 1.0f;
  const auto p = mnist->forward(image);
  float sum = 0;
  for (float v : p) sum += v;
  std::printf("784-50-10: sizeof %zu bytes, %zu parameters, outputs sum to %.4f\n", sizeof(Mnist),
              Mnist::parameter_count, sum);

  // A batch of 32 through a reusable workspace.
  auto ws = std::make_unique<fixnet::Workspace<Mnist, 32>>();
  auto images = std::make_unique<std::array<std::array<float, 784>, 32>>();
  std::array<std::uint8_t, 32> labels{};
  std::array<std::array<float, 10>, 32> probabilities;
  mnist->forward(*images, probabilities, *ws);
  fixnet::Gradients<Mnist> mnist_grads;
  const float batch_loss = mnist->backward(*images, labels, fixnet::CrossEntropy{}, mnist_grads, *ws);
  std::printf("784-50-10: batch of 32, summed loss %.3f\n", batch_loss);
  // The tour doubles as a test: fail loudly if a claim above is false.
  const bool ok = after < before && theta[1] == net.layer_parameters<0>().weight(0, 1) &&
                  std::abs(sum - 1.0f) < 1e-5f && std::isfinite(batch_loss);
  if (!ok) std::printf("tour: a claim of the README does not hold\n");
  return ok ? 0 : 1;
}
