// fixnet tests — the per-target harness: a check run once on every Highway
// target compiled into the test binary and supported by this CPU, as
// Highway's own tests do with HWY_EXPORT_AND_TEST_P (hwy/tests/hwy_gtest.h).
//
// Usage, in a test file that names itself in HWY_TARGET_INCLUDE:
//
//   #include <hwy/foreach_target.h>
//   #include <hwy/highway.h>
//   #include "per_target.hpp"  // after them: it has a part per target
//
//   // This target's kernels: one entry per type under test,
//   FIXNET_PER_TARGET_TABLE(get_kernels, KernelTable, []<class P>(Kernels<P>& k) { ... });
//   // or any per-target `void get_kernels(KernelTable&)`, between
//   // HWY_BEFORE_NAMESPACE() and HWY_AFTER_NAMESPACE().
//
//   #if HWY_ONCE
//   namespace fixnet::tests {
//   HWY_EXPORT(get_kernels);
//   BOOST_AUTO_TEST_CASE(kernels_match_the_reference_on_every_target) {
//     FIXNET_ON_EVERY_TARGET(get_kernels, [](const KernelTable& table) { ... });
//   }
//   }
//   #endif
//
// Each run is under a Boost.Test context naming the target; the harness
// checks that dynamic dispatch really reached the target it forced and that
// the static target (what net.forward uses) was among them, then prints the
// targets that ran: `NAME: Highway targets AVX3_DL AVX3 AVX2 SSE4 SSSE3 SCALAR`.
//
// The table is built on the heap, so that large ones (every network of a
// test) stay off the stack.
//
// Like hwy/tests/test_util-inl.h, this header has a part compiled once (the
// include guard) and a part compiled once per target (the toggle guard): the
// latter defines dispatched_target() in each target's namespace and, in the
// last pass (HWY_ONCE), exports it and defines on_every_target.

#ifndef FIXNET_TESTS_PER_TARGET_HPP
#define FIXNET_TESTS_PER_TARGET_HPP

#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/test/unit_test.hpp>

#include <hwy/targets.h>

namespace fixnet::tests {

/// `std::tuple<Kernels<P>...>` for `Sets = std::tuple<P...>`: one entry of
/// kernels per type under test (a parameter set, a network case).
template <template <class> class Kernels, class Sets>
struct KernelsPerSet;
template <template <class> class Kernels, class... Ps>
struct KernelsPerSet<Kernels, std::tuple<Ps...>> {
  using type = std::tuple<Kernels<Ps>...>;
};
template <template <class> class Kernels, class Sets>
using KernelsPerSetT = typename KernelsPerSet<Kernels, Sets>::type;

/// Calls `f(entry)` on each entry of a tuple, in order: to fill a table of
/// kernels per target (`f` a generic lambda taking `Kernels<P>&`) and to
/// check one.
template <class Tuple, class F>
void for_each_entry(Tuple&& table, F&& f) {
  std::apply([&](auto&... entry) { (f(entry), ...); }, table);
}

namespace harness {

/// The table that a per-target `void get_kernels(Table&)` fills.
template <class Fn>
struct FilledTable;
template <class Table>
struct FilledTable<void (*)(Table&)> {
  using type = Table;
};
template <class Fn>
using FilledTableT = typename FilledTable<std::remove_cvref_t<Fn>>::type;

/// The loop of on_every_target: forces each target in turn
/// (hwy::SetSupportedTargetsForTest), checks that `dispatched()` (HWY_TARGET
/// of an HWY_EXPORTed function) reached it, runs `run()`, and prints the
/// targets that ran.
template <class Query, class Run>
void run_on_every_target(Query&& dispatched, Run&& run) {
  // Restores normal dispatch even if `run` aborts the test case.
  struct Restore {
    ~Restore() { hwy::SetSupportedTargetsForTest(0); }
  } restore;
  std::string ran;
  bool static_target_ran = false;
  const std::vector<std::int64_t> targets = hwy::SupportedAndGeneratedTargets();
  for (const std::int64_t target : targets) {
    hwy::SetSupportedTargetsForTest(target);
    BOOST_TEST_CONTEXT("Highway target " << hwy::TargetName(target)) {
      BOOST_TEST(dispatched() == target);
      run();
    }
    ran += std::string(ran.empty() ? "" : " ") + hwy::TargetName(target);
    static_target_ran = static_target_ran || target == HWY_STATIC_TARGET;
  }
  // The static target (what net.forward uses) must be among those checked.
  BOOST_TEST(static_target_ran);
  BOOST_TEST(targets.size() >= 1u);
  const std::string name = boost::unit_test::framework::current_test_case().p_name;
  BOOST_TEST_MESSAGE(name << " ran on Highway targets: " << ran);
  std::cout << name << ": Highway targets " << ran << std::endl;
}

}  // namespace harness
}  // namespace fixnet::tests

/// Runs CHECK (a callable taking `const Table&`) once on every Highway
/// target, with the Table that target's GET_KERNELS (a per-target
/// `void GET_KERNELS(Table&)`, HWY_EXPORTed) fills. Write it where
/// HWY_EXPORT(GET_KERNELS) is visible (namespace fixnet::tests). CHECK may
/// contain commas (it is the rest of the arguments).
#define FIXNET_ON_EVERY_TARGET(GET_KERNELS, ...)                                              \
  ::fixnet::tests::on_every_target([&] {                                                      \
    using FixnetTable_ =                                                                      \
        ::fixnet::tests::harness::FilledTableT<decltype(HWY_DISPATCH_TABLE(GET_KERNELS)[0])>; \
    const auto fixnet_table_ = std::make_unique<FixnetTable_>();                              \
    HWY_DYNAMIC_DISPATCH(GET_KERNELS)(*fixnet_table_);                                        \
    (__VA_ARGS__)(std::as_const(*fixnet_table_));                                             \
  })

/// Defines `void NAME(TABLE& table)` in the namespace of the target being
/// compiled, calling FILL (the rest of the arguments: a generic callable) on
/// each entry of the tuple TABLE: the table of one entry of kernels per type
/// under test. Write it outside `#if HWY_ONCE` (hwy/foreach_target.h compiles
/// it once per target), name the kernels `fixnet::HWY_NAMESPACE::...`, and
/// HWY_EXPORT(NAME) in the HWY_ONCE part:
///
///   FIXNET_PER_TARGET_TABLE(get_kernels, KernelTable, []<class P>(SgdKernel<P>& k) {
///     k.step = &fixnet::HWY_NAMESPACE::sgd_step<P, typename P::scalar_type>;
///   });
#define FIXNET_PER_TARGET_TABLE(NAME, TABLE, ...)                                         \
  HWY_BEFORE_NAMESPACE();                                                                 \
  namespace fixnet::tests::HWY_NAMESPACE {                                                \
  inline void NAME(TABLE& table) { ::fixnet::tests::for_each_entry(table, __VA_ARGS__); } \
  }                                                                                       \
  HWY_AFTER_NAMESPACE()

/// Defines `void NAME(TABLE& table)` in the namespace of the target being
/// compiled, calling FILL (the rest of the arguments: a callable taking
/// `TABLE&`) on the table; in FILL, `fk` is that target's namespace of
/// kernels (fixnet::HWY_NAMESPACE). For a table that is not a tuple of one
/// entry per type (FIXNET_PER_TARGET_TABLE); written and exported the same
/// way:
///
///   FIXNET_PER_TARGET_FILL(get_kernels, KernelTable, [](KernelTable& table) {
///     table.step = &fk::sgd_step<P, float>;
///   });
#define FIXNET_PER_TARGET_FILL(NAME, TABLE, ...)                   \
  HWY_BEFORE_NAMESPACE();                                          \
  namespace fixnet::tests::HWY_NAMESPACE {                         \
  namespace fk = ::fixnet::HWY_NAMESPACE;                          \
  inline void NAME(TABLE& table) { (__VA_ARGS__)(table); }         \
  }                                                                \
  HWY_AFTER_NAMESPACE()

#endif  // FIXNET_TESTS_PER_TARGET_HPP

// The part compiled once per target (toggled as Highway's -inl headers are).
#if defined(FIXNET_TESTS_PER_TARGET_TOGGLE) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_TESTS_PER_TARGET_TOGGLE
#undef FIXNET_TESTS_PER_TARGET_TOGGLE
#else
#define FIXNET_TESTS_PER_TARGET_TOGGLE
#endif

HWY_BEFORE_NAMESPACE();
namespace fixnet::tests::HWY_NAMESPACE {

/// The target this code was compiled for: what dynamic dispatch reached.
inline std::int64_t dispatched_target() { return HWY_TARGET; }

}  // namespace fixnet::tests::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace fixnet::tests {

HWY_EXPORT(dispatched_target);

namespace {

/// The target that dynamic dispatch picks now (the one forced, in
/// on_every_target).
inline std::int64_t current_target() { return HWY_DYNAMIC_DISPATCH(dispatched_target)(); }

/// Runs `run()` once on each Highway target compiled into the test binary
/// (with HWY_IS_TEST, every target this CPU can attain) and supported by the
/// CPU, each forced in turn, under a Boost.Test context naming the target;
/// prints the targets that ran.
template <class Run>
void on_every_target(Run&& run) {
  harness::run_on_every_target(current_target, run);
}

}  // namespace
}  // namespace fixnet::tests
#endif  // HWY_ONCE

#endif  // FIXNET_TESTS_PER_TARGET_TOGGLE
