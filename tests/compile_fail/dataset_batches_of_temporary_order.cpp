// expect: fixnet: Dataset::batches(order): the order is a temporary that dies before the batches are used
// expect-gcc: B = 4
//
// Batches over a temporary order: in a range-for, the vector would be
// destroyed before the loop runs, leaving the batches pointing at freed
// memory.
#include <fixnet/data/dataset.hpp>

int main() {
  fixnet::data::Dataset<float, 2> data(3);
  fixnet::Rng rng(1);
#ifdef FIXNET_COMPILE_FAIL
  for (const auto batch : data.batches<4>(fixnet::data::shuffled_order(data.size(), rng)))
    (void)batch;
#else
  const auto order = fixnet::data::shuffled_order(data.size(), rng);
  for (const auto batch : data.batches<4>(order)) (void)batch;
#endif
}
