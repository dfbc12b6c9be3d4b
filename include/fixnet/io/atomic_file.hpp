// fixnet — writing a file so that it is never seen half written: model files
// (fixnet/io/model_file.hpp), checkpoints, baked headers and training curves
// (fixnet/train/history.hpp) all go through `write_file_atomically`.
//
//   fixnet::write_file_atomically("curves.csv", std::as_bytes(std::span(text)));
//   // a reader, a kill or a full disk sees the previous curves.csv or the new one
#ifndef FIXNET_IO_ATOMIC_FILE_HPP
#define FIXNET_IO_ATOMIC_FILE_HPP

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fixnet {

/// A file could not be written. `what()` names the file and carries the
/// system's reason (strerror); `error()` is the errno value (0 if none).
class FileWriteError : public std::runtime_error {
 public:
  FileWriteError(const std::string& message, int error) : std::runtime_error(message), error_(error) {}
  int error() const noexcept { return error_; }

 private:
  int error_;
};

/// Writes `bytes` to `path` so that a reader (or a crash, a kill, a full
/// disk) sees either the previous file or the whole new one, never a part:
/// a temporary file ".<name>.tmp-XXXXXX" in the same directory, written,
/// flushed to the disk (fsync), then renamed over `path`, and the directory
/// synced. Throws FileWriteError ("fixnet: cannot write PATH: what failed:
/// strerror"); the temporary file is removed on failure. `path` itself is
/// replaced, not written through: a symbolic link or a device at `path` is
/// replaced by a regular file, so callers that must not do that check first.
inline void write_file_atomically(const std::filesystem::path& path, std::span<const std::byte> bytes) {
  const std::filesystem::path target = path.has_filename() ? path : path / "";
  if (!target.has_filename())
    throw FileWriteError("fixnet: cannot write " + path.string() + ": the path names a directory", EISDIR);
  std::filesystem::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  const auto fail = [&](const std::string& what, int error) {
    throw FileWriteError("fixnet: cannot write " + path.string() + ": " + what + ": " + std::strerror(error), error);
  };
  // A name no other writer uses: ".<name>.tmp-XXXXXX" beside the target.
  // Appended piece by piece: g++ 12 at -O3 warns falsely (-Wrestrict) on
  // "literal" + std::string&& here.
  std::string name = ".";
  name += target.filename().string();
  name += ".tmp-XXXXXX";
  std::string temp = (dir / name).string();
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) fail("cannot create a temporary file in " + dir.string(), errno);
  const auto abandon = [&](const std::string& what) {
    const int error = errno;
    ::close(fd);
    ::unlink(temp.c_str());
    fail(what, error);
  };
  std::size_t done = 0;
  while (done < bytes.size()) {
    // 1 MiB at a time, so that a signal interrupts between chunks.
    const std::size_t chunk = std::min<std::size_t>(bytes.size() - done, std::size_t{1} << 20);
    const ssize_t n = ::write(fd, bytes.data() + done, chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) abandon("writing " + temp);
    done += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd, 0644) != 0) abandon("setting the permissions of " + temp);
  if (::fsync(fd) != 0) abandon("flushing " + temp + " to disk");
  if (::close(fd) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    fail("closing " + temp, error);
  }
  if (::rename(temp.c_str(), target.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    fail("renaming " + temp + " over it", error);
  }
  // The rename itself reaches the disk when the directory does.
  if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace fixnet

#endif  // FIXNET_IO_ATOMIC_FILE_HPP
