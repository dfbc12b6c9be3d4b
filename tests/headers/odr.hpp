// The ODR test: two translation units (odr_a.cpp, odr_b.cpp) include
// <fixnet/fixnet.hpp> and use the same network types; the program links and
// both compute the same thing.
#ifndef FIXNET_TESTS_HEADERS_ODR_HPP
#define FIXNET_TESTS_HEADERS_ODR_HPP

#include <array>
#include <ratio>

#include <fixnet/fixnet.hpp>

namespace odr_test {

/// The 2-4-3 classifier of the blobs example.
using Classifier = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;
/// A deeper network mixing every activation, without bias in one layer.
using Mixed = fixnet::Network<fixnet::Dense<3, 5, fixnet::Relu>, fixnet::Dense<5, 4, fixnet::Tanh, fixnet::NoBias>,
                              fixnet::Dense<4, 4, fixnet::LeakyRelu>, fixnet::Dense<4, 2, fixnet::Identity>>;

/// What one translation unit computes with given networks: a forward pass, a
/// batch forward pass, a loss and gradient, a gradient-descent step.
struct Results {
  std::array<float, Classifier::outputs> classifier_output;
  std::array<std::array<float, Classifier::outputs>, 4> classifier_batch_output;
  float classifier_loss;
  std::array<float, Classifier::parameter_count> classifier_gradient;
  std::array<float, Classifier::parameter_count> classifier_after_step;
  std::array<float, Mixed::outputs> mixed_output;
  float mixed_loss;
  std::array<float, Mixed::parameter_count> mixed_gradient;
  const char* simd_target;
  const char* (*simd_target_function)() noexcept;

  friend bool operator==(const Results&, const Results&) = default;
};

Results run_a(const Classifier& classifier, const Mixed& mixed);
Results run_b(const Classifier& classifier, const Mixed& mixed);

}  // namespace odr_test

#endif  // FIXNET_TESTS_HEADERS_ODR_HPP
