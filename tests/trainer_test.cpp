// The trainer (fixnet/train/trainer.hpp), its history (fixnet/train/history.hpp) and
// callbacks (fixnet/train/callbacks.hpp), on small synthetic data (Gaussian blobs):
// it learns; a seed gives the same run bit for bit; early stopping gives back
// the parameters of the best epoch; callbacks stop it; NaN and infinity stop
// it with a message that says where; schedules, clipping, L2 and full-batch
// accumulation do what they say; the batch loop allocates nothing.
//
// Replaces the global operator new to count allocations, so it is a binary
// of its own (as every unit test is).
#define BOOST_TEST_MODULE trainer
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <limits>
#include <memory>
#include <new>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <fixnet/train/callbacks.hpp>
#include <fixnet/data/blobs.hpp>
#include <fixnet/fixnet.hpp>
#include <fixnet/train/history.hpp>
#include <fixnet/train/trainer.hpp>

#include "counting_new.hpp"
#include "history_support.hpp"
#include "trainer_test_support.hpp"

namespace fixnet::tests {
namespace {

using Net = Mlp<Sigmoid, Softmax, 2, 8, 3>;
constexpr std::size_t kBatch = 16;

std::unique_ptr<Net> initial_net(std::uint64_t seed = 7) {
  auto net = std::make_unique<Net>();
  initialize(*net, init::XavierUniform{}, init::Zeros{}, seed);
  return net;
}

std::array<float, Net::parameter_count> parameters_of(const Net& net) {
  std::array<float, Net::parameter_count> p;
  net.get_parameters(p);
  return p;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// That a divergence of `kind` in epoch `epoch`, after a good start, gave
/// back the parameters of the best epoch: the history and the message say
/// so, and the network has the best epoch's validation loss.
template <class T>
void check_gave_back_the_best(const TrainingDiverged& e, TrainingDiverged::Kind kind,
                              std::size_t epoch, T& trainer, const Net& net,
                              const Points& validation) {
  BOOST_TEST((e.kind() == kind));
  BOOST_TEST(e.epoch() == epoch);
  const TrainingHistory& h = e.history();
  BOOST_TEST_REQUIRE(h.best_epoch.has_value());
  BOOST_TEST(h.restored_best);
  BOOST_TEST((h.stop_reason == StopReason::diverged));
  BOOST_TEST(
      contains(e.what(), "Restored the parameters of epoch " + std::to_string(*h.best_epoch)));
  BOOST_TEST(trainer.evaluate(net, validation).loss == h.best()->validation_loss);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(trainer)

BOOST_AUTO_TEST_CASE(training_lowers_the_loss_and_learns_the_blobs) {
  const Points train = blobs(100, 1.0f, 1), validation = blobs(50, 1.0f, 2);
  auto net = initial_net();
  Trainer<Net, kBatch, Adam<Net>> trainer(quiet({.epochs = 8, .seed = 3}), {.lr = 0.05f});
  const TrainingHistory h = trainer.fit(*net, train, validation);
  BOOST_TEST_REQUIRE(h.epochs.size() == 8u);
  BOOST_TEST((h.stop_reason == StopReason::completed));
  BOOST_TEST(h.stop_message.rfind("completed 8 epochs", 0) == 0u, h.stop_message);
  for (std::size_t k = 0; k < h.epochs.size(); ++k) {
    const EpochRecord& e = h.epochs[k];
    BOOST_TEST(e.epoch == k + 1);
    BOOST_TEST(e.samples == 300u / kBatch * kBatch);  // the last partial batch sits out
    BOOST_TEST(e.steps == 300u / kBatch);
    BOOST_TEST(e.learning_rate == 0.05f);
    BOOST_TEST(e.has_validation());
    BOOST_TEST(std::isnan(e.gradient_norm));  // not measured without clipping
    BOOST_TEST(e.samples_per_second > 0);
  }
  BOOST_TEST(h.steps == 8 * (300u / kBatch));
  BOOST_TEST(h.epochs.front().train_loss > 2 * h.last().train_loss);
  BOOST_TEST(h.epochs.front().validation_loss > h.last().validation_loss);
  BOOST_TEST(h.last().train_accuracy > 0.97);
  BOOST_TEST(h.last().validation_accuracy > 0.97);
  // The network left behind is the one the best record describes.
  const Evaluation v = trainer.evaluate(*net, validation);
  BOOST_TEST(v.loss == h.best()->validation_loss);
  BOOST_TEST(v.accuracy() == h.best()->validation_accuracy);
}

BOOST_AUTO_TEST_CASE(the_same_seed_gives_the_same_run_bit_for_bit) {
  const Points train = blobs(100, 1.5f, 1), validation = blobs(30, 1.5f, 2);
  const auto run = [&](std::uint64_t seed, Net& net) {
    Trainer<Net, kBatch, Sgd<Net>> trainer(quiet({.epochs = 5, .seed = seed, .clip_norm = 0.5}),
                                           {.lr = 0.5f, .momentum = 0.9f});
    return trainer.fit(net, train, validation);
  };
  auto a = initial_net(), b = initial_net(), c = initial_net();
  const TrainingHistory ha = run(11, *a), hb = run(11, *b), hc = run(12, *c);
  check_same_history(ha, hb);
  BOOST_TEST((a->parameters() == b->parameters()));
  BOOST_TEST(!(a->parameters() == c->parameters()));  // another seed, another order
  BOOST_TEST(ha.last().train_loss != hc.last().train_loss);
}

// Tiny, noisy training data (20 points per class, spread 2) and a large
// step for a 2-32-32-3 ReLU network: the validation loss soon rises as the
// network fits the noise.
BOOST_AUTO_TEST_CASE(early_stopping_gives_back_the_parameters_of_the_best_epoch) {
  using Wide = Mlp<Relu, Softmax, 2, 32, 32, 3>;
  const Points train = blobs(20, 2.0f, 1), validation = blobs(200, 2.0f, 2);
  auto net = std::make_unique<Wide>();
  initialize(*net, init::HeNormal{}, init::Zeros{}, 3);
  std::vector<Wide::parameters_type> snapshots;  // after each epoch
  constexpr std::size_t patience = 3;
  TrainerOptions options = quiet({.epochs = 200, .seed = 5, .patience = patience});
  options.on_epoch.push_back([&](EpochRecord&) { snapshots.push_back(net->parameters()); });
  Trainer<Wide, 4, Adam<Wide>> trainer(options, {.lr = 0.05f});
  const TrainingHistory h = trainer.fit(*net, train, validation);

  BOOST_TEST_REQUIRE((h.stop_reason == StopReason::early_stopping));
  BOOST_TEST_REQUIRE(h.best_epoch.has_value());
  const std::size_t best = *h.best_epoch;
  BOOST_TEST_MESSAGE(h.stop_message);
  BOOST_TEST(h.epochs.size() == best + patience);
  BOOST_TEST(snapshots.size() == h.epochs.size());
  BOOST_TEST(h.restored_best);
  BOOST_TEST(contains(h.stop_message, "restored the parameters of epoch " + std::to_string(best)));
  // The best epoch has the lowest validation loss, and is the last improvement.
  for (const EpochRecord& e : h.epochs) {
    BOOST_TEST(e.validation_loss >= h.best()->validation_loss);
    if (e.epoch > best) BOOST_TEST(!e.improved);
  }
  BOOST_TEST(h.best()->improved);
  BOOST_TEST(h.last().validation_loss > h.best()->validation_loss);
  // The network is exactly the snapshot taken after the best epoch.
  BOOST_TEST((net->parameters() == snapshots[best - 1]));
  BOOST_TEST(!(net->parameters() == snapshots.back()));
  BOOST_TEST(trainer.evaluate(*net, validation).loss == h.best()->validation_loss);

  // restore_best = false keeps the last epoch's parameters.
  auto last = std::make_unique<Wide>();
  initialize(*last, init::HeNormal{}, init::Zeros{}, 3);
  snapshots.clear();
  options.on_epoch = {[&](EpochRecord&) { snapshots.push_back(last->parameters()); }};
  options.restore_best = false;
  Trainer<Wide, 4, Adam<Wide>> keep_last(options, {.lr = 0.05f});
  const TrainingHistory h2 = keep_last.fit(*last, train, validation);
  BOOST_TEST(!h2.restored_best);
  BOOST_TEST((h2.best_epoch == h.best_epoch));
  BOOST_TEST((last->parameters() == snapshots.back()));
}

BOOST_AUTO_TEST_CASE(callbacks_see_every_epoch_add_metrics_and_can_stop_training) {
  const Points train = blobs(50, 1.0f, 1);
  auto net = initial_net();
  std::size_t calls = 0;
  TrainerOptions options = quiet({.epochs = 10});
  options.on_epoch.push_back([&](EpochRecord& e) {  // returns nothing: carry on
    ++calls;
    e.add_metric("twice_the_loss", 2 * e.train_loss);
  });
  options.on_epoch.push_back([](const EpochRecord& e) {
    return e.epoch == 3 ? TrainingControl::stop : TrainingControl::proceed;
  });
  Trainer<Net, kBatch, Adam<Net>> trainer(options, {.lr = 0.01f});
  const TrainingHistory h = trainer.fit(*net, train);
  BOOST_TEST(h.epochs.size() == 3u);
  BOOST_TEST(calls == 3u);  // every callback runs, also in the epoch that stops
  BOOST_TEST((h.stop_reason == StopReason::callback));
  BOOST_TEST(h.stop_message == "stopped by a callback after epoch 3");
  BOOST_TEST(*h.epochs[1].metric("twice_the_loss") == 2 * h.epochs[1].train_loss);
  BOOST_TEST(!h.best_epoch.has_value());  // no validation set

  // A batch callback stops in the middle of epoch 2, after its 5th batch.
  std::vector<BatchRecord> seen;
  TrainerOptions by_batch = quiet({.epochs = 10});
  by_batch.on_batch.push_back([&](const BatchRecord& b) {
    seen.push_back(b);
    return b.epoch == 2 && b.batch == 4 ? TrainingControl::stop : TrainingControl::proceed;
  });
  Trainer<Net, kBatch, Adam<Net>> stopper(by_batch, {.lr = 0.01f});
  const TrainingHistory h2 = stopper.fit(*net, train);
  const std::size_t per_epoch = 150 / kBatch;
  BOOST_TEST_REQUIRE(h2.epochs.size() == 2u);
  BOOST_TEST(h2.stop_message == "stopped by a callback during epoch 2");
  BOOST_TEST(h2.epochs[1].samples == 5 * kBatch);
  BOOST_TEST(seen.size() == per_epoch + 5);
  BOOST_TEST(seen.back().steps == per_epoch + 5);
  BOOST_TEST(seen.back().batches == per_epoch);
  BOOST_TEST(seen.back().samples == kBatch);
  BOOST_TEST(seen.back().stepped);
  BOOST_TEST(std::isfinite(seen.back().loss));
}

BOOST_AUTO_TEST_CASE(a_nan_parameter_stops_training_and_is_named) {
  const Points train = blobs(50, 1.0f, 1);
  auto net = initial_net();
  net->layer_parameters<1>().weight(2, 5) = std::numeric_limits<float>::quiet_NaN();
  Trainer<Net, kBatch, Adam<Net>> trainer(quiet({.epochs = 3}), {.lr = 0.01f});
  const auto e = divergence_of([&] { return trainer.fit(*net, train); });
  BOOST_TEST_REQUIRE(e.has_value());
  const std::string what = e->what();
  BOOST_TEST((e->kind() == TrainingDiverged::Kind::loss));
  BOOST_TEST(e->epoch() == 1u);
  BOOST_TEST(e->batch() == 1u);
  BOOST_TEST_REQUIRE(e->location().has_value());
  BOOST_TEST(e->location()->layer == 1u);
  BOOST_TEST(e->location()->row == 2u);
  BOOST_TEST(e->location()->column == 5u);
  BOOST_TEST(e->history().empty());
  BOOST_TEST(contains(
      what, "training stopped at epoch 1, batch 1/9 (steps taken: 0): the loss of the batch is"));
  BOOST_TEST(contains(what, "parameter layer 1 W[2][5] (parameter 45) is nan"));
  BOOST_TEST(contains(what, "learning rate was 0.01"));
}

BOOST_AUTO_TEST_CASE(a_huge_learning_rate_stops_training_with_a_message) {
  const Points train = blobs(50, 1.0f, 1), validation = blobs(20, 1.0f, 2);
  auto net = initial_net();
  Trainer<Net, kBatch, Sgd<Net>> trainer(quiet({.epochs = 5}), {.lr = 1e38f});
  const auto e = divergence_of([&] { return trainer.fit(*net, train, validation); });
  BOOST_TEST_REQUIRE(e.has_value());
  const std::string what = e->what();
  BOOST_TEST(contains(what, "fixnet::Trainer: training stopped at epoch 1, batch "));
  BOOST_TEST(contains(what, "try a smaller one, or gradient clipping"));
  BOOST_TEST((e->kind() == TrainingDiverged::Kind::parameter ||
              e->kind() == TrainingDiverged::Kind::loss));
  if (e->kind() == TrainingDiverged::Kind::parameter) {
    BOOST_TEST(contains(what, "after this step"));
    BOOST_TEST(!all_finite(*net));  // left as it was, for inspection
  }
}

// NaN or infinity in the inputs is refused once, before the first step, by
// set, sample and column; the parameters are untouched (issue 15: a NaN
// training row was caught only after a step had corrupted them).
BOOST_AUTO_TEST_CASE(a_non_finite_input_is_refused_before_any_step) {
  const Points clean = blobs(50, 1.0f, 1), validation = blobs(20, 1.0f, 2);
  constexpr float inf = std::numeric_limits<float>::infinity();
  for (const float bad : {std::numeric_limits<float>::quiet_NaN(), inf, -inf}) {
    BOOST_TEST_CONTEXT("value " << bad) {
      const std::string shown = std::isnan(bad) ? "nan" : bad > 0 ? "inf" : "-inf";
      for (const bool in_training : {true, false}) {
        Points train = clean, checked = validation;
        (in_training ? train : checked).rows()[37][1] = bad;
        auto net = initial_net();
        const auto before = parameters_of(*net);
        Trainer<Net, kBatch, Adam<Net>> trainer(quiet({.epochs = 3}), {.lr = 0.01f});
        BOOST_CHECK_EXCEPTION(
            (void)trainer.fit(*net, train, checked), std::invalid_argument,
            [&](const std::invalid_argument& e) {
              const std::string expected =
                  std::string("fixnet::Trainer::fit: the ") +
                  (in_training ? "training set" : "validation set") + "'s sample 37 holds " +
                  shown + " at column 1: expected finite inputs";
              BOOST_TEST_INFO("message: " << e.what());
              BOOST_TEST(std::string(e.what()).starts_with(expected));
              return true;
            });
        BOOST_TEST((parameters_of(*net) == before));
      }
    }
  }
}

// Issue 15: epoch 3 best, then a parameter turns NaN: the trainer stops and
// gives the network back the parameters of epoch 3, and says so.
BOOST_AUTO_TEST_CASE(divergence_gives_back_the_parameters_of_the_best_epoch) {
  const Points train = blobs(50, 1.0f, 1), validation = blobs(30, 1.0f, 2);
  auto net = initial_net();
  std::vector<Net::parameters_type> snapshots;  // after each epoch
  TrainerOptions options = quiet({.epochs = 10});
  options.on_epoch.push_back([&](EpochRecord& e) {
    snapshots.push_back(net->parameters());
    if (e.epoch == 3) net->layer_parameters<1>().weight(1, 1) = std::numeric_limits<float>::quiet_NaN();
  });
  Trainer<Net, kBatch, Adam<Net>> trainer(options, {.lr = 0.05f});
  const auto e = divergence_of([&] { return trainer.fit(*net, train, validation); });
  BOOST_TEST_REQUIRE(e.has_value());
  check_gave_back_the_best(*e, TrainingDiverged::Kind::loss, 4, trainer, *net, validation);
  const std::string what = e->what();
  const TrainingHistory& h = e->history();
  BOOST_TEST_REQUIRE(h.epochs.size() == 3u);
  BOOST_TEST(h.stop_message == what);
  const std::size_t best = *h.best_epoch;
  BOOST_TEST(contains(
      what, "Restored the parameters of epoch " + std::to_string(best) + " (validation loss "));
  BOOST_TEST(all_finite(*net));
  BOOST_TEST((net->parameters() == snapshots[best - 1]));
}

// Issue 15: a learning rate that blows up after three good epochs drives the
// loss to huge but finite values; that is divergence too, and the best
// epoch's parameters come back.
BOOST_AUTO_TEST_CASE(an_exploding_finite_loss_is_divergence_and_keeps_the_best) {
  const Points train = blobs(50, 1.0f, 1), validation = blobs(30, 1.0f, 2);
  auto net = initial_net();
  TrainerOptions options = quiet({.epochs = 10});
  options.schedule = [](std::size_t epoch) { return epoch < 3 ? 0.5 : 1e6; };
  Trainer<Net, kBatch, Sgd<Net>> trainer(options, {.lr = 0.5f});
  const auto e = divergence_of([&] { return trainer.fit(*net, train, validation); });
  BOOST_TEST_REQUIRE(e.has_value());
  check_gave_back_the_best(*e, TrainingDiverged::Kind::loss_exploded, 4, trainer, *net, validation);
  BOOST_TEST(contains(e->what(), "more than divergence_factor (10000) times the lowest so far"));
  // 0 turns the check off: the same run then ends as before, "completed".
  auto off = initial_net();
  options.divergence_factor = 0;
  Trainer<Net, kBatch, Sgd<Net>> unchecked(options, {.lr = 0.5f});
  try {
    BOOST_TEST((unchecked.fit(*off, train, validation).stop_reason == StopReason::completed));
  } catch (const TrainingDiverged& e) {
    BOOST_TEST((e.kind() != TrainingDiverged::Kind::loss_exploded), e.what());
  }
}

// Issue 15's SGD at lr 1e30 ran to "completed" with a loss of 3.6e29.
BOOST_AUTO_TEST_CASE(a_huge_learning_rate_from_the_start_is_divergence) {
  const Points train = blobs(50, 1.0f, 1);
  for (const float lr : {1e6f, 1e30f}) {
    BOOST_TEST_CONTEXT("lr " << lr) {
      auto net = initial_net();
      Trainer<Net, kBatch, Sgd<Net>> trainer(quiet({.epochs = 5}), {.lr = lr});
      BOOST_CHECK_THROW((void)trainer.fit(*net, train), TrainingDiverged);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_divergence_factor_of_one_or_less_is_refused) {
  using T = Trainer<Net, kBatch, Sgd<Net>>;
  for (const double bad : {-1.0, 0.5, 1.0, std::nan("")})
    BOOST_CHECK_EXCEPTION((void)T(quiet({.divergence_factor = bad})), std::invalid_argument,
                          [](const std::invalid_argument& e) {
                            return std::string(e.what()).starts_with(
                                "fixnet::Trainer: expected divergence_factor > 1 (0: off), got ");
                          });
}

// Issue 15: after a divergence the optimiser's state (momentum, Adam's
// moments) carried over, so that the next fit of a fresh network on clean
// data failed at once. Now it is reset: the next fit is the run a new
// trainer takes.
BOOST_AUTO_TEST_CASE(after_a_divergence_the_trainer_trains_a_fresh_network_normally) {
  const Points train = blobs(50, 1.0f, 1);
  const auto check = [&]<class Opt>(typename Opt::options_type good, float huge) {
    typename Opt::options_type bad = good;
    bad.lr = huge;
    Trainer<Net, kBatch, Opt> trainer(quiet({.epochs = 3}), bad);
    auto wrecked = initial_net();
    BOOST_CHECK_THROW((void)trainer.fit(*wrecked, train), TrainingDiverged);
    trainer.optimizer().set_learning_rate(good.lr);
    auto fresh = initial_net(), reference = initial_net();
    const TrainingHistory h = trainer.fit(*fresh, train);
    Trainer<Net, kBatch, Opt> new_trainer(quiet({.epochs = 3}), good);
    const TrainingHistory expected = new_trainer.fit(*reference, train);
    check_same_history(h, expected);
    BOOST_TEST((fresh->parameters() == reference->parameters()));
    BOOST_TEST(h.last().train_loss < h.epochs.front().train_loss);
  };
  check.operator()<Sgd<Net>>({.lr = 0.1f, .momentum = 0.9f}, 1e38f);
  check.operator()<Adam<Net>>({.lr = 0.01f}, 1e38f);
}

BOOST_AUTO_TEST_CASE(an_epoch_schedule_sets_each_epochs_learning_rate) {
  const Points train = blobs(50, 1.0f, 1);
  auto net = initial_net();
  const StepDecay<float> schedule{0.1f, 2, 0.5f};
  Trainer<Net, kBatch, Sgd<Net>> trainer(quiet({.epochs = 5, .schedule = schedule}), {.lr = 1.0f});
  const TrainingHistory h = trainer.fit(*net, train);
  const std::array<float, 5> expected{0.1f, 0.1f, 0.05f, 0.05f, 0.025f};
  BOOST_TEST_REQUIRE(h.epochs.size() == 5u);
  for (std::size_t k = 0; k < 5; ++k) BOOST_TEST(h.epochs[k].learning_rate == double(expected[k]));
  BOOST_TEST(trainer.optimizer().learning_rate() == 0.025f);
}

BOOST_AUTO_TEST_CASE(a_step_schedule_sets_each_steps_learning_rate) {
  const Points train = blobs(50, 1.0f, 1);
  auto net = initial_net();
  const LinearWarmup<CosineAnnealing<float>> schedule{10, {0.2f, 20, 0.01f}};
  std::vector<double> rates;
  TrainerOptions options =
      quiet({.epochs = 4, .schedule = schedule, .schedule_unit = ScheduleUnit::step});
  options.on_batch.push_back([&](const BatchRecord& b) { rates.push_back(b.learning_rate); });
  Trainer<Net, kBatch, Adam<Net>> trainer(options);
  const TrainingHistory h = trainer.fit(*net, train);
  const std::size_t per_epoch = 150 / kBatch;
  BOOST_TEST_REQUIRE(rates.size() == 4 * per_epoch);
  for (std::size_t t = 0; t < rates.size(); ++t) BOOST_TEST(rates[t] == double(schedule(t)));
  for (std::size_t k = 0; k < 4; ++k)
    BOOST_TEST(h.epochs[k].learning_rate == double(schedule(k * per_epoch)));
}

BOOST_AUTO_TEST_CASE(a_schedule_that_gives_a_negative_rate_is_refused) {
  const Points train = blobs(50, 1.0f, 1);
  auto net = initial_net();
  Trainer<Net, kBatch, Adam<Net>> trainer(
      quiet({.epochs = 3, .schedule = [](std::size_t t) { return 0.1 - 0.1 * double(t); }}));
  BOOST_CHECK_EXCEPTION((void)trainer.fit(*net, train), std::invalid_argument,
                        [](const std::invalid_argument& e) {
                          return std::string(e.what()) ==
                                 "fixnet::Trainer: the schedule gave the learning rate -0.1 for t "
                                 "= 2: expected a finite rate >= 0";
                        });
}

// With SGD at rate lr, a clipped step moves the parameters by at most
// lr * clip_norm.
BOOST_AUTO_TEST_CASE(clipping_bounds_every_step) {
  const Points train = blobs(50, 1.0f, 1);
  const float lr = 0.5f, clip = 1e-3f;
  auto net = initial_net();
  const auto before = parameters_of(*net);
  std::size_t batches = 0;
  TrainerOptions options = quiet({.epochs = 2, .clip_norm = clip});
  options.on_batch.push_back([&](const BatchRecord& b) {
    ++batches;
    BOOST_TEST(b.gradient_norm > clip);
  });
  Trainer<Net, kBatch, Sgd<Net>> trainer(options, {.lr = lr});
  const TrainingHistory h = trainer.fit(*net, train);
  for (const EpochRecord& e : h.epochs) {
    BOOST_TEST(e.clipped_steps == e.steps);
    BOOST_TEST(e.gradient_norm > clip);
  }
  const auto after = parameters_of(*net);
  double moved = 0;
  for (std::size_t i = 0; i < after.size(); ++i)
    moved += double(after[i] - before[i]) * (after[i] - before[i]);
  BOOST_TEST(std::sqrt(moved) <= double(h.steps) * lr * clip * 1.001);
  BOOST_TEST(std::sqrt(moved) > 0);

  // Not clipped: no norm measured, nothing counted.
  Trainer<Net, kBatch, Sgd<Net>> free(quiet({.epochs = 1}), {.lr = lr});
  const TrainingHistory h2 = free.fit(*net, train);
  BOOST_TEST(h2.last().clipped_steps == 0u);
  BOOST_TEST(std::isnan(h2.last().gradient_norm));
}

// Full-batch descent through batches of 50 plus a tail of 29 samples one by
// one is one step on the gradient averaged over all 179, with L2: the same as
// one batch of 179 through a workspace that holds them all.
BOOST_AUTO_TEST_CASE(full_batch_descent_in_chunks_is_one_averaged_step) {
  constexpr std::size_t n = 179;
  Points train = blobs(60, 1.0f, 1);
  train = train.head(n);
  const float lr = 0.5f, lambda = 0.01f;
  auto reference = initial_net();
  auto net = initial_net();

  // By hand: one batch of all n.
  auto ws = std::make_unique<Workspace<Net, n>>();
  auto grads = std::make_unique<Gradients<Net>>();
  const std::span<const std::array<float, 2>, n> xs(train.rows().data(), n);
  const std::span<const std::uint8_t, n> ys(train.labels().data(), n);
  const float loss = reference->backward(xs, ys, CrossEntropy{}, *grads, *ws);
  std::vector<std::array<float, 3>> out(n);
  reference->forward(xs, std::span<std::array<float, 3>, n>(out.data(), n), *ws);
  std::size_t correct = 0;
  for (std::size_t i = 0; i < n; ++i) correct += argmax(out[i]) == train.label(i);
  grads->scale(1.0f / n);
  L2<float>{lambda}.add_gradient(*reference, *grads);
  GradientDescent<float>{lr}.step(*reference, *grads);

  Trainer<Net, 50, Sgd<Net>> trainer(quiet({.epochs = 1, .batches_per_step = 0, .l2 = lambda}),
                                     {.lr = lr});
  const TrainingHistory h = trainer.fit(*net, train);
  BOOST_TEST(h.steps == 1u);
  BOOST_TEST(h.last().samples == n);
  BOOST_TEST(h.last().train_loss == double(loss) / n, boost::test_tools::tolerance(1e-5));
  BOOST_TEST(h.last().train_accuracy == double(correct) / n);
  const auto a = parameters_of(*reference), b = parameters_of(*net);
  for (std::size_t i = 0; i < a.size(); ++i)
    BOOST_TEST(a[i] == b[i], boost::test_tools::tolerance(1e-4f));
}

BOOST_AUTO_TEST_CASE(accumulating_batches_takes_fewer_steps) {
  const Points train = blobs(50, 1.0f, 1);  // 150 samples: 9 batches of 16
  auto net = initial_net();
  Trainer<Net, kBatch, Adam<Net>> trainer(quiet({.epochs = 2, .batches_per_step = 4}),
                                          {.lr = 0.01f});
  const TrainingHistory h = trainer.fit(*net, train);
  BOOST_TEST(h.last().steps == 3u);  // 4 + 4 + the last one alone
  BOOST_TEST(h.steps == 6u);
  BOOST_TEST(h.last().samples == 9 * kBatch);
}

BOOST_AUTO_TEST_CASE(the_batch_loop_allocates_nothing) {
  const Points train = blobs(100, 1.0f, 1), validation = blobs(20, 1.0f, 2);
  auto net = initial_net();
  const TrainerOptions options = quiet({.epochs = 3,
                                        .schedule = CosineAnnealing<float>{0.05f, 50},
                                        .schedule_unit = ScheduleUnit::step,
                                        .l2 = 1e-4,
                                        .clip_norm = 1.0,
                                        .patience = 5});
  check_epoch_two_allocates_nothing(options, 300u / kBatch, [&](const TrainerOptions& o) {
    Trainer<Net, kBatch, Adam<Net>> trainer(o);
    (void)trainer.fit(*net, train, validation);
  });
}

// Threads compute whole batches of a step into their own gradient sets,
// summed before the step: the same steps as on one thread, up to the order
// of float additions; for full-batch descent (with its one-by-one tail) and
// for steps of several batches, including a last round with fewer batches
// than threads (9 batches a step, 2 or 4 threads; 3 threads, 3 batches).
BOOST_AUTO_TEST_CASE(threads_take_the_same_steps_as_one_thread) {
  const Points train = blobs(50, 1.0f, 1);  // 150 samples: 9 batches of 16, 6 left
  struct Case {
    std::size_t batches_per_step, threads;
  };
  for (const Case c : {Case{0, 2}, Case{0, 4}, Case{3, 3}, Case{9, 2}, Case{2, 2}}) {
    BOOST_TEST_CONTEXT("batches_per_step " << c.batches_per_step << ", threads " << c.threads) {
      auto one = initial_net(), many = initial_net();
      const TrainerOptions o = quiet({.epochs = 4, .batches_per_step = c.batches_per_step});
      Trainer<Net, kBatch, Sgd<Net>> alone(o, {.lr = 0.05f, .momentum = 0.9f});
      TrainerOptions threaded = o;
      threaded.threads = c.threads;
      Trainer<Net, kBatch, Sgd<Net>> team(threaded, {.lr = 0.05f, .momentum = 0.9f});
      const TrainingHistory a = alone.fit(*one, train), b = team.fit(*many, train);
      BOOST_TEST(a.steps == b.steps);
      BOOST_TEST_REQUIRE(a.epochs.size() == b.epochs.size());
      for (std::size_t e = 0; e < a.epochs.size(); ++e) {
        BOOST_TEST(a.epochs[e].samples == b.epochs[e].samples);
        BOOST_TEST(a.epochs[e].train_accuracy == b.epochs[e].train_accuracy);
        BOOST_TEST(a.epochs[e].train_loss == b.epochs[e].train_loss,
                   boost::test_tools::tolerance(1e-5));
      }
      const auto x = parameters_of(*one), y = parameters_of(*many);
      for (std::size_t i = 0; i < x.size(); ++i)
        BOOST_TEST(x[i] == y[i], boost::test_tools::tolerance(1e-4f));
      // A second fit reuses the threads and starts from zero gradients.
      (void)alone.fit(*one, train);
      (void)team.fit(*many, train);
      const auto x2 = parameters_of(*one), y2 = parameters_of(*many);
      for (std::size_t i = 0; i < x2.size(); ++i)
        BOOST_TEST(x2[i] == y2[i], boost::test_tools::tolerance(1e-4f));
    }
  }
}

BOOST_AUTO_TEST_CASE(threads_allocate_nothing_in_the_batch_loop) {
  const Points train = blobs(100, 1.0f, 1);
  auto net = initial_net();
  const TrainerOptions options = quiet({.epochs = 3, .batches_per_step = 2, .threads = 2});
  check_epoch_two_allocates_nothing(options, 300u / kBatch, [&](const TrainerOptions& o) {
    Trainer<Net, kBatch, Adam<Net>> trainer(o);
    (void)trainer.fit(*net, train);
  });
}

// A step of one batch cannot be shared: the message says what to set.
BOOST_AUTO_TEST_CASE(threads_without_steps_of_several_batches_are_refused) {
  const Points train = blobs(50, 1.0f, 1);
  auto net = initial_net();
  const auto refused = [&](TrainerOptions o, const std::string& expected) {
    try {
      Trainer<Net, kBatch, Adam<Net>> trainer(quiet(o));
      (void)trainer.fit(*net, train);
    } catch (const std::invalid_argument& e) {
      BOOST_TEST_INFO("message: " << e.what());
      BOOST_TEST(std::string(e.what()).find(expected) != std::string::npos);
      return;
    }
    BOOST_ERROR("expected std::invalid_argument containing '" << expected << "'");
  };
  refused({.threads = 2}, "expected batches_per_step = 0 (full batch) or >= 2");
  refused({.batches_per_step = 2, .threads = 0}, "expected threads between 1 and 1024, got 0");
}

// Issue 15: --threads 1000 on 1,800 images took one oversized step an epoch
// without a word. A step that needs more samples than the training set has,
// or more threads than it has whole batches, is refused with the numbers.
BOOST_AUTO_TEST_CASE(more_threads_than_the_data_can_feed_are_refused) {
  const Points train = blobs(50, 1.0f, 1).head(50);  // 3 whole batches of 16
  auto net = initial_net();
  const auto before = parameters_of(*net);
  const auto refused = [&](TrainerOptions o, const std::string& expected) {
    Trainer<Net, kBatch, Adam<Net>> trainer(quiet(o));
    BOOST_CHECK_EXCEPTION((void)trainer.fit(*net, train), std::invalid_argument,
                          [&](const std::invalid_argument& e) {
                            BOOST_TEST_INFO("message: " << e.what());
                            BOOST_TEST(std::string(e.what()) == expected);
                            return true;
                          });
  };
  refused({.batches_per_step = 4, .threads = 4},
          "fixnet::Trainer::fit: a step takes batches_per_step x B = 4 x 16 samples, more than "
          "the training set holds (threads = 4, batches_per_step = 4, batch size B = 16, 50 "
          "training samples): expected batches_per_step x B <= samples (fewer threads and "
          "batches per step, or a smaller batch)");
  refused({.batches_per_step = 4},
          "fixnet::Trainer::fit: a step takes batches_per_step x B = 4 x 16 samples, more than "
          "the training set holds (threads = 1, batches_per_step = 4, batch size B = 16, 50 "
          "training samples): expected batches_per_step x B <= samples (fewer threads and "
          "batches per step, or a smaller batch)");
  refused({.batches_per_step = 0, .threads = 4},
          "fixnet::Trainer::fit: 4 threads need 4 whole batches of 16 samples a step (64 "
          "samples), more than the training set holds (threads = 4, batches_per_step = 0, batch "
          "size B = 16, 50 training samples): expected threads x B <= samples (fewer threads, or "
          "a smaller batch)");
  BOOST_TEST((parameters_of(*net) == before));
  // As many as it can feed train.
  Trainer<Net, kBatch, Adam<Net>> fits(quiet({.epochs = 1, .batches_per_step = 3, .threads = 3}));
  BOOST_TEST(fits.fit(*net, train).steps == 1u);
}

BOOST_AUTO_TEST_CASE(progress_shows_each_epoch_or_the_whole_run) {
  const Points train = blobs(50, 1.0f, 1);
  auto net = initial_net();
  std::ostringstream out;
  Trainer<Net, kBatch, Adam<Net>> trainer({.epochs = 2, .progress_stream = &out});
  (void)trainer.fit(*net, train);
  const std::string text = out.str();
  BOOST_TEST_MESSAGE(text);
  BOOST_TEST(contains(text, "epoch 1/2: 100% 144/144 samples in "));
  BOOST_TEST(contains(text, "epoch 2/2: 100% 144/144 samples in "));
  BOOST_TEST(contains(text, "samples/s | loss "));

  std::ostringstream whole;
  trainer.options().progress = ProgressStyle::run;
  trainer.options().progress_stream = &whole;
  (void)trainer.fit(*net, train);
  BOOST_TEST_MESSAGE(whole.str());
  BOOST_TEST(contains(whole.str(), "training: 100% 288/288 samples in "));
  BOOST_TEST(contains(whole.str(), "| epoch 2/2 | loss "));
}

BOOST_AUTO_TEST_CASE(the_history_is_written_as_csv) {
  TrainingHistory h;
  EpochRecord e;
  e.epoch = 1;
  e.train_loss = 0.5;
  e.train_accuracy = 0.75;
  e.learning_rate = 0.001;
  e.samples = 128;
  e.steps = 4;
  e.add_metric("test_accuracy", 0.8);
  h.epochs.push_back(e);
  e.epoch = 2;
  e.metrics.clear();
  e.validation_loss = 0.25;
  e.validation_accuracy = 0.875;
  h.epochs.push_back(e);
  std::ostringstream out;
  write_csv(out, h);
  BOOST_TEST(out.str() ==
             "epoch,loss,accuracy,validation_loss,validation_accuracy,learning_rate,samples,steps,"
             "clipped_steps,"
             "gradient_norm,train_seconds,seconds,samples_per_second,test_accuracy\n"
             "1,0.5,0.75,,,0.001,128,4,0,,0,0,0,0.8\n"
             "2,0.5,0.75,0.25,0.875,0.001,128,4,0,,0,0,0,\n");
  BOOST_CHECK_THROW(write_csv(std::filesystem::path("/nonexistent/dir/curves.csv"), h),
                    std::runtime_error);
}

BOOST_AUTO_TEST_CASE(what_cannot_be_trained_on_is_refused_with_a_reason) {
  const Points train = blobs(50, 1.0f, 1);
  auto net = initial_net();
  const auto message_is = [](const std::string& expected) {
    return [expected](const std::exception& e) {
      BOOST_TEST(std::string(e.what()) == expected);
      return std::string(e.what()) == expected;
    };
  };
  Trainer<Net, kBatch, Adam<Net>> early(quiet({.patience = 2}));
  BOOST_CHECK_EXCEPTION(
      (void)early.fit(*net, train), std::invalid_argument,
      message_is("fixnet::Trainer::fit: early stopping (patience 2) needs a validation set: "
                 "expected fit(net, train, validation) with validation samples, got none"));
  Trainer<Net, kBatch, Adam<Net>> trainer(quiet({}));
  BOOST_CHECK_EXCEPTION(
      (void)trainer.fit(*net, train.head(10)), std::invalid_argument,
      message_is(
          "fixnet::Trainer::fit: expected at least 16 training samples (one batch), got 10"));
  Points many(5);
  for (int i = 0; i < 20; ++i) many.add({0.0f, 1.0f}, static_cast<std::uint8_t>(i % 5));
  BOOST_CHECK_EXCEPTION(
      (void)trainer.fit(*net, many), std::invalid_argument,
      message_is("fixnet::Trainer::fit: the training set has 5 classes, but the network only 3 "
                 "outputs: expected at most Net::outputs classes (sample 3 has class index 3, "
                 "expected below 3)"));
  // The validation set is checked the same way.
  BOOST_CHECK_EXCEPTION(
      (void)trainer.fit(*net, train, many), std::invalid_argument,
      message_is("fixnet::Trainer::fit: the validation set has 5 classes, but the network only 3 "
                 "outputs: expected at most Net::outputs classes (sample 3 has class index 3, "
                 "expected below 3)"));
  using T = Trainer<Net, kBatch, Adam<Net>>;
  BOOST_CHECK_EXCEPTION((void)T(quiet({.l2 = -1})), std::invalid_argument,
                        message_is("fixnet::Trainer: expected l2 >= 0, got -1"));
  BOOST_CHECK_EXCEPTION((void)T(quiet({.clip_norm = std::nan("")})), std::invalid_argument,
                        message_is("fixnet::Trainer: expected clip_norm >= 0 (0: off), got nan"));
  BOOST_CHECK_EXCEPTION(
      (void)T({.progress_stream = nullptr}), std::invalid_argument,
      message_is("fixnet::Trainer: expected a progress_stream, got a null pointer (set progress = "
                 "ProgressStyle::off for no progress)"));
}

// docs/training.md's trainer: full-batch descent with the batches of each
// step shared by two threads learns the blobs, and follows the one-thread
// run up to the order of float additions.
BOOST_AUTO_TEST_CASE(the_documented_two_thread_full_batch_trainer_follows_one_thread) {
  const Points train = blobs(100, 1.0f, 1);
  auto net = initial_net();
  auto single = std::make_unique<Net>(*net);
  fixnet::Trainer<Net, 100, fixnet::Sgd<>> trainer(
      {.epochs = 100, .shuffle = false, .batches_per_step = 0, .threads = 2}, {.lr = 0.1f});
  const TrainingHistory h = trainer.fit(*net, train);
  Trainer<Net, 100, Sgd<Net>> one(quiet({.epochs = 100, .shuffle = false, .batches_per_step = 0}),
                                  {.lr = 0.1f});
  const TrainingHistory h1 = one.fit(*single, train);
  BOOST_TEST_REQUIRE(h.epochs.size() == 100u);
  BOOST_TEST(h.epochs.back().train_accuracy > 0.9);
  BOOST_TEST(h.epochs.back().train_loss < h.epochs.front().train_loss);
  BOOST_TEST(h.epochs.back().train_loss == h1.epochs.back().train_loss,
             boost::test_tools::tolerance(1e-4));
  BOOST_TEST(h.steps == 100u);
}

BOOST_AUTO_TEST_CASE(a_network_never_initialised_is_refused_unless_allowed) {
  const Points train = blobs(50, 1.0f, 1);
  auto net = std::make_unique<Net>();  // every parameter zero
  BOOST_TEST(all_parameters_zero(*net));
  Trainer<Net, kBatch, Adam<Net>> trainer(quiet({.epochs = 2}));
  BOOST_CHECK_EXCEPTION(
      (void)trainer.fit(*net, train), std::invalid_argument, [](const std::invalid_argument& e) {
        const std::string what = e.what();
        BOOST_TEST(what.starts_with(
            "fixnet::Trainer::fit: every parameter of the network is zero (a network starts at "
            "zero); call fixnet::initialize(net, weights, biases, seed) first"));
        BOOST_TEST(contains(what, "TrainerOptions::allow_zero_parameters = true"));
        return true;
      });
  BOOST_TEST(all_parameters_zero(*net));  // refused before any step

  // One non-zero parameter is enough: the check is for a network never set.
  net->layer_parameters<1>().bias(0) = 0.5f;
  BOOST_TEST(!all_parameters_zero(*net));
  BOOST_CHECK_NO_THROW((void)trainer.fit(*net, train));

  // The opt-out trains a zero network as asked.
  auto zero = std::make_unique<Net>();
  Trainer<Net, kBatch, Adam<Net>> allowed(quiet({.epochs = 2, .allow_zero_parameters = true}));
  const TrainingHistory h = allowed.fit(*zero, train);
  BOOST_TEST(h.epochs.size() == 2u);
  BOOST_TEST(!all_parameters_zero(*zero));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests
