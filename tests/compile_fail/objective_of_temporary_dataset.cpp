// expect: fixnet: Objective: the data set is a temporary that dies before the objective is used
//
// A full-batch objective keeps a pointer to its data set: built from a
// temporary, it would read freed memory at its first evaluation.
#include <fixnet/inference.hpp>
#include <fixnet/train/objective.hpp>

using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Sigmoid, 2, 4, 3>;

fixnet::data::Dataset<float, 2> make_data() { return fixnet::data::Dataset<float, 2>(3); }

int main() {
#ifdef FIXNET_COMPILE_FAIL
  const auto make = [] { return fixnet::Objective<Net, fixnet::BinaryCrossEntropy>(make_data()); };
#else
  const auto data = make_data();
  const auto make = [&] { return fixnet::Objective<Net, fixnet::BinaryCrossEntropy>(data); };
#endif
  (void)make;
}
