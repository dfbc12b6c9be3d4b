// Tests of the synthetic point generators (fixnet/data/points.hpp,
// blobs.hpp, moons.hpp): parameters whose points a float cannot hold are
// refused, naming the parameter; the largest ones that fit still work.
#define BOOST_TEST_MODULE points
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <stdexcept>
#include <string>

#include <fixnet/data/blobs.hpp>
#include <fixnet/data/moons.hpp>

#include "data_support.hpp"

namespace {

bool all_finite(const fixnet::data::LabelledPoints& points) {
  for (const auto& p : points.features)
    if (!std::isfinite(p[0]) || !std::isfinite(p[1])) return false;
  return true;
}

using fixnet::tests::message_of;

}  // namespace

BOOST_AUTO_TEST_SUITE(points)

BOOST_AUTO_TEST_CASE(blobs_whose_points_overflow_a_float_are_refused) {
  fixnet::data::BlobsOptions options;
  options.stddev = 1e38f;  // finite, but stddev * a normal draw is not, as a float
  const std::string message = message_of<std::invalid_argument>([&] { fixnet::data::make_blobs(options, 42); });
  BOOST_TEST_INFO(message);
  BOOST_TEST(message.find("standard deviation 1e+38") != std::string::npos);
  BOOST_TEST(message.find("too large for a float") != std::string::npos);
  options.stddev = 1e30f;
  BOOST_TEST(all_finite(fixnet::data::make_blobs(options, 42)));
}

BOOST_AUTO_TEST_CASE(moons_whose_points_overflow_a_float_are_refused) {
  const std::string message = message_of<std::invalid_argument>([] { fixnet::data::make_moons(100, 1e39, 42); });
  BOOST_TEST_INFO(message);
  BOOST_TEST(message.find("noise 1e+39") != std::string::npos);
  BOOST_TEST(message.find("too large for a float") != std::string::npos);
  BOOST_TEST(all_finite(fixnet::data::make_moons(100, 1e30, 42)));
}

BOOST_AUTO_TEST_CASE(non_finite_parameters_are_refused) {
  BOOST_CHECK_THROW(fixnet::data::make_moons(100, INFINITY, 1), std::invalid_argument);
  fixnet::data::BlobsOptions options;
  options.stddev = NAN;
  BOOST_CHECK_THROW(fixnet::data::make_blobs(options, 1), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
