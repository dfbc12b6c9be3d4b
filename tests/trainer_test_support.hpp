// fixnet tests — helpers shared by the tests of the trainer and of
// checkpoints: Gaussian blobs as a data set, trainer options that print
// nothing, the divergence a run throws, and the check that the batch loop
// allocates nothing.
//
// Includes counting_new.hpp, which replaces the global operator new: include
// it only in a test binary of its own. Include after
// <boost/test/unit_test.hpp>.
#ifndef FIXNET_TESTS_TRAINER_TEST_SUPPORT_HPP
#define FIXNET_TESTS_TRAINER_TEST_SUPPORT_HPP

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include <boost/test/unit_test.hpp>

#include <fixnet/data/blobs.hpp>
#include <fixnet/fixnet.hpp>
#include <fixnet/train/trainer.hpp>

#include "counting_new.hpp"

namespace fixnet::tests {

/// Points in the plane, three classes.
using Points = data::Dataset<float, 2>;

/// Three Gaussian blobs (data::make_blobs) as a data set.
inline Points blobs(std::size_t per_centre, float stddev, std::uint64_t seed) {
  data::BlobsOptions options;
  options.points_per_centre = per_centre;
  options.stddev = stddev;
  const data::LabelledPoints p = data::make_blobs(options, seed);
  Points d(3);
  for (std::size_t i = 0; i < p.size(); ++i) d.add(p.features[i], p.labels[i]);
  return d;
}

/// The options, with the progress display off.
inline TrainerOptions quiet(TrainerOptions o = {}) {
  o.progress = ProgressStyle::off;
  return o;
}

/// The TrainingDiverged that `fit()` throws, logged; if `fit()` returns its
/// history instead, an error that says how the run ended, and nothing.
template <class Fit>
std::optional<TrainingDiverged> divergence_of(Fit&& fit) {
  try {
    const TrainingHistory h = fit();
    BOOST_ERROR("expected TrainingDiverged, the run " << h.stop_message << ", last loss "
                                                      << h.last().train_loss);
  } catch (const TrainingDiverged& e) {
    BOOST_TEST_MESSAGE(e.what());
    return e;
  }
  return std::nullopt;
}

/// Runs `fit(options)` with a batch callback added that records the number
/// of allocations so far at each batch of epoch 2, and checks that epoch 2
/// has `batches` batches and that none of them allocated.
template <class Fit>
void check_epoch_two_allocates_nothing(TrainerOptions options, std::size_t batches, Fit&& fit) {
  std::vector<std::size_t> counts;
  counts.reserve(100);
  options.on_batch.push_back([&](const BatchRecord& b) {
    if (b.epoch == 2) counts.push_back(allocation_count());
  });
  fit(options);
  BOOST_TEST_REQUIRE(counts.size() == batches);
  BOOST_TEST(counts.front() == counts.back(),
             "allocations during epoch 2's batches: " << counts.back() - counts.front());
}

}  // namespace fixnet::tests

#endif  // FIXNET_TESTS_TRAINER_TEST_SUPPORT_HPP
