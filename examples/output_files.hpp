// The files the examples write (--csv, --plot, --save, --checkpoint), one
// convention for all of them:
//
// - Checked before any work, so that a typo does not cost a training run:
//   the path names a file (not a directory) in a directory that exists and
//   that this process may write; no two outputs are the same file; none is
//   one of the input data files or a non-regular file (a device such as
//   /dev/full, a FIFO) — not even with --force.
// - An existing file is replaced only if it holds what the flag writes (a
//   curve CSV with the same header, a PNG, a model file) or is empty, and
//   the program says so; any other file is refused unless --force is given.
// - Written atomically: a temporary file beside the target, renamed over it
//   when whole. A curve grows in PATH.partial as the run goes (every row
//   written through at once, so a kill keeps every finished epoch), renamed
//   to PATH at the end; an interrupted run (SIGINT, SIGTERM) says where its
//   partial curve is, and PATH keeps the previous run's curve.
// - A write error (a full disk) is an exception naming the file with the
//   system's reason; no destructor throws.
#ifndef FIXNET_EXAMPLES_OUTPUT_FILES_HPP
#define FIXNET_EXAMPLES_OUTPUT_FILES_HPP

#include <cstddef>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <string_view>

namespace examples {

/// What an output flag writes, by which a previous file of its own is told
/// from a file it must not replace.
enum class OutputKind {
  /// A CSV whose first line starts with `Output::csv_header`.
  csv,
  /// A PNG (gnuplot's).
  png,
  /// A safetensors file (a model or a checkpoint).
  model,
};

/// One output of a run: `flag` names it in messages ("--csv"); "" for
/// `path` means none.
struct Output {
  std::string_view flag;
  std::string path;
  OutputKind kind;
  /// For OutputKind::csv: the start of the header line ("epoch,loss").
  std::string_view csv_header{};
};

/// The help text of --force, the same in every example.
extern const char* const force_help;

/// Checks the outputs of a run before any work, as the file comment says
/// (everything but the input files, which `check_not_inputs` checks once
/// the data are located). Says on stdout which existing files will be
/// replaced. Throws std::invalid_argument ("--csv: ...") naming the flag,
/// the path and, for a system error, strerror.
void check_outputs(std::span<const Output> outputs, bool force);

/// Refuses an output that is one of `inputs` (with or without --force).
void check_not_inputs(std::span<const Output> outputs, std::span<const std::filesystem::path> inputs);

/// A curve written as the run goes: rows go to PATH.partial at once (one
/// write each, no buffering in the process), and `commit` renames it to
/// PATH. Until then PATH is untouched. A run that stops early (a signal, an
/// error) leaves the finished rows in PATH.partial; on SIGINT or SIGTERM the
/// program says so on stderr and dies of the signal as before.
class CurveFile {
 public:
  /// No curve (`active()` is false; every call does nothing).
  CurveFile() = default;
  /// Starts PATH.partial (replacing an earlier run's) with `header` (a line,
  /// "\n" included); nothing for an empty `path`. `program` and `what` go
  /// into the interrupt message ("blobs: interrupted; PATH.partial holds the
  /// loss curve of the finished epochs (PATH is unchanged)").
  CurveFile(std::string_view program, std::string_view flag, std::string path, std::string_view what,
            std::string_view header);
  ~CurveFile();
  CurveFile(const CurveFile&) = delete;
  CurveFile& operator=(const CurveFile&) = delete;

  bool active() const noexcept { return !path_.empty(); }
  const std::string& path() const noexcept { return path_; }
  const std::string& partial_path() const noexcept { return partial_; }

  /// Appends whole rows. Throws std::runtime_error naming the partial file
  /// and strerror; the rows written before stay (the file is cut back to
  /// them).
  void append(std::string_view rows);
  /// Replaces the partial file's content by `text`, atomically (for a curve
  /// whose columns are known only as it grows: mnist's).
  void replace(std::string_view text);
  /// Makes PATH the curve: PATH.partial flushed to disk and renamed over it.
  void commit();
  /// "; PATH.partial holds the loss curve of the finished epochs (PATH is
  /// unchanged)", for an error message; "" when there is no partial curve.
  std::string partial_note() const;
  /// `message` with the partial note, unless it names the partial file.
  std::string with_note(std::string_view message) const;

 private:
  std::string flag_;
  std::string path_;
  std::string partial_;
  std::string what_;
  int fd_ = -1;
  std::size_t written_ = 0;
  bool committed_ = false;
};

/// Whether an executable `name` is on $PATH.
bool on_path(const std::string& name);

/// `text` as a gnuplot single-quoted string ('' stands for ').
std::string gnuplot_string(std::string_view text);

/// Renders a PNG with gnuplot: "set terminal TERMINAL", the output set to a
/// temporary file beside `png`, then `body`; renamed over `png` when
/// gnuplot succeeds. Returns false, having said why on stdout ("no plot:
/// ..."), when gnuplot is not installed or fails; throws std::runtime_error
/// when the file cannot be created or renamed.
bool plot_png(const std::string& png, std::string_view terminal, std::string_view body);

/// The exit status of a program that printed its results on stdout: `status`,
/// or EXIT_FAILURE (having said so on stderr) when stdout could not be
/// written (a full disk, a closed pipe).
int finish_stdout(std::string_view program, int status);

/// The end of a training example's main, once its flags are parsed: the
/// status `body` returns, through finish_stdout; an exception `body` throws
/// is reported as "PROGRAM: error: WHAT" on stderr (after stdout is flushed,
/// so that the lines keep their order) and gives EXIT_FAILURE.
int run_program(std::string_view program, const std::function<int()>& body);

/// The end of a small tutorial's main (iris, regression): the status `body`
/// returns; an exception it throws is reported as "PROGRAM: WHAT" on stderr
/// and gives 1.
int run_tutorial(std::string_view program, const std::function<int()>& body);

}  // namespace examples

#endif  // FIXNET_EXAMPLES_OUTPUT_FILES_HPP
