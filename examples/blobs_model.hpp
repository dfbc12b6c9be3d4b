// What blobs_predict and blobs_baked share: the 2-4-3 network's type and the
// classification of the points given on their command lines.
#ifndef FIXNET_EXAMPLES_BLOBS_MODEL_HPP
#define FIXNET_EXAMPLES_BLOBS_MODEL_HPP

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <fixnet/inference.hpp>

namespace examples::blobs {

using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;

/// Prints the class and probabilities of each point (x y pairs in `args`).
inline int classify(const Net& net, int count, char** args) {
  if (count % 2 != 0) {
    std::fprintf(stderr, "expected points as x y pairs, got %d numbers\n", count);
    return 2;
  }
  // A coordinate is a whole finite number, or the program says which is not.
  const auto coordinate = [](const char* text, float& value) {
    char* end = nullptr;
    value = std::strtof(text, &end);
    if (end == text || *end != '\0' || !std::isfinite(value)) {
      std::fprintf(stderr, "expected a finite number as a coordinate, got '%s'\n", text);
      return false;
    }
    return true;
  };
  for (int i = 0; i < count; i += 2) {
    std::array<float, 2> x;
    if (!coordinate(args[i], x[0]) || !coordinate(args[i + 1], x[1])) return 2;
    const std::array<float, 3> p = net.forward(x);
    std::printf("(%g, %g): class %zu (%.6f %.6f %.6f)\n", x[0], x[1], fixnet::argmax(p), p[0], p[1], p[2]);
  }
  return 0;
}

}  // namespace examples::blobs

#endif  // FIXNET_EXAMPLES_BLOBS_MODEL_HPP
