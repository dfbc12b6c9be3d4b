// Command-line checks shared by the fixnet examples (CLI11 validators).
//
// CLI11's own checks (CLI::PositiveNumber, CLI::Range) let "nan" through or
// print the type's limits; these say in one phrase what was expected and
// what was found: "--epochs: expected a whole number >= 0, got '-5'".
#ifndef FIXNET_EXAMPLES_FLAGS_HPP
#define FIXNET_EXAMPLES_FLAGS_HPP

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

namespace examples {

/// A whole number (digits only, no sign) from `min` to 2^64 - 1.
inline CLI::Validator whole_number_at_least(std::uint64_t min) {
  return CLI::Validator(
      [min](std::string& text) -> std::string {
        const bool digits = !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) {
                              return std::isdigit(c) != 0;
                            });
        errno = 0;
        const unsigned long long value = digits ? std::strtoull(text.c_str(), nullptr, 10) : 0;
        if (!digits || value < min)
          return fmt::format("expected a whole number >= {}, got '{}'", min, text);
        if (errno == ERANGE) return fmt::format("expected a whole number < 2^64, got '{}'", text);
        return {};
      },
      min == 0 ? "" : min == 1 ? "POSITIVE" : fmt::format(">={}", min));
}

/// A finite number, > 0 or (with `allow_zero`) >= 0: a learning rate, a
/// standard deviation.
inline CLI::Validator finite_number(bool allow_zero) {
  return CLI::Validator(
      [allow_zero](std::string& text) -> std::string {
        char* end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        if (text.empty() || *end != '\0' || !std::isfinite(value) || value < 0.0 ||
            (value == 0.0 && !allow_zero))
          return fmt::format("expected a finite number {} 0, got '{}'", allow_zero ? ">=" : ">",
                             text);
        return {};
      },
      allow_zero ? "NONNEGATIVE" : "POSITIVE");
}

}  // namespace examples

#endif  // FIXNET_EXAMPLES_FLAGS_HPP
