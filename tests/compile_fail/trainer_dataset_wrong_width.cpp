// expect: fixnet: Trainer::fit: the data set's row width differs from the network's input width
// expect-gcc: NetInputs = 2
// expect-gcc: Width = 3
//
// Training a 2-input network on rows of 3 values.
#include "fit_one_epoch.hpp"

int main() {
#ifdef FIXNET_COMPILE_FAIL
  fixnet::data::Dataset<float, 3> data(3);
  data.add({0.f, 1.f, 2.f}, 1);
#else
  fixnet::data::Dataset<float, 2> data(3);
  data.add({0.f, 1.f}, 1);
#endif
  fit_one_epoch<Classifier>(data);
}
