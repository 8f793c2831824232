// The monitor's durable state (monitor.h), in SQLite (WAL): per-peer progress (the
// followed checkpoint and its compact range, counters), the officer statements read
// in each peer's log, every entry verified (its leaf hash and kind), the inbox, verdicts (logs
// proven compromised) and the split views already reported. The only federation file that includes
// sqlite3.h is its .cc.
//
// Durability: Commit and the Record* calls are durable on return (synchronous=FULL
// is not needed: WAL with synchronous=NORMAL loses at most the last transactions on
// power loss, never consistency; the monitor then re-reads those entries). Thread-safe:
// one connection behind a mutex.
#ifndef ACCORD_FEDERATION_MONITOR_STORE_H_
#define ACCORD_FEDERATION_MONITOR_STORE_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/federation/compact_range.h"
#include "src/federation/monitor.h"

namespace accord::federation {

struct PeerRecord {
  std::string origin;
  std::string checkpoint;  // the followed signed checkpoint; empty: none yet
  CompactRange range;      // over the followed checkpoint's leaves
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

class MonitorStore {
 public:
  static absl::StatusOr<std::unique_ptr<MonitorStore>> Open(const std::filesystem::path& path);
  virtual ~MonitorStore() = default;

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

}  // namespace accord::federation

#endif  // ACCORD_FEDERATION_MONITOR_STORE_H_
