// Crash-safe file writes: the one place accord makes bytes durable on a POSIX file
// system. After WriteFilesDurably returns OK, every file holds its new contents and
// survives a crash or power loss; if it fails or the process dies part-way, each file
// holds either its old contents (or is absent) or its new contents — never a mix.
//
// Syscall sequence, for a batch of files (one fsync per file and per directory):
//   for each file:  mkdir -p parent (each new directory fsynced in its parent)
//                   open(dir/.name.tmp.<pid>.<n>, O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0644)
//                   write…  fdatasync  close
//   for each file:  rename(tmp, name)
//   for each distinct parent directory:  open(dir, O_RDONLY|O_DIRECTORY)  fsync  close
// The renames come only after every temporary file is durable, so a batch of tiles
// appears after all of its data is on disk.
#ifndef ACCORD_STORE_DURABLE_FILE_H_
#define ACCORD_STORE_DURABLE_FILE_H_

#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace accord::store {

// Test hook: called before each step ("mkdir", "create", "write", "fsync", "rename",
// "fsync-dir", "unlink") with the path it acts on; a non-OK status makes that step fail
// as if the syscall had, and the write stops there (a simulated crash).
using FaultInjector =
    std::function<absl::Status(std::string_view step, const std::filesystem::path&)>;

struct FileWrite {
  std::filesystem::path path;
  std::string_view data;
};

// Writes every file durably (see above). Errors name the file and the failing step.
absl::Status WriteFilesDurably(std::span<const FileWrite> files,
                               const FaultInjector& fault = nullptr);

// The whole file. NotFound if it does not exist; other I/O failures as Internal or
// PermissionDenied, naming the path.
absl::StatusOr<std::string> ReadWholeFile(const std::filesystem::path& path);

// Creates `dir` and missing parents, fsyncing each new directory's parent.
absl::Status MakeDirsDurably(const std::filesystem::path& dir,
                             const FaultInjector& fault = nullptr);

}  // namespace accord::store

#endif  // ACCORD_STORE_DURABLE_FILE_H_
