// The examples' output files (output_files.hpp).
#include "output_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <fmt/core.h>

#include <fixnet/io/atomic_file.hpp>
#include <fixnet/io/safetensors.hpp>

namespace examples {

const char* const force_help =
    "Replace an existing output file even if it does not hold what its flag writes (a curve CSV "
    "with this program's header, a PNG, a model file): without it such a file is refused. Files of "
    "their own kind are replaced without it (the program says so); the input data, directories "
    "and devices are never replaced";

namespace {

std::string system_error_text(int error) { return std::strerror(error); }

std::filesystem::path directory_of(const std::filesystem::path& path) {
  const std::filesystem::path dir = path.parent_path();
  return dir.empty() ? std::filesystem::path(".") : dir;
}

const char* file_type(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

const char* kind_text(OutputKind kind) {
  switch (kind) {
    case OutputKind::csv:
      return "a curve CSV of this program";
    case OutputKind::png:
      return "a PNG image";
    case OutputKind::model:
      return "a model file";
  }
  return "?";
}

void check_directory(const Output& o) {
  const std::filesystem::path p(o.path);
  std::error_code ec;
  if (!p.has_filename() || std::filesystem::is_directory(p, ec))
    throw std::invalid_argument(fmt::format("{}: '{}' is a directory; expected a file name (e.g. {}/{})", o.flag,
                                            o.path, p.has_filename() ? o.path : p.parent_path().string(),
                                            o.kind == OutputKind::csv   ? "curves.csv"
                                            : o.kind == OutputKind::png ? "curves.png"
                                                                        : "model.safetensors"));
  const std::filesystem::path dir = directory_of(p);
  if (!std::filesystem::exists(dir, ec))
    throw std::invalid_argument(fmt::format(
        "{}: the directory {} does not exist (create it first: mkdir -p {}); nothing was trained", o.flag,
        dir.string(), dir.string()));
  if (!std::filesystem::is_directory(dir, ec))
    throw std::invalid_argument(
        fmt::format("{}: {} is not a directory; nothing was trained", o.flag, dir.string()));
  // Every output is written to a temporary file beside it, then renamed.
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    throw std::invalid_argument(fmt::format("{}: cannot write in the directory {} ({}); nothing was trained",
                                            o.flag, dir.string(), system_error_text(errno)));
}

/// Whether the regular file `path` holds what `o` writes (its first bytes).
bool holds_own_kind(const Output& o, std::string& holds) {
  if (o.kind == OutputKind::model) {
    try {
      const std::vector<std::byte> bytes = fixnet::safetensors::read_file(o.path);
      const fixnet::safetensors::Reader file(bytes, o.path);
      const auto network = file.metadata("fixnet.network");
      holds = network ? "a model file: " + std::string(*network) : std::string("a safetensors file");
      return true;
    } catch (const fixnet::ModelFileError& e) {
      holds = e.what();
      return false;
    }
  }
  std::ifstream in(o.path, std::ios::binary);
  std::array<char, 256> start{};
  in.read(start.data(), start.size());
  const std::string_view head(start.data(), static_cast<std::size_t>(in.gcount()));
  if (o.kind == OutputKind::png) {
    holds = "a PNG image";
    return head.starts_with("\x89PNG\r\n\x1a\n");
  }
  holds = fmt::format("a curve: its first line starts with '{}'", o.csv_header);
  if (head.starts_with(o.csv_header)) return true;
  const std::string_view first_line = head.substr(0, std::min<std::size_t>(head.find('\n'), 60));
  const bool text = std::all_of(first_line.begin(), first_line.end(),
                                [](unsigned char c) { return c >= 0x20 && c < 0x7f; });
  holds = text ? fmt::format("its first line is '{}', not this program's header '{}...'", first_line, o.csv_header)
               : fmt::format("it holds binary data, not this program's header '{}...'", o.csv_header);
  return false;
}

/// An existing `path`: replaced if it is of `o`'s kind or empty, or with
/// --force; refused if it is not a regular file.
void check_existing(const Output& o, const std::string& path, bool force, bool partial) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return;  // a new file (or a dangling link, which the rename replaces)
    throw std::invalid_argument(fmt::format("{}: cannot inspect {}: {}", o.flag, path, system_error_text(errno)));
  }
  if (!S_ISREG(st.st_mode))
    throw std::invalid_argument(fmt::format(
        "{}: {} exists and is {}; refusing to replace it (even with --force): choose a file name", o.flag, path,
        file_type(st.st_mode)));
  if (partial) {
    fmt::print("{}: {} exists (an earlier run's partial curve); it will be replaced\n", o.flag, path);
    return;
  }
  if (st.st_size == 0) {
    fmt::print("{}: {} exists and is empty; it will be replaced\n", o.flag, path);
    return;
  }
  std::string holds;
  if (holds_own_kind(o, holds)) {
    fmt::print("{}: {} exists ({}); it will be replaced\n", o.flag, path, holds);
  } else if (force) {
    fmt::print("{}: {} exists and is not {} ({}); --force: it will be replaced\n", o.flag, path, kind_text(o.kind),
               holds);
  } else {
    throw std::invalid_argument(
        fmt::format("{}: {} exists and is not {} ({}); not replaced: choose another path, or give --force to "
                    "replace it",
                    o.flag, path, kind_text(o.kind), holds));
  }
}

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  if (std::filesystem::equivalent(a, b, ec) && !ec) return true;
  const auto ca = std::filesystem::weakly_canonical(std::filesystem::absolute(a, ec), ec);
  const auto cb = std::filesystem::weakly_canonical(std::filesystem::absolute(b, ec), ec);
  return !ec && ca == cb;
}

// The message a SIGINT or SIGTERM prints while a curve is partial: a fixed
// buffer, since a signal handler may only call async-signal-safe functions.
std::array<char, 1024> interrupt_note{};
volatile std::sig_atomic_t interrupt_note_size = 0;

extern "C" void on_interrupt(int signal) {
  const std::sig_atomic_t size = interrupt_note_size;
  if (size > 0) {
    [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, interrupt_note.data(), static_cast<std::size_t>(size));
  }
  // SA_RESETHAND restored the default action: the program dies of the
  // signal, as it would have without this handler, once the handler returns.
  std::raise(signal);
}

void set_interrupt_note(const std::string& note) {
  interrupt_note_size = 0;
  const std::size_t size = std::min(note.size(), interrupt_note.size());
  std::copy_n(note.data(), size, interrupt_note.data());
  interrupt_note_size = static_cast<std::sig_atomic_t>(size);
  for (const int signal : {SIGINT, SIGTERM}) {
    struct sigaction old {};
    if (::sigaction(signal, nullptr, &old) != 0 || old.sa_handler == SIG_IGN) continue;  // nohup, &: stay ignored
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND;
    ::sigaction(signal, &action, nullptr);
  }
}

}  // namespace

void check_outputs(std::span<const Output> outputs, bool force) {
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const Output& o = outputs[i];
    if (o.path.empty()) continue;
    check_directory(o);
    for (std::size_t j = 0; j < i; ++j)
      if (!outputs[j].path.empty() && same_file(outputs[j].path, o.path))
        throw std::invalid_argument(
            fmt::format("{}: {} is also the {} file; expected two different files", o.flag, o.path, outputs[j].flag));
    check_existing(o, o.path, force, false);
    if (o.kind == OutputKind::csv) check_existing(o, o.path + ".partial", force, true);
  }
}

void check_not_inputs(std::span<const Output> outputs, std::span<const std::filesystem::path> inputs) {
  for (const Output& o : outputs) {
    if (o.path.empty()) continue;
    for (const std::filesystem::path& input : inputs) {
      std::error_code ec;
      if (std::filesystem::equivalent(o.path, input, ec) && !ec)
        throw std::invalid_argument(fmt::format(
            "{}: {} is one of the input data files ({}); refusing to overwrite it (even with --force)", o.flag,
            o.path, input.string()));
    }
  }
}

CurveFile::CurveFile(std::string_view program, std::string_view flag, std::string path, std::string_view what,
                     std::string_view header)
    : flag_(flag), path_(std::move(path)), what_(what) {
  if (path_.empty()) return;
  partial_ = path_ + ".partial";
  fd_ = ::open(partial_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw std::runtime_error(fmt::format("{}: cannot create {}: {}", flag_, partial_, system_error_text(errno)));
  set_interrupt_note(fmt::format("\n{}: interrupted{}\n", program, partial_note()));
  append(header);
}

CurveFile::~CurveFile() {
  if (fd_ >= 0) ::close(fd_);
  if (active()) interrupt_note_size = 0;
}

void CurveFile::append(std::string_view rows) {
  if (!active()) return;
  if (fd_ < 0)
    throw std::logic_error(fmt::format("{}: {} is no longer open for appending", flag_, partial_));
  std::size_t done = 0;
  while (done < rows.size()) {
    const ssize_t n = ::write(fd_, rows.data() + done, rows.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      // Cut back to the whole rows before, so that the partial curve parses.
      const bool cut = ::ftruncate(fd_, static_cast<off_t>(written_)) == 0;
      throw std::runtime_error(fmt::format("{}: cannot write {}: {}{}", flag_, partial_, system_error_text(error),
                                           cut ? partial_note() : fmt::format(" ({} is unchanged)", path_)));
    }
    done += static_cast<std::size_t>(n);
  }
  written_ += rows.size();
}

void CurveFile::replace(std::string_view text) {
  if (!active()) return;
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  try {
    fixnet::write_file_atomically(partial_, std::as_bytes(std::span<const char>(text.data(), text.size())));
  } catch (const fixnet::FileWriteError& e) {
    throw std::runtime_error(fmt::format("{}: {}{}", flag_, e.what(), partial_note()));
  }
  written_ = text.size();
}

void CurveFile::commit() {
  if (!active() || committed_) return;
  const auto fail = [&](const std::string& what, int error) {
    throw std::runtime_error(fmt::format("{}: cannot write {}: {}: {}{}", flag_, path_, what,
                                         system_error_text(error), partial_note()));
  };
  if (fd_ >= 0) {
    if (::fsync(fd_) != 0) fail("flushing " + partial_ + " to disk", errno);
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail("closing " + partial_, errno);
  }
  if (::rename(partial_.c_str(), path_.c_str()) != 0) fail("renaming " + partial_ + " over it", errno);
  const std::filesystem::path dir = directory_of(path_);
  if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  committed_ = true;
  interrupt_note_size = 0;
}

std::string CurveFile::partial_note() const {
  if (!active() || committed_) return {};
  return fmt::format("; {} holds the {} ({} is unchanged)", partial_, what_, path_);
}

std::string CurveFile::with_note(std::string_view message) const {
  if (!active() || message.find(partial_) != std::string_view::npos) return std::string(message);
  return std::string(message) + partial_note();
}

bool on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  const std::string dirs = path;
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::string dir = dirs.substr(start, end - start);
    const std::filesystem::path candidate = std::filesystem::path(dir.empty() ? "." : dir) / name;
    std::error_code ec;
    if (std::filesystem::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

std::string gnuplot_string(std::string_view text) {
  std::string out = "'";
  for (const char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

bool plot_png(const std::string& png, std::string_view terminal, std::string_view body) {
  if (!on_path("gnuplot")) {
    fmt::print("no plot: gnuplot is not installed (not on $PATH; apt install gnuplot-nox)\n");
    return false;
  }
  const std::filesystem::path target(png);
  const std::filesystem::path dir = directory_of(target);
  std::string temp = (dir / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
  const int fd = ::mkstemp(temp.data());
  if (fd < 0)
    throw std::runtime_error(fmt::format("--plot: cannot create a temporary file in {}: {}", dir.string(),
                                         system_error_text(errno)));
  ::close(fd);
  const std::string script =
      fmt::format("set terminal {}\nset output {}\n{}", terminal, gnuplot_string(temp), body);
  std::fflush(stdout);
  // gnuplot may end before reading the whole script: no SIGPIPE for that.
  const auto old_pipe = std::signal(SIGPIPE, SIG_IGN);
  FILE* pipe = ::popen("gnuplot", "w");
  int status = -1;
  if (pipe != nullptr) {
    std::fputs(script.c_str(), pipe);
    status = ::pclose(pipe);
  }
  std::signal(SIGPIPE, old_pipe);
  struct stat st {};
  if (status != 0 || ::stat(temp.c_str(), &st) != 0 || st.st_size == 0) {
    ::unlink(temp.c_str());
    fmt::print("no plot: gnuplot {}; {} is unchanged\n",
               pipe == nullptr ? "could not be started"
               : status != 0   ? fmt::format("failed (status {})", status)
                               : std::string("wrote nothing"),
               png);
    return false;
  }
  if (::chmod(temp.c_str(), 0644) != 0 || ::rename(temp.c_str(), png.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    throw std::runtime_error(fmt::format("--plot: cannot write {}: {}", png, system_error_text(error)));
  }
  return true;
}

int finish_stdout(std::string_view program, int status) {
  if (std::fflush(stdout) != 0 || std::ferror(stdout) != 0) {
    const int error = errno;
    fmt::print(stderr, "{}: error: cannot write the standard output: {}\n", program, system_error_text(error));
    return EXIT_FAILURE;
  }
  return status;
}

int run_program(std::string_view program, const std::function<int()>& body) {
  try {
    return finish_stdout(program, body());
  } catch (const std::exception& e) {
    std::fflush(stdout);
    fmt::print(stderr, "{}: error: {}\n", program, e.what());
    return EXIT_FAILURE;
  }
}

int run_tutorial(std::string_view program, const std::function<int()>& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    fmt::print(stderr, "{}: {}\n", program, e.what());
    return 1;
  }
}

}  // namespace examples
