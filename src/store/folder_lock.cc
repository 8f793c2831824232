#include "src/store/folder_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "src/store/posix.h"

namespace accord::store {
namespace fs = std::filesystem;
using internal::Fd;
using internal::PosixError;

namespace {

// This process's command line, arguments separated by spaces.
std::string CommandLine() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string cmd = ss.str();
  while (!cmd.empty() && cmd.back() == '\0') cmd.pop_back();
  std::replace(cmd.begin(), cmd.end(), '\0', ' ');
  return cmd.empty() ? "?" : cmd;
}

// What the lock file says of its holder, on one line; a placeholder if it says nothing
// readable (a holder that died between taking the lock and writing it).
std::string Holder(int fd) {
  std::string text(512, '\0');
  const ssize_t n = ::pread(fd, text.data(), text.size(), 0);
  text.resize(n > 0 ? static_cast<size_t>(n) : 0);
  if (const size_t nl = text.find('\n'); nl != std::string::npos) text.resize(nl);
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return text.empty() ? "another process (it has not said which)" : text;
}

}  // namespace

absl::StatusOr<std::unique_ptr<FolderLock>> FolderLock::Acquire(const fs::path& dir) {
  const fs::path path = dir / kLockFileName;
  Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (fd.get() < 0) {
    const int err = errno;
    if (err == ENOENT) return absl::NotFoundError(absl::StrCat("no folder ", dir.string()));
    return PosixError(err, "open the lock file", path);
  }
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    if (err != EWOULDBLOCK) return PosixError(err, "lock", path);
    return absl::FailedPreconditionError(absl::StrCat(
        dir.string(), " is in use by another writer: ", Holder(fd.get()),
        ". A data folder has one node at a time; stop that one, or send statements through "
        "its node (accord submit)"));
  }
  const std::string holder = absl::StrCat(
      "pid ", ::getpid(), ", `", absl::StrReplaceAll(CommandLine(), {{"`", "'"}}), "`, since ",
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now(), absl::UTCTimeZone()), "\n");
  // Best effort: the description is for people; the lock is the flock.
  if (::ftruncate(fd.get(), 0) == 0) {
    [[maybe_unused]] const ssize_t written = ::pwrite(fd.get(), holder.data(), holder.size(), 0);
  }
  return std::unique_ptr<FolderLock>(new FolderLock(dir, fd.release()));
}

FolderLock::~FolderLock() { ::close(fd_); }  // releases the flock

}  // namespace accord::store
