// expect: fixnet: Objective: the data set's row width differs from the network's input width
// expect-gcc: NetInputs = 2
// expect-gcc: DataWidth = 3
//
// A full-batch objective over rows of 3 values for a network of 2 inputs.
#include <fixnet/inference.hpp>
#include <fixnet/train/objective.hpp>

using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Sigmoid, 2, 4, 3>;

int main() {
#ifdef FIXNET_COMPILE_FAIL
  const fixnet::data::Dataset<float, 3> data(3);
#else
  const fixnet::data::Dataset<float, 2> data(3);
#endif
  const auto make = [&] { return fixnet::Objective<Net, fixnet::BinaryCrossEntropy>(data); };
  (void)make;
}
