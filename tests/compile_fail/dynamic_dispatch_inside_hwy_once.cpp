// expect: fixnet: FIXNET_DYNAMIC_DISPATCH(blobs_dispatcher, ...) was not compiled
// expect: ...) was not compiled for every Highway target
//
// Highway's own pattern puts HWY_EXPORT inside `#if HWY_ONCE`; this macro
// goes outside it, where hwy/foreach_target.h compiles it once per target
// (it writes the export itself in the last pass). Inside, only the static
// target would get kernels. The same check catches a HWY_TARGET_INCLUDE that
// names another file. Highway's errors about the missing targets follow.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE __BASE_FILE__  // this file; a program writes its own name
#include <hwy/foreach_target.h>
#include <fixnet/dispatch/dynamic_dispatch.hpp>
#include <fixnet/inference.hpp>

using Blobs = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;
#ifdef FIXNET_COMPILE_FAIL
#if HWY_ONCE
FIXNET_DYNAMIC_DISPATCH(blobs_dispatcher, Blobs, 8, fixnet::CrossEntropy);
#endif
#else
FIXNET_DYNAMIC_DISPATCH(blobs_dispatcher, Blobs, 8, fixnet::CrossEntropy);
#endif
