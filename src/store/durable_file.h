// Crash-safe file writes: the one place accord makes bytes durable on a POSIX file
// system. After WriteFilesDurably returns OK, every file holds its new contents and
// survives a crash or power loss; if it fails or the process dies part-way, each file
// holds either its old contents (or is absent) or its new contents — never a mix.
//
// Two ways to get there, the same guarantee:
//
// Durability::kFsyncEachFile (portable POSIX):
//   for each file:  mkdir -p parent (each new directory fsynced in its parent)
//                   open(dir/.name.tmp.<pid>.<n>, O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0644)
//                   write…  fdatasync  close
//   for each file:  rename(tmp, name)
//   for each distinct parent directory:  open(dir, O_RDONLY|O_DIRECTORY)  fsync  close
//
// Durability::kSyncFilesystem (Linux syncfs(2), the default on Linux):
//   for each file:  mkdir -p parent;  open(tmp…)  write…  close
//   syncfs          (every temporary file and new directory is durable)
//   for each file:  rename(tmp, name)
//   syncfs          (the renames are durable)
// Two flushes per batch instead of one per file and directory: on the ext4 disks here a
// batch of ten tiles commits in ~0.5 ms instead of ~3.4 ms. syncfs flushes every dirty
// page of the file system, other programs' too: give a busy node's data folder its own
// file system (see docs/operations.md).
//
// Either way the renames come only after every temporary file is durable, so a batch of
// tiles appears after all of its data is on disk.
#ifndef ACCORD_STORE_DURABLE_FILE_H_
#define ACCORD_STORE_DURABLE_FILE_H_

#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace accord::store {

// Test hook: called before each step ("mkdir", "create", "write", "fsync", "rename",
// "fsync-dir", "syncfs", "unlink") with the path it acts on; a non-OK status makes that step fail
// as if the syscall had, and the write stops there (a simulated crash).
using FaultInjector =
    std::function<absl::Status(std::string_view step, const std::filesystem::path&)>;

enum class Durability { kFsyncEachFile, kSyncFilesystem };
// kSyncFilesystem on Linux, kFsyncEachFile elsewhere.
Durability DefaultDurability();

struct FileWrite {
  std::filesystem::path path;
  std::string_view data;  // borrowed: must outlive the write
  int mode = 0644;        // permission bits of the new file (0600 for private keys)
};

// Writes every file durably (see above). Errors name the file and the failing step.
absl::Status WriteFilesDurably(std::span<const FileWrite> files,
                               Durability durability = DefaultDurability(),
                               const FaultInjector& fault = nullptr);

// As WriteFilesDurably, then renames `commit` into place only once every file in
// `files` is durably in place, and makes that rename durable (fsync of its directory):
// the commit file is a commit point that never refers to data not yet on disk. Its
// temporary file is written and synced together with the others, so with
// kSyncFilesystem the whole batch costs two syncfs and one directory fsync.
absl::Status WriteFilesAndCommit(std::span<const FileWrite> files, const FileWrite& commit,
                                 Durability durability = DefaultDurability(),
                                 const FaultInjector& fault = nullptr);

// A file too large to hold in memory (a disclosure, a capture), written durably as it is
// produced: the bytes go to a hidden temporary file beside `path`, and only Commit
// (fdatasync, rename into place, fsync of the directory) makes it appear, whole. A
// writer destroyed before Commit returned OK removes its temporary file: `path` keeps
// what it held before (or stays absent). Not thread-safe. Errors name the file and step.
class DurableFileWriter {
 public:
  // Creates the parent folders (durably) and the temporary file, with mode `mode`.
  static absl::StatusOr<std::unique_ptr<DurableFileWriter>> Create(
      const std::filesystem::path& path, int mode = 0644, const FaultInjector& fault = nullptr);
  DurableFileWriter(const DurableFileWriter&) = delete;
  DurableFileWriter& operator=(const DurableFileWriter&) = delete;
  ~DurableFileWriter();

  absl::Status Append(std::string_view data);
  // Durable on return. After it (OK or not) the writer accepts nothing more.
  absl::Status Commit();

  const std::filesystem::path& path() const { return path_; }

 private:
  DurableFileWriter() = default;
  std::filesystem::path path_, temp_;
  FaultInjector fault_;
  int fd_ = -1;
  bool committed_ = false;
};

// The whole file. NotFound if it does not exist; other I/O failures as Internal or
// PermissionDenied, naming the path.
absl::StatusOr<std::string> ReadWholeFile(const std::filesystem::path& path);

// Checks that files can be written in `dir`, an existing folder, by writing one byte to
// a new file (".accord-probe.<pid>") and removing it: so that a process can refuse to
// start on a folder it could not write later. Errors name the folder and the system's
// reason: ResourceExhausted ("No space left on device"), NotFound (no such folder), or
// PermissionDenied (read-only, not permitted, any other failure).
absl::Status CheckWritableFolder(const std::filesystem::path& dir);

// Creates `dir` and missing parents, fsyncing each new directory's parent.
absl::Status MakeDirsDurably(const std::filesystem::path& dir,
                             const FaultInjector& fault = nullptr);

// A new folder "<prefix>-XXXXXX" in the system's temporary folder (mkdtemp: mode 0700,
// created here or not at all, so never one that was there before — a caller that removes
// it when done removes only what it made). Internal, naming the folder and the reason.
absl::StatusOr<std::filesystem::path> MakeFreshTempFolder(std::string_view prefix);

}  // namespace accord::store

#endif  // ACCORD_STORE_DURABLE_FILE_H_
