// One node per data folder: an exclusive lock on a folder, held for as long as the
// FolderLock object lives (LevelDB's LOCK). A node's data folder holds state that is the
// node's alone (its index, its witness's and monitor's state, the keys it creates), so
// the node takes the folder's lock first and a second one refuses to start, naming the
// first. The log itself does not rest on this lock: its commits are compare-and-swaps
// of the checkpoint (store::LogStorage::Commit), safe with any number of writers; the
// folder log's commit lock is the same file, taken for each commit only.
//
// Mechanism: flock(2) LOCK_EX|LOCK_NB on DIR/.lock, a file that is created if missing and
// never removed. The kernel releases the lock when the holder's descriptor closes, also
// when the process dies (kill -9 included), so a crash never leaves a stale lock. The
// file's content only describes the holder (its pid, command line and since when) for
// the refusal message; each new holder rewrites it, and it is never read for the decision.
// flock locks belong to the open file description, so a second FolderLock on the same
// folder in the same process is refused as well.
//
// Readers (verification, serving a log folder as static files) take no lock.
#ifndef ACCORD_STORE_FOLDER_LOCK_H_
#define ACCORD_STORE_FOLDER_LOCK_H_

#include <filesystem>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace accord::store {

inline constexpr std::string_view kLockFileName = ".lock";

class FolderLock {
 public:
  // Takes the lock on `dir` (an existing folder) for this process. FailedPrecondition if
  // another holder has it, naming the folder and that holder ("pid 1234, `accord serve
  // --data node`, since 2026-12-03T18:01:40Z"); NotFound if `dir` does not exist; other
  // I/O errors as Internal or PermissionDenied, naming the lock file.
  static absl::StatusOr<std::unique_ptr<FolderLock>> Acquire(const std::filesystem::path& dir);
  ~FolderLock();  // releases the lock (the file stays)
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

  const std::filesystem::path& dir() const { return dir_; }

 private:
  FolderLock(std::filesystem::path dir, int fd) : dir_(std::move(dir)), fd_(fd) {}
  std::filesystem::path dir_;
  int fd_;
};

}  // namespace accord::store

#endif  // ACCORD_STORE_FOLDER_LOCK_H_
