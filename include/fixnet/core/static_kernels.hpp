// fixnet dispatch — the bridge from the target-independent types (network,
// parameter sets, optimisers) to the kernels compiled for the static target.
//
// `StaticKernels` is only declared here. It is the static target's
// `TargetKernels`, the one table of a target's kernels, defined by
// fixnet/dispatch/target_kernels-inl.hpp in the pass that compiles the kernels
// for HWY_STATIC_TARGET (the target the compiler flags select), so that a
// translation unit using hwy/foreach_target.h for other targets still gets
// exactly one definition. Member functions name it with a dependent template
// argument, so it only has to be complete where they are instantiated.
#ifndef FIXNET_DISPATCH_STATIC_DISPATCH_HPP
#define FIXNET_DISPATCH_STATIC_DISPATCH_HPP

namespace fixnet::detail {

template <class Dependent>
struct StaticKernels;

}  // namespace fixnet::detail

#endif  // FIXNET_DISPATCH_STATIC_DISPATCH_HPP
