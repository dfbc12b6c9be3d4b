// Tests of fixnet/kernels/int8_dot-inl.hpp on every Highway target compiled
// into this binary: int8 x uint8 dot products summed in int32 against the
// scalar loop, bit for bit, for widths around every target's lane counts,
// random values and the extremes (-128 and 127 times 255, the largest sums
// the kernel promises).
//
// hwy/foreach_target.h re-includes this file once per target; the per-target
// part only takes the kernels' addresses, the checks are compiled once.
#ifndef FIXNET_TESTS_INT8_KERNEL_TEST_PRELUDE
#define FIXNET_TESTS_INT8_KERNEL_TEST_PRELUDE

#define BOOST_TEST_MODULE int8_kernel
#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <hwy/aligned_allocator.h>

#include "test_support.hpp"

namespace fixnet::tests {

/// One target's int8 dot products for one shape and number of samples
/// (their input rows x_stride bytes apart, their sums sums_stride apart).
struct Int8Dot {
  std::size_t outputs;
  std::size_t inputs;
  std::size_t row_bytes;
  std::size_t samples;
  std::size_t x_stride;
  std::size_t sums_stride;
  void (*dot)(const std::int8_t*, const std::uint8_t*, std::int32_t*);
};
using KernelTable = std::vector<Int8Dot>;

/// Rows of whole 64-byte lines.
constexpr std::size_t line_bytes(std::size_t n) { return (n + 63) / 64 * 64; }

}  // namespace fixnet::tests

#endif  // FIXNET_TESTS_INT8_KERNEL_TEST_PRELUDE

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "int8_kernel_test.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <fixnet/kernels/int8_dot-inl.hpp>

#include "per_target.hpp"  // after Highway: it has a part per target

FIXNET_PER_TARGET_FILL(get_kernels, KernelTable, [](KernelTable& table) {
  const auto
      add = [&]<std::size_t Out, std::size_t In, std::size_t S = 1, std::size_t kExtra = 0>() {
    constexpr std::size_t kW = line_bytes(In), kX = kW + kExtra;
    table.push_back(
        {Out, In, kW, S, kX, fk::kInt8SumsStride<Out>, &fk::int8_dot_rows<Out, In, kW, S, kX>});
  };
  add.template operator()<1, 1>();
  add.template operator()<3, 2>();
  add.template operator()<4, 16>();
  add.template operator()<5, 33>();
  add.template operator()<10, 50>();
  add.template operator()<7, 130>();
  add.template operator()<50, 784>();
  // Several samples: whole and partial tiles of samples and of rows, input
  // rows further apart than the weights' (a wider layer's buffer).
  add.template operator()<5, 33, 3, 64>();
  add.template operator()<50, 784, 4>();
  add.template operator()<7, 130, 9, 128>();
  add.template operator()<1, 1, 2>();
});

#if HWY_ONCE
namespace fixnet::tests {

HWY_EXPORT(get_kernels);

namespace {

/// W (Out rows of row_bytes, zero past In) and x (a row per sample,
/// x_stride apart, zero past In), aligned.
struct Operands {
  hwy::AlignedFreeUniquePtr<std::int8_t[]> w;
  hwy::AlignedFreeUniquePtr<std::uint8_t[]> x;
};

Operands operands(const Int8Dot& k, const auto& weight, const auto& input) {
  Operands o{hwy::AllocateAligned<std::int8_t>(k.outputs * k.row_bytes),
             hwy::AllocateAligned<std::uint8_t>(k.samples * k.x_stride)};
  for (std::size_t r = 0; r < k.outputs; ++r)
    for (std::size_t i = 0; i < k.row_bytes; ++i)
      o.w[r * k.row_bytes + i] = i < k.inputs ? weight(r, i) : std::int8_t{0};
  for (std::size_t s = 0; s < k.samples; ++s)
    for (std::size_t i = 0; i < k.x_stride; ++i)
      o.x[s * k.x_stride + i] = i < k.inputs ? input(s, i) : std::uint8_t{0};
  return o;
}

/// The kernel against the scalar loop in int64 (which cannot overflow).
void check(const Int8Dot& k, const Operands& o, const std::string& what) {
  std::vector<std::int32_t> acc(k.samples * k.sums_stride, -1);
  k.dot(o.w.get(), o.x.get(), acc.data());
  for (std::size_t s = 0; s < k.samples; ++s) {
    std::vector<std::int64_t> got(k.outputs), expected(k.outputs, 0);
    for (std::size_t r = 0; r < k.outputs; ++r) {
      got[r] = acc[s * k.sums_stride + r];
      for (std::size_t i = 0; i < k.inputs; ++i)
        expected[r] +=
            std::int64_t{o.w[r * k.row_bytes + i]} * std::int64_t{o.x[s * k.x_stride + i]};
    }
    BOOST_TEST_CONTEXT(what << ", " << k.outputs << " x " << k.inputs << ", sample " << s << " of "
                            << k.samples) {
      BOOST_TEST(got == expected, boost::test_tools::per_element());
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(int8_kernel)

BOOST_AUTO_TEST_CASE(int8_dot_products_are_the_scalar_sums_on_every_target) {
  FIXNET_ON_EVERY_TARGET(get_kernels, [](const KernelTable& table) {
    BOOST_TEST(table.size() == 11u);
    TestRng rng(1414);
    for (const Int8Dot& k : table) {
      for (int trial = 0; trial < 3; ++trial) {
        std::vector<std::int8_t> w(k.outputs * k.inputs);
        std::vector<std::uint8_t> x(k.samples * k.inputs);
        for (auto& v : w) v = static_cast<std::int8_t>(static_cast<int>(rng() % 256) - 128);
        for (auto& v : x) v = static_cast<std::uint8_t>(rng() % 256);
        check(k,
              operands(
                  k, [&](std::size_t r, std::size_t i) { return w[r * k.inputs + i]; },
                  [&](std::size_t s, std::size_t i) { return x[s * k.inputs + i]; }),
              "random");
      }
      // The extremes: every product -128 * 255 or 127 * 255, rows alternating.
      check(k,
            operands(
                k, [](std::size_t r, std::size_t) { return std::int8_t(r % 2 ? 127 : -128); },
                [](std::size_t, std::size_t) { return std::uint8_t{255}; }),
            "extremes");
    }
  });
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests
#endif  // HWY_ONCE
