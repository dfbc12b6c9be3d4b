// --save PATH checks shared by the examples (save_path.hpp).
#include "save_path.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <fmt/core.h>

#include <fixnet/io/safetensors.hpp>

namespace examples {

namespace {

std::filesystem::path directory_of(const std::filesystem::path& path) {
  const std::filesystem::path dir = path.parent_path();
  return dir.empty() ? std::filesystem::path(".") : dir;
}

}  // namespace

void check_save_directory(const std::string& path, std::string_view flag) {
  if (path.empty()) return;
  const std::filesystem::path p(path);
  std::error_code ec;
  if (!p.has_filename() || std::filesystem::is_directory(p, ec))
    throw std::invalid_argument(
        fmt::format("{}: '{}' is a directory; expected a file name (e.g. {}/model.safetensors)",
                    flag, path, p.has_filename() ? path : p.parent_path().string()));
  const std::filesystem::path dir = directory_of(p);
  if (!std::filesystem::exists(dir, ec))
    throw std::invalid_argument(fmt::format(
        "{}: the directory {} does not exist (create it first: mkdir -p {}); nothing was "
        "trained",
        flag, dir.string(), dir.string()));
  if (!std::filesystem::is_directory(dir, ec))
    throw std::invalid_argument(
        fmt::format("{}: {} is not a directory; nothing was trained", flag, dir.string()));
  // The model is written to a temporary file beside PATH, then renamed.
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    throw std::invalid_argument(
        fmt::format("{}: cannot write in the directory {} ({}); nothing was trained", flag,
                    dir.string(), std::error_code(errno, std::generic_category()).message()));
}

void check_save_target(const std::string& path, std::span<const std::filesystem::path> inputs,
                       std::string_view flag) {
  if (path.empty()) return;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return;
  for (const std::filesystem::path& input : inputs)
    if (std::filesystem::equivalent(path, input, ec))
      throw std::invalid_argument(
          fmt::format("{}: {} is one of the input data files ({}); refusing to overwrite it",
                      flag, path, input.string()));
  if (!std::filesystem::is_regular_file(path, ec))
    throw std::invalid_argument(
        fmt::format("{}: {} exists and is not a regular file; refusing to replace it", flag, path));
  // Only a model file is replaced: a typo must not overwrite a source file.
  std::string holds;
  try {
    const std::vector<std::byte> bytes = fixnet::safetensors::read_file(path);
    const fixnet::safetensors::Reader file(bytes, path);
    const auto network = file.metadata("fixnet.network");
    holds = network ? std::string(*network) : std::string("a safetensors file");
  } catch (const fixnet::ModelFileError& e) {
    throw std::invalid_argument(fmt::format(
        "{}: {} exists and is not a model file, so it is not replaced (remove it, or choose "
        "another path): {}",
        flag, path, e.what()));
  }
  fmt::print("{}: {} exists (a model file: {}); it will be replaced\n", flag, path, holds);
}

}  // namespace examples
