// HTTP routes for confidential bodies (docs/casework-bodies.md, docs/openapi.yaml):
//
//   PUT /v1/bodies/{commitment}   this party stores sealed copies of a body, one per
//                                 addressee: {"copies":[{"addressee":ORIGIN,"sealed":B64}…]}
//                                 → 201 {"commitment","stored":[ORIGIN…]}
//   GET /v1/bodies/{commitment}   an addressee of a statement in this node's log that
//                                 carries the commitment fetches its copy
//                                 → 200 {"commitment","addressee","sealed":B64,
//                                        "statement":{"origin","index","leaf_hash"}}
//
// Every request is authenticated (RequestAuthenticator; 401 without a valid one). A GET
// by a party that is not an addressee of such a statement gets 403 with one fixed
// problem body, whether or not the commitment or a body exists, so a denial tells the
// requester nothing it did not send. HEAD is refused (405): a read is only ever a GET
// that is recorded.
//
// Every GET that serves a copy to another party is recorded first: the AccessRecorder
// must report the access statement durable in this node's log before the copy is sent
// (nothing acknowledged is lost — here, no body leaves without its record). If the
// record cannot be made, the GET fails with 503 and Retry-After and nothing is sent.
//
// Logs and metrics: this part logs nothing, and its metric labels are fixed words
// (route, outcome), never a commitment, an origin or a message.
#ifndef ACCORD_CASEWORK_BODIES_API_H_
#define ACCORD_CASEWORK_BODIES_API_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "src/casework/body_store.h"
#include "src/crypto/sha256.h"
#include "src/http/metrics.h"
#include "src/http/router.h"
#include "src/statement/statement.h"

namespace accord::casework {

// Who sent a request. Thread-safe: called concurrently from server I/O threads; must not
// block (no network, no disk syncs).
class RequestAuthenticator {
 public:
  virtual ~RequestAuthenticator() = default;
  // The origin of the party that signed `request` (RFC 9421 message signatures with a
  // key from the party directory, covering at least @method, @target-uri and, with a
  // body, content-digest). Unauthenticated (→ 401) if the request carries no valid
  // signature by a known party; the message goes to the client, so it must not reveal
  // anything beyond the request's own fault. Unavailable (→ 503 + Retry-After) if it
  // cannot decide now (a full replay cache); any other error is answered 500.
  virtual absl::StatusOr<std::string> Authenticate(const http::Request& request) const = 0;
};

// A statement in this node's log whose payload carries "private": {"sha256": commitment}.
struct CommittedStatement {
  std::string origin;                   // this node's log origin (the issuer)
  uint64_t index = 0;                   // leaf index
  crypto::Digest leaf_hash{};           // RFC 6962 leaf hash of the envelope
  std::optional<statement::Kind> kind;  // the statement's kind, if known
  std::vector<std::string> addressees;  // payload "to"
  // The provisions the access relies on, e.g. the request's "legal_basis"; empty: the
  // access record says kDefaultLegalBasis.
  std::vector<std::string> legal_basis;
};

// Finds the statements of this node's log that carry `commitment` (a valid commitment).
// Empty if none. Thread-safe; may read the index from disk but must not wait on syncs.
using CommitmentLookup =
    std::function<absl::StatusOr<std::vector<CommittedStatement>>(std::string_view commitment)>;

// One release of a body to another party: the facts of an access statement.
struct AccessRecord {
  std::string issuer;            // the serving node's origin (the access statement's issuer)
  std::string accessor;          // the authenticated requester's origin
  std::string commitment;        // the body released
  CommittedStatement statement;  // the statement that entitled the accessor
  absl::Time when;               // when the request was received
  std::vector<std::string> legal_basis;  // 1..16 provisions
};

// What an access record cites when the statement names no legal basis.
inline constexpr std::string_view kDefaultLegalBasis =
    "addressee of the statement that carries the body's commitment";

// Makes `record` an access statement in this node's log (the lead wires it to
// node::Node::SignAndSubmit(Kind::kAccess, AccessPayload(record), …)). Calls `done` exactly
// once, from any thread, possibly before returning: OK only once the statement is durable
// in the log; an error otherwise. Thread-safe.
using AccessRecorder =
    std::function<void(const AccessRecord& record, std::function<void(absl::Status)> done)>;

// The payload of the access statement for `record` (docs/schemas/access.v1.json): kind
// "access", issuer, issued = when, to = [accessor], accessed_by = {role, id: accessor},
// target.description naming the commitment and the statement, started = ended = when,
// legal_basis, purpose, refs = [the statement]. Compact JSON. REQUIRES: the record's
// strings are within the schema's limits (origins are checked where they enter).
std::string AccessPayload(const AccessRecord& record);

struct BodiesApiOptions {
  std::string origin;  // this party's log origin: the only party that may PUT
  BodyStore* store = nullptr;
  const RequestAuthenticator* authenticator = nullptr;
  CommitmentLookup lookup;
  AccessRecorder record_access;
  std::function<absl::Time()> clock = absl::Now;
  // If set, registers accord_bodies_requests_total{route,result}.
  http::Registry* metrics = nullptr;
  // PUTs waiting for the writer thread beyond this are refused with 503.
  size_t max_pending_writes = 64;
};

// Largest PUT request body: a few copies of the largest size, base64-encoded.
inline constexpr size_t kMaxPutRequestBytes = 8 * 1024 * 1024;

// The routes' state: a writer thread for PUTs (store writes sync the disk, which server
// I/O threads must not wait on). REQUIRES: store, authenticator, lookup, record_access
// and metrics outlive this object, and this object outlives the server serving the
// routes (stop the server first, then destroy this).
class BodiesApi {
 public:
  // Registers the routes on `router` (before the server starts).
  static std::unique_ptr<BodiesApi> Register(http::Router& router, BodiesApiOptions options);
  ~BodiesApi();  // Stop()
  // Finishes queued writes (answering them) and stops the writer. Idempotent.
  void Stop();

  class Impl;

 private:
  explicit BodiesApi(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
};

// The JSON of a PUT request for `copies`, as a party's client sends it.
std::string PutBodiesRequest(const std::vector<SealedCopy>& copies);

}  // namespace accord::casework

#endif  // ACCORD_CASEWORK_BODIES_API_H_
