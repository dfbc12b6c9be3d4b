// fixnet — which Highway target the kernels were compiled for.
#ifndef FIXNET_SIMD_HPP
#define FIXNET_SIMD_HPP

#include "hwy/highway.h"

namespace fixnet {

/// Name of the Highway target that `net.forward` and friends run on: the
/// static target chosen by the compiler flags ("AVX2" with
/// -march=x86-64-v3 -maes -mpclmul, "AVX3" with AVX-512, "EMU128" or
/// "SCALAR" without flags). Examples and benchmarks print it.
inline const char* simd_target() noexcept { return hwy::TargetName(HWY_STATIC_TARGET); }

}  // namespace fixnet

#endif  // FIXNET_SIMD_HPP
