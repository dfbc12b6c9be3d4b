// Tests of fixnet/passes/network-inl.hpp, dense-inl.hpp and axpy-inl.hpp on
// every Highway target compiled into this binary: whole-network forward,
// backward and loss on batches, in float and double, against the scalar
// reference (tests/reference.hpp) run in double; gradients accumulated onto
// existing values; padding left zero; logits of +-1000; the parameter-set
// updates behind gradient descent; one sample in registers against the batch
// path, bit for bit.
//
// hwy/foreach_target.h re-includes this file once per target; the per-target
// part only takes the kernels' addresses, the checks are compiled once. Few
// network types, since each is compiled for every target.
#ifndef FIXNET_TESTS_NETWORK_KERNEL_TEST_PRELUDE
#define FIXNET_TESTS_NETWORK_KERNEL_TEST_PRELUDE

#define BOOST_TEST_MODULE network_kernel
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "test_support.hpp"

#endif  // FIXNET_TESTS_NETWORK_KERNEL_TEST_PRELUDE

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "network_kernel_test.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <fixnet/fixnet.hpp>

#include "per_target.hpp"  // after Highway: it has a part per target
#include "kernel_support.hpp"  // after per_target.hpp, likewise

// The types and checks, once: they need fixnet/network.hpp, which brings the
// kernels and so may only be included from here (after foreach_target.h).
#ifndef FIXNET_TESTS_NETWORK_KERNEL_TEST_TYPES
#define FIXNET_TESTS_NETWORK_KERNEL_TEST_TYPES

#include <fixnet/activations/identity.hpp>
#include <fixnet/activations/leaky_relu.hpp>
#include <fixnet/activations/relu.hpp>
#include <fixnet/activations/sigmoid.hpp>
#include <fixnet/activations/softmax.hpp>
#include <fixnet/activations/tanh.hpp>
#include <fixnet/train/init.hpp>
#include <fixnet/losses/binary_cross_entropy.hpp>
#include <fixnet/losses/cross_entropy.hpp>
#include <fixnet/losses/squared_error.hpp>
#include <fixnet/network.hpp>
#include "reference.hpp"


namespace fixnet::tests {

/// The networks under test: BlobsSpec (targets written as class indices),
/// DeepSpec and SoftmaxHiddenSpec from kernel_support.hpp, and:
struct ExtremeSpec {
  template <class T>
  using net = BasicNetwork<T, Dense<2, 3, Softmax>>;
  using loss = CrossEntropy;
  static constexpr const char* name = "2-3 softmax with logits of +-1000";
};

/// A first layer with 300 inputs (read from the caller's row, a partial last
/// vector on every target), a hidden layer of 70 (five AVX-512 vectors; in a
/// workspace on 16-register targets), and a softmax of 10.
struct WideInputSpec {
  template <class T>
  using net = BasicNetwork<T, Dense<300, 70, Relu>, Dense<70, 10, Softmax>>;
  using loss = CrossEntropy;
  static constexpr const char* name = "300-70-10 relu/softmax";
};

/// An activation that is not elementwise and whose kernel (defined below,
/// per target) has a row kernel but no forward_registers; only its traits
/// are checked.
struct RowKernelsOnly : Softmax {};

template <class Spec, class T, std::size_t B>
using Case = NetworkCase<Spec, T, B>;

// B = 5 is odd (the gradient kernel unrolls two samples), B = 1 the
// single-sample path (in registers, forward and backward, where the target
// has vectors and the widths fit). Narrow networks with batches of at least one line of
// samples (B = 37 float, B = 19 double: a partial last vector on every
// target) run with samples in lanes (fixnet/kernels/dense_lanes-inl.hpp).
using Cases = std::tuple<Case<BlobsSpec, float, 1>, Case<BlobsSpec, float, 5>, Case<BlobsSpec, double, 5>,
                         Case<BlobsSpec, float, 37>, Case<BlobsSpec, double, 19>,
                         Case<DeepSpec, float, 1>, Case<DeepSpec, float, 5>, Case<DeepSpec, double, 5>,
                         Case<SoftmaxHiddenSpec, float, 5>, Case<SoftmaxHiddenSpec, double, 5>,
                         Case<SoftmaxHiddenSpec, float, 37>, Case<SoftmaxHiddenSpec, double, 19>,
                         Case<ExtremeSpec, float, 1>, Case<ExtremeSpec, double, 1>>;
static_assert(Workspace<BlobsSpec::net<float>, 37>::lanes && Workspace<BlobsSpec::net<double>, 19>::lanes &&
                  Workspace<SoftmaxHiddenSpec::net<float>, 37>::lanes && !Workspace<BlobsSpec::net<float>, 5>::lanes,
              "the cases must cover both layouts");

/// One target's parameter-set updates.
template <class P>
struct UpdateKernels {
  using T = typename P::scalar_type;
  void (*axpy)(T, const P&, P&, std::size_t, std::size_t) = nullptr;
  void (*scale)(T, P&) = nullptr;
};
using UpdateSets = std::tuple<typename DeepSpec::net<float>::parameters_type,
                              typename DeepSpec::net<double>::parameters_type>;

/// One target's one-sample forward passes of a float network: from the
/// caller's row (what `net.forward(x)` runs), through a one-sample workspace,
/// and the batch path (three samples in rows) to compare them with.
template <class Spec>
struct SampleKernels {
  using Net = typename Spec::template net<float>;
  using P = typename Net::parameters_type;
  bool in_registers = false;  // the target runs one sample in registers
  bool scalar_target = false;
  bool fused_multiply_add = false;  // HWY_NATIVE_FMA
  std::size_t vector_registers = 0;
  /// The widest output of Net's layers.
  static constexpr std::size_t widest = [] {
    std::size_t w = 0;
    detail::for_each_index<Net::layer_count>(
        [&](auto i) { w = std::max(w, Net::template layer_type<decltype(i)::value>::outputs); });
    return w;
  }();
  void (*sample)(const P&, const float*, float*) = nullptr;
  void (*one)(const P&, typename Net::template workspace_type<1>&) = nullptr;
  void (*rows)(const P&, typename Net::template workspace_type<3>&) = nullptr;
};
using SampleSpecs = std::tuple<BlobsSpec, DeepSpec, SoftmaxHiddenSpec, WideInputSpec>;
static_assert(!Workspace<DeepSpec::net<float>, 3>::lanes && !Workspace<BlobsSpec::net<float>, 3>::lanes,
              "the batch path compared with is rows");

struct KernelTable {
  KernelsPerSetT<NetworkKernels, Cases> networks;
  KernelsPerSetT<UpdateKernels, UpdateSets> updates;
  KernelsPerSetT<SampleKernels, SampleSpecs> samples;
};

/// Float kernels against the reference in double on the same parameters and
/// inputs (converted exactly), |kernel - reference| <= rel |reference| + abs:
///   outputs and losses: rel 3e-6 + abs 3e-7. Float dot products of up to 33
///   terms and activations within a few ULP: observed worst 3e-7 relative.
///   gradients: rel 3e-6 + abs 3e-7 times the largest gradient: backward
///   passes chain a few more roundings per layer and sum over the batch
///   (observed worst 2e-7 relative); an entry that is a small difference of
///   large terms has no relative accuracy, hence the absolute part.
/// Double kernels: rel 1e-14, abs 1e-14 (times the largest gradient), about
/// thirty times the observed worst (3e-16).
/// Every error of formula, index, lane or mask is off by orders more.
template <class T>
struct Tolerance {
  static constexpr bool is_float = std::is_same_v<T, float>;
  static constexpr double value_rel = is_float ? 3e-6 : 1e-14;
  static constexpr double value_abs = is_float ? 3e-7 : 1e-14;
  static constexpr double gradient_rel = is_float ? 3e-6 : 1e-14;
  static constexpr double gradient_abs = is_float ? 3e-7 : 1e-14;
};

template <class C>
std::string describe(const char* what) {
  return std::string(C::spec::name) + " <" + type_name<typename C::scalar>() + ", B=" + std::to_string(C::batch) +
         ">: " + what;
}

/// A batch of inputs and targets for a case, and the reference's results.
template <class C>
struct Batch {
  using T = typename C::scalar;
  using Net = typename C::Net;
  static constexpr std::size_t B = C::batch;
  std::array<std::array<T, Net::inputs>, B> xs;
  std::array<std::array<T, Net::outputs>, B> targets;  // rows (one-hot for class indices)
  std::array<std::size_t, B> classes;

  explicit Batch(TestRng& rng) {
    for (std::size_t b = 0; b < B; ++b) {
      xs[b] = uniform_array<T, Net::inputs>(rng, -2, 2);
      classes[b] = rng() % Net::outputs;
      targets[b] = {};
      if constexpr (std::is_same_v<typename C::spec, BlobsSpec>) {
        targets[b][classes[b]] = T(1);
      } else if constexpr (std::is_same_v<typename C::spec, DeepSpec>) {
        for (T& t : targets[b]) t = T(rng() % 2);
      } else {
        targets[b] = uniform_array<T, Net::outputs>(rng, -1, 1);
      }
    }
  }

  /// Writes the batch into a workspace, as the member functions do; class
  /// indices for BlobsSpec (the one-hot target is written from the index).
  void write(typename C::Ws& ws) const {
    for (std::size_t b = 0; b < B; ++b) {
      ws.set_input(b, xs[b]);
      if constexpr (std::is_same_v<typename C::spec, BlobsSpec>) {
        ws.set_target(b, classes[b]);
      } else {
        ws.set_target(b, targets[b]);
      }
    }
  }

  std::array<double, Net::inputs> x_double(std::size_t b) const {
    std::array<double, Net::inputs> x;
    std::copy(xs[b].begin(), xs[b].end(), x.begin());
    return x;
  }
  std::array<double, Net::outputs> target_double(std::size_t b) const {
    std::array<double, Net::outputs> t;
    std::copy(targets[b].begin(), targets[b].end(), t.begin());
    return t;
  }
};

template <class C>
std::unique_ptr<typename C::Net> make_network(std::uint64_t seed) {
  auto net = std::make_unique<typename C::Net>();
  initialize(*net, init::XavierUniform{}, init::Normal{0.0, 0.5}, seed);
  return net;
}

/// Output rows against the reference, row padding zero; the same for the
/// loss (network_loss) with logits kept.
template <class C>
void check_forward_and_loss(const NetworkKernels<C>& k, TestRng& rng) {
  using T = typename C::scalar;
  using Net = typename C::Net;
  constexpr std::size_t last = Net::layer_count - 1;
  const auto net = make_network<C>(rng());
  const auto reference_net = std::make_unique<typename AsDouble<Net>::type>(*net);
  const Batch<C> batch(rng);
  auto ws = std::make_unique<typename C::Ws>();
  batch.write(*ws);
  k.forward(net->parameters(), *ws);
  double reference_loss = 0;
  for (std::size_t b = 0; b < C::batch; ++b) {
    std::array<T, Net::outputs> y;
    ws->get_output(b, y);
    const auto expected = reference::forward(*reference_net, batch.x_double(b));
    check_close_all(std::span<const T>(y), expected, Tolerance<T>::value_rel,
                    Tolerance<T>::value_abs, describe<C>("forward"));
    if constexpr (!C::Ws::lanes) {
      const T* row = ws->template output<last>().row(b);
      bool padding_zero = true;
      for (std::size_t i = Net::outputs; i < padded<T>(Net::outputs); ++i) padding_zero = padding_zero && row[i] == 0;
      BOOST_CHECK_MESSAGE(padding_zero, describe<C>("an output row's padding is not zero"));
    }
    reference_loss += reference::loss(*reference_net, batch.x_double(b), batch.target_double(b), typename C::Loss{});
  }
  const T loss = k.loss(net->parameters(), *ws);
  BOOST_CHECK_MESSAGE(within(loss, reference_loss, Tolerance<T>::value_rel, Tolerance<T>::value_abs),
                      describe<C>("loss ") << std::setprecision(17) << loss << " vs reference " << reference_loss);
}

/// Gradients (added onto existing values) and the summed loss against the
/// reference; gradient padding stays zero.
template <class C>
void check_backward(const NetworkKernels<C>& k, TestRng& rng) {
  using T = typename C::scalar;
  using Net = typename C::Net;
  using P = typename C::Params;
  const auto net = make_network<C>(rng());
  const auto reference_net = std::make_unique<typename AsDouble<Net>::type>(*net);
  const Batch<C> batch(rng);
  auto ws = std::make_unique<typename C::Ws>();
  batch.write(*ws);

  // Start from non-zero gradients: backward adds.
  auto grads = std::make_unique<P>();
  std::vector<T> start(P::parameter_count);
  for (T& v : start) v = uniform<T>(rng, -1, 1);
  grads->set_parameters(std::span<const T>(start));
  auto reference_grads = std::make_unique<typename AsDouble<Net>::type::parameters_type>();
  reference_grads->set_parameters(std::span<const double>(std::vector<double>(start.begin(), start.end())));

  // The gradient times `scale` is added; the same scale for the reference.
  constexpr T scale = T(-0.75);
  const T loss = k.backward(net->parameters(), *ws, *grads, scale);
  double reference_loss = 0;
  auto reference_gradient = std::make_unique<typename AsDouble<Net>::type::parameters_type>();
  for (std::size_t b = 0; b < C::batch; ++b)
    reference_loss += reference::backward(*reference_net, batch.x_double(b), batch.target_double(b),
                                          typename C::Loss{}, *reference_gradient);
  reference_grads->add_scaled(double(scale), *reference_gradient);
  BOOST_CHECK_MESSAGE(within(loss, reference_loss, Tolerance<T>::value_rel, Tolerance<T>::value_abs),
                      describe<C>("backward's loss ") << std::setprecision(17) << loss << " vs reference "
                                                  << reference_loss);
  const auto expected = parameters_as_double(*reference_grads);
  check_close_all(parameters_as_double(*grads), expected, Tolerance<T>::gradient_rel,
                  Tolerance<T>::gradient_abs * max_abs(expected), describe<C>("gradients"));
  BOOST_CHECK_MESSAGE(layout_padding_is_zero(*grads), describe<C>("gradient padding is not zero"));

  // The parameters themselves as the gradient sink, scale -lr: one step of
  // plain gradient descent (GradientDescent::step with data), equal to
  // theta - lr * (the reference gradient at theta).
  constexpr T lr = T(0.125);
  auto stepped = std::make_unique<Net>(*net);
  batch.write(*ws);
  k.backward(stepped->parameters(), *ws, stepped->parameters(), -lr);
  auto expected_step = std::make_unique<typename AsDouble<Net>::type>(*net);
  expected_step->parameters().add_scaled(-double(lr), *reference_gradient);
  const auto expected_parameters = parameters_as_double(expected_step->parameters());
  check_close_all(parameters_as_double(stepped->parameters()), expected_parameters, Tolerance<T>::gradient_rel,
                  Tolerance<T>::gradient_abs * max_abs(expected_parameters),
                  describe<C>("parameters after a fused step"));
  BOOST_CHECK_MESSAGE(layout_padding_is_zero(stepped->parameters()), describe<C>("parameter padding is not zero"));
}

/// x = (1, 0) and weights that make the logits (1000, -1000, 0), true class
/// 1: softmax is one-hot on class 0, the loss lse - z_1 = 2000 exactly, the
/// gradient (a - t) x^T finite and exact.
template <class C>
void check_extreme_logits(const NetworkKernels<C>& k) {
  using T = typename C::scalar;
  typename C::Net net;
  net.set_parameters(std::array<T, 9>{1000, 5, -1000, 5, 0, 5, 0, 0, 0});
  auto ws = std::make_unique<typename C::Ws>();
  detail::write_input_row<2>(std::array<T, 2>{1, 0}, ws->input.row(0));
  detail::write_target_row<3>(1, ws->target.row(0));
  k.forward(net.parameters(), *ws);
  const T* y = ws->template output<0>().row(0);
  BOOST_TEST_CONTEXT(describe<C>("+-1000")) {
    BOOST_TEST(y[0] == T(1));
    BOOST_TEST(y[1] == T(0));
    BOOST_TEST(y[2] == T(0));
    typename C::Params g;
    BOOST_TEST(k.backward(net.parameters(), *ws, g, T(1)) == T(2000), boost::test_tools::tolerance(T(1e-6)));
    BOOST_TEST(k.loss(net.parameters(), *ws) == T(2000), boost::test_tools::tolerance(T(1e-6)));
    const std::array<double, 9> expected{1, 0, -1, 0, 0, 0, 1, -1, 0};
    check_close_all(parameters_as_double(g), expected, 0, 1e-30, describe<C>("gradient at +-1000"));
  }
}

/// One sample in registers (where it runs so) gives the batch path's
/// outputs, the same from the caller's unpadded row (held in a vector of
/// exactly Net::inputs floats: AddressSanitizer reports a read past it) as
/// from a workspace, within Tolerance of the reference. Bit for bit where
/// multiply-adds are fused instructions (AVX2, AVX-512); on SSE4 and SSSE3
/// they are a multiply and an add, which the compiler may contract into one
/// FMA in one path and not in the other (a -march=native build): there,
/// within 1e-6 relative (a few ULP).
template <class Spec>
void check_one_sample(const SampleKernels<Spec>& k, TestRng& rng) {
  using Net = typename SampleKernels<Spec>::Net;
  BOOST_TEST_CONTEXT(Spec::name) {
    // In registers on every target with vectors, for outputs up to 256
    // floats wide with 32 vector registers, 32 with 16.
    BOOST_TEST(k.in_registers ==
               (!k.scalar_target && SampleKernels<Spec>::widest <= (k.vector_registers >= 32 ? 256u : 32u)));
    auto net = std::make_unique<Net>();
    initialize(*net, init::XavierUniform{}, init::Normal{0.0, 0.5}, rng());
    const auto reference_net = std::make_unique<typename AsDouble<Net>::type>(*net);
    for (int trial = 0; trial < 3; ++trial) {
      const auto xs = std::array{uniform_array<float, Net::inputs>(rng, -2, 2),
                                 uniform_array<float, Net::inputs>(rng, -2, 2),
                                 uniform_array<float, Net::inputs>(rng, -2, 2)};
      auto rows = std::make_unique<typename Net::template workspace_type<3>>();
      for (std::size_t b = 0; b < 3; ++b) rows->set_input(b, xs[b]);
      k.rows(net->parameters(), *rows);
      std::array<float, Net::outputs> expected;
      rows->get_output(1, expected);

      auto one = std::make_unique<typename Net::template workspace_type<1>>();
      one->set_input(0, xs[1]);
      k.one(net->parameters(), *one);
      std::array<float, Net::outputs> from_workspace;
      one->get_output(0, from_workspace);
      const float* row = one->template output<Net::layer_count - 1>().row(0);
      std::size_t nonzero = 0;
      for (std::size_t i = Net::outputs; i < padded<float>(Net::outputs); ++i) nonzero += row[i] != 0;
      BOOST_TEST(nonzero == 0u);

      const std::vector<float> x(xs[1].begin(), xs[1].end());
      std::vector<float> y(Net::outputs);
      k.sample(net->parameters(), x.data(), y.data());
      BOOST_TEST(from_workspace == y, boost::test_tools::per_element());
      if (k.fused_multiply_add) {
        BOOST_TEST(y == expected, boost::test_tools::per_element());
      } else {
        std::vector<double> e(expected.begin(), expected.end());
        check_close_all(std::span<const float>(y), e, 1e-6, 0, "one sample vs batch, unfused multiply-adds");
      }

      std::array<double, Net::inputs> xd;
      std::copy(xs[1].begin(), xs[1].end(), xd.begin());
      check_close_all(std::span<const float>(y), reference::forward(*reference_net, xd),
                      Tolerance<float>::value_rel, Tolerance<float>::value_abs, "one sample vs reference");
    }
  }
}

/// y += alpha x (see check_axpy for the bound) and y *= s (one rounding,
/// exactly as a scalar multiply) against scalar loops; padding stays zero.
template <class P>
void check_updates(const UpdateKernels<P>& k, TestRng& rng) {
  using T = typename P::scalar_type;
  std::vector<T> x(P::parameter_count), y(P::parameter_count);
  for (T& v : x) v = uniform<T>(rng, -2, 2);
  for (T& v : y) v = uniform<T>(rng, -2, 2);
  auto px = std::make_unique<P>(), py = std::make_unique<P>();
  px->set_parameters(std::span<const T>(x));
  py->set_parameters(std::span<const T>(y));
  k.axpy(T(-0.3), *px, *py, 0, 1);
  check_axpy(parameters_as_double(*py), y, T(-0.3), x, "axpy");
  BOOST_TEST(layout_padding_is_zero(*py));
  // In three parts (as three threads would): the same, and nothing twice.
  auto parts = std::make_unique<P>();
  parts->set_parameters(std::span<const T>(y));
  for (std::size_t part = 0; part < 3; ++part) k.axpy(T(-0.3), *px, *parts, part, 3);
  BOOST_TEST(parameters_as_double(*parts) == parameters_as_double(*py), boost::test_tools::per_element());
  k.scale(T(3), *px);
  std::vector<double> expected(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) expected[i] = double(x[i] * T(3));
  check_close_all(parameters_as_double(*px), expected, 0, 0, "scale");
  BOOST_TEST(layout_padding_is_zero(*px));
}

}  // namespace fixnet::tests

#endif  // FIXNET_TESTS_NETWORK_KERNEL_TEST_TYPES

// RowKernelsOnly's kernel on this target: a row kernel, no forward_registers.
HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
template <>
struct ActivationKernel<tests::RowKernelsOnly> {
  template <std::size_t N, class T>
  static void forward_row(const T*, T*) {}
};
}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

// This target's kernels.
FIXNET_PER_TARGET_FILL(get_kernels, KernelTable, [](KernelTable& table) {
  fill_network_kernels(table.networks);
  for_each_entry(table.updates, []<class P>(UpdateKernels<P>& k) {
    k = {&fk::axpy<P, typename P::scalar_type>, &fk::scale<P, typename P::scalar_type>};
  });
  // A non-elementwise activation without forward_registers keeps a network
  // out of registers (it goes through a workspace) instead of failing to
  // compile there; softmax has one.
  static_assert(HWY_TARGET == HWY_SCALAR || fk::has_registers_kernel<Softmax, float, 10>);
  static_assert(!fk::has_registers_kernel<RowKernelsOnly, float, 10>);
  static_assert(!fk::kSmallNetwork<BasicNetwork<float, Dense<4, 3, RowKernelsOnly>>>);
  // The B = 1 cases of 2-4-3 (every target with vectors) and 19-33-17-9-3
  // (with 32 registers) train in registers.
  static_assert(HWY_TARGET == HWY_SCALAR || fk::kTrainsInRegisters<BlobsSpec::net<float>>);
  static_assert(fk::kVectorRegisters < 32 || fk::kTrainsInRegisters<DeepSpec::net<float>>);
  for_each_entry(table.samples, []<class Spec>(SampleKernels<Spec>& k) {
    using Net = typename SampleKernels<Spec>::Net;
    k.in_registers = fk::kSmallNetwork<Net>;
    k.scalar_target = HWY_TARGET == HWY_SCALAR;
    k.fused_multiply_add = HWY_NATIVE_FMA;
    k.vector_registers = fk::kVectorRegisters;
    k.sample = &fk::TargetKernels::forward_sample<Net, float>;
    k.one = &fk::network_forward<Net, false, typename Net::template workspace_type<1>>;
    k.rows = &fk::network_forward<Net, false, typename Net::template workspace_type<3>>;
  });
});

#if HWY_ONCE
namespace fixnet::tests {

HWY_EXPORT(get_kernels);

namespace {

template <class C>
constexpr bool is_extreme = std::is_same_v<typename C::spec, ExtremeSpec>;

}  // namespace

BOOST_AUTO_TEST_SUITE(network_kernel)

BOOST_AUTO_TEST_CASE(forward_and_loss_match_the_scalar_reference_on_every_target) {
  FIXNET_ON_EVERY_TARGET(get_kernels, [](const KernelTable& table) {
    TestRng rng(606);
    for_each_entry(table.networks, [&]<class C>(const NetworkKernels<C>& k) {
      if constexpr (!is_extreme<C>) check_forward_and_loss(k, rng);
    });
  });
}

BOOST_AUTO_TEST_CASE(backward_adds_the_reference_gradients_on_every_target) {
  FIXNET_ON_EVERY_TARGET(get_kernels, [](const KernelTable& table) {
    TestRng rng(707);
    for_each_entry(table.networks, [&]<class C>(const NetworkKernels<C>& k) {
      if constexpr (!is_extreme<C>) check_backward(k, rng);
    });
  });
}

BOOST_AUTO_TEST_CASE(logits_of_plus_minus_1000_give_exact_finite_losses_and_gradients_on_every_target) {
  FIXNET_ON_EVERY_TARGET(get_kernels, [](const KernelTable& table) {
    for_each_entry(table.networks, [&]<class C>(const NetworkKernels<C>& k) {
      if constexpr (is_extreme<C>) check_extreme_logits(k);
    });
  });
}

BOOST_AUTO_TEST_CASE(one_sample_in_registers_is_the_batch_path_bit_for_bit_on_every_target) {
  FIXNET_ON_EVERY_TARGET(get_kernels, [](const KernelTable& table) {
    TestRng rng(909);
    for_each_entry(table.samples, [&](const auto& k) { check_one_sample(k, rng); });
  });
}

BOOST_AUTO_TEST_CASE(parameter_updates_match_scalar_loops_on_every_target) {
  FIXNET_ON_EVERY_TARGET(get_kernels, [](const KernelTable& table) {
    TestRng rng(808);
    for_each_entry(table.updates, [&](const auto& k) { check_updates(k, rng); });
  });
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests
#endif  // HWY_ONCE
