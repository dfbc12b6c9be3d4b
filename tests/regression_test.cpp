// Regression end to end: a data set of target rows (fixnet::data::
// RegressionDataset), evaluate's RMSE and MAE against a sample-by-sample
// computation, and the Trainer fitting a function, with early stopping on
// the validation loss and RMSE/MAE in the history and its CSV.
#define BOOST_TEST_MODULE regression
#include <boost/test/unit_test.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <numbers>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <fixnet/fixnet.hpp>

#include "data_support.hpp"

namespace fixnet::tests {
namespace {

using Pairs = data::RegressionDataset<float, 2, 2>;

/// n samples (x0, x1) -> (x0 + x1, x0 - x1), x from a fixed LCG in [-1, 1].
Pairs pairs(std::size_t n) {
  Pairs d;
  std::uint32_t s = 11;
  const auto next = [&] { return float((s = s * 1664525u + 1013904223u) >> 8) / float(1 << 24) * 2 - 1; };
  for (std::size_t i = 0; i < n; ++i) {
    const float a = next(), b = next();
    d.add({a, b}, {a + b, a - b});
  }
  return d;
}


BOOST_AUTO_TEST_CASE(a_regression_data_set_keeps_each_target_row_with_its_row) {
  const Pairs d = pairs(10);
  static_assert(!Pairs::classification);
  BOOST_TEST(d.size() == 10u);
  BOOST_TEST(d.label(3)[0] == d.row(3)[0] + d.row(3)[1]);

  // Gathered batches point at the targets of the order's samples.
  const std::vector<std::size_t> order{7, 2, 9, 0};
  for (const auto batch : d.batches<2>(order))
    for (std::size_t b = 0; b < 2; ++b) {
      const std::size_t i = order[batch.index * 2 + b];
      BOOST_TEST(&batch.inputs[b] == &d.row(i));
      BOOST_TEST(&batch.labels[b] == &d.label(i));
    }
  // Contiguous batches are spans over the targets.
  const auto contiguous = d.batches<4>();
  BOOST_TEST(contiguous.size() == 2u);
  BOOST_TEST(contiguous[1].labels.data() == &d.label(4));
  BOOST_TEST(contiguous.tail().valid == 2u);

  // select, head and split carry the targets along.
  const std::vector<std::size_t> picked{5, 1};
  const Pairs s = d.select(picked);
  BOOST_TEST(s.label(0) == d.label(5));
  BOOST_TEST(s.label(1) == d.label(1));
  BOOST_TEST(d.head(3).label(2) == d.label(2));
  const auto [train, validation] = data::split(d, 4, 1);
  BOOST_TEST(train.size() == 6u);
  BOOST_TEST(validation.size() == 4u);
  for (std::size_t i = 0; i < validation.size(); ++i)
    BOOST_TEST(validation.label(i)[1] == validation.row(i)[0] - validation.row(i)[1]);
  BOOST_CHECK_THROW(data::split(d, 4, 1, data::Stratify::by_class), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(a_target_that_is_not_finite_is_refused_naming_sample_and_column) {
  Pairs d = pairs(2);
  const std::string m = message_of<data::DataError>(
      [&] { d.add({0.f, 0.f}, {1.f, std::numeric_limits<float>::quiet_NaN()}); });
  BOOST_TEST(m.find("target 1 of sample 2 is nan") != std::string::npos, m);
  BOOST_TEST(d.size() == 2u);  // nothing added

  Pairs::storage_type rows(3);
  std::vector<std::array<float, 2>> targets(2);
  const std::string count = message_of<data::DataError>([&] { Pairs(rows, targets); });
  BOOST_TEST(count.find("3 rows and 2 target rows") != std::string::npos, count);
  targets.resize(3);
  targets[1][0] = std::numeric_limits<float>::infinity();
  const std::string inf = message_of<data::DataError>([&] { Pairs(rows, targets); });
  BOOST_TEST(inf.find("target 0 of sample 1 is inf") != std::string::npos, inf);
}

using Linear = Mlp<Tanh, Identity, 2, 5, 2>;

BOOST_AUTO_TEST_CASE(evaluate_gives_the_rmse_and_mae_of_every_output_once) {
  Linear net;
  initialize(net, init::XavierUniform{}, init::Zeros{}, 3);
  const Pairs d = pairs(23);  // prime: every batch size leaves a remainder
  double squared = 0, absolute = 0, loss = 0;
  for (std::size_t i = 0; i < d.size(); ++i) {
    const auto y = net.forward(d.row(i));
    loss += net.loss(d.row(i), d.label(i), MeanSquaredError{});
    for (std::size_t k = 0; k < 2; ++k) {
      const double e = double(y[k]) - double(d.label(i)[k]);
      squared += e * e;
      absolute += std::abs(e);
    }
  }
  const double rmse = std::sqrt(squared / 46), mae = absolute / 46;
  const auto check = [&](const Evaluation& e) {
    BOOST_TEST(e.samples == 23u);
    BOOST_TEST(e.regression());
    BOOST_TEST(e.rmse == rmse, boost::test_tools::tolerance(1e-5));
    BOOST_TEST(e.mae == mae, boost::test_tools::tolerance(1e-5));
    BOOST_TEST(e.loss == loss / 23, boost::test_tools::tolerance(1e-5));
    BOOST_TEST(std::isnan(e.accuracy()));
    BOOST_TEST(e.confusion.classes() == 0u);
  };
  check(evaluate<1>(net, d, MeanSquaredError{}));
  check(evaluate<4>(net, d, MeanSquaredError{}));
  check(evaluate<32>(net, d, MeanSquaredError{}));
  // Classification is unchanged: no RMSE.
  data::Dataset<float, 2> classes(2);
  classes.add({0.f, 1.f}, 1);
  const Evaluation c = evaluate<4>(net, classes, AllowAnyOutput<CrossEntropy>{});
  BOOST_TEST(!c.regression());
  BOOST_TEST(c.accuracy() >= 0.0);
}

/// y = sin(x) on [-pi, pi], n evenly spaced samples shuffled by `split`.
data::RegressionDataset<float, 1, 1> sine(std::size_t n) {
  data::RegressionDataset<float, 1, 1> d;
  for (std::size_t i = 0; i < n; ++i) {
    const float x = -std::numbers::pi_v<float> + 2 * std::numbers::pi_v<float> * float(i) / float(n - 1);
    d.add({x}, {std::sin(x)});
  }
  return d;
}

using Approximator = Mlp<Tanh, Identity, 1, 16, 16, 1>;

// Issue 15: only the targets were checked; a NaN or infinite input is
// refused too, by the trainer before any step and by evaluate, naming the
// sample and the column.
BOOST_AUTO_TEST_CASE(an_input_that_is_not_finite_is_refused_by_the_trainer_and_evaluate) {
  Pairs train = pairs(64);
  const Pairs validation = pairs(16);
  train.rows()[9][1] = -std::numeric_limits<float>::infinity();
  auto net = std::make_unique<Linear>();
  initialize(*net, init::XavierUniform{}, init::Zeros{}, 3);
  const auto before = net->parameters();
  Trainer<Linear, 8, Adam<Linear>, MeanSquaredError> trainer(
      {.epochs = 2, .progress = ProgressStyle::off});
  const std::string fit = message_of<std::invalid_argument>([&] { trainer.fit(*net, train, validation); });
  BOOST_TEST(fit.starts_with("fixnet::Trainer::fit: the training set's sample 9 holds -inf at column 1"), fit);
  BOOST_TEST((net->parameters() == before));
  const std::string eval =
      message_of<data::DataError>([&] { evaluate<8>(*net, train, MeanSquaredError{}); });
  BOOST_TEST(eval.starts_with("fixnet: evaluate: sample 9 holds -inf at column 1"), eval);
}

BOOST_AUTO_TEST_CASE(the_trainer_fits_a_sine_and_reports_rmse_and_mae) {
  const auto [train, validation] = data::split(sine(600), 120, 5);
  auto net = std::make_unique<Approximator>();
  initialize(*net, init::XavierUniform{}, init::Zeros{}, 7);
  const double before = evaluate<64>(*net, validation, MeanSquaredError{}).rmse;
  Trainer<Approximator, 16, Adam<Approximator>, MeanSquaredError> trainer(
      {.epochs = 150, .seed = 1, .patience = 20, .progress = ProgressStyle::off}, {.lr = 1e-2f});
  const TrainingHistory history = trainer.fit(*net, train, validation);
  const Evaluation after = trainer.evaluate(*net, validation);
  BOOST_TEST_MESSAGE("validation RMSE " << before << " -> " << after.rmse << " in "
                                        << history.epochs.size() << " epochs");
  BOOST_TEST(after.rmse < 0.05);
  BOOST_TEST(after.rmse < before / 10);

  const EpochRecord& last = history.last();
  BOOST_TEST(std::isnan(last.train_accuracy));
  BOOST_TEST(std::isnan(last.validation_accuracy));
  BOOST_REQUIRE(last.metric("rmse").has_value());
  BOOST_REQUIRE(last.metric("validation_rmse").has_value());
  BOOST_TEST(last.metric("mae").has_value());
  BOOST_TEST(last.metric("validation_mae").has_value());
  // The training RMSE is over the epoch's outputs: MSE of one output is its
  // squared error, so rmse^2 is the mean training loss.
  BOOST_TEST(*last.metric("rmse") * *last.metric("rmse") == last.train_loss,
             boost::test_tools::tolerance(1e-4));
  // The network holds the best epoch's parameters: its validation loss is
  // the one recorded there.
  BOOST_REQUIRE(history.best() != nullptr);
  BOOST_TEST(after.loss == history.best()->validation_loss, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(after.rmse == *history.best()->metric("validation_rmse"),
             boost::test_tools::tolerance(1e-6));

  std::ostringstream csv;
  write_csv(csv, history);
  BOOST_TEST(csv.str().find(",rmse,mae,validation_rmse,validation_mae\n") != std::string::npos,
             csv.str().substr(0, 200));
}

BOOST_AUTO_TEST_CASE(early_stopping_watches_the_validation_loss_of_a_regression) {
  const auto [train, validation] = data::split(sine(200), 50, 2);
  auto net = std::make_unique<Approximator>();
  initialize(*net, init::XavierUniform{}, init::Zeros{}, 1);
  // Improvements must be large to count: the validation loss soon stops
  // making them.
  Trainer<Approximator, 8, Sgd<Approximator>, MeanSquaredError> trainer(
      {.epochs = 500, .seed = 1, .patience = 3, .min_delta = 1e-2, .progress = ProgressStyle::off},
      {.lr = 0.05f});
  const TrainingHistory history = trainer.fit(*net, train, validation);
  BOOST_TEST((history.stop_reason == StopReason::early_stopping), history.stop_message);
  BOOST_TEST(history.epochs.size() < 500u);
  BOOST_REQUIRE(history.best_epoch.has_value());
  BOOST_TEST(history.epochs.size() == *history.best_epoch + 3);
}

BOOST_AUTO_TEST_CASE(full_batch_regression_takes_every_sample_once_per_step) {
  const data::RegressionDataset<float, 1, 1> d = sine(37);  // 37 = 4 x 8 + 5 left over
  auto net = std::make_unique<Approximator>();
  initialize(*net, init::XavierUniform{}, init::Zeros{}, 4);
  const Evaluation start = evaluate<8>(*net, d, MeanSquaredError{});
  Trainer<Approximator, 8, Sgd<Approximator>, MeanSquaredError> trainer(
      {.epochs = 5, .batches_per_step = 0, .progress = ProgressStyle::off}, {.lr = 0.01f});
  const TrainingHistory history = trainer.fit(*net, d);
  const EpochRecord& first = history.epochs.front();
  BOOST_TEST(first.samples == 37u);
  BOOST_TEST(first.steps == 1u);
  // Full batch: the epoch's loss and RMSE are those of the starting network.
  BOOST_TEST(first.train_loss == start.loss, boost::test_tools::tolerance(1e-5));
  BOOST_TEST(*first.metric("rmse") == start.rmse, boost::test_tools::tolerance(1e-5));
  // Small steps on the exact gradient: the loss goes down every epoch.
  for (std::size_t e = 1; e < history.epochs.size(); ++e)
    BOOST_TEST(history.epochs[e].train_loss < history.epochs[e - 1].train_loss);
}

}  // namespace
}  // namespace fixnet::tests
