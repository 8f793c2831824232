// The monitor's durable state (src/federation/monitor.h): per-peer progress (the
// followed checkpoint and its compact range, counters), the officer statements read in
// each peer's log, every entry verified (its leaf hash and kind), the inbox, verdicts
// (logs proven compromised) and the split views already reported.
//
// Contract of every MonitorState:
//  - Durability: Commit, AddVerdict and RecordEquivocation are durable when they return
//    OK. (The SQLite backend runs WAL with synchronous=NORMAL: a power loss may lose the
//    last transactions but never consistency; the monitor then reads those entries
//    again, so nothing it acknowledged to anyone is lost.)
//  - Atomicity: a Commit is all or nothing.
//  - Idempotency: a Commit of an inbox row already held keeps the row as it was; a second
//    verdict on one origin keeps the first's `by` and the smaller `from`; a split view
//    recorded twice is reported once.
//  - Absent: Load* return empty vectors for a new state, FindEntry nullopt, IsAddressed
//    false.
//  - Thread safety: every method may be called from any thread.
// A failed call leaves the state as it was before it.
#ifndef ACCORD_STORE_MONITOR_STATE_H_
#define ACCORD_STORE_MONITOR_STATE_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "src/crypto/sha256.h"
#include "src/tlog/compact_range.h"

namespace accord::store {

// An entry of a peer's log that concerns this party, as the monitor checked it.
struct InboxItem {
  uint64_t seq = 0;  // local, increasing: the cursor
  std::string origin;
  uint64_t index = 0;
  crypto::Digest leaf_hash{};
  std::string kind;
  int64_t issued_unix = 0;
  int64_t picked_up_unix_ms = 0;  // when this monitor checked it
  // The entry was not yet in its log at this time (the monitor had fetched a checkpoint
  // then that did not contain it), so it was logged after it; 0 if the monitor cannot
  // say (read while catching up with the log's history since it opened). What a
  // backdated `issued` is judged against.
  int64_t logged_after_unix_ms = 0;
  // Why it is in the inbox: this party is in "to"; it refers to one of this party's
  // statements; or neither — it is a response to a request addressed to this party (the
  // requester's withdrawal, another addressee's answer), which this party must see to
  // know the procedure's state.
  bool addressed = false;
  bool cites_us = false;
  // Its log's checkpoint with the directory's witness quorum covers it (set by the
  // monitor from the peer's witnessed size; not stored).
  bool witnessed = false;
  std::string envelope;  // verbatim
};

struct InboxQuery {
  std::optional<uint64_t> after;  // seq cursor
  size_t limit = 100;
  std::string kind;    // empty: any
  std::string origin;  // empty: any
};

struct InboxPage {
  std::vector<InboxItem> items;
  std::optional<uint64_t> next;
};

struct PeerRecord {
  std::string origin;
  std::string checkpoint;    // the followed signed checkpoint; empty: none yet
  tlog::CompactRange range;  // over the followed checkpoint's leaves
  uint64_t statements = 0, invalid_entries = 0, inbox = 0;
  // The largest followed size whose checkpoint carried the directory's witness quorum:
  // entries below it are witnessed.
  uint64_t witnessed_size = 0;
};

struct OfficerRecord {
  std::string origin;
  uint64_t index = 0;
  std::string envelope;
};

// An entry of a peer's log that the monitor checked at its position (Intake::Verify):
// what a reference into that log must match (Monitor::Resolve). `kind` is "" for an
// entry that is no valid statement.
struct EntryRecord {
  std::string origin;
  uint64_t index = 0;
  crypto::Digest leaf_hash{};
  std::string kind;
};

struct Verdict {
  std::string origin;
  uint64_t from = 0;
  std::string by;
};

// What one poll of one peer adds, committed in one transaction.
struct PeerCommit {
  PeerRecord peer;
  std::vector<InboxItem> inbox;  // seq and picked_up_unix_ms are set by Commit
  std::vector<OfficerRecord> officers;
  std::vector<Verdict> verdicts;
  std::vector<EntryRecord> entries;  // every valid entry of this poll
};

class MonitorState {
 public:
  virtual ~MonitorState() = default;

  virtual absl::StatusOr<std::vector<PeerRecord>> LoadPeers() = 0;
  // Ordered by origin, then log index.
  virtual absl::StatusOr<std::vector<OfficerRecord>> LoadOfficers() = 0;
  virtual absl::StatusOr<std::vector<Verdict>> LoadVerdicts() = 0;

  // Writes the peer's row, inserts its new inbox rows (an (origin, index) already in the
  // inbox is kept as it was), officers and verdicts. Returns the inbox rows as stored.
  virtual absl::StatusOr<std::vector<InboxItem>> Commit(const PeerCommit& commit) = 0;
  // A verdict alone. A second verdict on one origin keeps the first's `by` and the
  // smaller `from`.
  virtual absl::Status AddVerdict(const Verdict& verdict) = 0;
  // Records that the split view `key` was reported; false if it already was.
  virtual absl::StatusOr<bool> RecordEquivocation(std::string_view origin, std::string_view key,
                                                  std::string_view payload) = 0;

  virtual absl::StatusOr<InboxPage> Inbox(const InboxQuery& query) = 0;
  // Whether the inbox holds entry `index` of `origin`'s log as addressed to this party.
  virtual absl::StatusOr<bool> IsAddressed(std::string_view origin, uint64_t index) = 0;
  // The verified entry `index` of `origin`'s log; nullopt if none was recorded.
  virtual absl::StatusOr<std::optional<EntryRecord>> FindEntry(std::string_view origin,
                                                               uint64_t index) = 0;
};

// The SQLite backend (WAL) at `path`, created if missing; schema upgrades in place.
absl::StatusOr<std::unique_ptr<MonitorState>> OpenSqliteMonitorState(
    const std::filesystem::path& path);

}  // namespace accord::store

#endif  // ACCORD_STORE_MONITOR_STATE_H_
