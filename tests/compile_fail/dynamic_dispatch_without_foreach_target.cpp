// expect: fixnet: FIXNET_DYNAMIC_DISPATCH(blobs_dispatcher, ...) needs <hwy/foreach_target.h>
// expect: needs <hwy/foreach_target.h> included before <fixnet/dispatch/dynamic_dispatch.hpp>
//
// The macro writes the network's kernels once per Highway target, so the file
// must be compiled once per target: hwy/foreach_target.h does that, after
// HWY_TARGET_INCLUDE names the file. Without it only the static target would
// exist, and Highway's own error would name a missing namespace.
#ifdef FIXNET_COMPILE_FAIL
// (hwy/foreach_target.h forgotten)
#else
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE __BASE_FILE__  // this file; a program writes its own name
#include <hwy/foreach_target.h>
#endif
#include <fixnet/dispatch/dynamic_dispatch.hpp>
#include <fixnet/inference.hpp>

using Blobs = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;
FIXNET_DYNAMIC_DISPATCH(blobs_dispatcher, Blobs, 8, fixnet::CrossEntropy);
