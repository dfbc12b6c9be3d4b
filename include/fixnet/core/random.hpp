// fixnet — the random engine every seeded part of fixnet draws from.
#ifndef FIXNET_RANDOM_HPP
#define FIXNET_RANDOM_HPP

#include <random>

namespace fixnet {

/// The random engine fixnet uses everywhere: std::mt19937_64 is specified
/// bit for bit by the standard, and Boost.Random's distributions are the same
/// on every platform, so a seed gives the same numbers everywhere (std::
/// distributions differ between standard libraries).
using Rng = std::mt19937_64;

}  // namespace fixnet

#endif  // FIXNET_RANDOM_HPP
