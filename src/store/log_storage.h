// Durable storage of one transparency log's objects, addressed by their C2SP read
// paths: "checkpoint", "tile/<L>/<N>[.p/<W>]", "tile/entries/<N>[.p/<W>]". The log
// (src/log) decides what to write; a backend only keeps bytes.
//
// Contract for every implementation:
//  - Commit(objects, expected, checkpoint): the log's one write, and its commit point.
//    Under an exclusion that holds across every process and machine sharing the log,
//    and before it writes anything, it compares the stored checkpoint with `expected`
//    (the bytes this writer last read or wrote; nullopt: no checkpoint yet). If they
//    differ it returns FailedPrecondition and writes nothing: another writer committed
//    first, and the caller re-reads the log and sequences again. Otherwise it makes
//    `objects` durable (each replaced atomically: a reader sees its old bytes, or
//    NotFound, or its new bytes, never a mix) and only then atomically replaces the
//    checkpoint; durable on return. Because objects are written only by the writer that
//    holds the exclusion and has just confirmed that its view is the stored one, a
//    writer that lost a race never overwrites a tile the winner's checkpoint covers, and
//    no checkpoint ever refers to objects not yet durable. FailedPrecondition means
//    exactly this lost race; no other failure may use it.
//  - After any other failed commit the outcome is uncertain (some objects, even the
//    checkpoint, may be new); the caller stops using what it holds and reopens the log
//    through its start-up path (sticky failure). Objects past the stored checkpoint are
//    never referenced and the next winner overwrites them.
//  - Stage(objects): fills a storage that holds no log yet (a copy, a migration) before
//    its first Commit, in as many calls as the caller likes: under the same exclusion,
//    FailedPrecondition if a checkpoint is stored (nothing written), otherwise the
//    objects are made durable as Commit makes them. Nothing is published until the
//    Commit from "no checkpoint", so a copy that stops half-way is never served.
//  - Read(path): the latest durable bytes; NotFound if absent. Never a partial object.
//  - DeletePartials(tile): removes the partial versions (`.p/<W>`) of a full tile that a
//    committed checkpoint covers, as C2SP tlog-tiles allows once the full tile exists.
//    Best effort; idempotent; needs no exclusion (no writer writes a covered partial).
//  - Thread-safe: any number of readers and writers, in any number of processes.
#ifndef ACCORD_STORE_LOG_STORAGE_H_
#define ACCORD_STORE_LOG_STORAGE_H_

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "src/store/durable_file.h"

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
  virtual absl::Status Commit(std::span<const LogObject> objects,
                              std::optional<std::string_view> expected,
                              std::string_view checkpoint) = 0;
  virtual absl::Status Stage(std::span<const LogObject> objects) = 0;
  // `full_tile_path` is the path of a full tile or entry bundle ("tile/0/x001/234").
  virtual absl::Status DeletePartials(std::string_view full_tile_path) = 0;
  // Where the log lives, for messages ("/srv/log", "memory").
  virtual std::string Describe() const = 0;
};

// A log in a folder: the object at path P is the file DIR/P, so any static web server
// serving DIR serves a C2SP log. Paths are validated: no absolute paths, no "..".
//
// The exclusion is flock(2) on DIR/.lock, taken for each commit only and released
// with it (the kernel releases it when a holder dies, kill -9 included): one commit at
// a time across processes on this machine, and with every older accord that held the
// same file for its whole life. Inside it the commit reads DIR/checkpoint, compares,
// and writes with WriteFilesAndCommit. A first commit (expected = nullopt) creates DIR;
// any other on a missing DIR is NotFound. A writer that waits longer than `lock_wait`
// for the lock gets Unavailable (a holder stuck in a dead disk's fsync). flock is not
// honoured by every network filesystem; a log shared across machines belongs in a
// database backend.
class PosixLogStorage final : public LogStorage {
 public:
  struct Options {
    FaultInjector fault = nullptr;  // WriteFilesDurably's test hook
    Durability durability = DefaultDurability();
    absl::Duration lock_wait = absl::Seconds(30);
  };
  explicit PosixLogStorage(std::filesystem::path dir)
      : PosixLogStorage(std::move(dir), Options{}) {}
  PosixLogStorage(std::filesystem::path dir, Options options);
  ~PosixLogStorage() override;
  absl::StatusOr<std::string> Read(std::string_view path) override;
  absl::Status Commit(std::span<const LogObject> objects, std::optional<std::string_view> expected,
                      std::string_view checkpoint) override;
  absl::Status Stage(std::span<const LogObject> objects) override;
  absl::Status DeletePartials(std::string_view full_tile_path) override;
  std::string Describe() const override { return dir_.string(); }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  absl::StatusOr<std::filesystem::path> Resolve(std::string_view path) const;
  absl::StatusOr<std::vector<FileWrite>> Files(std::span<const LogObject> objects) const;
  // Opens DIR/.lock once (creating DIR first if `create`) and flocks it, waiting up to
  // lock_wait. The caller holds commit_mu_ and unlocks with ::flock(lock_fd_, LOCK_UN).
  absl::Status LockForCommit(bool create) ABSL_EXCLUSIVE_LOCKS_REQUIRED(commit_mu_);
  const std::filesystem::path dir_;
  const Options options_;
  absl::Mutex commit_mu_;  // one commit of this object at a time (flock is per descriptor)
  int lock_fd_ ABSL_GUARDED_BY(commit_mu_) = -1;
};

// In memory, for tests, with failure hooks to stop a commit after any number of
// objects, either persisting the failing object or not (Sunlight's MemoryBackend does
// the same): every crash point of the log's write sequence can be reached. Handles made
// by Share() reach the same objects, as two processes reach one folder: two Logs on
// them are two writers of one log.
class MemoryLogStorage final : public LogStorage {
 public:
  enum class FailMode { kFailAndPersist, kFailAndDontPersist };

  MemoryLogStorage();
  // A storage already holding `objects` (a crashed writer's leftovers, copied).
  explicit MemoryLogStorage(const std::map<std::string, std::string>& objects);
  // Another handle on the same objects and failure hooks.
  std::unique_ptr<MemoryLogStorage> Share() const;

  absl::StatusOr<std::string> Read(std::string_view path) override;
  // Counts the checkpoint as one more object written, after the others.
  absl::Status Commit(std::span<const LogObject> objects, std::optional<std::string_view> expected,
                      std::string_view checkpoint) override;
  absl::Status Stage(std::span<const LogObject> objects) override;
  absl::Status DeletePartials(std::string_view full_tile_path) override;
  std::string Describe() const override { return "memory"; }

  // The write of the (n+1)-th object from now, through any handle, fails (n = 0: the
  // very next one).
  void FailAfter(int n, FailMode mode);
  // Number of objects written so far, through every handle.
  int writes() const;
  std::map<std::string, std::string> Snapshot() const;

 private:
  struct State {
    mutable absl::Mutex mu;
    std::map<std::string, std::string, std::less<>> objects ABSL_GUARDED_BY(mu);
    int writes ABSL_GUARDED_BY(mu) = 0;
    int fail_at ABSL_GUARDED_BY(mu) = -1;
    FailMode fail_mode ABSL_GUARDED_BY(mu) = FailMode::kFailAndDontPersist;
  };
  explicit MemoryLogStorage(std::shared_ptr<State> state) : state_(std::move(state)) {}
  const std::shared_ptr<State> state_;
};

}  // namespace accord::store

#endif  // ACCORD_STORE_LOG_STORAGE_H_
