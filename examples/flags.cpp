// The command line of the fixnet examples, over CLI11 (see flags.hpp).
#include "flags.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

namespace examples {

namespace {

// CLI11's own checks (CLI::PositiveNumber, CLI::Range) let "nan" through or
// print the type's limits; these name the expectation instead. A validator's
// description is printed after the type in --help ("UINT:POSITIVE").

CLI::Validator whole_number_at_least(std::uint64_t min) {
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

CLI::Validator finite_number(bool allow_zero) {
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

}  // namespace

Flags::Flags(const std::string& description) : app_(std::make_unique<CLI::App>(description)) {
  app_->option_defaults()->always_capture_default();
}

Flags::~Flags() = default;

void Flags::add_count(const std::string& name, std::uint64_t& value, const std::string& help,
                      std::uint64_t min) {
  app_->add_option(name, value, help)->check(whole_number_at_least(min));
}

void Flags::add_positive(const std::string& name, double& value, const std::string& help) {
  app_->add_option(name, value, help)->check(finite_number(false));
}

void Flags::add_non_negative(const std::string& name, double& value, const std::string& help) {
  app_->add_option(name, value, help)->check(finite_number(true));
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
