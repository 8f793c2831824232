// The monitor: every node follows the log of every other party in the directory.
//
// Each poll, for each peer: fetch its checkpoint (GET <url>/checkpoint), check the log's
// signature and count the cosignatures of directory witnesses; fetch
// only the entry bundles of the new entries (one pass: a partial bundle already read is
// re-read once, when it grows); append their leaf hashes to a compact range (the O(log n)
// right edge of the tree) kept from the last poll, whose root must equal the new
// checkpoint's — that single check proves both that the entries are the log's and that
// the new checkpoint is consistent with the previous one, without fetching hash tiles.
// Each entry is then checked as a statement of that party (schema; issuer; signature by
// the party key or an officer it authorised — node::Intake), and the statements that
// name this party (in "to", or citing one of its statements, or answering a request
// addressed to it) go to the inbox.
//
// Witnesses: a checkpoint signed by the log's key is followed at once, whatever its
// cosignatures, so that a statement reaches its addressees as soon as its log shows it
// (a 24/7 request cannot wait for a witness that is down). What the quorum adds is the
// assurance that other parties were shown the same history: entries below the largest
// size whose checkpoint carried the directory's witness_quorum are `witnessed`
// (PeerStatus::witnessed_size, InboxItem::witnessed); the peer's state is
// "awaiting-witnesses" while its followed checkpoint lacks the quorum. Following an
// unwitnessed checkpoint risks nothing the log's own signature does not already bind
// it to: a later checkpoint of another history is a provable split view (below).
//
// Split views: when the compact range does not reach the new root, the monitor fetches
// hash tiles authenticated by the new checkpoint to compute the root the new history
// gives the old size; if it differs from the root it followed, the two signed
// checkpoints and that consistency proof prove a split view. Checkpoints seen elsewhere
// (this node's witness, Observe) are cross-checked against the followed history the
// same way. A proven split view is handed to the EquivocationSink (the node publishes
// an `equivocation` statement in its own log) and the peer is marked compromised from
// the smaller of the two sizes. Equivocation statements read in peers' logs are
// verified (VerifySplitView) and mark the accused log compromised too.
//
// A peer that is down or slow only delays itself: requests have timeouts, failures back
// off exponentially (up to max_backoff), and peers are polled concurrently.
//
// State (per-peer followed checkpoint and compact range, authorised officers, inbox,
// verdicts) is a store::MonitorState (src/store/monitor_state.h; SQLite); each peer's
// progress and its inbox rows commit at once, so a restart resumes exactly where the last
// poll ended. A failed write of that state stops the monitor (sticky) until a restart:
// see failure().
#ifndef ACCORD_FEDERATION_MONITOR_H_
#define ACCORD_FEDERATION_MONITOR_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "src/crypto/sha256.h"
#include "src/federation/directory.h"
#include "src/statement/statement.h"
#include "src/store/monitor_state.h"

namespace accord::federation {

struct MonitorOptions {
  absl::Duration poll_interval = absl::Seconds(1);
  absl::Duration timeout = absl::Seconds(5);  // per HTTP request
  absl::Duration max_backoff = absl::Seconds(60);
  // The latest checkpoint this node's witness cosigned for an origin, if any (a
  // persistent cross-check source); may be empty.
  std::function<std::optional<std::string>(std::string_view origin)> witness_latest;
};

struct PeerStatus {
  std::string origin, name, url;
  // "ok", "unreachable" (last poll failed), "awaiting-witnesses", "invalid" (serves
  // entries or statements that do not check), "compromised" (proven split view).
  std::string state = "unknown";
  uint64_t size = 0;       // followed: every entry below it is checked
  std::string checkpoint;  // the followed signed checkpoint, with its cosignatures
  size_t cosignatures = 0;
  std::vector<std::string> witnesses;  // names of the directory witnesses that cosigned it
  uint64_t witnessed_size = 0;         // entries below it are witnessed (see the top of this file)
  uint64_t statements = 0;             // entries checked as valid statements
  uint64_t invalid_entries = 0;        // entries that are not valid statements of the party
  uint64_t inbox = 0;
  absl::Time last_success = absl::InfinitePast();
  std::string last_error;
  int consecutive_failures = 0;
  std::optional<uint64_t> compromised_from;  // log size from which it is not trusted
  std::string compromised_by;  // "<origin>/<index>" of the equivocation statement, or "self"
  // Added by the monitor's implementation: entry bundles fetched since Open (following
  // costs one pass: about new entries / 256, plus the partial bundle re-read once it
  // grows), and when the background loop polls this peer next (backoff after failures).
  uint64_t bundles_fetched = 0;
  absl::Time next_poll = absl::InfinitePast();
};

// The inbox's rows and pages are the monitor's state as stored (src/store/monitor_state.h).
using store::InboxItem;
using store::InboxPage;
using store::InboxQuery;

// A proven split view, ready to publish: the payload of an `equivocation` statement
// issued by this party (issuer, issued, origin, checkpoints, consistency_proof, "to"
// every other party of the directory, note), as JSON text.
struct EquivocationFound {
  std::string origin;
  std::string payload_json;
};
using EquivocationSink = std::function<void(const EquivocationFound&)>;

class Monitor {
 public:
  // The monitor over `state` (the composition root opens it: the embedded backend's is
  // SQLite in DATA/federation.sqlite); `where` names it in messages. `self_origin`: this
  // party's log, never followed and the one whose statements "cites_us" is about.
  static absl::StatusOr<std::unique_ptr<Monitor>> Open(std::unique_ptr<store::MonitorState> state,
                                                       std::string_view where,
                                                       std::string self_origin,
                                                       DirectoryWatcher& directory,
                                                       const statement::Validator& validator,
                                                       MonitorOptions options = {});
  ~Monitor();  // Stop()

  void Start();  // a background thread polls every poll_interval
  void Stop();
  // One poll of every peer now (tests, or to pick up a known change early). Per-peer
  // failures are recorded in Peers(), not returned; errors only for local failures.
  absl::Status PollOnce();
  // A signed checkpoint of `origin` seen elsewhere, to cross-check. Thread-safe, cheap.
  void Observe(const std::string& origin, std::string signed_checkpoint);
  // Set before Start.
  void SetEquivocationSink(EquivocationSink sink);

  absl::StatusOr<InboxPage> Inbox(const InboxQuery& query) const;
  std::vector<PeerStatus> Peers() const;
  // Whether `ref`, a reference into a peer's log, cites what it says, as far as this
  // monitor has verified that log: OK if the cited entry is a valid statement whose leaf
  // hash (and kind, when the ref states one) match; InvalidArgument saying why if not;
  // NotFound if ref.origin is no other party of the directory; Unavailable if the
  // monitor has not verified the log that far yet (the cited entry may be on its way).
  // Thread-safe.
  absl::Status Resolve(const statement::Ref& ref) const;
  // OK, or the first failed write of the monitor's state: after one, the monitor
  // follows nothing more (PollOnce returns it) until the node restarts and reloads the
  // state from disk — what reached the disk is unknown. Thread-safe.
  absl::Status failure() const;
  // Blocks until `origin` is followed to at least `size` (true) or `timeout` passes.
  bool WaitFollowed(std::string_view origin, uint64_t size, absl::Duration timeout) const;

 private:
  struct Impl;
  explicit Monitor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace accord::federation

#endif  // ACCORD_FEDERATION_MONITOR_H_
