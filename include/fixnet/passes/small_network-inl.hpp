// fixnet kernels — one sample through a small network, in registers.
//
// When every width of a float network is at most 4 (2-4-3, 4-4-2, ...), a
// layer's input, pre-activation and output each fit one 128-bit vector, and
// a whole forward pass can stay in registers: no workspace, no store and
// reload between layers (each costs a store-to-load forwarding delay on the
// dependent chain that a real-time loop pays). Per layer: the rows of W
// times x (up to 4 multiplies), one transpose-and-add to the 4 dot products
// (add_sums_of_four), the bias, the activation. Lanes past a layer's width
// are kept zero, as the padded rows of the general path are.

#if defined(FIXNET_KERNELS_SMALL_NETWORK_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_KERNELS_SMALL_NETWORK_INL_HPP_
#undef FIXNET_KERNELS_SMALL_NETWORK_INL_HPP_
#else
#define FIXNET_KERNELS_SMALL_NETWORK_INL_HPP_
#endif

#include <cstddef>
#include <limits>
#include <type_traits>

#include "fixnet/kernels/activation-inl.hpp"
#include "fixnet/kernels/matmul-inl.hpp"
#include "fixnet/kernels/non_finite-inl.hpp"
#include "fixnet/kernels/softmax-inl.hpp"
#include "fixnet/layers/layer.hpp"
#include "fixnet/core/parameters.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// Whether Net's one-sample forward pass runs in registers: float, dense
/// layers only, every width at most 4, and a target with 128-bit shuffles.
template <class Net>
inline constexpr bool kSmallNetwork = [] {
  if constexpr (!std::is_same_v<typename Net::scalar_type, float> || HWY_TARGET == HWY_SCALAR) {
    return false;
  } else {
    bool small = true;
    detail::for_each_index<Net::layer_count>([&](auto i) {
      using Layer = typename Net::template layer_type<decltype(i)::value>;
      if constexpr (detail::is_dropout<Layer>) {
        small = false;
      } else {
        small = small && Layer::inputs <= 4 && Layer::outputs <= 4;
      }
    });
    return small;
  }
}();

#if HWY_TARGET != HWY_SCALAR
/// a = Act(z) on the first N lanes of one vector; the other lanes zero.
template <class Act, std::size_t N, class D, class V>
HWY_INLINE V activate_vector(D d, V z) {
  const auto in_row = hn::FirstN(d, N);
  if constexpr (std::is_same_v<Act, Softmax>) {
    using T = hn::TFromD<D>;
    const V m =
        hn::MaxOfLanes(d, hn::IfThenElse(in_row, z, hn::Set(d, std::numeric_limits<T>::lowest())));
    const V e = hn::IfThenElseZero(in_row, exp_or_nan(d, hn::Sub(z, m)));
    // Times the reciprocal, as the row kernel does: the same roundings, so
    // that one sample gives the batch path's outputs bit for bit.
    return hn::IfThenElseZero(in_row, hn::Mul(e, hn::Div(hn::Set(d, T(1)), hn::SumOfLanes(d, e))));
  } else {
    return hn::IfThenElseZero(in_row, ActivationKernel<Act>::value(d, z));
  }
}

/// Net(x) for one sample as a 128-bit vector (zero past Net::outputs); x
/// holds Net::inputs values. Only for networks with kSmallNetwork<Net>.
template <class Net, class T>
HWY_INLINE hn::Vec<hn::Full128<T>> small_network_forward(const typename Net::parameters_type& p,
                                                         const T* HWY_RESTRICT x) {
  static_assert(kSmallNetwork<Net>);
  const hn::Full128<T> d;
  // The input row, zero past its width, loaded whole where its width allows
  // (a vector load that spans several scalar stores cannot be forwarded
  // from them and waits for them to reach the cache).
  auto a = [&] {
    if constexpr (Net::inputs == 4) {
      return hn::LoadU(d, x);
    } else if constexpr (Net::inputs == 2) {
      return hn::ZeroExtendVector(d, hn::LoadU(hn::Half<decltype(d)>(), x));
    } else {
      HWY_ALIGN T row[4] = {};
      for (std::size_t i = 0; i < Net::inputs; ++i) row[i] = x[i];
      return hn::Load(d, row);
    }
  }();
  detail::for_each_index<Net::layer_count>([&](auto i) {
    constexpr std::size_t I = decltype(i)::value;
    using Layer = typename Net::template layer_type<I>;
    const auto& l = p.template layer<I>();
    constexpr std::size_t kW = std::remove_cvref_t<decltype(l)>::row_stride;
    // W rows are padded with zeros to a whole line, so 4 lanes are in bounds.
    const auto row_times_a = [&](std::size_t o) {
      return o < Layer::outputs ? hn::Mul(hn::Load(d, l.weights() + o * kW), a) : hn::Zero(d);
    };
    auto z = sums_of_four(d, row_times_a(0), row_times_a(1), row_times_a(2), row_times_a(3));
    if constexpr (Layer::has_bias) z = hn::Add(z, hn::Load(d, l.biases()));  // zero past Out
    a = activate_vector<typename Layer::activation, Layer::outputs>(d, z);
  });
  return a;
}

/// Net(x) into a padded output row (zero past the outputs), as the general
/// path leaves it.
template <class Net, class T>
HWY_INLINE void small_network_forward_row(const typename Net::parameters_type& p,
                                          const T* HWY_RESTRICT x, T* HWY_RESTRICT row) {
  hn::Store(small_network_forward<Net>(p, x), hn::Full128<T>(), row);
  zero_row_tail<4>(row);
}

/// y[0..outputs) = Net(x) for one sample.
template <class Net, class T>
HWY_INLINE void small_network_forward(const typename Net::parameters_type& p,
                                      const T* HWY_RESTRICT x, T* HWY_RESTRICT y) {
  const hn::Full128<T> d;
  HWY_ALIGN T out[4];
  hn::Store(small_network_forward<Net>(p, x), d, out);
  for (std::size_t o = 0; o < Net::outputs; ++o) y[o] = out[o];
}
#else
// Never called: kSmallNetwork is false without 128-bit vectors.
template <class Net, class T>
void small_network_forward(const typename Net::parameters_type& p, const T* x, T* y);
template <class Net, class T>
void small_network_forward_row(const typename Net::parameters_type& p, const T* x, T* row);
#endif

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
