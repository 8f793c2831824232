// Intake: decides whether a submitted envelope may enter this party's log, what is
// logged, and what the statement index records about it; and, for verifiers replaying a
// party's log (the audit, the monitor), whether an entry is a valid statement of that
// party at its position. A statement is accepted only if
//  - it is a well-formed DSSE envelope whose payload validates against its kind's
//    schema (statement::Validator),
//  - its issuer is this party (the log's origin), and
//  - it carries a valid signature by the party key or by an officer key the party has
//    authorised with an `officer` statement earlier in the log, within that
//    authorisation (OfficerRegistry: not revoked, not lapsed, issued inside it).
// Officer statements themselves must be signed by the party key, and must change
// something (OfficerRegistry::Check: no re-authorising a revoked key, no stale renewal).
//
// What is logged is the statement's logged form (statement::LoggedForm): the payload as
// signed with the one signature intake accepted (the party key's if it verifies, else
// the first authorised officer's in keyid order), in one spelling. The statement's
// identity is its digest (statement::StatementDigest), so a re-spelled or re-signed
// submission is the same statement and the sequencer answers it with the original's
// receipt.
#ifndef ACCORD_NODE_INTAKE_H_
#define ACCORD_NODE_INTAKE_H_

#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "src/node/officers.h"
#include "src/note/keys.h"
#include "src/statement/statement.h"
#include "src/store/statement_index.h"

namespace accord::node {

// Problem names of rejected submissions (RFC 9457 "type" members are
// "urn:accord:problem:<name>", see http::ProblemType), attached to the returned status
// so the HTTP layer can name the fault; see ProblemName().
inline constexpr std::string_view kProblemBadJson = "bad-json";
inline constexpr std::string_view kProblemBadEnvelope = "bad-envelope";
inline constexpr std::string_view kProblemSchema = "schema-violation";
inline constexpr std::string_view kProblemUnknownSigner = "unknown-signer";
inline constexpr std::string_view kProblemBadSignature = "bad-signature";
inline constexpr std::string_view kProblemWrongIssuer = "wrong-issuer";
inline constexpr std::string_view kProblemTooLarge = "too-large";
// An `issued` time more than 5 minutes in the future (Node::Submit).
inline constexpr std::string_view kProblemFutureDated = "future-dated";
// An `issued` time older than the node's intake window (NodeOptions::max_statement_age).
inline constexpr std::string_view kProblemBackdated = "backdated";
// The default intake window, and how far `issued` may lie ahead of the node's clock.
inline constexpr absl::Duration kDefaultMaxStatementAge = absl::Minutes(15);
inline constexpr absl::Duration kMaxFutureSkew = absl::Minutes(5);
// An officer statement that would change nothing (re-authorising a revoked key, a
// stale renewal, revoking twice).
inline constexpr std::string_view kProblemOfficerDecision = "officer-decision";

// A reference that does not cite what it says: an entry of this log that does not
// exist yet or has another leaf hash or kind, a log of no party, a peer's entry the
// monitor found to be something else (Node::Submit).
inline constexpr std::string_view kProblemBadRef = "bad-ref";
// A reference into a peer's log beyond what this node's monitor has verified so far, or
// into any other log when the node follows none: retry once the monitor has caught up
// (HTTP 409 with Retry-After).
inline constexpr std::string_view kProblemUnresolvedRef = "unresolved-ref";

// The problem name attached to `status` by this part, if any.
std::optional<std::string> ProblemName(const absl::Status& status);
absl::Status WithProblemName(absl::Status status, std::string_view name);

struct Accepted {
  statement::Statement statement;
  std::string entry;             // the logged form: the bytes to append
  store::IndexedStatement meta;  // index assigned by the sequencer
  // Intake::officers_version() when the signer was judged: if it has changed by the time
  // the statement takes its place in the log, judge it again there.
  uint64_t officers_version = 0;
};

class Intake {
 public:
  // `party_key`: the verifier key of the party (the log key); its name is the origin.
  Intake(std::shared_ptr<const note::Verifier> party_key, const statement::Validator& validator);

  // A submission at time `now`, to be appended after every statement applied so far.
  // Thread-safe. InvalidArgument (bad-json, schema-violation, wrong-issuer, too-large),
  // PermissionDenied (unknown-signer: no signature by a key authorised now, saying why
  // a known key is not: revoked, lapsed), Unauthenticated (bad-signature: a signature
  // under an authorised keyid fails), FailedPrecondition (officer-decision: an officer
  // statement that would change nothing).
  absl::StatusOr<Accepted> Admit(std::string_view envelope, absl::Time now) const;

  // An entry read from the party's log at the position after every statement applied
  // so far (replay in log order, Apply-ing each officer statement): the same checks as
  // Admit except the clock — a key must have been valid when the statement was issued —
  // and the entry must be in its logged form. Thread-safe.
  absl::StatusOr<Accepted> Verify(std::string_view entry) const;

  // Index metadata of an entry already in the log (re-indexing at start): parsed and
  // validated, but signatures are not rechecked against today's officers.
  absl::StatusOr<store::IndexedStatement> Describe(std::string_view entry) const;

  // Applies an `officer` statement at its position in the log (OfficerRegistry::Apply):
  // call in log order — the node calls it when the statement is queued, so that every
  // statement queued after it is judged with the decision. A decision that changes
  // nothing returns why and changes nothing. Thread-safe.
  absl::Status Apply(const statement::Statement& officer);
  // Forgets every decision applied (a new version), before they are applied again from
  // the log: when another writer of a shared log put one among them. Thread-safe.
  void ResetOfficers();

  const std::string& origin() const { return origin_; }
  // Officer keys currently authorised.
  size_t officers() const;
  // Counts the officer decisions applied: a statement admitted under one version was
  // judged by the keys valid at every position the log had under that version.
  uint64_t officers_version() const;

 private:
  absl::StatusOr<Accepted> Accept(std::string_view envelope, std::optional<absl::Time> now,
                                  bool logged) const;
  store::IndexedStatement MetaOf(const statement::Statement& s, std::string signer) const;

  const std::shared_ptr<const note::Verifier> party_key_;
  const std::string origin_;
  const std::string party_keyid_;
  const statement::Validator& validator_;
  mutable absl::Mutex mu_;
  OfficerRegistry officers_ ABSL_GUARDED_BY(mu_);
  uint64_t officers_version_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace accord::node

#endif  // ACCORD_NODE_INTAKE_H_
