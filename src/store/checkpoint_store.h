// Signed checkpoints kept by name, each replaced only by compare-and-swap: the role of
// Sunlight's LockBackend. A federated node keeps two kinds here:
//  - its witness's latest cosigned checkpoint of each log it witnesses (name: the log's
//    origin), which must never roll back — a witness that forgot would cosign a fork;
//  - the checkpoint it publishes with its witnesses' cosignatures (name: "published"),
//    which must never serve less than it has served.
//
// Contract for every implementation:
//  - Get(name): the bytes last stored under `name`, never a mix of two values; NotFound
//    if nothing is stored. Other failures as the backend reports them.
//  - CompareAndSwap(name, expected, value): stores `value` under `name` if what is stored
//    is still `expected` (nullopt: nothing is stored), durable on return.
//    FailedPrecondition if it is not (and nothing changes): another writer got there
//    first, and the caller reads again. After any other failure the outcome is
//    uncertain — the old value or the new one is stored, never a mix — and the caller
//    stops trusting what it holds (sticky failure) until it reads again after a restart.
//  - Names are any bytes (origins hold characters file names may not).
//  - Thread-safe: a compare-and-swap is atomic with respect to every other operation on
//    the same object. Across processes the embedded backend relies on its data folder's
//    single writer (store::FolderLock, held by the node); a shared backend (PostgreSQL)
//    makes the comparison in its transaction.
#ifndef ACCORD_STORE_CHECKPOINT_STORE_H_
#define ACCORD_STORE_CHECKPOINT_STORE_H_

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "src/store/durable_file.h"

namespace accord::store {

class CheckpointStore {
 public:
  virtual ~CheckpointStore() = default;
  virtual absl::StatusOr<std::string> Get(std::string_view name) = 0;
  virtual absl::Status CompareAndSwap(std::string_view name,
                                      std::optional<std::string_view> expected,
                                      std::string_view value) = 0;
  // Where the checkpoints live, for messages ("/srv/a/witness", "memory").
  virtual std::string Describe() const = 0;
};

// A file per name in a folder (created on the first write), written with
// WriteFilesDurably (temporary file, fsync, rename, directory fsync), so a crash leaves
// the old bytes or the new ones. kHashed names each file by the hex SHA-256 of its name
// (any bytes); kPlain uses the name itself, which must then be a plain file name (letters,
// digits, '.', '_', '-', not starting with '.'; InvalidArgument otherwise). `fault` is
// WriteFilesDurably's test hook.
class FolderCheckpointStore final : public CheckpointStore {
 public:
  enum class Naming { kHashed, kPlain };
  explicit FolderCheckpointStore(std::filesystem::path dir, Naming naming = Naming::kHashed,
                                 FaultInjector fault = nullptr);
  absl::StatusOr<std::string> Get(std::string_view name) override;
  absl::Status CompareAndSwap(std::string_view name, std::optional<std::string_view> expected,
                              std::string_view value) override;
  std::string Describe() const override { return dir_.string(); }
  // The file that holds `name`.
  absl::StatusOr<std::filesystem::path> PathOf(std::string_view name) const;

 private:
  // The lock of `name`'s file: each compare-and-swap is atomic within the process, and
  // those of different names (a witness's logs) do not wait for each other's fsyncs.
  absl::Mutex& LockOf(std::string_view name);

  const std::filesystem::path dir_;
  const Naming naming_;
  const FaultInjector fault_;
  absl::Mutex mu_;  // guards locks_ only
  std::map<std::string, std::unique_ptr<absl::Mutex>, std::less<>> locks_ ABSL_GUARDED_BY(mu_);
};

// In memory, for tests, with the failure hooks of MemoryLogStorage: the (n+1)-th
// compare-and-swap from now fails after storing its value or without storing it, so
// both outcomes of an uncertain write can be reached.
class MemoryCheckpointStore final : public CheckpointStore {
 public:
  enum class FailMode { kFailAndPersist, kFailAndDontPersist };

  absl::StatusOr<std::string> Get(std::string_view name) override;
  absl::Status CompareAndSwap(std::string_view name, std::optional<std::string_view> expected,
                              std::string_view value) override;
  std::string Describe() const override { return "memory"; }

  void FailAfter(int n, FailMode mode);
  // Compare-and-swaps that stored their value so far.
  int writes() const;

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, std::string, std::less<>> values_ ABSL_GUARDED_BY(mu_);
  int writes_ ABSL_GUARDED_BY(mu_) = 0;
  int fail_in_ ABSL_GUARDED_BY(mu_) = -1;
  FailMode fail_mode_ ABSL_GUARDED_BY(mu_) = FailMode::kFailAndDontPersist;
};

}  // namespace accord::store

#endif  // ACCORD_STORE_CHECKPOINT_STORE_H_
