// expect: fixnet: Dataset::batches: the data set is a temporary that dies before the batches are used
// expect-gcc: B = 8
//
// Batches of a temporary data set: the batches would point into a data set
// destroyed before the loop runs.
#include <fixnet/data/dataset.hpp>

fixnet::data::Dataset<float, 2> make_data() { return fixnet::data::Dataset<float, 2>(3); }

int main() {
#ifdef FIXNET_COMPILE_FAIL
  for (const auto batch : make_data().batches<8>()) (void)batch;
#else
  const auto data = make_data();
  for (const auto batch : data.batches<8>()) (void)batch;
#endif
}
