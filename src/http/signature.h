// HTTP Message Signatures (RFC 9421) with Ed25519, and Content-Digest (RFC 9530,
// sha-256), for requests between parties' nodes: a node signs the requests it sends to a
// peer, and a peer's node learns from the signature which party asks (docs/http.md,
// "Request signatures").
//
// What accord signs (RequestSigner), under the label "accord":
//
//   Content-Digest: sha-256=:<base64 of SHA-256(body)>:          (only if there is a body)
//   Signature-Input: accord=("@method" "@authority" "@path" "@query" "content-digest");
//       created=<unix s>;expires=<created+60>;keyid="<keyid>";alg="ed25519";
//       nonce="<16 random bytes, base64>";tag="accord"
//   Signature: accord=:<base64 of the Ed25519 signature of the signature base>:
//
// The signature base is built exactly as RFC 9421 §2.5: one line per covered component,
// `"<name>": <value>` and LF, then `"@signature-params": <the serialised inner list>`
// without a final LF. Derived components (§2.2): @method (as sent), @target-uri,
// @authority (lower-cased, default port dropped), @scheme, @request-target (the raw
// target), @path (raw, percent-escapes kept; "/" if empty), @query ("?" and the raw
// query, or "?" alone). Header fields (§2.1): every field line of that name, trimmed,
// joined with ", ". Component parameters (sf, key, bs, req, tr, name), @query-param and
// @status are not supported: a signature that uses them is refused, never misread.
//
// keyid: accord writes the party's accord KeyId, "<key name>+<8 hex digits of the
// signed-note key hash>" (statement::KeyId, the keyid of its DSSE signatures), e.g.
// "cert.a.example+1a2b3c4d". The http part treats it as opaque: the node's KeyLookup
// maps it to an Ed25519 public key through the directory, and the verified keyid tells
// the node which party signed.
//
// Parsing of Signature-Input, Signature and Content-Digest (RFC 8941 dictionaries,
// structured_fields.h) is strict and bounded, since the bytes come from anyone: a
// duplicate key or parameter, an unknown signature parameter, a parameter of the wrong
// type, non-canonical or unpadded base64, a trailing comma, or more than
// kMaxSignatureFieldBytes is refused.
#ifndef ACCORD_HTTP_SIGNATURE_H_
#define ACCORD_HTTP_SIGNATURE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "src/crypto/ed25519.h"
#include "src/http/client.h"
#include "src/http/message.h"

namespace accord::http {

inline constexpr std::string_view kSignatureLabel = "accord";
inline constexpr std::string_view kSignatureTag = "accord";
inline constexpr std::string_view kSignatureAlgEd25519 = "ed25519";
// Longest Signature-Input, Signature or Content-Digest value accepted (all lines joined).
inline constexpr size_t kMaxSignatureFieldBytes = 8 * 1024;
// Most covered components in one signature.
inline constexpr size_t kMaxCoveredComponents = 32;

// RFC 9530 Content-Digest for `body`: "sha-256=:<base64>:".
std::string ContentDigestSha256(std::string_view body);
// OkStatus iff `field_value` (a Content-Digest dictionary) has a sha-256 member equal to
// SHA-256(body). Other algorithms' members are ignored. Unauthenticated, naming the
// fault, if it is malformed, lacks sha-256, or does not match.
absl::Status CheckContentDigest(std::string_view field_value, std::string_view body);

// The parts of a request that components are taken from.
struct RequestComponents {
  std::string method;
  std::string scheme = "http";  // lower-case
  std::string authority;        // normalised: NormalizeAuthority
  std::string target;           // origin-form, raw as sent: "/foo?param=Value"
  Headers headers;
};

// "Example.COM:80" → "example.com" for "http" (":443" is dropped for "https").
std::string NormalizeAuthority(std::string_view scheme, std::string_view authority);
// The components of a request a server received: the authority from an absolute-form
// target or else the (single) Host field. Unauthenticated if there is no Host (or more
// than one) or the target is neither origin- nor absolute-form.
absl::StatusOr<RequestComponents> ComponentsOf(const Request& request,
                                               std::string_view scheme = "http");
// The components of `request` as Client sends it to `url` (prefix + target, Host).
RequestComponents ComponentsOf(const Url& url, const ClientRequest& request);

// A signature's parameters (RFC 9421 §2.3) and covered components, as in Signature-Input.
struct SignatureParams {
  // Component identifiers in order, without quotes: "@method", "content-digest".
  std::vector<std::string> components;
  std::optional<int64_t> created;
  std::optional<int64_t> expires;
  std::optional<std::string> keyid;
  std::optional<std::string> alg;
  std::optional<std::string> nonce;
  std::optional<std::string> tag;
  // Names of the parameters present, in serialisation order. The parser fills it from
  // the field; if empty, Serialize uses created, expires, keyid, alg, nonce, tag.
  std::vector<std::string> order;

  // The RFC 8941 inner list with parameters, as in Signature-Input after "label=" and
  // as the value of "@signature-params". REQUIRES: strings are printable ASCII.
  std::string Serialize() const;
};

// The RFC 9421 §2.5 signature base. InvalidArgument naming the fault if a component is
// unknown, unsupported, repeated, not lower-case, or a covered field is absent or holds
// control characters (a line break would forge lines of the base), or a parameter
// string is not printable ASCII.
absl::StatusOr<std::string> SignatureBase(const RequestComponents& request,
                                          const SignatureParams& params);

// Signature-Input and Signature values for one signature: `label=(...);...` and
// `label=:...:`. Errors as SignatureBase; InvalidArgument for a bad label.
struct SignatureFields {
  std::string signature_input;
  std::string signature;
};
absl::StatusOr<SignatureFields> SignComponents(const RequestComponents& request,
                                               const SignatureParams& params,
                                               std::string_view label,
                                               const crypto::Ed25519PrivateKey& key);

// The signature labelled `label` in Signature-Input and Signature field values (several
// field lines joined with ","). Unauthenticated naming the fault: malformed, too long,
// label absent from either, a parameter unknown, repeated or of the wrong type.
struct ParsedSignature {
  SignatureParams params;
  std::vector<uint8_t> signature;
};
absl::StatusOr<ParsedSignature> ParseSignature(std::string_view signature_input,
                                               std::string_view signature, std::string_view label);

struct SignOptions {
  std::string label = std::string(kSignatureLabel);
  std::string tag = std::string(kSignatureTag);
  absl::Duration validity = absl::Seconds(60);  // expires = created + validity
  // Header fields to cover besides the derived components and content-digest
  // (lower-case names, e.g. "content-type"); each must be present when signing.
  std::vector<std::string> covered_fields;
  std::function<absl::Time()> now = [] { return absl::Now(); };
};

// Signs client requests with one party's key. Immutable; thread-safe.
class RequestSigner {
 public:
  // `keyid` is the accord KeyId of `key` (see the top of this file).
  RequestSigner(std::string keyid, const crypto::Ed25519PrivateKey& key, SignOptions options = {});

  // Sets Content-Digest (if the body is non-empty), Signature-Input and Signature on
  // `request` (replacing any there) for sending through a Client whose base URL is
  // `url`. Sign last: any later change to the target, method, body or a covered field
  // breaks the signature. InvalidArgument if a covered field is absent or invalid or the
  // keyid is not printable ASCII.
  absl::Status Sign(const Url& url, ClientRequest& request) const;

  const std::string& keyid() const { return keyid_; }

 private:
  std::string keyid_;
  crypto::Ed25519PrivateKey key_;
  SignOptions options_;
};

// Nonces already accepted, so a captured request cannot be replayed. An interface so
// that a node can keep them durably (a restart otherwise forgets them, and a request
// captured up to max_age before the restart could be replayed once after it).
class NonceCache {
 public:
  virtual ~NonceCache() = default;
  // Records that `keyid` used `nonce`, to be remembered until `expiry`. OkStatus if it
  // was not already recorded (or its record had expired by `now`); AlreadyExists if it
  // was; ResourceExhausted if the cache is full of unexpired records (the verifier then
  // refuses the request: failing closed). Thread-safe.
  virtual absl::Status Record(std::string_view keyid, std::string_view nonce, absl::Time expiry,
                              absl::Time now) = 0;
};

// An in-memory NonceCache of at most `capacity` unexpired records; expired ones are
// dropped as time passes. Thread-safe.
class MemoryNonceCache final : public NonceCache {
 public:
  explicit MemoryNonceCache(size_t capacity = 100'000) : capacity_(capacity) {}
  absl::Status Record(std::string_view keyid, std::string_view nonce, absl::Time expiry,
                      absl::Time now) override;
  size_t size() const;

 private:
  void Expire(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  const size_t capacity_;
  mutable absl::Mutex mu_;
  std::map<std::string, absl::Time, std::less<>> expiry_ ABSL_GUARDED_BY(mu_);
  std::set<std::pair<absl::Time, std::string>> by_expiry_ ABSL_GUARDED_BY(mu_);
};

// Maps a keyid to the signer's Ed25519 public key: NotFound if the keyid is unknown
// (→ Unauthenticated); other errors are passed on. Thread-safe.
using KeyLookup = std::function<absl::StatusOr<crypto::Ed25519PublicKey>(std::string_view keyid)>;

// What a verifier demands. The defaults are accord's policy; RFC examples relax them.
struct VerifyOptions {
  std::string label = std::string(kSignatureLabel);
  // Components that must be covered. "@target-uri" stands in for "@authority", "@path"
  // and "@query" (and "@scheme").
  std::vector<std::string> required_components = {"@method", "@authority", "@path", "@query"};
  // A non-empty body needs "content-digest" covered. A covered Content-Digest is always
  // checked against the body.
  bool require_content_digest = true;
  std::optional<std::string> required_tag = std::string(kSignatureTag);
  bool require_alg = true;  // alg="ed25519" present (any other alg is always refused)
  bool require_nonce = true;
  bool require_expires = true;
  // created must lie in [now - max_age - clock_skew, now + clock_skew], and now must not
  // be past expires + clock_skew.
  absl::Duration max_age = absl::Minutes(5);
  absl::Duration clock_skew = absl::Seconds(30);
  std::function<absl::Time()> now = [] { return absl::Now(); };
};

struct VerifiedSignature {
  std::string keyid;  // who signed, as the KeyLookup knew it
  SignatureParams params;
};

// Verifies request signatures. Thread-safe if the KeyLookup and NonceCache are.
class RequestVerifier {
 public:
  // `nonces` may be null only if options.require_nonce is false (then nonces are not
  // checked for replay); a null cache with require_nonce aborts (a programmer error).
  // REQUIRES: `nonces` outlives the verifier.
  RequestVerifier(KeyLookup lookup, NonceCache* nonces, VerifyOptions options = {});

  // The signer of `request`, or: Unauthenticated with the reason (no or malformed
  // signature fields, policy not met, stale or future times, unknown keyid, digest or
  // signature mismatch, replayed nonce); Unavailable if the nonce cache is full; an
  // error of the KeyLookup other than NotFound, as it is. Messages never hold keys or
  // signature bytes.
  absl::StatusOr<VerifiedSignature> Verify(const Request& request) const;
  absl::StatusOr<VerifiedSignature> Verify(const RequestComponents& request,
                                           std::string_view body) const;

 private:
  absl::Status CheckPolicy(const SignatureParams& params, std::string_view body) const;
  absl::Status CheckTimes(const SignatureParams& params, absl::Time now) const;
  KeyLookup lookup_;
  NonceCache* nonces_;
  VerifyOptions options_;
};

}  // namespace accord::http

#endif  // ACCORD_HTTP_SIGNATURE_H_
