// Internals of the monitor (monitor.h) shared by its .cc files: one peer's state and its
// read paths over HTTP. Not part of the federation's interface.
#ifndef ACCORD_FEDERATION_MONITOR_PEER_H_
#define ACCORD_FEDERATION_MONITOR_PEER_H_

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "src/federation/directory.h"
#include "src/federation/equivocation.h"
#include "src/federation/monitor.h"
#include "src/http/client.h"
#include "src/node/intake.h"
#include "src/note/checkpoint.h"
#include "src/store/monitor_state.h"
#include "src/tlog/compact_range.h"
#include "src/tlog/hash.h"
#include "src/tlog/tile_reader.h"

namespace accord::federation {

// The records of the monitor's state (src/store/monitor_state.h).
using store::EntryRecord;
using store::OfficerRecord;
using store::PeerCommit;
using store::PeerRecord;
using store::Verdict;

// A peer's C2SP read paths over one HTTP client. NotFound for 404; the client's errors
// (Unavailable, DeadlineExceeded) for transport failures; others for other statuses.
class PeerTiles final : public tlog::TileSource {
 public:
  explicit PeerTiles(http::Client& client) : client_(client) {}
  absl::StatusOr<std::string> Get(std::string_view target);
  absl::StatusOr<std::string> ReadTile(const tlog::TileId& id) override;
  // The `width` entries of entry bundle `index` as views into `data`. A partial bundle
  // that is gone (404) is read from the full bundle instead and cut to `width`, as
  // tlog-tiles allows. DataLoss if the bytes are not such a bundle.
  absl::StatusOr<std::vector<std::span<const uint8_t>>> Bundle(uint64_t index, uint32_t width,
                                                               std::string& data);

 private:
  http::Client& client_;
};

// One followed log.
struct Peer {
  explicit Peer(std::string o) : origin(std::move(o)) {}
  const std::string origin;

  // Serialises polls of this peer; guards the members up to the next comment.
  absl::Mutex poll_mu;
  std::unique_ptr<http::Client> client;
  std::string client_url;
  std::unique_ptr<node::Intake> intake;
  std::string intake_key;
  std::vector<std::string> officers;  // committed officer statements, in log order
  PeerRecord record;                  // as persisted: followed checkpoint, range, counters
  note::Checkpoint followed;          // record.checkpoint, parsed
  std::set<std::pair<uint64_t, tlog::Hash>> consistent;  // cross-checked, agreeing
  std::string reported_against;  // the followed checkpoint a split view was proven against
  std::unique_ptr<tlog::TreeHasher> hasher;
  // When the fetch of the checkpoint being handled began, and when the latest fetch that
  // showed the log at exactly its followed size began: entries beyond the followed size
  // were not in the log then (the log is append-only and its history checked), so they
  // were logged after it. InfinitePast: not known since the monitor opened.
  absl::Time fetching_at = absl::InfinitePast();
  absl::Time absent_at = absl::InfinitePast();

  // Guarded by the monitor's mu.
  PeerStatus status;
  tlog::Hash root{};                // of status.size
  std::deque<std::string> pending;  // checkpoints seen elsewhere, to cross-check
};

struct Monitor::Impl {
  Impl(std::string self, DirectoryWatcher& dir, const statement::Validator& v, MonitorOptions o,
       std::unique_ptr<store::MonitorState> s)
      : self_origin(std::move(self)),
        directory(dir),
        validator(v),
        options(std::move(o)),
        store(std::move(s)) {}

  const std::string self_origin;
  DirectoryWatcher& directory;
  const statement::Validator& validator;
  const MonitorOptions options;
  const std::unique_ptr<store::MonitorState> store;
  EquivocationSink sink;  // set before Start

  mutable absl::Mutex mu;
  std::map<std::string, std::shared_ptr<Peer>, std::less<>> peers ABSL_GUARDED_BY(mu);
  bool stopping ABSL_GUARDED_BY(mu) = false;
  // Sticky: the first failed write of the monitor's state. Whether it reached the disk
  // is unknown, so nothing more is polled or recorded until a restart reloads the state.
  absl::Status store_failure ABSL_GUARDED_BY(mu);
  std::thread loop;

  std::shared_ptr<Peer> PeerOf(std::string_view origin) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::Status Load(std::vector<PeerRecord>& records, const std::vector<OfficerRecord>& officers,
                    const std::vector<Verdict>& verdicts, std::string_view where);
  void Loop();
  void PeerLoop(const std::string& origin);

  // monitor_poll.cc
  absl::Status PollPeer(Peer& p);
  void Report(const Directory& dir, const SplitView& view, uint64_t from);
  void MarkCompromised(const std::string& origin, uint64_t from, const std::string& by);
  absl::Duration Backoff(int failures) const;
  // Records `s` (a failed write of the state) as the sticky store failure, once.
  absl::Status StoreFailed(const absl::Status& s);
  absl::Status StoreFailure() const;

 private:
  absl::Status Prepare(Peer& p, const Party& party);
  void RebuildIntake(Peer& p);
  absl::Status Advance(Peer& p, const Directory& dir, PeerTiles& tiles, const std::string& text,
                       const note::Checkpoint& cp, std::vector<std::string> witnesses,
                       std::string& state, std::string& error);
  // Records that p's followed checkpoint (`text`, of `size`) now carries the witness
  // quorum. Only local (store) failures are returned.
  absl::Status RecordWitnessed(Peer& p, const std::string& text, uint64_t size,
                               std::vector<std::string> witnesses);
  // The refs of `s`, entry `index` of p's log, against the entries verified so far
  // (this poll's `commit` and the store): InvalidArgument saying which one is wrong.
  absl::Status CheckRefs(const Peer& p, uint64_t index, const statement::Statement& s,
                         const PeerCommit& commit) const;
  void CheckEntry(Peer& p, const Directory& dir, uint64_t index, std::span<const uint8_t> entry,
                  const tlog::Hash& leaf, PeerCommit& commit, std::string& first_invalid);
  void Diagnose(Peer& p, const Directory& dir, PeerTiles& tiles, const std::string& text,
                const note::Checkpoint& cp, std::string& state);
  void CrossCheck(Peer& p, const Directory& dir, const Party& party, PeerTiles& tiles,
                  const std::string& text);
  void KeepPending(Peer& p, std::string text);
  void Fail(Peer& p, std::string_view state, const absl::Status& why);
  void Finish(Peer& p, std::string_view state, std::string error);
};

}  // namespace accord::federation

#endif  // ACCORD_FEDERATION_MONITOR_PEER_H_
