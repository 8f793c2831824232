// Getting the node's own checkpoints witnessed: after the log grows, the node submits
// its latest checkpoint to the witness of every other party in the directory
// (c2sp.org/tlog-witness add-checkpoint, with a consistency proof from the size each
// witness last cosigned), checks each returned cosignature against the directory's
// witness key, and publishes the checkpoint with the cosignatures it collected. That
// published note is what GET /checkpoint serves.
//
// Rounds: one checkpoint, all witnesses in parallel, each request bounded by `timeout`.
// A witness that fails (down, slow, error) is retried with exponential backoff and
// skipped by the rounds in between, so it never stalls the others. A 409 teaches the
// witness's size (retried at once with a proof from that size); a witness that claims
// a size larger than the log, or answers 409 at equal size, is reported — the log or
// the witness misbehaves — and skipped until the directory or the log changes.
// The published checkpoint is persisted (replaced atomically) so a restart serves it.
#ifndef ACCORD_FEDERATION_WITNESSING_H_
#define ACCORD_FEDERATION_WITNESSING_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "src/federation/directory.h"
#include "src/log/log.h"
#include "src/store/checkpoint_store.h"

namespace accord::federation {

struct WitnessingOptions {
  absl::Duration timeout = absl::Seconds(5);  // per request
  absl::Duration min_backoff = absl::Milliseconds(250);
  absl::Duration max_backoff = absl::Seconds(60);
  // A round also runs this often when nothing changed (retries, new directory entries).
  absl::Duration idle_interval = absl::Seconds(5);
};

struct WitnessStatus {
  std::string name;  // witness key name
  std::string url;
  uint64_t cosigned_size = 0;  // the size it last cosigned for this log, as far as known
  absl::Time last_success = absl::InfinitePast();
  std::string last_error;  // empty after a success
  int consecutive_failures = 0;
};

// The name under which a Witnessing keeps its published checkpoint (the embedded
// backend's file DATA/checkpoint.witnessed).
inline constexpr std::string_view kPublishedCheckpointName = "checkpoint.witnessed";

class Witnessing {
 public:
  // Starts the background thread. `log` and `directory` outlive this. `state` keeps
  // the published checkpoint (under kPublishedCheckpointName), replaced by
  // compare-and-swap and durably before anyone can see it.
  static absl::StatusOr<std::unique_ptr<Witnessing>> Start(
      log::Log& log, DirectoryWatcher& directory, std::unique_ptr<store::CheckpointStore> state,
      WitnessingOptions options = {});
  ~Witnessing();  // Stop()
  void Stop();

  // Wakes the thread: the log has grown. Cheap, callable from any thread.
  void Notify();

  // The latest checkpoint that went through a round, with the cosignatures collected
  // (a signed note: the log's signature line first). Before the first round, the
  // persisted one if it is this log's, else the log's current checkpoint. Thread-safe.
  std::string published() const;
  std::vector<WitnessStatus> status() const;
  // Blocks until a round has published a checkpoint of at least `size` or `timeout`
  // passes; returns whether it did (tests, the drill).
  bool WaitPublished(uint64_t size, absl::Duration timeout) const;
  // The number of rounds completed since Start: a round has decided, for every witness,
  // whether to ask it, and has published what it collected (or found nothing new). A
  // test that expects nothing to happen waits for rounds, not for time. Thread-safe.
  uint64_t rounds() const;
  // Blocks until `rounds()` is at least `n` or `timeout` passes; returns whether it is.
  bool WaitRounds(uint64_t n, absl::Duration timeout) const;

  Witnessing(const Witnessing&) = delete;
  Witnessing& operator=(const Witnessing&) = delete;

 private:
  struct Peer;
  struct Job;
  Witnessing(log::Log& log, DirectoryWatcher& directory,
             std::unique_ptr<store::CheckpointStore> state, WitnessingOptions options);
  void Run();
  // One round; returns when the next one is due if nothing wakes the thread.
  absl::Time Round();
  void UpdatePeers(const Directory& directory) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SeedFromPublished(Peer& peer) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Launch(const std::shared_ptr<Peer>& peer, Job job) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Submit(const std::shared_ptr<Peer>& peer, const Job& job);

  log::Log& log_;
  DirectoryWatcher& directory_;
  const std::unique_ptr<store::CheckpointStore> state_;
  // What `state_` holds (nullopt: nothing); the thread's alone once it runs.
  std::optional<std::string> stored_;
  const WitnessingOptions options_;

  mutable absl::Mutex mu_;
  // A notification, a finished request, a publication, the end of a round.
  mutable absl::CondVar changed_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool notified_ ABSL_GUARDED_BY(mu_) = false;
  std::string published_ ABSL_GUARDED_BY(mu_);
  uint64_t published_size_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t rounds_ ABSL_GUARDED_BY(mu_) = 0;
  // By witness name, in name order; peers dropped from the directory wait in retired_
  // for their last request to end.
  std::map<std::string, std::shared_ptr<Peer>> peers_ ABSL_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<Peer>> retired_ ABSL_GUARDED_BY(mu_);
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  bool have_peers_ ABSL_GUARDED_BY(mu_) = false;  // UpdatePeers ran once
  std::thread thread_;                            // Run()
};

}  // namespace accord::federation

#endif  // ACCORD_FEDERATION_WITNESSING_H_
