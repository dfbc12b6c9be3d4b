// Tests of fixnet/optimizers/any_optimizer.hpp: AnyOptimizer built from each
// optimiser's options steps exactly as that optimiser does (bit for bit,
// several steps, so that its state is carried), forwards the learning rate
// and reset, refuses the options the optimiser refuses with the
// optimiser's own message, and trains through the Trainer.
#define BOOST_TEST_MODULE any_optimizer
#include <boost/test/unit_test.hpp>

#include <array>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <variant>

#include <fixnet/fixnet.hpp>
#include <fixnet/train/trainer.hpp>

namespace fixnet::tests {
namespace {

using Net = Mlp<Sigmoid, Softmax, 2, 4, 3>;
using Any = AnyOptimizer<Net>;
static_assert(Optimizer<Any, Net>);

// In a Trainer, Sgd<>, RmsProp<>, Adam<> and AdamW<> are the optimisers of
// its network; an optimiser that names its model is kept as it is.
template <class Opt>
using TrainerOptimizerOf = typename Trainer<Net, 4, Opt>::optimizer_type;
static_assert(std::is_same_v<TrainerOptimizerOf<Sgd<>>, Sgd<Net>>);
static_assert(std::is_same_v<TrainerOptimizerOf<RmsProp<>>, RmsProp<Net>>);
static_assert(std::is_same_v<TrainerOptimizerOf<Adam<>>, Adam<Net>>);
static_assert(std::is_same_v<TrainerOptimizerOf<AdamW<>>, AdamW<Net>>);
static_assert(std::is_same_v<TrainerOptimizerOf<Adam<Net>>, Adam<Net>>);
static_assert(std::is_same_v<TrainerOptimizerOf<Any>, Any>);

std::array<float, Net::parameter_count> parameters_of(const Net& net) {
  std::array<float, Net::parameter_count> p;
  net.get_parameters(p);
  return p;
}

/// Gradients that change from step to step (so that momentum, moments and
/// their bias corrections all matter).
Gradients<Net> gradients_for(std::size_t step) {
  std::array<float, Net::parameter_count> g;
  for (std::size_t i = 0; i < g.size(); ++i)
    g[i] = 0.01f * static_cast<float>((i * 7 + step * 13) % 17) - 0.08f;
  Net carrier;
  carrier.set_parameters(g);
  return carrier.parameters();
}

/// Five steps of `Concrete` and of AnyOptimizer built from the same options
/// give the same parameters, bit for bit.
template <class Concrete>
void check_same_steps(const typename Concrete::options_type& options) {
  Net a, b;
  initialize(a, init::XavierUniform{}, init::Zeros{}, 3);
  b = a;
  Concrete concrete(options);
  Any any(options);
  BOOST_TEST(std::holds_alternative<Concrete>(any.get()));
  for (std::size_t step = 0; step < 5; ++step) {
    const Gradients<Net> g = gradients_for(step);
    concrete.step(a, g);
    any.step(b, g);
  }
  BOOST_TEST(parameters_of(a) == parameters_of(b));
  BOOST_TEST(any.learning_rate() == concrete.learning_rate());
}

BOOST_AUTO_TEST_SUITE(any_optimizer)

BOOST_AUTO_TEST_CASE(each_choice_steps_exactly_as_the_optimiser_it_names) {
  check_same_steps<Sgd<Net>>(SgdOptions<float>{.lr = 0.1f});
  check_same_steps<Sgd<Net>>(SgdOptions<float>{.lr = 0.1f, .momentum = 0.9f, .nesterov = true});
  check_same_steps<RmsProp<Net>>(RmsPropOptions<float>{.lr = 0.01f});
  check_same_steps<Adam<Net>>(AdamOptions<float>{.lr = 0.01f});
  check_same_steps<AdamW<Net>>(AdamWOptions<float>{.lr = 0.01f, .weight_decay = 0.1f});
}

BOOST_AUTO_TEST_CASE(the_learning_rate_and_reset_reach_the_optimiser) {
  Any any(AdamOptions<float>{.lr = 0.01f});
  any.set_learning_rate(0.5f);
  BOOST_TEST(any.learning_rate() == 0.5f);
  BOOST_TEST(std::get<Adam<Net>>(any.get()).learning_rate() == 0.5f);
  Net net;
  any.step(net, gradients_for(0));
  BOOST_TEST(std::get<Adam<Net>>(any.get()).step_count() == 1u);
  any.reset();
  BOOST_TEST(std::get<Adam<Net>>(any.get()).step_count() == 0u);
}

BOOST_AUTO_TEST_CASE(options_out_of_range_are_refused_with_the_optimisers_message) {
  const auto message = [](const Any::options_type& options) -> std::string {
    try {
      Any any(options);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "(accepted)";
  };
  BOOST_TEST(message(AdamOptions<float>{.beta1 = 1.5f}) ==
             "fixnet::Adam: expected 0 <= beta1 < 1, got 1.5");
  BOOST_TEST(message(AdamWOptions<float>{.beta2 = -1.0f}) ==
             "fixnet::AdamW: expected 0 <= beta2 < 1, got -1");
  BOOST_TEST(message(SgdOptions<float>{.lr = 0.1f}) == "(accepted)");
}

BOOST_AUTO_TEST_CASE(a_trainer_with_any_optimizer_trains_as_with_the_optimiser) {
  data::Dataset<float, 2> train(3);
  for (std::size_t i = 0; i < 96; ++i) {
    const float x = static_cast<float>(i % 3) - 1.0f, y = static_cast<float>(i % 5) * 0.1f;
    train.add(std::array<float, 2>{x, y}, i % 3);
  }
  Net a, b;
  initialize(a, init::XavierUniform{}, init::Zeros{}, 5);
  b = a;
  const TrainerOptions options{.epochs = 3, .seed = 2, .progress = ProgressStyle::off};
  Trainer<Net, 16, Adam<Net>> concrete(options, {.lr = 0.02f});
  Trainer<Net, 16, Any> any(options, AdamOptions<float>{.lr = 0.02f});
  const TrainingHistory h = concrete.fit(a, train), k = any.fit(b, train);
  BOOST_TEST(h.last().train_loss == k.last().train_loss);
  BOOST_TEST(parameters_of(a) == parameters_of(b));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(a_trainer_builds_adam_of_its_network_from_its_options) {
  Trainer<Net, 4, AdamW<>> trainer({.epochs = 1, .progress = ProgressStyle::off},
                                   {.lr = 0.125f, .weight_decay = 0.25f});
  BOOST_TEST(trainer.optimizer().learning_rate() == 0.125f);
  BOOST_TEST(trainer.optimizer().options().weight_decay == 0.25f);
  BOOST_TEST(trainer.optimizer().name() == "AdamW");
  BOOST_TEST(trainer.optimizer().step_count() == 0u);
}

}  // namespace
}  // namespace fixnet::tests
