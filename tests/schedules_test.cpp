// Tests of fixnet/train/schedules.hpp: each schedule's learning rate at known
// epochs, from its formula (PyTorch's StepLR, ExponentialLR,
// CosineAnnealingLR and LinearLR followed by another schedule).
#define BOOST_TEST_MODULE schedules
#include <boost/test/unit_test.hpp>

#include <bit>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <type_traits>

#include <fixnet/train/schedules.hpp>

namespace fixnet::tests {

static_assert(LearningRateSchedule<ConstantLr<>>);
static_assert(LearningRateSchedule<StepDecay<double>>);
static_assert(LearningRateSchedule<ExponentialDecay<>>);
static_assert(LearningRateSchedule<CosineAnnealing<>>);
static_assert(LearningRateSchedule<LinearWarmup<CosineAnnealing<>>>);
static_assert(!LearningRateSchedule<int>);

BOOST_AUTO_TEST_SUITE(schedules)

BOOST_AUTO_TEST_CASE(constant_is_constant) {
  const ConstantLr c{0.1f};
  BOOST_TEST(c(0) == 0.1f);
  BOOST_TEST(c(1000) == 0.1f);
}

// StepLR(step_size = 30, gamma = 0.1): 0.1 for epochs 0-29, 0.01 for 30-59...
BOOST_AUTO_TEST_CASE(step_decay_divides_every_step_size_epochs) {
  const StepDecay s{0.1, 30};
  static_assert(std::is_same_v<decltype(s(0)), double>);
  BOOST_TEST(s(0) == 0.1, boost::test_tools::tolerance(1e-15));
  BOOST_TEST(s(29) == 0.1, boost::test_tools::tolerance(1e-15));
  BOOST_TEST(s(30) == 0.01, boost::test_tools::tolerance(1e-15));
  BOOST_TEST(s(59) == 0.01, boost::test_tools::tolerance(1e-15));
  BOOST_TEST(s(60) == 0.001, boost::test_tools::tolerance(1e-15));
  const StepDecay half{1.0f, 2, 0.5f};
  BOOST_TEST(half(0) == 1.0f);
  BOOST_TEST(half(3) == 0.5f);
  BOOST_TEST(half(4) == 0.25f);
}

BOOST_AUTO_TEST_CASE(exponential_decay_multiplies_by_gamma_each_epoch) {
  const ExponentialDecay e{2.0, 0.5};
  BOOST_TEST(e(0) == 2.0);
  BOOST_TEST(e(1) == 1.0);
  BOOST_TEST(e(5) == 0.0625);
}

// CosineAnnealingLR(T_max = 100, eta_min = 0.001) from 0.1: the half-way
// point is the mean of the two, a quarter of the way
// eta_min + (lr - eta_min)(1 + cos(pi / 4)) / 2; held at eta_min after t_max.
BOOST_AUTO_TEST_CASE(cosine_annealing_follows_half_a_cosine_to_eta_min) {
  const CosineAnnealing c{0.1, 100, 0.001};
  BOOST_TEST(c(0) == 0.1, boost::test_tools::tolerance(1e-15));
  BOOST_TEST(c(50) == 0.0505, boost::test_tools::tolerance(1e-14));
  BOOST_TEST(c(25) == 0.001 + 0.099 * (1 + std::cos(std::numbers::pi / 4)) / 2, boost::test_tools::tolerance(1e-14));
  BOOST_TEST(c(100) == 0.001, boost::test_tools::tolerance(1e-14));
  BOOST_TEST(c(250) == 0.001, boost::test_tools::tolerance(1e-14));
  for (std::size_t t = 1; t <= 100; ++t) BOOST_TEST(c(t) < c(t - 1));
  const CosineAnnealing to_zero{1.0f, 10};
  BOOST_TEST(to_zero(10) == 0.0f, boost::test_tools::tolerance(1e-7f));
  BOOST_TEST(to_zero(5) == 0.5f, boost::test_tools::tolerance(1e-6f));
}

// LinearLR(start_factor = 1/3, total_iters = 3) then cosine from its own
// epoch 0: lr(0) = lr / 3, lr(1) = 5 lr / 9, lr(2) = 7 lr / 9, lr(3) = lr.
BOOST_AUTO_TEST_CASE(linear_warmup_climbs_then_hands_over) {
  const LinearWarmup w{3, CosineAnnealing{0.9, 10}};
  BOOST_TEST(w(0) == 0.3, boost::test_tools::tolerance(1e-14));
  BOOST_TEST(w(1) == 0.5, boost::test_tools::tolerance(1e-14));
  BOOST_TEST(w(2) == 0.7, boost::test_tools::tolerance(1e-14));
  BOOST_TEST(w(3) == 0.9, boost::test_tools::tolerance(1e-14));
  BOOST_TEST(w(8) == 0.45, boost::test_tools::tolerance(1e-14));  // cosine's half-way point
  BOOST_TEST(w(13) == 0.0, boost::test_tools::tolerance(1e-14));
  const LinearWarmup from_zero{4, ConstantLr{1.0f}, 0.0f};
  BOOST_TEST(from_zero(0) == 0.0f);
  BOOST_TEST(from_zero(1) == 0.25f);
  BOOST_TEST(from_zero(4) == 1.0f);
}

BOOST_AUTO_TEST_CASE(schedules_are_noexcept_values) {
  static_assert(noexcept(std::declval<const StepDecay<>&>()(1)));
  static_assert(noexcept(std::declval<const LinearWarmup<StepDecay<>>&>()(1)));
  static_assert(std::is_trivially_copyable_v<LinearWarmup<CosineAnnealing<>>>);
  // A byte-for-byte copy (what trivially copyable allows, and what a
  // checkpoint or a thread's copy relies on) is the same schedule: the rates
  // of linear_warmup_climbs_then_hands_over's formula.
  const LinearWarmup w{3, CosineAnnealing{0.9, 10}};
  const auto copy = std::bit_cast<std::remove_const_t<decltype(w)>>(w);
  BOOST_TEST(copy(0) == 0.3, boost::test_tools::tolerance(1e-14));
  BOOST_TEST(copy(3) == 0.9, boost::test_tools::tolerance(1e-14));
  BOOST_TEST(std::abs(copy(13)) < 1e-15);  // eta_min after t_max
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests
