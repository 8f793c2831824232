// POSIX helpers private to the store part (its .cc files only): an owned file
// descriptor, and the one mapping from errno to an absl::Status that names the step and
// the file.
#ifndef ACCORD_STORE_POSIX_H_
#define ACCORD_STORE_POSIX_H_

#include <unistd.h>

#include <filesystem>
#include <string_view>
#include <utility>

#include "absl/status/status.h"

namespace accord::store::internal {

// Owns a file descriptor; closes it when destroyed.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  int get() const { return fd_; }
  // Gives up ownership: the caller closes the descriptor.
  int release() { return std::exchange(fd_, -1); }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// "cannot <step> <path>: <strerror>", as NotFound (ENOENT), PermissionDenied (EACCES,
// EPERM, EROFS), ResourceExhausted (ENOSPC, EDQUOT) or Internal.
absl::Status PosixError(int err, std::string_view step, const std::filesystem::path& path);

}  // namespace accord::store::internal

#endif  // ACCORD_STORE_POSIX_H_
