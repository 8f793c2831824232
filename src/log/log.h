// A transparency log kept in a LogStorage (by default, a folder): C2SP tiles and entry
// bundles under tile/, a C2SP checkpoint signed as a signed note (Ed25519) at
// checkpoint. Any static web server serving the folder serves a C2SP tlog-tiles log.
//
// Crash safety: an append writes its tiles and bundles durably first and only then
// atomically replaces the checkpoint, the single commit point. A crash at any moment
// leaves the previous or the new checkpoint, each with every object it references;
// objects written past the checkpoint are never referenced and get overwritten by the
// next append. Nothing is acknowledged (Append returns) before it is durable.
//
// Several writers, never a fork: any number of Logs, in any number of processes, may
// append to one storage. Each commit is a compare-and-swap of the checkpoint against
// the one the writer holds (store::LogStorage::Commit), so a checkpoint is only ever
// replaced by one that extends it: two writers that both start from size N cannot both
// publish a size N+k. The writer that loses takes up the winner's checkpoint (checking
// its signature and, by a consistency proof from the stored tiles, that it extends its
// own) and sequences its batch again after the winner's entries.
#ifndef ACCORD_LOG_LOG_H_
#define ACCORD_LOG_LOG_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "src/note/checkpoint.h"
#include "src/note/keys.h"
#include "src/store/log_storage.h"
#include "src/tlog/hash.h"
#include "src/tlog/tile_reader.h"
#include "src/tlog/tree.h"

namespace accord::log {

using tlog::Hash;

struct Options {
  crypto::HashBackend hash_backend = crypto::HashBackend::kAuto;
  // Expanded tiles (~16 KiB each) cached for proofs; 4096 covers a 1M-entry log.
  size_t tile_cache_tiles = 4096;
  // Delete a tile's partial versions once the full tile is committed (C2SP allows it;
  // readers fall back to the full tile). Keeps the folder small under small batches.
  bool delete_superseded_partials = true;
};

struct AppendResult {
  uint64_t first_index = 0;  // index of the batch's first entry
  uint64_t size = 0;         // tree size after the batch
  Hash root;
  std::string checkpoint;  // the new signed checkpoint (note bytes)
};

// TryAppend's answer when another writer committed first.
bool IsLostRace(const absl::Status& s);

class Log {
 public:
  // Creates an empty log whose origin is the signer's key name, writing its first
  // checkpoint. AlreadyExists if the storage already holds a checkpoint (also when
  // another writer created it a moment before).
  static absl::StatusOr<std::unique_ptr<Log>> Create(std::unique_ptr<store::LogStorage> storage,
                                                     note::Ed25519Signer signer,
                                                     const Options& options = {});

  // Opens the log in `storage` for appending, creating it first if there is none. Of
  // several writers starting at once on an empty storage, one creates it and the others
  // open what it created.
  static absl::StatusOr<std::unique_ptr<Log>> OpenOrCreate(
      std::unique_ptr<store::LogStorage> storage, note::Ed25519Signer signer,
      const Options& options = {});

  // Opens an existing log for appending (NotFound if there is none). Verifies the
  // checkpoint's signature with the signer's own key and that the stored right edge
  // (partial tiles and entry bundle) reproduces its root: DataLoss otherwise, naming
  // what disagrees.
  static absl::StatusOr<std::unique_ptr<Log>> OpenForAppend(
      std::unique_ptr<store::LogStorage> storage, note::Ed25519Signer signer,
      const Options& options = {});

  // Opens a log read-only (proofs, entries): its checkpoint must carry a valid
  // signature by `verifier`, whose key name is the log's origin.
  static absl::StatusOr<std::unique_ptr<Log>> OpenReadOnly(
      std::unique_ptr<store::LogStorage> storage, const note::Verifier& verifier,
      const Options& options = {});

  // Opens a log read-only trusting its stored checkpoint without checking a signature,
  // for serving proofs that carry the signed checkpoint for their recipient to verify.
  static absl::StatusOr<std::unique_ptr<Log>> OpenUnverified(
      std::unique_ptr<store::LogStorage> storage, const Options& options = {});

  ~Log();

  // Appends `entries` as one batch and returns once they are durable and covered by a
  // new signed checkpoint. InvalidArgument (and nothing written) if an entry exceeds
  // 65,535 bytes or the batch is empty; FailedPrecondition if read-only. After a
  // storage failure the log enters a sticky failed state: every later Append fails
  // until the log is reopened. When another writer commits first the batch is
  // sequenced again after its entries (first_index says where it went); after
  // kMaxCommitAttempts lost races in a row, Unavailable with nothing written. DataLoss
  // (sticky) if the stored checkpoint does not extend this Log's: a fork, or a damaged
  // store. Thread-safe (appends are serialised).
  absl::StatusOr<AppendResult> Append(std::span<const std::span<const uint8_t>> entries);
  static constexpr int kMaxCommitAttempts = 64;

  // One attempt of Append, for a writer that must judge its batch again at the position
  // it would now get (a node: duplicates, and who may sign, can change with the entries
  // other writers appended). When another writer committed first it returns a lost race
  // (IsLostRace: Aborted, nothing written) having taken up the winner's checkpoint, as
  // Refresh does; size() then says where the log now ends.
  absl::StatusOr<AppendResult> TryAppend(std::span<const std::span<const uint8_t>> entries);

  // Leaves the sticky failed state the way reopening would: reads the stored checkpoint
  // and right edge again and checks that they extend the last checkpoint this Log
  // published (an uncertain commit may have landed: its checkpoint then does). For a
  // storage that recovers by itself (a database after a failover). OK if not failed;
  // the failure again if the storage still fails; DataLoss as Append.
  absl::Status Recover();

  // For a writer that shares its storage: takes up what other writers committed since
  // this Log last looked, with Append's checks. Returns whether the log grew.
  // FailedPrecondition if read-only.
  absl::StatusOr<bool> Refresh();

  // The latest checkpoint. Thread-safe.
  note::Checkpoint checkpoint() const;
  std::string signed_checkpoint() const;
  uint64_t size() const;
  const std::string& origin() const { return origin_; }

  // Proofs against the tree of `size` leaves (≤ size()). Thread-safe.
  absl::StatusOr<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size) const;
  absl::StatusOr<std::vector<Hash>> ConsistencyProof(uint64_t old_size, uint64_t new_size) const;
  // The root of the tree of `size` leaves (≤ size()).
  absl::StatusOr<Hash> RootHash(uint64_t size) const;
  // Entry `index` (< size()), checked against its leaf hash in the tiles.
  absl::StatusOr<std::string> ReadEntry(uint64_t index) const;
  // Entries [begin, end) (end ≤ size()), reading each bundle once, each checked
  // against its leaf hash.
  absl::StatusOr<std::vector<std::string>> ReadEntries(uint64_t begin, uint64_t end) const;

  store::LogStorage& storage() { return *storage_; }

 private:
  Log(std::unique_ptr<store::LogStorage> storage, std::optional<note::Ed25519Signer> signer,
      std::string origin, const Options& options);
  absl::Status LoadRightEdge(const note::Checkpoint& cp) ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_);
  absl::StatusOr<AppendResult> CommitBatch(std::span<const std::span<const uint8_t>> entries,
                                           std::span<const Hash> leaves)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_);
  absl::Status CatchUp() ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_);
  absl::Status CheckSize(uint64_t size) const;

  const std::unique_ptr<store::LogStorage> storage_;
  const std::optional<note::Ed25519Signer> signer_;
  std::unique_ptr<note::Verifier> verifier_;  // the signer's own key; writers only
  const std::string origin_;
  const Options options_;
  mutable tlog::TileCache cache_;

  mutable absl::Mutex mu_;  // guards the published state below; held briefly
  note::Checkpoint checkpoint_ ABSL_GUARDED_BY(mu_);
  std::string signed_checkpoint_ ABSL_GUARDED_BY(mu_);

  absl::Mutex append_mu_ ABSL_ACQUIRED_BEFORE(mu_);  // serialises appends
  tlog::TreeAppender tree_ ABSL_GUARDED_BY(append_mu_);
  std::string partial_bundle_ ABSL_GUARDED_BY(append_mu_);  // entries past the last full bundle
  std::unique_ptr<tlog::TreeHasher> hasher_ ABSL_GUARDED_BY(append_mu_);
  absl::Status failed_ ABSL_GUARDED_BY(append_mu_);  // sticky: the first storage failure
};

}  // namespace accord::log

#endif  // ACCORD_LOG_LOG_H_
