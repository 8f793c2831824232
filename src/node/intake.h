// Intake: decides whether a submitted envelope may enter this party's log, and what the
// statement index records about it. A statement is accepted only if
//  - it is a well-formed DSSE envelope whose payload validates against its kind's
//    schema (statement::Validator),
//  - its issuer is this party (the log's origin), and
//  - it carries a valid signature by the party key or by an officer key the party has
//    authorised with an `officer` statement already in the log (and not revoked).
// Officer statements themselves must be signed by the party key.
#ifndef ACCORD_NODE_INTAKE_H_
#define ACCORD_NODE_INTAKE_H_

#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
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

// The problem name attached to `status` by this part, if any.
std::optional<std::string> ProblemName(const absl::Status& status);
absl::Status WithProblemName(absl::Status status, std::string_view name);

struct Accepted {
  statement::Statement statement;
  store::IndexedStatement meta;  // index assigned by the sequencer
};

class Intake {
 public:
  // `party_key`: the verifier key of the party (the log key); its name is the origin.
  Intake(std::unique_ptr<note::Verifier> party_key, const statement::Validator& validator);

  // Thread-safe. InvalidArgument (bad-json, schema-violation, wrong-issuer, too-large),
  // PermissionDenied (unknown-signer: no signature by an authorised key), or
  // Unauthenticated (bad-signature: a signature under an authorised keyid fails).
  absl::StatusOr<Accepted> Check(std::string_view envelope) const;

  // Index metadata of an entry already in the log (re-indexing at start): parsed and
  // validated, but signatures are not rechecked against today's officers.
  absl::StatusOr<store::IndexedStatement> Describe(std::string_view envelope) const;

  // Applies a committed `officer` statement: authorises or revokes its key. Call in log
  // order. Thread-safe.
  absl::Status Apply(const statement::Statement& officer);

  const std::string& origin() const { return origin_; }
  size_t officers() const;

 private:
  store::IndexedStatement MetaOf(const statement::Statement& s, std::string signer) const;

  const std::unique_ptr<note::Verifier> party_key_;
  const std::string origin_;
  const std::string party_keyid_;
  const statement::Validator& validator_;
  mutable absl::Mutex mu_;
  // By keyid. Shared so that Check verifies signatures after releasing mu_.
  std::map<std::string, std::shared_ptr<const note::Verifier>> officers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace accord::node

#endif  // ACCORD_NODE_INTAKE_H_
