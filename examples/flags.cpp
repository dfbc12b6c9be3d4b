// The command line of the fixnet examples, over CLI11 (see flags.hpp).
#include "flags.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

namespace examples {

namespace {

// CLI11's own checks (CLI::PositiveNumber, CLI::Range) let "nan" through or
// print the type's limits; these name the expectation instead. A validator's
// description is printed after the type in --help ("UINT:POSITIVE").

CLI::Validator whole_number(std::uint64_t min, std::uint64_t max) {
  const bool bounded = max != std::numeric_limits<std::uint64_t>::max();
  return CLI::Validator(
      [min, max, bounded](std::string& text) -> std::string {
        const bool digits = !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) {
                              return std::isdigit(c) != 0;
                            });
        errno = 0;
        const unsigned long long value = digits ? std::strtoull(text.c_str(), nullptr, 10) : 0;
        const bool overflow = errno == ERANGE;
        if (bounded && (!digits || overflow || value < min || value > max))
          return fmt::format("expected a whole number from {} to {}, got '{}'", min, max, text);
        if (!digits || value < min)
          return fmt::format("expected a whole number >= {}, got '{}'", min, text);
        if (overflow) return fmt::format("expected a whole number < 2^64, got '{}'", text);
        return {};
      },
      bounded       ? fmt::format("{}..{}", min, max)
      : min == 0 ? ""
      : min == 1 ? "POSITIVE"
                 : fmt::format(">={}", min));
}

CLI::Validator finite_number(bool allow_zero, double max) {
  const bool bounded = max != std::numeric_limits<double>::max();
  return CLI::Validator(
      [allow_zero, max, bounded](std::string& text) -> std::string {
        char* end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        if (text.empty() || *end != '\0' || !std::isfinite(value) || value < 0.0 ||
            (value == 0.0 && !allow_zero) || value > max)
          return fmt::format("expected a finite number {} 0{}, got '{}'", allow_zero ? ">=" : ">",
                             bounded ? fmt::format(" and <= {:g}", max) : "", text);
        return {};
      },
      std::string(allow_zero ? "NONNEGATIVE" : "POSITIVE") +
          (bounded ? fmt::format(" <={:g}", max) : std::string()));
}

}  // namespace

Flags::Flags(const std::string& description) : app_(std::make_unique<CLI::App>(description)) {
  app_->option_defaults()->always_capture_default();
}

Flags::~Flags() = default;

void Flags::add_count(const std::string& name, std::uint64_t& value, const std::string& help,
                      std::uint64_t min, std::uint64_t max) {
  app_->add_option(name, value, help)->check(whole_number(min, max));
}

void Flags::add_positive(const std::string& name, double& value, const std::string& help,
                         double max) {
  app_->add_option(name, value, help)->check(finite_number(false, max));
}

void Flags::add_non_negative(const std::string& name, double& value, const std::string& help,
                             double max) {
  app_->add_option(name, value, help)->check(finite_number(true, max));
}

void Flags::add_text(const std::string& name, std::string& value, const std::string& help) {
  app_->add_option(name, value, help);
}

void Flags::add_choice(const std::string& name, std::string& value,
                       std::initializer_list<const char*> choices, const std::string& help) {
  app_->add_option(name, value, help)
      ->check(CLI::IsMember(std::vector<std::string>(choices.begin(), choices.end())));
}

void Flags::add_switch(const std::string& name, bool& value, const std::string& help) {
  app_->add_flag(name, value, help);
}

std::optional<int> Flags::parse(int argc, const char* const* argv) {
  try {
    app_->parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app_->exit(e);
  }
  return std::nullopt;
}

float learning_rate_as_float(double value) {
  const auto rate = static_cast<float>(value);
  if (!(rate > 0.0f) || !std::isfinite(rate))
    throw std::invalid_argument(fmt::format(
        "--learning-rate: expected a value a float can hold (about 1e-38 to 3e38), got {}", value));
  return rate;
}

}  // namespace examples
