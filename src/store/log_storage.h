// Durable storage of one transparency log's objects, addressed by their C2SP read
// paths: "checkpoint", "tile/<L>/<N>[.p/<W>]", "tile/entries/<N>[.p/<W>]". The log
// (src/log) decides what to write; a backend only keeps bytes.
//
// Contract for every implementation:
//  - Write(objects): durable on return (survives a crash or power loss). Each object is
//    replaced atomically: a reader sees its old bytes (or NotFound) or its new bytes,
//    never a mix. The batch as a whole is NOT atomic: after a failure or crash some
//    objects may be new and others not. Callers write tiles and bundles first and the
//    checkpoint last, so anything not yet referenced by the checkpoint is harmless.
//  - Commit(objects, checkpoint): makes `objects` durable as Write does, and only then
//    atomically replaces the checkpoint; durable on return. This is a log's commit
//    point: a checkpoint never refers to objects not yet durable.
//  - After any failed write the outcome is uncertain; the caller stops using the
//    backend and reopens the log through its start-up path (sticky failure).
//  - Read(path): the latest durable bytes; NotFound if absent. Never returns a
//    partially written object.
//  - DeletePartials(tile): removes the partial versions (`.p/<W>`) of a full tile, as
//    C2SP tlog-tiles allows once the full tile exists. Best effort; idempotent.
//  - LockForWriting(create): makes this object the log's only writer for as long as it
//    lives, across processes: FailedPrecondition, naming the holder, if another writer
//    (another process, or another storage object on the same log) has it; NotFound if
//    the log's place does not exist and `create` is false. Idempotent. Log::Create (with
//    create) and Log::OpenForAppend call it before they read anything, so that two
//    writers can never both append (each would sign another checkpoint of one size: a
//    fork).
//  - Thread-safe: concurrent reads with one writer.
#ifndef ACCORD_STORE_LOG_STORAGE_H_
#define ACCORD_STORE_LOG_STORAGE_H_

#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "src/store/durable_file.h"
#include "src/store/folder_lock.h"

namespace accord::store {

inline constexpr std::string_view kCheckpointPath = "checkpoint";

struct LogObject {
  std::string path;  // a C2SP path, relative to the log's root
  std::string data;
};

class LogStorage {
 public:
  virtual ~LogStorage() = default;
  virtual absl::StatusOr<std::string> Read(std::string_view path) = 0;
  virtual absl::Status Write(std::span<const LogObject> objects) = 0;
  virtual absl::Status Commit(std::span<const LogObject> objects, std::string_view checkpoint) = 0;
  // `full_tile_path` is the path of a full tile or entry bundle ("tile/0/x001/234").
  virtual absl::Status DeletePartials(std::string_view full_tile_path) = 0;
  virtual absl::Status LockForWriting(bool create) = 0;
  // Where the log lives, for messages ("/srv/log", "memory").
  virtual std::string Describe() const = 0;
};

// A log in a folder: the object at path P is the file DIR/P, so any static web server
// serving DIR serves a C2SP log. Paths are validated: no absolute paths, no "..".
// LockForWriting creates DIR if asked to and holds its FolderLock (DIR/.lock).
class PosixLogStorage final : public LogStorage {
 public:
  explicit PosixLogStorage(std::filesystem::path dir, FaultInjector fault = nullptr,
                           Durability durability = DefaultDurability());
  absl::StatusOr<std::string> Read(std::string_view path) override;
  absl::Status Write(std::span<const LogObject> objects) override;
  absl::Status Commit(std::span<const LogObject> objects, std::string_view checkpoint) override;
  absl::Status DeletePartials(std::string_view full_tile_path) override;
  absl::Status LockForWriting(bool create) override;
  std::string Describe() const override { return dir_.string(); }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  absl::StatusOr<std::filesystem::path> Resolve(std::string_view path) const;
  absl::StatusOr<std::vector<FileWrite>> Files(std::span<const LogObject> objects) const;
  const std::filesystem::path dir_;
  const FaultInjector fault_;
  const Durability durability_;
  absl::Mutex lock_mu_;
  std::unique_ptr<FolderLock> lock_ ABSL_GUARDED_BY(lock_mu_);
};

// In memory, for tests, with failure hooks to stop a write after any number of
// objects, either persisting the failing object or not (Sunlight's MemoryBackend does
// the same): every crash point of the log's write sequence can be reached.
class MemoryLogStorage final : public LogStorage {
 public:
  enum class FailMode { kFailAndPersist, kFailAndDontPersist };

  absl::StatusOr<std::string> Read(std::string_view path) override;
  absl::Status Write(std::span<const LogObject> objects) override;
  // Counts the checkpoint as one more object written, after the others.
  absl::Status Commit(std::span<const LogObject> objects, std::string_view checkpoint) override;
  absl::Status DeletePartials(std::string_view full_tile_path) override;
  // One object is one log: always OK.
  absl::Status LockForWriting(bool) override { return absl::OkStatus(); }
  std::string Describe() const override { return "memory"; }

  // The write of the (n+1)-th object from now fails (n = 0: the very next one).
  void FailAfter(int n, FailMode mode);
  // Number of objects written so far.
  int writes() const;
  std::map<std::string, std::string> Snapshot() const;

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, std::string, std::less<>> objects_ ABSL_GUARDED_BY(mu_);
  int writes_ ABSL_GUARDED_BY(mu_) = 0;
  int fail_at_ ABSL_GUARDED_BY(mu_) = -1;
  FailMode fail_mode_ ABSL_GUARDED_BY(mu_) = FailMode::kFailAndDontPersist;
};

}  // namespace accord::store

#endif  // ACCORD_STORE_LOG_STORAGE_H_
