// --save PATH for every example that writes a model: checked before any
// work, so that a typo does not cost a training run, and a file that is not
// a model (a source file, the input data) is never replaced.
#ifndef FIXNET_EXAMPLES_SAVE_PATH_HPP
#define FIXNET_EXAMPLES_SAVE_PATH_HPP

#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace examples {

/// PATH must name a file (not a directory) in a directory that exists and
/// that this process may write. Throws std::invalid_argument ("--save:
/// ...", or the `flag` given). Nothing for "".
void check_save_directory(const std::string& path, std::string_view flag = "--save");

/// PATH must not be one of `inputs` (a typo would overwrite the data), and
/// an existing file must be a model file, which is then replaced (said on
/// stdout). Throws std::invalid_argument. Nothing for "".
void check_save_target(const std::string& path, std::span<const std::filesystem::path> inputs = {},
                       std::string_view flag = "--save");

}  // namespace examples

#endif  // FIXNET_EXAMPLES_SAVE_PATH_HPP
