// fixnet — runtime dispatch: one binary that runs a network on the best
// Highway target of the machine it runs on.
//
// `net.forward(x)` and friends run the kernels compiled for the *static*
// target, the one the compiler flags select (fixnet/core/simd.hpp). A binary you
// ship to machines you do not know is compiled for an old baseline, so it
// would run baseline code on an AVX-512 machine. This header is the opt-in
// alternative: in ONE .cpp file, compile the network's kernels once per
// Highway target and pick one at run time.
//
//   // mnist_dispatch.cpp: compiled once per target by hwy/foreach_target.h.
//   #undef HWY_TARGET_INCLUDE
//   #define HWY_TARGET_INCLUDE "mnist_dispatch.cpp"  // this file, as #include finds it
//   #include <hwy/foreach_target.h>                  // before any fixnet header
//   #include <fixnet/fixnet.hpp>
//   #include <fixnet/dispatch/dynamic_dispatch.hpp>
//
//   using Mnist = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 784, 50, 10>;
//   // Outside `#if HWY_ONCE`: it writes the kernels of every target, then
//   // (in the last pass) `fixnet::Dispatcher<Mnist, 32, fixnet::CrossEntropy>
//   // mnist_dispatcher() noexcept`.
//   FIXNET_DYNAMIC_DISPATCH(mnist_dispatcher, Mnist, 32, fixnet::CrossEntropy);
//
//   // mnist_dispatch.hpp, for the rest of the program:
//   #include <fixnet/fixnet.hpp>
//   #include <fixnet/dispatch/dynamic_dispatch.hpp>
//   using Mnist = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 784, 50, 10>;
//   FIXNET_DECLARE_DYNAMIC_DISPATCH(mnist_dispatcher, Mnist, 32, fixnet::CrossEntropy);
//
//   // Anywhere: choose once, then call as often as you like.
//   const auto mnist = mnist_dispatcher();     // the best target of this CPU
//   std::puts(mnist.target_name());            // "AVX3_DL", "AVX2", "SSE4", ...
//   std::array<float, 10> p = mnist.forward(net, image);
//   mnist.forward(net, images, probabilities, workspace);             // batch of 32
//   float loss = mnist.backward(net, images, labels, fixnet::CrossEntropy{}, grads, workspace);
//   mnist.add_scaled(net, -learning_rate, grads);                      // gradient descent
//   // or, fused (as GradientDescent::step(net, xs, targets, loss, ws)):
//   mnist.backward(net, images, labels, fixnet::CrossEntropy{}, net.parameters(), workspace,
//                  -learning_rate);
//
// `FIXNET_DYNAMIC_DISPATCH(Name, Net, B, Losses...)`:
// - `Name` becomes a function at the namespace where the macro is written
//   (and `Name_fixnet_detail`, a namespace, holds its kernels);
// - `Net` is a network type spelled without commas: an alias, or a struct
//   derived from a network and defined once (in a header or behind a guard:
//   the file is compiled once per target). `Mlp<Sigmoid, Softmax, 2, 4, 3>`
//   written in place would split the macro's arguments;
// - `B` is the batch size of the batch passes (`Workspace<Net, B>`); the
//   one-sample forward pass is always there;
// - `Losses...` are the losses `backward` and `loss` may be called with; none
//   for a network that only infers. Each costs compile time for every target.
//
// What it costs: one indirect call per pass, through the function pointers
// the Dispatcher holds, and nothing else (README, "Shipping one binary:
// runtime dispatch", has the figures). Which targets are compiled is Highway's
// choice (HWY_TARGETS, hwy/detect_targets.h): the static target and the
// better ones. Without `-march` flags, on x86-64, Highway 1.0.3 compiles its
// SCALAR baseline, SSSE3, SSE4, AVX2 and AVX3 (AVX-512), plus AVX3_DL with
// `-DHWY_WANT_AVX3_DL`. So compile this file for the oldest CPU you support,
// not with `-march=native`: targets below the flags' are left out.
//
// Mistakes that the compiler reports with a `fixnet:` sentence: the macro
// without <hwy/foreach_target.h> before this header, and the macro inside
// `#if HWY_ONCE` or in a file that HWY_TARGET_INCLUDE does not name (then
// only one target has its kernels); a loss not listed in the macro; and
// every shape mistake that `BasicNetwork` reports.
#ifndef FIXNET_DYNAMIC_DISPATCH_HPP
#define FIXNET_DYNAMIC_DISPATCH_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "fixnet/core/batch.hpp"
#include "fixnet/dispatch/batch_passes.hpp"
#include "fixnet/core/loss.hpp"
#include "fixnet/network.hpp"
#include "fixnet/core/shape_checks.hpp"
#include "fixnet/core/workspace.hpp"
#include "hwy/highway.h"
#include "hwy/targets.h"

namespace fixnet {

namespace detail {

/// One Highway target's passes for Net: what `FIXNET_DYNAMIC_DISPATCH` fills
/// in for each target and a `Dispatcher` calls through: pointers to the
/// members of that target's `TargetKernels`
/// (fixnet/dispatch/target_kernels-inl.hpp), whose static target's table
/// `BasicNetwork` calls directly.
template <class Net, std::size_t B, class... Losses>
struct DispatchTable {
  using T = typename Net::scalar_type;
  using P = typename Net::parameters_type;
  using W = typename Net::template workspace_type<B>;

  /// The Highway target (HWY_AVX2, ...) these kernels were compiled for.
  std::int64_t target;
  /// One sample: x holds Net::inputs values, y receives Net::outputs.
  void (*forward_sample)(const P&, const T* x, T* y) noexcept;
  void (*forward)(const P&, W&) noexcept;
  /// Per loss, in the order of `Losses`.
  std::array<T (*)(const P&, W&, P& grads, T scale) noexcept, sizeof...(Losses)> backward;
  std::array<T (*)(const P&, W&) noexcept, sizeof...(Losses)> loss;
  /// y += alpha x.
  void (*add_scaled)(T alpha, const P& x, P& y) noexcept;
};

/// Position of L in Losses (sizeof...(Losses) if absent).
template <class L, class... Losses>
consteval std::size_t loss_index() {
  constexpr bool same[] = {std::is_same_v<L, Losses>..., false};
  std::size_t i = 0;
  while (i < sizeof...(Losses) && !same[i]) ++i;
  return i;
}

template <class Net>
concept DispatchableNetwork = requires {
  typename Net::scalar_type;
  typename Net::parameters_type;
  typename Net::output_activation;
  Net::inputs;
  Net::outputs;
};

template <class Net>
consteval bool check_dispatchable_network() {
  // Fix: name a network type: an alias of fixnet::Network<...>, Mlp<...> or
  // BasicNetwork<...>, or a struct derived from one.
  static_assert(DispatchableNetwork<Net>,
                "fixnet: FIXNET_DYNAMIC_DISPATCH(Name, Net, B, Losses...) needs a fixnet network "
                "type as Net");
  return true;
}

template <class L>
consteval bool check_dispatch_loss_type() {
  // Fix: list losses such as fixnet::CrossEntropy or fixnet::MeanSquaredError
  // after the batch size.
  static_assert(Loss<L>,
                "fixnet: FIXNET_DYNAMIC_DISPATCH(Name, Net, B, Losses...) lists a type that is "
                "not a loss");
  return true;
}

template <class L, class... Losses>
consteval bool check_loss_dispatched() {
  // Fix: add the loss to FIXNET_DYNAMIC_DISPATCH(Name, Net, B, Losses...):
  // only the listed losses are compiled for every target.
  static_assert(loss_index<L, Losses...>() < sizeof...(Losses),
                "fixnet: this Dispatcher was not compiled for this loss; list it in "
                "FIXNET_DYNAMIC_DISPATCH(Name, Net, B, Losses...)");
  return true;
}

/// Whether `probe(std::integral_constant<std::int64_t, T>{})` is true for
/// every target bit T of Targets: FIXNET_DYNAMIC_DISPATCH's check that each
/// target of HWY_TARGETS got its kernels. A fold over the 63 bits: not a
/// type list, so no Hana.
template <std::int64_t Targets, class Probe>
consteval bool compiled_for_every_target(Probe probe) {
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    return ((((Targets >> I) & 1) == 0 ||
             probe(std::integral_constant<std::int64_t, (std::int64_t{1} << I)>{})) &&
            ...);
  }
  (std::make_index_sequence<63>{});
}

}  // namespace detail

/// Runs Net's passes on one Highway target, chosen at run time: the object
/// that `FIXNET_DYNAMIC_DISPATCH(Name, Net, B, Losses...)`'s function `Name()`
/// returns, for the best target of the CPU at the time of the call (Highway's
/// choice, which hwy::DisableTargets and hwy::SetSupportedTargetsForTest
/// change for later calls, not for Dispatchers already made).
///
/// A few function pointers: copy it, keep it, share it between threads.
/// It holds no network: each pass takes one, with the same arguments, checks
/// and results as the member of `BasicNetwork` of the same name, computed by
/// the same kernels compiled for the Dispatcher's target. Every pass is
/// noexcept, allocates nothing and costs one indirect call more than the
/// static path.
template <class Net, std::size_t B, class... Losses>
class Dispatcher {
  static_assert(detail::check_dispatchable_network<Net>());
  static_assert(detail::check_batch_not_empty<B>());
  static_assert((detail::check_dispatch_loss_type<Losses>() && ...));
  static_assert((detail::check_loss_fits_output<Losses, typename Net::output_activation>() && ...));

 public:
  using network_type = Net;
  using scalar_type = typename Net::scalar_type;
  using table_type = detail::DispatchTable<Net, B, Losses...>;
  /// The workspace of the batch passes.
  using workspace_type = typename Net::template workspace_type<B>;
  static constexpr std::size_t batch_size = B;

  /// From one target's kernels; `Name()` makes them.
  explicit Dispatcher(const table_type& table) noexcept : table_(table) {}

  /// The Highway target the passes run on (HWY_AVX2, ...).
  std::int64_t target() const noexcept { return table_.target; }
  /// Its name: "AVX3_DL", "AVX3", "AVX2", "SSE4", "SSSE3", "EMU128", ...
  const char* target_name() const noexcept { return hwy::TargetName(table_.target); }

  /// One sample: the network's output for input x (`net.forward(x)`).
  template <FixedRow Row>
  std::array<scalar_type, Net::outputs> forward(const Net& net, const Row& x) const noexcept {
    using Traits = detail::FixedExtent<std::remove_cvref_t<Row>>;
    static_assert(detail::check_input_scalar<scalar_type, typename Traits::element_type>());
    static_assert(detail::check_input_extent<Net::inputs, Traits::extent>());
    std::array<scalar_type, Net::outputs> y;
    if constexpr (Traits::extent == Net::inputs &&
                  std::is_same_v<scalar_type, typename Traits::element_type>)
      table_.forward_sample(net.parameters(), x.data(), y.data());
    return y;
  }

  /// A batch of B: ys[b] = forward(net, xs[b]) (`net.forward(xs, ys, ws)`).
  template <FixedBatch Xs, FixedBatch Ys>
  void forward(const Net& net, const Xs& xs, Ys&& ys, workspace_type& ws) const noexcept {
    detail::forward_batch<Net>(kernels(), net.parameters(), xs, ys, ws);
  }

  /// A batch of B: adds `scale` times the summed gradient of `loss` to
  /// `grads` and returns the summed loss (`net.backward(xs, targets, loss,
  /// grads, ws, scale)`). Targets are rows of Net::outputs values or class
  /// indices. L must be one of the macro's `Losses`. `grads` may be
  /// `net.parameters()` with scale = -learning rate: the fused gradient-descent
  /// step of `GradientDescent::step(net, xs, targets, loss, ws)`.
  template <FixedBatch Xs, FixedBatch Ts, class L>
  scalar_type backward(const Net& net, const Xs& xs, const Ts& targets, L /*loss*/,
                       typename Net::parameters_type& grads, workspace_type& ws,
                       scalar_type scale = 1) const noexcept {
    static_assert(detail::check_loss_dispatched<L, Losses...>());
    return detail::backward_batch<L, Net>(kernels(), net.parameters(), xs, targets, grads, ws, scale);
  }

  /// The summed loss over a batch of B, without gradients
  /// (`net.loss(xs, targets, loss, ws)`).
  template <FixedBatch Xs, FixedBatch Ts, class L>
  scalar_type loss(const Net& net, const Xs& xs, const Ts& targets, L /*loss*/,
                   workspace_type& ws) const noexcept {
    static_assert(detail::check_loss_dispatched<L, Losses...>());
    return detail::loss_batch<L, Net>(kernels(), net.parameters(), xs, targets, ws);
  }

  /// net's parameters += alpha * grads: the update of gradient descent with
  /// alpha = -learning_rate (`GradientDescent{lr}.step(net, grads)`).
  void add_scaled(Net& net, scalar_type alpha,
                  const typename Net::parameters_type& grads) const noexcept {
    table_.add_scaled(alpha, grads, net.parameters());
  }

  /// The kernels themselves.
  const table_type& table() const noexcept { return table_; }

 private:
  /// The table's pointers with the members of a target's kernel table, for
  /// the batch passes shared with BasicNetwork (fixnet/dispatch/batch_passes.hpp).
  struct TableKernels {
    const table_type& table;
    template <bool KeepLogits, class, class W>
    void forward(const typename Net::parameters_type& p, W& ws) const noexcept {
      static_assert(!KeepLogits);
      table.forward(p, ws);
    }
    template <class L, class, class W>
    scalar_type backward(const typename Net::parameters_type& p, W& ws,
                         typename Net::parameters_type& grads, scalar_type scale) const noexcept {
      constexpr std::size_t i = detail::loss_index<L, Losses...>();
      if constexpr (i < sizeof...(Losses)) {
        return table.backward[i](p, ws, grads, scale);
      } else {
        return scalar_type(0);  // reported by check_loss_dispatched
      }
    }
    template <class L, class, class W>
    scalar_type loss(const typename Net::parameters_type& p, W& ws) const noexcept {
      constexpr std::size_t i = detail::loss_index<L, Losses...>();
      if constexpr (i < sizeof...(Losses)) {
        return table.loss[i](p, ws);
      } else {
        return scalar_type(0);
      }
    }
  };
  TableKernels kernels() const noexcept { return {table_}; }

  table_type table_;
};

}  // namespace fixnet

/// Declares the function that FIXNET_DYNAMIC_DISPATCH with the same arguments
/// defines, for the other files of a program (in a header):
/// `FIXNET_DECLARE_DYNAMIC_DISPATCH(mnist_dispatcher, Mnist, 32, fixnet::CrossEntropy);`
#define FIXNET_DECLARE_DYNAMIC_DISPATCH(Name, Net, B, ...) \
  ::fixnet::Dispatcher<Net, B __VA_OPT__(, ) __VA_ARGS__> Name() noexcept

// What FIXNET_DYNAMIC_DISPATCH writes in every pass: this target's kernels,
// and a declaration that says they exist (checked in the last pass).
#define FIXNET_DETAIL_DISPATCH_PASS(Name, Net, B, ...)                                     \
  namespace Name##_fixnet_detail {                                                         \
    ::std::true_type compiled_for(::std::integral_constant<::std::int64_t, HWY_TARGET>);   \
    ::std::false_type compiled_for(...);                                                   \
    namespace HWY_NAMESPACE {                                                              \
    static ::fixnet::detail::DispatchTable<Net, B __VA_OPT__(, ) __VA_ARGS__> kernels() {  \
      return ::fixnet::HWY_NAMESPACE::dispatch_table<Net, B __VA_OPT__(, ) __VA_ARGS__>(); \
    }                                                                                      \
    }                                                                                      \
  }

// What it writes in the last pass (HWY_ONCE): Highway's dispatch table of the
// targets' `kernels`, and the function `Name`.
#define FIXNET_DETAIL_DISPATCH_ONCE(Name, Net, B, ...)                                           \
  namespace Name##_fixnet_detail {                                                               \
    /* Fix: write FIXNET_DYNAMIC_DISPATCH outside #if HWY_ONCE, after                            \
       <hwy/foreach_target.h>, in the file that HWY_TARGET_INCLUDE names. */                     \
    static_assert(::fixnet::detail::compiled_for_every_target<HWY_TARGETS>(                      \
                      [](auto target) { return decltype(compiled_for(target))::value; }),        \
                  "fixnet: FIXNET_DYNAMIC_DISPATCH(" #Name                                       \
                  ", ...) was not compiled for every Highway target: write it outside "          \
                  "'#if HWY_ONCE', in the file that HWY_TARGET_INCLUDE names");                  \
    HWY_EXPORT(kernels);                                                                         \
    static ::fixnet::detail::DispatchTable<Net, B __VA_OPT__(, ) __VA_ARGS__> chosen_kernels() { \
      return HWY_DYNAMIC_DISPATCH(kernels)();                                                    \
    }                                                                                            \
  }                                                                                              \
  FIXNET_DECLARE_DYNAMIC_DISPATCH(Name, Net, B __VA_OPT__(, ) __VA_ARGS__) {                     \
    return ::fixnet::Dispatcher<Net, B __VA_OPT__(, ) __VA_ARGS__>(                              \
        Name##_fixnet_detail::chosen_kernels());                                                 \
  }

#endif  // FIXNET_DYNAMIC_DISPATCH_HPP

// FIXNET_DYNAMIC_DISPATCH(Name, Net, B, Losses...) (see the top of this file)
// is defined anew at each inclusion, since what it writes depends on the
// pass of hwy/foreach_target.h that includes this header: the kernels of the
// pass's target, and in the last pass (HWY_ONCE) the dispatching function.
// The static_assert(true) at the end asks for the semicolon after the macro.
#undef FIXNET_DYNAMIC_DISPATCH
#if !defined(HIGHWAY_HWY_FOREACH_TARGET_H_)
// Fix: include <hwy/foreach_target.h> (after defining HWY_TARGET_INCLUDE as
// this file's name) before fixnet's headers.
#define FIXNET_DYNAMIC_DISPATCH(Name, Net, B, ...)                                           \
  static_assert(false, "fixnet: FIXNET_DYNAMIC_DISPATCH(" #Name                              \
                       ", ...) needs <hwy/foreach_target.h> included before "                \
                       "<fixnet/dispatch/dynamic_dispatch.hpp>, with HWY_TARGET_INCLUDE naming this " \
                       "file")
#elif HWY_ONCE
#define FIXNET_DYNAMIC_DISPATCH(Name, Net, B, ...)                     \
  FIXNET_DETAIL_DISPATCH_PASS(Name, Net, B __VA_OPT__(, ) __VA_ARGS__) \
  FIXNET_DETAIL_DISPATCH_ONCE(Name, Net, B __VA_OPT__(, ) __VA_ARGS__) \
  static_assert(true)
#else
#define FIXNET_DYNAMIC_DISPATCH(Name, Net, B, ...)                     \
  FIXNET_DETAIL_DISPATCH_PASS(Name, Net, B __VA_OPT__(, ) __VA_ARGS__) \
  static_assert(true)
#endif

// The per-target part behind DispatchTable, compiled once per target
// (outside the include guard, like the kernels).
#if defined(FIXNET_DYNAMIC_DISPATCH_TARGET_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_DYNAMIC_DISPATCH_TARGET_
#undef FIXNET_DYNAMIC_DISPATCH_TARGET_
#else
#define FIXNET_DYNAMIC_DISPATCH_TARGET_
#endif

#include "fixnet/dispatch/target_kernels-inl.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {

/// This target's DispatchTable: pointers to the members of its kernel table
/// (fixnet/dispatch/target_kernels-inl.hpp), the same functions the static
/// path calls for the static target. What FIXNET_DYNAMIC_DISPATCH's
/// per-target function returns.
template <class Net, std::size_t B, class... Losses>
detail::DispatchTable<Net, B, Losses...> dispatch_table() noexcept {
  using Table = detail::DispatchTable<Net, B, Losses...>;
  using W = typename Table::W;
  using K = TargetKernels;
  Table table;
  table.target = HWY_TARGET;
  table.forward_sample = &K::forward_sample<Net, typename Net::scalar_type>;
  table.forward = &K::forward<false, Net, W>;
  table.backward = {&K::backward<Losses, Net, W>...};
  table.loss = {&K::loss<Losses, Net, W>...};
  table.add_scaled = &K::add_scaled<typename Net::parameters_type>;
  return table;
}

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
