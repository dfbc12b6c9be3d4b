// The first translation unit of the ODR test (see odr.hpp), with main: runs
// the same computations through both units and checks that they agree, bit
// for bit, and that inline entities have one address.
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>

#include <fixnet/fixnet.hpp>

#include "odr.hpp"

namespace odr_test {

Results run_a(const Classifier& classifier, const Mixed& mixed)
#include "odr_run.inc"

}  // namespace odr_test

namespace {

int failures = 0;

void expect(bool condition, const char* what) {
  if (!condition) {
    std::printf("FAIL: %s\n", what);
    ++failures;
  }
}

template <std::size_t N>
bool all_finite(const std::array<float, N>& values) {
  for (float v : values)
    if (!std::isfinite(v)) return false;
  return true;
}

}  // namespace

int main() {
  using namespace odr_test;
  static Classifier classifier;
  static Mixed mixed;
  fixnet::initialize(classifier, fixnet::init::XavierUniform{}, fixnet::init::Normal{}, 7);
  fixnet::initialize(mixed, fixnet::init::HeNormal{}, fixnet::init::Normal{}, 11);

  const Results a = run_a(classifier, mixed);
  const Results b = run_b(classifier, mixed);

  expect(a == b, "both translation units compute the same results");
  expect(a.simd_target_function == b.simd_target_function,
         "fixnet::simd_target (inline) has one address in the program");
  expect(std::strcmp(a.simd_target, b.simd_target) == 0, "both units report the same SIMD target");

  // The results are real ones, not two equal zeros.
  float sum = 0;
  for (float y : a.classifier_output) sum += y;
  expect(std::fabs(sum - 1.0f) < 1e-5f, "the classifier's softmax output sums to 1");
  expect(a.classifier_batch_output[0] == a.classifier_output, "batch row 0 equals the single forward pass");
  expect(a.classifier_loss > 0.0f && std::isfinite(a.classifier_loss), "the classifier's loss is positive");
  expect(all_finite(a.classifier_gradient) && all_finite(a.mixed_gradient), "gradients are finite");
  expect(a.classifier_after_step != std::array<float, Classifier::parameter_count>{},
         "the gradient step produced parameters");
  expect(std::isfinite(a.mixed_loss) && all_finite(a.mixed_output), "the mixed network's results are finite");

  std::printf("odr: %s, target %s, classifier loss %.6f, mixed loss %.6f\n",
              failures == 0 ? "two translation units agree" : "FAILED", a.simd_target, a.classifier_loss,
              a.mixed_loss);
  return failures == 0 ? 0 : 1;
}
