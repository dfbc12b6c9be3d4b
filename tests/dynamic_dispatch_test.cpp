// Tests of fixnet/dispatch/dynamic_dispatch.hpp on every Highway target compiled into
// this binary and supported by this CPU, each forced in turn with
// hwy::SetSupportedTargetsForTest: the Dispatcher that FIXNET_DYNAMIC_DISPATCH
// returns reports the forced target, runs that target's kernels (bit for bit
// what the kernels called directly compute), matches the scalar reference
// (tests/reference.hpp, in double) for 2-4-3 and 784-50-10 networks, keeps
// its target when another is forced later, and allocates nothing.
//
// The file follows the pattern of docs/dispatch.md, "Shipping one binary": it names
// itself in HWY_TARGET_INCLUDE, hwy/foreach_target.h re-includes it once per
// target, and FIXNET_DYNAMIC_DISPATCH is written outside `#if HWY_ONCE`.
//
// A binary of its own: it replaces the global operator new to count
// allocations (counting_new.hpp); dynamic_dispatch_caller.cpp, linked in,
// calls the Dispatcher from another file.
#ifndef FIXNET_TESTS_DYNAMIC_DISPATCH_TEST_PRELUDE
#define FIXNET_TESTS_DYNAMIC_DISPATCH_TEST_PRELUDE

#define BOOST_TEST_MODULE dynamic_dispatch
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iomanip>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "counting_new.hpp"
#include "test_support.hpp"

#endif  // FIXNET_TESTS_DYNAMIC_DISPATCH_TEST_PRELUDE

// dynamic_dispatch_test.cpp: hwy/foreach_target.h compiles this file once per
// target. It comes before any fixnet header.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "dynamic_dispatch_test.cpp"  // this file, as #include finds it
#include <hwy/foreach_target.h>                         // IWYU pragma: keep
#include <fixnet/dispatch/dynamic_dispatch.hpp>
#include <fixnet/fixnet.hpp>

#include "per_target.hpp"  // after Highway: it has a part per target

// What may be declared only once (a variable) goes in a guarded block; the
// aliases could be repeated in every pass.
#ifndef FIXNET_TESTS_DYNAMIC_DISPATCH_TEST_TYPES
#define FIXNET_TESTS_DYNAMIC_DISPATCH_TEST_TYPES

#include "network_support.hpp"
#include "reference.hpp"

#include "dynamic_dispatch_caller.hpp"  // Blobs, kBatch

namespace fixnet::tests {
using Mnist = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 784, 50, 10>;
}  // namespace fixnet::tests

#endif  // FIXNET_TESTS_DYNAMIC_DISPATCH_TEST_TYPES

namespace fixnet::tests {

// Two losses for 2-4-3 (the second with row targets), one for 784-50-10.
FIXNET_DYNAMIC_DISPATCH(blobs_dispatcher, Blobs, kBatch, CrossEntropy, MeanSquaredError);

// Outside `#if HWY_ONCE`: in each pass it writes that target's kernels, and in
// the last one the function
//   fixnet::Dispatcher<Mnist, 32, fixnet::CrossEntropy> mnist_dispatcher() noexcept;
FIXNET_DYNAMIC_DISPATCH(mnist_dispatcher, Mnist, 32, fixnet::CrossEntropy);

}  // namespace fixnet::tests

// The kernels called directly, without the Dispatcher: what it must
// reproduce bit for bit on each target.
HWY_BEFORE_NAMESPACE();
namespace fixnet::tests::HWY_NAMESPACE {

void direct_forward(const Mnist::parameters_type& p, Workspace<Mnist, kBatch>& ws) {
  fixnet::HWY_NAMESPACE::network_forward<Mnist, false>(p, ws);
}

float direct_backward(const Mnist::parameters_type& p, Workspace<Mnist, kBatch>& ws,
                      Mnist::parameters_type& grads) {
  return fixnet::HWY_NAMESPACE::network_backward<CrossEntropy, Mnist>(p, ws, grads);
}

}  // namespace fixnet::tests::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace fixnet::tests {

HWY_EXPORT(direct_forward);
HWY_EXPORT(direct_backward);

namespace {

// The hot path is noexcept.
using BlobsDispatcher = decltype(blobs_dispatcher());
static_assert(
    std::is_same_v<BlobsDispatcher, Dispatcher<Blobs, kBatch, CrossEntropy, MeanSquaredError>>);
static_assert(noexcept(blobs_dispatcher()));
static_assert(
    std::is_same_v<decltype(mnist_dispatcher()), Dispatcher<Mnist, kBatch, CrossEntropy>>);
static_assert(noexcept(mnist_dispatcher()));
static_assert(noexcept(std::declval<const BlobsDispatcher&>().forward(
    std::declval<const Blobs&>(), std::declval<const std::array<float, 2>&>())));
static_assert(noexcept(std::declval<const BlobsDispatcher&>().forward(
    std::declval<const Blobs&>(), std::declval<const std::array<std::array<float, 2>, kBatch>&>(),
    std::declval<std::array<std::array<float, 3>, kBatch>&>(),
    std::declval<Workspace<Blobs, kBatch>&>())));
static_assert(noexcept(std::declval<const BlobsDispatcher&>().backward(
    std::declval<const Blobs&>(), std::declval<const std::array<std::array<float, 2>, kBatch>&>(),
    std::declval<const std::array<int, kBatch>&>(), CrossEntropy{},
    std::declval<Gradients<Blobs>&>(), std::declval<Workspace<Blobs, kBatch>&>())));
static_assert(noexcept(std::declval<const BlobsDispatcher&>().loss(
    std::declval<const Blobs&>(), std::declval<const std::array<std::array<float, 2>, kBatch>&>(),
    std::declval<const std::array<int, kBatch>&>(), CrossEntropy{},
    std::declval<Workspace<Blobs, kBatch>&>())));
static_assert(noexcept(std::declval<const BlobsDispatcher&>().add_scaled(
    std::declval<Blobs&>(), 1.0f, std::declval<const Gradients<Blobs>&>())));
static_assert(std::is_trivially_copyable_v<BlobsDispatcher>);

/// Float against the reference in double on the same parameters and inputs
/// (converted exactly), |dispatched - reference| <= rel |reference| + abs:
///   outputs and losses: rel 1e-5 + abs 1e-6, as tests/network_test.cpp: a
///   float dot product of n terms is off by about sqrt(n) ULP of the sum of
///   |terms| (784 inputs: ~2e-6 of a logit's scale), which sigmoid and
///   softmax do not amplify. Observed worst here: outputs 5.4e-7, losses
///   1.7e-7 relative.
///   gradients: rel 1e-5 + abs 1e-5 times the largest gradient: sums over a
///   batch of 32 of products that each carry the outputs' error; an entry
///   that is a small difference of large terms has no relative accuracy,
///   hence the absolute part. Observed worst: 2.6e-7 of the largest gradient.
/// A wrong kernel, layer, sample or loss is off by orders of magnitude more.
constexpr double kValueRel = 1e-5, kValueAbs = 1e-6;
constexpr double kGradientRel = 1e-5, kGradientAbs = 1e-5;

/// A network, its double twin for the reference, and a batch of inputs with
/// class indices and row targets (a distribution per sample).
template <class Net>
struct Fixture {
  static constexpr std::size_t In = Net::inputs, Out = Net::outputs;
  std::unique_ptr<Net> net = std::make_unique<Net>();
  std::unique_ptr<typename AsDouble<Net>::type> twin;
  std::unique_ptr<Workspace<Net, kBatch>> ws = std::make_unique<Workspace<Net, kBatch>>();
  std::unique_ptr<std::array<std::array<float, In>, kBatch>> xs =
      std::make_unique<std::array<std::array<float, In>, kBatch>>();
  std::array<int, kBatch> classes{};
  std::array<std::array<float, Out>, kBatch> rows{};

  explicit Fixture(std::uint64_t seed) {
    initialize(*net, init::XavierUniform{}, init::Normal{0.0, 0.5}, seed);
    twin = std::make_unique<typename AsDouble<Net>::type>(*net);
    TestRng rng(seed);
    for (std::size_t b = 0; b < kBatch; ++b) {
      (*xs)[b] = uniform_array<float, In>(rng, -1, 1);
      classes[b] = static_cast<int>(rng() % Out);
      rows[b] = uniform_array<float, Out>(rng, 0, 1);
    }
  }

  std::array<double, In> x_double(std::size_t b) const {
    std::array<double, In> x;
    std::copy((*xs)[b].begin(), (*xs)[b].end(), x.begin());
    return x;
  }
  std::array<double, Out> row_double(std::size_t b) const {
    std::array<double, Out> t;
    std::copy(rows[b].begin(), rows[b].end(), t.begin());
    return t;
  }
};

/// One-sample and batch forward against the reference.
template <class D>
void check_forward(const D& dispatcher, std::uint64_t seed, const std::string& what) {
  using Net = typename D::network_type;
  Fixture<Net> f(seed);
  std::array<std::array<float, Net::outputs>, kBatch> ys;
  dispatcher.forward(*f.net, *f.xs, ys, *f.ws);
  for (std::size_t b = 0; b < kBatch; ++b) {
    const auto expected = reference::forward(*f.twin, f.x_double(b));
    if (b < 4)
      check_close_all(dispatcher.forward(*f.net, (*f.xs)[b]), expected, kValueRel, kValueAbs,
                      what + ": one-sample forward");
    check_close_all(ys[b], expected, kValueRel, kValueAbs,
                    what + ": batch forward, sample " + std::to_string(b));
  }
}

/// Batch backward (onto non-zero gradients: backward adds) and loss against
/// the reference, with class indices (Targets = classes) or rows.
template <class Net, class L, class D>
void check_backward(const D& dispatcher, std::uint64_t seed, bool class_targets,
                    const std::string& what) {
  using P = Gradients<Net>;
  using PD = Gradients<typename AsDouble<Net>::type>;
  Fixture<Net> f(seed);
  TestRng rng(seed + 1);
  std::vector<float> start(P::parameter_count);
  for (float& v : start) v = uniform<float>(rng, -1, 1);
  auto grads = std::make_unique<P>();
  grads->set_parameters(std::span<const float>(start));
  auto expected_grads = std::make_unique<PD>();
  expected_grads->set_parameters(std::span<const double>(std::vector<double>(start.begin(), start.end())));

  double expected_loss = 0;
  for (std::size_t b = 0; b < kBatch; ++b) {
    if (class_targets) {
      expected_loss +=
          reference::backward(*f.twin, f.x_double(b), f.classes[b], L{}, *expected_grads);
    } else {
      expected_loss +=
          reference::backward(*f.twin, f.x_double(b), f.row_double(b), L{}, *expected_grads);
    }
  }
  const float loss = class_targets
                         ? dispatcher.backward(*f.net, *f.xs, f.classes, L{}, *grads, *f.ws)
                         : dispatcher.backward(*f.net, *f.xs, f.rows, L{}, *grads, *f.ws);
  const float loss_only = class_targets ? dispatcher.loss(*f.net, *f.xs, f.classes, L{}, *f.ws)
                                        : dispatcher.loss(*f.net, *f.xs, f.rows, L{}, *f.ws);
  BOOST_CHECK_MESSAGE(within(loss, expected_loss, kValueRel, kValueAbs),
                      what << ": backward's loss " << std::setprecision(9) << loss
                           << " vs reference " << expected_loss);
  BOOST_CHECK_MESSAGE(
      within(loss_only, expected_loss, kValueRel, kValueAbs),
      what << ": loss " << std::setprecision(9) << loss_only << " vs reference " << expected_loss);
  const auto expected = parameters_as_double(*expected_grads);
  check_close_all(parameters_as_double(*grads), expected, kGradientRel, kGradientAbs * max_abs(expected),
                  what + ": gradients");
}

/// add_scaled: y + alpha x against std::fma in double (test_support.hpp's
/// check_axpy states the bound).
template <class D>
void check_add_scaled(const D& dispatcher, std::uint64_t seed, const std::string& what) {
  using Net = typename D::network_type;
  using P = Gradients<Net>;
  TestRng rng(seed);
  std::vector<float> x(P::parameter_count), y(P::parameter_count);
  for (float& v : x) v = uniform<float>(rng, -2, 2);
  for (float& v : y) v = uniform<float>(rng, -2, 2);
  auto net = std::make_unique<Net>();
  auto grads = std::make_unique<P>();
  net->set_parameters(std::span<const float>(y));
  grads->set_parameters(std::span<const float>(x));
  dispatcher.add_scaled(*net, -0.3f, *grads);
  check_axpy(parameters_as_double(net->parameters()), y, -0.3f, x, what + ": add_scaled");
}

std::string describe(const char* net, const char* target) {
  return std::string(net) + " on " + target;
}

using MnistDispatcher = decltype(mnist_dispatcher());

/// Runs check_blobs(blobs_dispatcher(), seed, what), then
/// check_mnist(mnist_dispatcher(), seed + 1, what), on every target, `what`
/// naming the network and the target.
template <class CheckBlobs, class CheckMnist>
void on_both_networks(std::uint64_t seed, CheckBlobs check_blobs, CheckMnist check_mnist) {
  on_every_target([&] {
    const char* target = hwy::TargetName(current_target());
    check_blobs(blobs_dispatcher(), seed, describe("2-4-3", target));
    check_mnist(mnist_dispatcher(), seed + 1, describe("784-50-10", target));
  });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dynamic_dispatch)

BOOST_AUTO_TEST_CASE(the_dispatcher_reports_the_forced_target_and_its_name_changes_with_it) {
  std::vector<std::string> names;
  on_every_target([&] {
    const std::int64_t target = current_target();
    const auto blobs = blobs_dispatcher();
    const auto mnist = mnist_dispatcher();
    BOOST_TEST(blobs.target() == target);
    BOOST_TEST(mnist.target() == target);
    BOOST_TEST(std::string(blobs.target_name()) == hwy::TargetName(target));
    BOOST_TEST(std::string(mnist.target_name()) == hwy::TargetName(target));
    names.push_back(blobs.target_name());
  });
  // One name per target, all different: forcing another target changes it.
  const std::vector<std::int64_t> targets = hwy::SupportedAndGeneratedTargets();
  BOOST_TEST(names.size() == targets.size());
  BOOST_TEST(std::set<std::string>(names.begin(), names.end()).size() == names.size());
  // Unforced, it is the best target of this CPU that was compiled: the first.
  BOOST_TEST(std::string(blobs_dispatcher().target_name()) == hwy::TargetName(targets.front()));
}

BOOST_AUTO_TEST_CASE(forward_matches_the_scalar_reference_on_every_target) {
  on_both_networks(11, check_forward<BlobsDispatcher>, check_forward<MnistDispatcher>);
}

BOOST_AUTO_TEST_CASE(backward_and_loss_match_the_scalar_reference_on_every_target) {
  on_every_target([] {
    const char* target = hwy::TargetName(current_target());
    check_backward<Blobs, CrossEntropy>(blobs_dispatcher(), 21, true,
                                        describe("2-4-3 cross-entropy, class indices", target));
    check_backward<Blobs, MeanSquaredError>(blobs_dispatcher(), 22, false,
                                            describe("2-4-3 mean squared error, rows", target));
    check_backward<Mnist, CrossEntropy>(mnist_dispatcher(), 23, true,
                                        describe("784-50-10 cross-entropy, class indices", target));
  });
}

// backward(..., net.parameters(), ws, -rate): the fused gradient-descent
// step. Expected: theta - rate * (reference gradient), in double; the
// parameters are of order 1 and the update is rate times a gradient
// accurate to 1e-6 of its largest entry, so rel 1e-6 + abs 1e-6 (a float
// parameter itself carries 6e-8). A step in the wrong direction, of the
// wrong size or on stale weights is off by the size of the update, ~1e-2.
template <class D>
void check_fused_step(const D& dispatcher, std::uint64_t seed, const std::string& what) {
  using Net = typename D::network_type;
  using L = CrossEntropy;
  constexpr float rate = 0.05f;
  Fixture<Net> f(seed);
  auto expected_grads = std::make_unique<Gradients<typename AsDouble<Net>::type>>();
  for (std::size_t b = 0; b < kBatch; ++b)
    reference::backward(*f.twin, f.x_double(b), f.classes[b], L{}, *expected_grads);
  std::vector<double> expected = parameters_as_double(f.twin->parameters());
  const std::vector<double> g = parameters_as_double(*expected_grads);
  for (std::size_t k = 0; k < expected.size(); ++k) expected[k] -= double(rate) * g[k];
  dispatcher.backward(*f.net, *f.xs, f.classes, L{}, f.net->parameters(), *f.ws, -rate);
  check_close_all(parameters_as_double(f.net->parameters()), expected, 1e-6, 1e-6,
                  what + ": parameters after a fused step");
}

BOOST_AUTO_TEST_CASE(backward_into_the_parameters_is_a_gradient_descent_step_on_every_target) {
  on_both_networks(26, check_fused_step<BlobsDispatcher>, check_fused_step<MnistDispatcher>);
}

BOOST_AUTO_TEST_CASE(add_scaled_matches_a_scalar_loop_on_every_target) {
  on_both_networks(31, check_add_scaled<BlobsDispatcher>, check_add_scaled<MnistDispatcher>);
}

// Stronger than agreeing with the reference: the results are the forced
// target's own, to the last bit (targets differ in their last bits: FMA or
// not, vector widths, exp approximations).
BOOST_AUTO_TEST_CASE(the_dispatcher_runs_the_kernels_of_its_target_bit_for_bit) {
  on_every_target([] {
    Fixture<Mnist> f(41);
    const auto mnist = mnist_dispatcher();
    std::array<std::array<float, 10>, kBatch> ys, direct_ys;
    mnist.forward(*f.net, *f.xs, ys, *f.ws);
    for (std::size_t b = 0; b < kBatch; ++b) f.ws->set_input(b, (*f.xs)[b]);
    HWY_DYNAMIC_DISPATCH(direct_forward)(f.net->parameters(), *f.ws);
    for (std::size_t b = 0; b < kBatch; ++b) f.ws->get_output(b, direct_ys[b]);
    BOOST_TEST(std::memcmp(ys.data(), direct_ys.data(), sizeof ys) == 0);

    auto grads = std::make_unique<Gradients<Mnist>>(),
         direct_grads = std::make_unique<Gradients<Mnist>>();
    const float loss = mnist.backward(*f.net, *f.xs, f.classes, CrossEntropy{}, *grads, *f.ws);
    for (std::size_t b = 0; b < kBatch; ++b) f.ws->set_target(b, f.classes[b]);
    const float direct_loss =
        HWY_DYNAMIC_DISPATCH(direct_backward)(f.net->parameters(), *f.ws, *direct_grads);
    BOOST_TEST(std::memcmp(&loss, &direct_loss, sizeof loss) == 0);
    BOOST_TEST((*grads == *direct_grads));
  });
}

BOOST_AUTO_TEST_CASE(a_dispatcher_keeps_its_target_when_another_is_forced) {
  const std::vector<std::int64_t> targets = hwy::SupportedAndGeneratedTargets();
  struct Restore {
    ~Restore() { hwy::SetSupportedTargetsForTest(0); }
  } restore;
  hwy::SetSupportedTargetsForTest(targets.back());
  const auto kept = blobs_dispatcher();
  BOOST_TEST(kept.target() == targets.back());
  hwy::SetSupportedTargetsForTest(targets.front());
  BOOST_TEST(blobs_dispatcher().target() == targets.front());
  BOOST_TEST(kept.target() == targets.back());
  check_forward(kept, 51, describe("2-4-3 kept", kept.target_name()));
}

// FIXNET_DECLARE_DYNAMIC_DISPATCH in another file declares the function that
// FIXNET_DYNAMIC_DISPATCH defines here (a mismatch would not link): called
// from there, it runs the forced target and computes the scalar reference's
// output.
BOOST_AUTO_TEST_CASE(another_file_reaches_the_dispatcher_through_its_declaration) {
  on_every_target([] {
    Fixture<Blobs> f(71);
    const CallerResult result = call_from_another_file(*f.net, (*f.xs)[0]);
    BOOST_TEST(result.target == current_target());
    check_close_all(result.output, reference::forward(*f.twin, f.x_double(0)), kValueRel, kValueAbs,
                    "2-4-3 forward from another file");
  });
}

// docs/dispatch.md's calls, made in dynamic_dispatch_caller.cpp through the
// declaration alone, compute what the scalar reference computes: the
// one-sample and batch outputs, the batch's summed loss, and the parameters
// after its two gradient-descent steps (add_scaled, then the fused step, at
// the new parameters), each step theta - 0.1 (reference gradient at theta)
// in double. Tolerances as check_forward, check_backward and
// check_fused_step above.
BOOST_AUTO_TEST_CASE(the_documented_calls_from_another_file_match_the_scalar_reference) {
  on_every_target([] {
    constexpr double rate = 0.1;
    Fixture<Mnist> there(81);
    auto there_grads = std::make_unique<Gradients<Mnist>>();
    std::array<std::array<float, 10>, kBatch> there_ys;
    const MnistCallerResult result =
        mnist_from_another_file(there.net.get(), (*there.xs)[0], there.xs.get(), there.classes,
                                there_ys, there.ws.get(), *there_grads, float(rate));

    const std::string target = hwy::TargetName(current_target());
    check_close_all(result.p, reference::forward(*there.twin, there.x_double(0)), kValueRel,
                    kValueAbs, "one-sample forward from another file on " + target);
    double expected_loss = 0;
    using Twin = AsDouble<Mnist>::type;
    auto gradient = std::make_unique<Gradients<Twin>>();
    for (std::size_t b = 0; b < kBatch; ++b) {
      check_close_all(there_ys[b], reference::forward(*there.twin, there.x_double(b)), kValueRel,
                      kValueAbs, "batch forward from another file, sample " + std::to_string(b));
      expected_loss += reference::backward(*there.twin, there.x_double(b), there.classes[b],
                                           CrossEntropy{}, *gradient);
    }
    BOOST_CHECK_MESSAGE(within(result.loss, expected_loss, kValueRel, kValueAbs),
                        "loss from another file " << std::setprecision(9) << result.loss
                                                  << " vs reference " << expected_loss);
    // Two steps: theta1 = theta0 - rate g(theta0), theta2 = theta1 - rate g(theta1).
    auto stepped = std::make_unique<Twin>(*there.twin);
    stepped->parameters().add_scaled(-rate, *gradient);
    auto second = std::make_unique<Gradients<Twin>>();
    for (std::size_t b = 0; b < kBatch; ++b)
      reference::backward(*stepped, there.x_double(b), there.classes[b], CrossEntropy{}, *second);
    stepped->parameters().add_scaled(-rate, *second);
    const auto expected = parameters_as_double(stepped->parameters());
    check_close_all(parameters_as_double(there.net->parameters()), expected, kGradientRel,
                    kGradientAbs * max_abs(expected),
                    "parameters after two steps from another file on " + target);
  });
}

BOOST_AUTO_TEST_CASE(the_passes_allocate_nothing_on_every_target) {
  on_every_target([] {
    Fixture<Blobs> blobs(61);
    Fixture<Mnist> mnist(62);
    auto blobs_grads = std::make_unique<Gradients<Blobs>>();
    auto mnist_grads = std::make_unique<Gradients<Mnist>>();
    std::array<std::array<float, 3>, kBatch> blobs_ys;
    std::array<std::array<float, 10>, kBatch> mnist_ys;
    const auto b = blobs_dispatcher();
    const auto m = mnist_dispatcher();
    const std::size_t before = allocation_count();
    float sum = b.forward(*blobs.net, (*blobs.xs)[0])[0] + m.forward(*mnist.net, (*mnist.xs)[0])[0];
    b.forward(*blobs.net, *blobs.xs, blobs_ys, *blobs.ws);
    m.forward(*mnist.net, *mnist.xs, mnist_ys, *mnist.ws);
    sum +=
        b.backward(*blobs.net, *blobs.xs, blobs.classes, CrossEntropy{}, *blobs_grads, *blobs.ws);
    sum +=
        b.backward(*blobs.net, *blobs.xs, blobs.rows, MeanSquaredError{}, *blobs_grads, *blobs.ws);
    sum +=
        m.backward(*mnist.net, *mnist.xs, mnist.classes, CrossEntropy{}, *mnist_grads, *mnist.ws);
    sum += b.loss(*blobs.net, *blobs.xs, blobs.classes, CrossEntropy{}, *blobs.ws);
    sum += m.loss(*mnist.net, *mnist.xs, mnist.classes, CrossEntropy{}, *mnist.ws);
    b.add_scaled(*blobs.net, -0.1f, *blobs_grads);
    m.add_scaled(*mnist.net, -0.1f, *mnist_grads);
    const std::size_t allocations = allocation_count() - before;
    BOOST_TEST(allocations == 0u);
    BOOST_TEST(std::isfinite(sum + blobs_ys[0][0] + mnist_ys[0][0]));
  });
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests
#endif  // HWY_ONCE
