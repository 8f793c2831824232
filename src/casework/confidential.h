// Confidential bodies: what a statement's "private": {"sha256": …} commits to, and how it
// travels to the parties entitled to read it (docs/casework-bodies.md).
//
// Body plaintext — the exact bytes the commitment hashes:
//
//   {"accord_body":1,"body":{…free JSON object…},"salt":"<base64 of 32 random bytes>"}
//
// compact JSON with members sorted by name (nlohmann::json's dump: no spaces, UTF-8,
// strict). The body holds what must not be public: facts, data identifiers, legal basis,
// contact persons. The salt makes the commitment hide a body that could be guessed (a
// short list of identifiers would otherwise be found by hashing candidates).
//
// Commitment: SHA-256 of the plaintext bytes as 64 lower-case hex digits
// (common.v1.json#/definitions/sha256_hex). Only the bytes count: a verifier never
// re-serialises.
//
// Sealed copy: a sealed box (src/crypto/box.h, libsodium's crypto_box_seal: an ephemeral X25519
// key, XSalsa20-Poly1305, nonce from BLAKE2b of both public keys) of the plaintext to the
// addressee's X25519 public key, 48 bytes longer than the plaintext. One copy per
// addressee. The sender is not authenticated by the box; the statement's signature and
// the commitment tie the body to its issuer.
//
// Box keys: an X25519 key pair per party (src/party/keys.h keeps it in the data folder);
// the party directory publishes the public key as "box_key" (crypto::FormatBoxPublicKey).
//
// Pure computation and thread-safe.
#ifndef ACCORD_CASEWORK_CONFIDENTIAL_H_
#define ACCORD_CASEWORK_CONFIDENTIAL_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "src/crypto/box.h"

namespace accord::casework {

inline constexpr int kBodyVersion = 1;
inline constexpr size_t kSaltSize = 32;
// The sealed boxes (src/crypto/box.h) that copies of a body are.
using crypto::BoxKeyPair;
using crypto::BoxPublicKey;
using crypto::FormatBoxPublicKey;
using crypto::kBoxKeySize;
using crypto::kSealOverheadBytes;
using crypto::ParseBoxPublicKey;
// Largest body plaintext, and so the largest sealed copy a node stores or serves.
inline constexpr size_t kMaxPlaintextBytes = 1024 * 1024;
inline constexpr size_t kMaxSealedBytes = kMaxPlaintextBytes + kSealOverheadBytes;

using Salt = std::array<uint8_t, kSaltSize>;

// A body ready to seal: its plaintext bytes and their commitment.
struct Body {
  std::string plaintext;
  std::string commitment;  // 64 lower-case hex digits
};

// Makes the plaintext of `content` (a JSON object) with a fresh random salt.
// InvalidArgument if `content` is not an object, holds invalid UTF-8, or the plaintext
// would exceed kMaxPlaintextBytes.
absl::StatusOr<Body> MakeBody(const nlohmann::json& content);
// As MakeBody with a given salt (deterministic; for test vectors and reproductions).
absl::StatusOr<Body> MakeBodyWithSalt(const nlohmann::json& content, const Salt& salt);

// What a plaintext holds.
struct BodyContent {
  nlohmann::json content;  // the object given to MakeBody
  Salt salt;
};
// Parses plaintext bytes made by MakeBody. InvalidArgument (naming the fault) unless they
// are a JSON object with exactly accord_body = 1, body (an object) and salt (canonical
// base64 of 32 bytes), at most kMaxPlaintextBytes long. Does not check a commitment.
absl::StatusOr<BodyContent> ParseBody(std::string_view plaintext);

// SHA-256 of `plaintext` as 64 lower-case hex digits.
std::string Commitment(std::string_view plaintext);
// True iff `text` is 64 lower-case hex digits (the only spelling accepted anywhere a
// commitment names a file or a route).
bool IsCommitment(std::string_view text);
// OK iff `plaintext` hashes to `commitment`. InvalidArgument if `commitment` is not a
// commitment; DataLoss ("body does not match its commitment") if the bytes were altered.
absl::Status VerifyCommitment(std::string_view plaintext, std::string_view commitment);

// Seals `plaintext` to `recipient` (crypto_box_seal; randomised: two seals of the same
// plaintext differ). InvalidArgument if the plaintext exceeds kMaxPlaintextBytes.
absl::StatusOr<std::string> Seal(std::string_view plaintext, const BoxPublicKey& recipient);
// Opens a sealed copy with `keys` (crypto_box_seal_open). InvalidArgument ("does not
// open…") if it was sealed to another key, altered, truncated or is longer than
// kMaxSealedBytes; the two are indistinguishable by design. The caller then checks the
// plaintext against the statement's commitment (VerifyCommitment).
absl::StatusOr<std::string> Open(std::string_view sealed, const BoxKeyPair& keys);

// One addressee's copy of a body.
struct SealedCopy {
  std::string addressee;  // the addressee's log origin
  std::string sealed;     // Seal(plaintext, addressee's box key)
  bool operator==(const SealedCopy&) const = default;
};

// True iff `text` is a log origin (common.v1.json#/definitions/origin): 1 to 255
// characters, a lower-case host of letters, digits, '.' and '-' not starting or ending
// with '.' or '-', then "/segment"s of letters, digits and . _ ~ -.
bool IsOrigin(std::string_view text);

}  // namespace accord::casework

#endif  // ACCORD_CASEWORK_CONFIDENTIAL_H_
