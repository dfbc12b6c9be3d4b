// fixnet kernels — which buffer a layer reads.

#if defined(FIXNET_KERNELS_LAYER_INPUT_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_KERNELS_LAYER_INPUT_INL_HPP_
#undef FIXNET_KERNELS_LAYER_INPUT_INL_HPP_
#else
#define FIXNET_KERNELS_LAYER_INPUT_INL_HPP_
#endif

#include <cstddef>

#include "fixnet/layers/dropout.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {

/// The buffer layer I of Net reads: the inputs for layer 0, else the previous
/// layer's outputs — except that outside training a Dropout layer is the
/// identity and is skipped, so inference pays nothing for it.
template <class Net, std::size_t I, bool Training, class W>
HWY_INLINE auto& layer_input(W& ws) {
  if constexpr (I == 0) {
    return ws.input;
  } else if constexpr (!Training && detail::is_dropout<typename Net::template layer_type<I - 1>>) {
    return layer_input<Net, I - 1, Training>(ws);
  } else {
    return ws.template output<I - 1>();
  }
}

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
