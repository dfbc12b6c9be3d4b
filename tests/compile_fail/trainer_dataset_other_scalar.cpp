// expect: fixnet: Trainer::fit: the data set's scalar type differs from the network's
// expect-gcc: NetScalar = float
// expect-gcc: DataScalar = double
//
// Training a float network on a data set of doubles.
#include "fit_one_epoch.hpp"

int main() {
#ifdef FIXNET_COMPILE_FAIL
  fixnet::data::Dataset<double, 2> data(3);
  data.add({0.0, 1.0}, 1);
#else
  fixnet::data::Dataset<float, 2> data(3);
  data.add({0.f, 1.f}, 1);
#endif
  fit_one_epoch<Classifier>(data);
}
