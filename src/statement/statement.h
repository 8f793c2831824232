// Signed statements: everything a party says is a DSSE envelope
// (https://github.com/secure-systems-lab/dsse, protocol.md and envelope.md) whose
// payload is a JSON document of one of accord's kinds, validated against the kind's
// JSON Schema (docs/schemas/<kind>.v1.json). The log entry is the envelope exactly as
// submitted, so its leaf hash is reproducible from the bytes anyone can fetch.
//
//   envelope    {"payload":"<base64>","payloadType":"application/vnd.accord.<kind>.v1+json",
//                "signatures":[{"keyid":"<key name>+<hash>","sig":"<base64>"}]}
//   signature   Ed25519 over PAE(payloadType, payload) =
//               "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body   (LEN: ASCII decimal)
//   keyid       the signer's key name and hash as in its signed-note verifier key
//               ("cert.example.ee/officer/ana+1a2b3c4d"), so a verifier finds the key
#ifndef ACCORD_STATEMENT_STATEMENT_H_
#define ACCORD_STATEMENT_STATEMENT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "src/crypto/sha256.h"
#include "src/note/keys.h"

namespace accord::statement {

enum class Kind {
  kIncident,      // an attack or intrusion a party reports
  kEvidence,      // sealed evidence (e.g. a packet capture's Merkle root) with custody data
  kClaim,         // an attribution claim; must cite evidence
  kRequest,       // a request for assistance under the conventions' procedures
  kResponse,      // an answer to a request
  kAccess,        // a record of cross-border data access and its legal basis
  kEquivocation,  // proof that a log showed two histories
  kOfficer,       // the party authorises (or revokes) an officer key to sign statements
};
inline constexpr Kind kAllKinds[] = {Kind::kIncident, Kind::kEvidence,     Kind::kClaim,
                                     Kind::kRequest,  Kind::kResponse,     Kind::kAccess,
                                     Kind::kEquivocation, Kind::kOfficer};

std::string_view KindName(Kind kind);                   // "incident", …
std::optional<Kind> ParseKind(std::string_view name);   // nullopt if unknown
std::string PayloadType(Kind kind);                     // "application/vnd.accord.incident.v1+json"
std::optional<Kind> KindOfPayloadType(std::string_view payload_type);

// DSSE pre-authentication encoding.
std::string Pae(std::string_view payload_type, std::string_view payload);

struct Signature {
  std::string keyid;
  std::vector<uint8_t> sig;
};

struct Envelope {
  std::string payload_type;
  std::string payload;  // decoded bytes
  std::vector<Signature> signatures;
};

// Strict parse of envelope JSON: an object with exactly payload (canonical padded
// base64), payloadType (string) and signatures (1..16 objects with keyid and sig; sig a
// 64-byte Ed25519 signature in base64); no other fields. At most kMaxEntryBytes.
// InvalidArgument naming the field otherwise (see ErrorPointer).
absl::StatusOr<Envelope> ParseEnvelope(std::string_view json);
// Compact JSON with fields in the order shown above.
std::string SerializeEnvelope(const Envelope& envelope);

// Signs `payload` (JSON text of `kind`) as a DSSE envelope; returns the envelope JSON.
absl::StatusOr<std::string> Sign(Kind kind, std::string_view payload, const note::Ed25519Signer& signer);
// True iff some signature in `envelope` whose keyid is "<name>+<hash>" of `verifier`
// verifies over PAE. Signatures under other keyids are ignored.
bool VerifiedBy(const Envelope& envelope, const note::Verifier& verifier);

// A reference to a statement in some party's log.
struct Ref {
  std::string origin;       // the log's origin
  uint64_t index = 0;       // leaf index
  crypto::Digest leaf_hash; // RFC 6962 leaf hash of the envelope bytes
  std::optional<Kind> kind; // the kind the citing statement says it has, if it says
};

// A validated statement: the envelope, its payload and the fields every kind shares.
struct Statement {
  Kind kind;
  Envelope envelope;
  nlohmann::json payload;
  std::string issuer;                      // payload "issuer": the party's log origin
  absl::Time issued;                       // payload "issued": RFC 3339 UTC
  std::vector<Ref> refs;                   // every reference in the payload
  std::vector<std::string> addressees;     // parties the statement is addressed to
  std::optional<crypto::Digest> private_commitment;  // sha256 of a private body
};

// Validates payloads against the JSON Schemas of every kind (compiled in from
// docs/schemas/), and the rules a schema cannot say (a claim cites evidence; times
// parse; refs are well-formed). Thread-safe after construction.
class Validator {
 public:
  static absl::StatusOr<std::unique_ptr<Validator>> Create();
  virtual ~Validator() = default;
  // Parses and validates envelope bytes into a Statement. Does NOT check signatures
  // (the node knows which keys may sign; see VerifiedBy). Errors are InvalidArgument
  // with the JSON pointer of the fault attached (ErrorPointer).
  virtual absl::StatusOr<Statement> Parse(std::string_view envelope_json) const = 0;
};

// The JSON pointer ("/payload/refs/0/index", "/signatures/0/sig") of the fault an
// InvalidArgument from this part is about, if it names one.
std::optional<std::string> ErrorPointer(const absl::Status& status);

// RFC 6962 leaf hash of the exact envelope bytes: how the statement is referenced.
crypto::Digest LeafHashOf(std::string_view envelope_bytes);

}  // namespace accord::statement

#endif  // ACCORD_STATEMENT_STATEMENT_H_
