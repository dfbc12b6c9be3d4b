// fixnet tests — two training histories compared result by result (timings
// aside): for the tests that claim two runs are the same run (threads,
// checkpoints). Include after <boost/test/unit_test.hpp>.
#ifndef FIXNET_TESTS_HISTORY_SUPPORT_HPP
#define FIXNET_TESTS_HISTORY_SUPPORT_HPP

#include <cmath>
#include <cstddef>

#include <boost/test/unit_test.hpp>

#include "fixnet/train/history.hpp"

namespace fixnet::tests {

/// Whether two NaN-or-equal doubles are the same value.
inline bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

/// The histories agree in every result (timings aside).
inline void check_same_history(const TrainingHistory& a, const TrainingHistory& b) {
  BOOST_TEST_REQUIRE(a.epochs.size() == b.epochs.size());
  for (std::size_t k = 0; k < a.epochs.size(); ++k) {
    const EpochRecord& x = a.epochs[k];
    const EpochRecord& y = b.epochs[k];
    BOOST_TEST_CONTEXT("epoch " << x.epoch) {
      BOOST_TEST(x.epoch == y.epoch);
      BOOST_TEST(same(x.train_loss, y.train_loss));
      BOOST_TEST(same(x.train_accuracy, y.train_accuracy));
      BOOST_TEST(same(x.validation_loss, y.validation_loss));
      BOOST_TEST(same(x.validation_accuracy, y.validation_accuracy));
      BOOST_TEST(same(x.learning_rate, y.learning_rate));
      BOOST_TEST(same(x.gradient_norm, y.gradient_norm));
      BOOST_TEST(x.samples == y.samples);
      BOOST_TEST(x.steps == y.steps);
      BOOST_TEST(x.clipped_steps == y.clipped_steps);
      BOOST_TEST(x.improved == y.improved);
      BOOST_TEST(x.metrics.size() == y.metrics.size());
    }
  }
  BOOST_TEST((a.best_epoch == b.best_epoch));
  BOOST_TEST((a.stop_reason == b.stop_reason));
  BOOST_TEST(a.stop_message == b.stop_message);
  BOOST_TEST(a.restored_best == b.restored_best);
  BOOST_TEST(a.steps == b.steps);
}

}  // namespace fixnet::tests

#endif  // FIXNET_TESTS_HISTORY_SUPPORT_HPP
