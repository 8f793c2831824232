// Signed statements: everything a party says is a DSSE envelope
// (https://github.com/secure-systems-lab/dsse, protocol.md v1.0.0 and envelope.md) whose
// payload is a JSON document of one of accord's kinds, validated against the kind's
// JSON Schema (docs/schemas/<kind>.v1.json, draft-07, compiled into the library). The
// log entry is the envelope exactly as submitted, so its leaf hash is reproducible from
// the bytes anyone can fetch. docs/statements.md describes the format for readers.
//
//   envelope    {"payload":"<base64>","payloadType":"application/vnd.accord.<kind>.v1+json",
//                "signatures":[{"keyid":"<key name>+<hash>","sig":"<base64>"}]}
//   signature   Ed25519 over PAE(payloadType, payload) =
//               "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body   (LEN: ASCII decimal)
//   keyid       the signer's key name and hash as in its signed-note verifier key
//               ("cert.example.ee/officer/ana+1a2b3c4d"), so a verifier finds the key
//
// accord's profile of DSSE is stricter than the spec in three ways, so that a statement
// has one spelling and so one leaf hash: base64 is standard, padded and canonical (the
// spec lets verifiers accept URL-safe too), keyid is required, and JSON objects may not
// repeat a member name. Envelopes accord makes are plain DSSE that any DSSE verifier
// accepts.
//
// Everything here is pure computation (no I/O, no clock) and thread-safe.
#ifndef ACCORD_STATEMENT_STATEMENT_H_
#define ACCORD_STATEMENT_STATEMENT_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "src/crypto/sha256.h"
#include "src/note/keys.h"

namespace accord::statement {

// A log entry is at most this long (entry bundles length-prefix entries with a uint16).
inline constexpr size_t kMaxEntryBytes = 65535;
// Signatures an envelope may carry.
inline constexpr size_t kMaxSignatures = 16;

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
inline constexpr Kind kAllKinds[] = {Kind::kIncident,     Kind::kEvidence, Kind::kClaim,
                                     Kind::kRequest,      Kind::kResponse, Kind::kAccess,
                                     Kind::kEquivocation, Kind::kOfficer};

std::string_view KindName(Kind kind);                  // "incident", …
std::optional<Kind> ParseKind(std::string_view name);  // nullopt if unknown
std::string PayloadType(Kind kind);                    // "application/vnd.accord.incident.v1+json"
// The kind whose PayloadType is exactly `payload_type`; nullopt otherwise.
std::optional<Kind> KindOfPayloadType(std::string_view payload_type);

// DSSE pre-authentication encoding: the exact bytes a signature covers.
std::string Pae(std::string_view payload_type, std::string_view payload);

// "<name>+<8 lower-case hex key hash>": the keyid accord writes for `verifier`'s key, its
// verifier key string without the final "+<base64>".
std::string KeyId(const note::Verifier& verifier);

struct Signature {
  std::string keyid;
  std::vector<uint8_t> sig;  // 64-byte Ed25519 signature
};

struct Envelope {
  std::string payload_type;
  std::string payload;  // decoded bytes
  std::vector<Signature> signatures;
};

// Strict parse of envelope JSON: at most kMaxEntryBytes; an object with exactly the
// members payload (canonical padded standard base64), payloadType (non-empty string)
// and signatures (1..kMaxSignatures objects, each with exactly keyid — "<valid key
// name>+<8 lower-case hex>", distinct — and sig — canonical base64 of 64 bytes); no
// member repeated at any depth. The payload is not interpreted. InvalidArgument
// otherwise, with the JSON pointer of the fault (ErrorPointer): "" for the document,
// "/payload", "/signatures/1/keyid", ….
absl::StatusOr<Envelope> ParseEnvelope(std::string_view json);
// Compact JSON, members in the order shown above, signatures in the envelope's order.
// Bytes in payload_type that are not valid UTF-8 are replaced by U+FFFD (ParseEnvelope
// never yields such an envelope).
std::string SerializeEnvelope(const Envelope& envelope);

// A statement's identity is its signed content: SHA-256 of PAE(payloadType, payload),
// the exact bytes every one of its signatures covers. Envelopes that differ only in
// spelling (whitespace, member order, escapes) or in their signatures are the same
// statement; a node logs it once and answers a second submission with the first one's
// receipt.
crypto::Digest StatementDigest(const Envelope& envelope);

// The one spelling accord logs: the payload and type of `envelope` with exactly the
// signature `kept` (the one the node accepted), serialised as SerializeEnvelope does.
// Its leaf hash is the statement's reference (Ref::leaf_hash).
std::string LoggedForm(const Envelope& envelope, const Signature& kept);
// True iff `entry` is already in that form: LoggedForm of its own parse, with one
// signature. Log entries that are not are refused by verifiers (two spellings of one
// statement in a log would let it be "replayed").
bool IsLoggedForm(std::string_view entry, const Envelope& parsed);

// Signs `payload` (the JSON text of a `kind` statement, not checked here: see
// Validator) as a DSSE envelope with one signature, and returns the envelope JSON.
// InvalidArgument if the envelope would exceed kMaxEntryBytes; the signer's own errors
// are returned with context.
absl::StatusOr<std::string> Sign(Kind kind, std::string_view payload,
                                 const note::Ed25519Signer& signer);
// True iff some signature in `envelope` whose keyid is KeyId(verifier) verifies over
// PAE. Signatures under other keyids are ignored (DSSE: keyid only narrows the search).
bool VerifiedBy(const Envelope& envelope, const note::Verifier& verifier);

// A reference to a statement in some party's log.
struct Ref {
  std::string origin;        // the log's origin
  uint64_t index = 0;        // leaf index
  crypto::Digest leaf_hash;  // RFC 6962 leaf hash of the envelope bytes
  // The kind the citing statement says the cited one has: stated in the ref, or implied
  // by the field it sits in (a claim's "evidence" → kEvidence, a response's "request" →
  // kRequest); nullopt if neither.
  std::optional<Kind> kind;

  bool operator==(const Ref&) const = default;
};

// Whether the entry `ref` cites is what the ref says it is, given that entry's leaf hash
// and kind name as the caller found them (in its own log, its index, a monitor's record
// of a peer's log; "" for an entry that is no valid statement): InvalidArgument
// "<origin> #<index> …" naming the mismatch (not a valid statement; another leaf hash;
// a kind other than the ref's). The one rule every resolver applies.
absl::Status CheckCited(const Ref& ref, const crypto::Digest& leaf_hash, std::string_view kind);

// docs/examples/<kind>.json, compiled in: a complete, valid payload of that kind (issued
// by cert.example.ee/log at a fixed time, citing made-up statements — set "issuer" and
// "issued", and point its refs with CiteIn, before signing).
nlohmann::json Example(Kind kind);

// For payloads made from templates (docs/examples, `accord demo`, tests): points every
// ref of `payload` — in "refs", a claim's "evidence", a response's "request" — whose
// kind (stated, or implied by its field) is in `cited` at that statement, keeping its
// "kind" member. Refs of "refs" to kinds not in `cited` are removed (they are optional);
// the others are left as they are, for the node to refuse.
void CiteIn(nlohmann::json& payload, const std::map<Kind, Ref>& cited);

// A validated statement: the envelope, its payload and the fields every kind shares.
struct Statement {
  Kind kind;
  Envelope envelope;
  nlohmann::json payload;
  std::string issuer;  // payload "issuer": the party's log origin
  absl::Time issued;   // payload "issued": RFC 3339 UTC
  // Every reference in the payload: "refs", then a claim's "evidence" or a response's
  // "request", in document order; a ref repeated (same origin, index and leaf hash)
  // appears once, with the first kind given for it.
  std::vector<Ref> refs;
  std::vector<std::string> addressees;               // payload "to", in order
  std::optional<crypto::Digest> private_commitment;  // payload "private"."sha256"
};

// Validates payloads against the JSON Schemas of every kind (compiled in from
// docs/schemas/), and the rules a schema cannot say: timestamps are real calendar
// times and intervals do not end before they start; an officer key is a valid Ed25519
// verifier key; an equivocation's checkpoints are two different checkpoints of its
// origin, with a consistency proof when their sizes differ. Thread-safe after
// construction.
class Validator {
 public:
  // Internal if the compiled-in schemas do not load (a build defect).
  static absl::StatusOr<std::unique_ptr<Validator>> Create();
  virtual ~Validator() = default;
  // Parses and validates envelope bytes into a Statement: ParseEnvelope, then the
  // payloadType must be an accord kind's, the payload a JSON object (no repeated member,
  // nesting at most 32 deep) valid against that kind's schema — whose "kind" must match
  // the payloadType — and the rules above. Does NOT check signatures (the node knows
  // which keys may sign; see VerifiedBy) nor anything that needs a log (that a cited
  // statement exists and has the stated kind). Errors are InvalidArgument with the JSON
  // pointer of the fault attached (ErrorPointer); a fault inside the payload has a
  // pointer under "/payload" that addresses the decoded payload document
  // ("/payload/refs/0/index").
  virtual absl::StatusOr<Statement> Parse(std::string_view envelope_json) const = 0;
};

// For an equivocation statement (already through Validator::Parse): OK iff both of its
// checkpoints carry a valid signature by `log_verifier`, the key of the log named in
// its "origin" — only then has that log shown two histories. InvalidArgument if
// `statement` is no equivocation; otherwise note::OpenCheckpoint's errors, with context.
absl::Status VerifyEquivocation(const Statement& statement, const note::Verifier& log_verifier);

// The JSON pointer (RFC 6901) of the fault an InvalidArgument from this part is about
// ("/payload/refs/0/index", "/signatures/0/sig", "" for the whole document), if it names
// one. Carried as a status payload, so it survives copies of the status but not a new
// status made from its message.
std::optional<std::string> ErrorPointer(const absl::Status& status);

// What an InvalidArgument from ParseEnvelope, Sign or Validator::Parse is about, for
// callers that answer differently (HTTP: 413 for kTooLarge, a problem type per fault).
enum class Fault {
  kTooLarge,     // the envelope exceeds kMaxEntryBytes
  kBadJson,      // the envelope or its payload is not JSON, or repeats a member name, or
                 // nests deeper than 32
  kBadEnvelope,  // JSON, but not an envelope of accord's DSSE profile (members, base64,
                 // keyid, signature count)
  kBadPayload,   // the payload is not a valid statement: payloadType, kind, schema, rules
};
// nullopt for statuses that did not come from this part.
std::optional<Fault> FaultOf(const absl::Status& status);

// RFC 6962 leaf hash of the exact envelope bytes: how the statement is referenced.
crypto::Digest LeafHashOf(std::string_view envelope_bytes);

}  // namespace accord::statement

#endif  // ACCORD_STATEMENT_STATEMENT_H_
