// fixnet tests — the check behind the tests that prove a code path allocates
// nothing. It counts with counting_new.hpp, which replaces the global
// operator new: include this header only in a test binary of its own, from
// one translation unit.
#ifndef FIXNET_TESTS_ALLOCATION_SUPPORT_HPP
#define FIXNET_TESTS_ALLOCATION_SUPPORT_HPP

#include <cmath>
#include <cstddef>

#include <boost/test/unit_test.hpp>

#include "counting_new.hpp"

namespace fixnet::tests {

/// Calls run() three times: the first warms up (first calls may touch lazily
/// initialised state), the second and third must allocate nothing; the sum
/// of the three results must be finite (the path really ran).
template <class Run>
void check_allocates_nothing_after_warm_up(const char* what, Run&& run) {
  const auto warm = run();
  const std::size_t before = allocation_count();
  const auto first = run();
  const auto second = run();
  const std::size_t after = allocation_count();
  BOOST_TEST_CONTEXT(what) {
    BOOST_TEST(after - before == 0u);
    BOOST_TEST(std::isfinite(warm + first + second));
  }
}

}  // namespace fixnet::tests

#endif  // FIXNET_TESTS_ALLOCATION_SUPPORT_HPP
