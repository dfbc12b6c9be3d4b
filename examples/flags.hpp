// The command line of the fixnet examples: --name VALUE options with checked
// values and a --help, parsed by CLI11.
//
// CLI11 is header-only and its headers take several seconds to compile, more
// than an example's own code; so it is compiled once, in flags.cpp, into a
// small library that every example links, and this header does not include
// it. The checks say in one phrase what was expected and what was found:
// "--epochs: expected a whole number >= 0, got '-5'". A number is bounded by
// what it feeds, so that no product or conversion overflows:
// "--threads: expected a whole number from 1 to 1024, got '5000'".
//
//   examples::Flags flags("what the program does");
//   flags.add_count("--epochs", options.epochs, "Gradient descent steps");
//   flags.add_positive("--learning-rate,--lr", options.learning_rate, "Step size");
//   if (const auto exit_code = flags.parse(argc, argv)) return *exit_code;
#ifndef FIXNET_EXAMPLES_FLAGS_HPP
#define FIXNET_EXAMPLES_FLAGS_HPP

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <memory>
#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace examples {

/// The largest value a float holds: the bound of a flag stored as a float.
inline constexpr double float_max = std::numeric_limits<float>::max();

/// --learning-rate as the float the optimisers take. Throws
/// std::invalid_argument ("--learning-rate: expected a value a float can
/// hold ...") for a value that is not > 0 or overflows a float.
float learning_rate_as_float(double value);

/// Options of one program. Each `add_*` binds an option to a variable whose
/// value is the default (shown by --help) and is overwritten by the command
/// line. `name` is CLI11's: "--name" or "--long,--alias".
class Flags {
 public:
  explicit Flags(const std::string& description);
  ~Flags();
  Flags(const Flags&) = delete;
  Flags& operator=(const Flags&) = delete;

  /// A whole number (digits only) from `min` to `max`: bound it by what
  /// the value feeds (a seed + 1, a count times a sample size).
  void add_count(const std::string& name, std::uint64_t& value, const std::string& help,
                 std::uint64_t min = 0, std::uint64_t max = std::numeric_limits<std::uint64_t>::max());
  /// A finite number > 0 and <= `max` (a value stored as a float: at most
  /// `float_max`).
  void add_positive(const std::string& name, double& value, const std::string& help,
                    double max = std::numeric_limits<double>::max());
  /// A finite number >= 0 and <= `max`.
  void add_non_negative(const std::string& name, double& value, const std::string& help,
                        double max = std::numeric_limits<double>::max());
  /// Any text (a file name; may be empty).
  void add_text(const std::string& name, std::string& value, const std::string& help);
  /// One of `choices`.
  void add_choice(const std::string& name, std::string& value,
                  std::initializer_list<const char*> choices, const std::string& help);
  /// A switch without value: true when given.
  void add_switch(const std::string& name, bool& value, const std::string& help);

  /// Parses the command line. Returns nothing when the program should go on;
  /// otherwise the code it should exit with, having printed the help (code
  /// 0) or what was wrong (non-zero) — CLI11's usual behaviour.
  std::optional<int> parse(int argc, const char* const* argv);

 private:
  std::unique_ptr<CLI::App> app_;
};

}  // namespace examples

#endif  // FIXNET_EXAMPLES_FLAGS_HPP
