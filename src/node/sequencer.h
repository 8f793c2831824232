// The sequencer: the one place a node's log grows. Submissions from any number of
// threads are queued; a single thread takes them in batches (up to max_batch entries,
// or whatever has arrived max_delay after the first), drops duplicates, appends the
// batch to the log — durable (fsync) before anything else happens — records it in the
// statement index, and only then acknowledges each submission with its receipt.
//
// Guarantees:
//  - Nothing is acknowledged before it is durable in the log; an acknowledged entry
//    survives kill -9 at any moment (the log's commit point is its checkpoint).
//  - A submission of a statement already in the log, or earlier in the queue — the
//    same StatementDigest (meta.digest), however spelled or signed — is acknowledged
//    with the original's index and leaf hash and duplicate = true; nothing is appended.
//  - After a log or index failure the sequencer stops: the batch, queued and later
//    submissions fail with StorageFailure(cause) until the node restarts (the log's
//    sticky failure; the index is re-derived from the log at start, see CatchUpIndex).
//    The cause, which names files, goes to standard error once.
//  - A shared log (SharedLog: front ends of one party on one database) has other
//    writers. A batch that loses the commit race is judged again where it now goes:
//    the entries the others appended are indexed first, duplicates of them are answered
//    as duplicates, and if they include an officer decision everything pending is
//    refused (retryable) once the node has rebuilt who may sign. While idle the
//    sequencer takes up the others' entries every refresh_interval. A failure of the
//    database is not sticky: the batch fails with StorageFailure, and the next one
//    starts by recovering the log from what is stored (log::Log::Recover).
#ifndef ACCORD_NODE_SEQUENCER_H_
#define ACCORD_NODE_SEQUENCER_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "src/log/log.h"
#include "src/store/statement_index.h"

namespace accord::node {

struct SequencerOptions {
  // 1024 entries fill four entry bundles and amortise a commit's flushes (bench/run:
  // ~540k durable entries/s at 1024 versus ~76k/s at 64); 5 ms bounds the wait a lone
  // submission pays for batching.
  size_t max_batch = 1024;
  absl::Duration max_delay = absl::Milliseconds(5);
  // Queue bound: beyond it Submit fails fast with ResourceExhausted (HTTP 503).
  size_t max_pending = 1 << 16;
};

struct Receipt {
  uint64_t index = 0;
  crypto::Digest leaf_hash{};
  bool duplicate = false;
  uint64_t tree_size = 0;  // the size of the checkpoint below, which covers index
  std::string checkpoint;  // signed checkpoint note
};

// Problem names (http::ProblemType) of submissions refused because the log or the index
// could not be written: the disk is full (HTTP 507), or the storage fails otherwise
// (read-only, I/O error; HTTP 503). Either lasts until the node is restarted.
inline constexpr std::string_view kProblemInsufficientStorage = "insufficient-storage";
inline constexpr std::string_view kProblemStorageFailure = "storage-failure";

// What a client is told about `cause`, a failure of the log or the index: a status
// carrying one of the problem names above (WithProblemName) — ResourceExhausted for a
// full disk, Unavailable otherwise — whose message names the fault in the system's
// words but no file of the node's.
absl::Status StorageFailure(const absl::Status& cause);

// Called exactly once per submission, on the sequencer's thread: must not block.
using SubmitDone = std::function<void(absl::StatusOr<Receipt>)>;

// Derives an entry's index metadata (the node's Intake::Describe).
using DescribeEntry =
    std::function<absl::StatusOr<store::IndexedStatement>(uint64_t index, std::string_view entry)>;

// A log other writers append to as well (see above).
struct SharedLog {
  DescribeEntry describe;  // required
  // Called on the sequencer's thread when entries another writer appended include an
  // officer decision. The node rebuilds who may sign from the log while holding its
  // admission lock, and calls `drop_pending` under that lock: every submission admitted
  // against the old registry is then refused instead of being logged after the decision.
  std::function<void(const std::function<void()>& drop_pending)> officers_changed;
  absl::Duration refresh_interval = absl::Milliseconds(200);
};

struct SequencerStats {
  uint64_t submitted = 0, appended = 0, duplicates = 0, batches = 0, failed = 0;
};

// Observes each committed batch (for metrics): entries appended, time from the batch's
// first submission to durability.
using BatchObserver = std::function<void(size_t entries, absl::Duration latency)>;

class Sequencer {
 public:
  // REQUIRES: `log` open for append and `index` caught up with it; both outlive this.
  Sequencer(log::Log& log, store::StatementIndex& index, SequencerOptions options = {},
            BatchObserver observer = nullptr, std::optional<SharedLog> shared = std::nullopt);
  // Stops: the batch in progress completes; queued submissions fail with Unavailable.
  ~Sequencer();

  // Queues `entry` (≤ 65,535 bytes) with its index metadata (meta.index is assigned
  // here). Thread-safe. Fails fast (done is not called) with ResourceExhausted when the
  // queue is full, StorageFailure(failure()) after a failure and Unavailable after Stop.
  absl::Status Submit(std::string entry, store::IndexedStatement meta, SubmitDone done);

  void Stop();
  SequencerStats stats() const;
  // The first failure, if the sequencer stopped because of one.
  absl::Status failure() const;

 private:
  struct Pending {
    std::string entry;
    store::IndexedStatement meta;
    SubmitDone done;
    absl::Time queued;
  };
  void Run();
  void Integrate(std::deque<Pending>& batch);
  // One attempt; whether to try again (a shared log's lost race).
  bool IntegrateOnce(std::deque<Pending>& batch, int attempt);
  void Refresh();
  // Shared logs: indexes what other writers appended since this log was at size
  // `from`; whether it held an officer decision (then officers_changed has run and
  // `batch` and the queue were refused).
  absl::StatusOr<bool> TakeUpOthers(std::deque<Pending>& batch, uint64_t from);
  // Shared logs: a failure of the store fails `batch` but does not stop the sequencer.
  void FailTransiently(std::deque<Pending>& batch, const absl::Status& cause);
  void FailAll(std::deque<Pending>& batch, const absl::Status& status);
  // Records the first storage failure and stops; returns what submissions are told.
  absl::Status EnterFailure(const absl::Status& cause);

  log::Log& log_;
  store::StatementIndex& index_;
  const SequencerOptions options_;
  const BatchObserver observer_;
  const std::optional<SharedLog> shared_;
  bool recover_ = false;  // shared: the last batch failed; recover before the next

  mutable absl::Mutex mu_;
  std::deque<Pending> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
  SequencerStats stats_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

// Adds to `index` every log entry it lacks (from IndexedSize() to the log's size),
// deriving each one's metadata with `describe`. Run at start, before a Sequencer. An
// index ahead of the log is FailedPrecondition (it belongs to another log) unless
// `shared`: then other writers indexed entries this Log has not taken up yet.
absl::Status CatchUpIndex(const log::Log& log, store::StatementIndex& index,
                          const DescribeEntry& describe, bool shared = false);

}  // namespace accord::node

#endif  // ACCORD_NODE_SEQUENCER_H_
