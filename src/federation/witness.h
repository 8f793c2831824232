// A C2SP tlog-witness (c2sp.org/tlog-witness) for the logs of the party directory: every
// node runs one and cosigns its peers' checkpoints (c2sp.org/tlog-cosignature,
// cosignature/v1) only when they are consistent with the latest checkpoint it cosigned
// for that log, so a log cannot show two histories to parties that consult witnesses.
//
// POST /add-checkpoint answers exactly as the spec says:
//   200  one cosignature line ("— <witness name> <base64>\n"), text/plain
//   400  malformed body, or old size > checkpoint size
//   403  no signature by the log's key in the directory
//   404  origin not in the directory (or the party is this witness's own)
//   409  old size ≠ the latest cosigned size (body: that size + "\n",
//        Content-Type text/x.tlog.size), or same size with a different root
//   422  the consistency proof does not verify
//   503  storage-failure: this log's state could not be written; sticky until restart
// The check of the old size and the update of the stored state are one atomic step, and
// the new state is durable before the cosignature leaves. If that write fails, what
// the store holds is unknown (the old checkpoint or the new one), so the witness stops
// answering for that log (503) until a restart reloads its state; the other logs are
// not affected.
//
// State: a store::CheckpointStore holding, by origin, the latest cosigned checkpoint
// (signed note bytes), advanced by compare-and-swap (the embedded backend: one file per
// log in DATA/witness/, src/party).
#ifndef ACCORD_FEDERATION_WITNESS_H_
#define ACCORD_FEDERATION_WITNESS_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "src/federation/directory.h"
#include "src/http/metrics.h"
#include "src/http/router.h"
#include "src/note/cosignature.h"
#include "src/store/checkpoint_store.h"
#include "src/tlog/hash.h"

namespace accord::federation {

// The body of an add-checkpoint request.
struct AddCheckpointRequest {
  uint64_t old_size = 0;
  std::vector<tlog::Hash> proof;  // ≤ 63 hashes
  std::string checkpoint;         // signed note bytes
};
// Strict parse per the spec (decimal without leading zeros, ≤ 63 proof lines, standard
// base64 of 32 bytes, the empty line, then a note). InvalidArgument on any deviation.
absl::StatusOr<AddCheckpointRequest> ParseAddCheckpoint(std::string_view body);
std::string FormatAddCheckpoint(const AddCheckpointRequest& request);
// The Content-Type of a 409 answer, whose body is the latest cosigned size.
inline constexpr std::string_view kTreeSizeContentType = "text/x.tlog.size";
// A tree size as the spec writes it (old size line, 409 body): ASCII decimal without
// sign or leading zeros ("0" alone) that fits in 64 bits; nullopt otherwise.
std::optional<uint64_t> ParseTreeSize(std::string_view text);

// Something the witness saw that a monitor should cross-check: a checkpoint of a known
// log carrying a valid log signature, whether or not it was cosigned, with the latest
// one this witness had cosigned for that log before (if any). When both have the same
// size and different roots they prove a split view by themselves.
struct Observation {
  std::string origin;
  std::string checkpoint;                    // signed note bytes as submitted
  std::optional<std::string> last_cosigned;  // signed note bytes
  bool cosigned = false;                     // true if this request was answered 200
};
using ObservationSink = std::function<void(const Observation&)>;

struct WitnessOptions {
  // Seconds since the epoch for cosignature timestamps (tests fix it).
  std::function<uint64_t()> clock;
};

class Witness {
 public:
  // `signer` is this witness's cosignature/v1 key; `self_origin` the log of the party
  // running it (never witnessed by itself). `state` keeps the latest checkpoint cosigned
  // for each log, by origin; each is advanced by compare-and-swap from the one this
  // witness last read, and durably before its cosignature leaves.
  static absl::StatusOr<std::unique_ptr<Witness>> Open(
      std::unique_ptr<store::CheckpointStore> state, note::CosignatureV1Signer signer,
      std::string self_origin, DirectoryWatcher& directory, WitnessOptions options = {});

  struct Answer {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;  // the cosignature line(s), the size for 409, or a problem detail
  };
  // The whole protocol for one request body. Thread-safe.
  Answer AddCheckpoint(std::string_view body);

  // The latest checkpoint cosigned for `origin` (signed note bytes, as submitted), if any.
  std::optional<std::string> Latest(std::string_view origin) const;
  // Called (on the request's thread, after the answer is decided) for every request
  // whose checkpoint carries a valid log signature. Set before serving.
  void SetObservationSink(ObservationSink sink);

  std::string_view name() const;
  std::string verifier_key() const;

  // Runs AddCheckpoint on one of the witness's worker threads and calls `done` there
  // with the answer; for async HTTP handlers, since an answer waits for an fsync.
  void AddCheckpointAsync(std::string body, std::function<void(Answer)> done);

  // Finishes the requests already queued, then stops the worker threads.
  ~Witness();
  Witness(const Witness&) = delete;
  Witness& operator=(const Witness&) = delete;

 private:
  struct LogState;
  Witness(std::unique_ptr<store::CheckpointStore> state, note::CosignatureV1Signer signer,
          std::string self_origin, DirectoryWatcher& directory, WitnessOptions options);
  // The state of `origin`, loaded from the store on first use. DataLoss if what is
  // stored is not a checkpoint of that log.
  absl::StatusOr<std::shared_ptr<LogState>> StateOf(const std::string& origin) const;
  uint64_t Now() const;
  void Work();

  const std::unique_ptr<store::CheckpointStore> state_;
  const note::CosignatureV1Signer signer_;
  const std::string self_origin_;
  DirectoryWatcher& directory_;
  const WitnessOptions options_;

  mutable absl::Mutex mu_;  // guards the map, not the states (each has its own lock)
  mutable std::map<std::string, std::shared_ptr<LogState>, std::less<>> states_
      ABSL_GUARDED_BY(mu_);
  ObservationSink sink_;  // set before serving

  absl::Mutex queue_mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(queue_mu_);
  bool stopping_ ABSL_GUARDED_BY(queue_mu_) = false;
  std::vector<std::thread> workers_;
};

// POST /add-checkpoint on `router` (body limit 64 KiB), with request counters by
// answer status in `metrics`. Error answers other than 409 are RFC 9457 problems.
void RegisterWitnessRoutes(http::Router& router, Witness& witness, http::Registry& metrics);

}  // namespace accord::federation

#endif  // ACCORD_FEDERATION_WITNESS_H_
