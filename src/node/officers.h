// Which officer keys may sign a party's statements, as decided by the party's own
// `officer` statements replayed in log order. The one implementation of the rules:
// intake (a node's own log), the audit (`accord verify`) and the monitor (a peer's log)
// all replay through it, so that every verifier reaches the same verdict on every entry.
//
// The rules, chosen so that no replay or reordering can widen what the party decided:
//  - A decision takes effect for the statements after it in the log.
//  - `revoke` is final: a revoked key is never authorised again (an authorisation of it,
//    replayed or new, changes nothing and is refused at intake). A party that wants the
//    officer back authorises a new key.
//  - An `authorize` of a key already authorised is a renewal only if it was issued
//    later than the key's latest decision; an older or equal one (a replay of the
//    original, say) changes nothing. So the latest word of the party, by its own clock,
//    wins — and its clock is bounded by the node's intake window and the witnesses'.
//  - A key signs only statements issued within its authorisation: not before the
//    authorisation was issued, not after `valid_until`; at intake also not after
//    `valid_until` by the node's clock (an expired key cannot sign "backdated" either,
//    as intake refuses statements dated outside its window).
//
// Thread-compatible (callers lock): Intake wraps it with its own mutex.
#ifndef ACCORD_NODE_OFFICERS_H_
#define ACCORD_NODE_OFFICERS_H_

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "src/note/keys.h"
#include "src/statement/statement.h"

namespace accord::node {

class OfficerRegistry {
 public:
  // What `officer` (an officer statement signed by the party key) would change, or why
  // it changes nothing: InvalidArgument for a statement that is no valid officer
  // decision (not an officer statement, bad key, valid_until not after issued),
  // FailedPrecondition for one with no effect (an authorisation of a revoked key, a
  // stale or repeated one, a revocation of a key already revoked).
  absl::Status Check(const statement::Statement& officer) const;
  // Check, then applies it. Call in log order; a refused decision changes nothing.
  absl::Status Apply(const statement::Statement& officer);

  // The key `keyid` may sign a statement issued at `issued` (and, when `now` is given,
  // submitted now): its verifier. NotFound if the key was never authorised;
  // PermissionDenied, saying why, if it was revoked, has lapsed or was not yet
  // authorised at `issued`.
  absl::StatusOr<std::shared_ptr<const note::Verifier>> SignerFor(
      std::string_view keyid, absl::Time issued, std::optional<absl::Time> now) const;

  // Keys currently authorised and not revoked.
  size_t active() const;

 private:
  struct Officer {
    std::shared_ptr<const note::Verifier> key;
    bool authorised = false;
    bool revoked = false;
    absl::Time authorised_from = absl::InfinitePast();  // issued of the first authorisation
    absl::Time decided = absl::InfinitePast();          // issued of the latest decision
    std::optional<absl::Time> valid_until;
  };
  struct Decision {
    std::string keyid;
    std::shared_ptr<const note::Verifier> key;
    bool authorize = false;
    std::optional<absl::Time> valid_until;
  };
  absl::StatusOr<Decision> Decide(const statement::Statement& officer) const;

  std::map<std::string, Officer, std::less<>> officers_;  // by keyid
};

}  // namespace accord::node

#endif  // ACCORD_NODE_OFFICERS_H_
