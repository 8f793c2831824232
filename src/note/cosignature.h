// C2SP transparency log cosignatures, Ed25519 "cosignature/v1" (c2sp.org/tlog-cosignature;
// signature type 0x04 of c2sp.org/signed-note): a witness's timestamped statement that,
// as of that time, the checkpoint is the largest consistent tree head it has seen for the
// log named by the checkpoint's origin.
//
// A cosignature is an ordinary note signature line by the witness key:
//
//   — <witness name> base64(key hash || timestamp || Ed25519 signature)
//
//   key hash  = SHA-256(<witness name> || 0x0A || 0x04 || 32-byte public key)[:4]
//   timestamp = 8 bytes, big-endian, POSIX seconds; at most 2^63 - 1
//   signature = Ed25519 over the message
//               "cosignature/v1\ntime <timestamp in decimal, no leading zeros>\n"
//               followed by the whole checkpoint note text (extension lines included)
//
// Witness keys are written as vkeys and private keys of type 0x04 (keys.h), which Go's
// plain note.NewVerifier does not know; transparency-dev/formats and torchwood do.
// NewVerifier (keys.h) accepts them, so Open can check a log's signature and its
// witnesses' cosignatures in one pass.
//
// Pure computation: the caller supplies the time. Everything here is thread-safe.
#ifndef ACCORD_NOTE_COSIGNATURE_H_
#define ACCORD_NOTE_COSIGNATURE_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "src/crypto/ed25519.h"
#include "src/note/keys.h"
#include "src/note/note.h"

namespace accord::note {

inline constexpr size_t kCosignatureV1Size = 8 + crypto::kEd25519SignatureSize;
inline constexpr uint64_t kMaxCosignatureTimestamp = (uint64_t{1} << 63) - 1;

// The message an Ed25519 cosignature/v1 signs.
std::string CosignatureV1Message(std::string_view checkpoint_text, uint64_t timestamp);

// Verifies Ed25519 cosignature/v1 signatures by one witness key.
class CosignatureV1Verifier final : public Verifier {
 public:
  // REQUIRES: IsValidKeyName(name).
  CosignatureV1Verifier(std::string name, const crypto::Ed25519PublicKey& public_key);
  std::string_view Name() const override { return name_; }
  uint32_t KeyHash() const override { return key_hash_; }
  // `signature` is timestamp || Ed25519 signature (the bytes after the key hash).
  bool Verify(std::string_view text, std::span<const uint8_t> signature) const override;
  // Like Verify, but returns the verified timestamp. PermissionDenied if the signature
  // is not 72 bytes, its timestamp exceeds 2^63 - 1, or it does not verify.
  absl::StatusOr<uint64_t> VerifyCosignature(std::string_view checkpoint_text,
                                             std::span<const uint8_t> signature) const;

 private:
  std::string name_;
  crypto::Ed25519PublicKey public_key_;
  uint32_t key_hash_;
};

// A witness's signing key. It is not a note Signer, whose Sign has no time argument;
// Cosign below produces the signature line.
class CosignatureV1Signer {
 public:
  // REQUIRES: IsValidKeyName(name).
  CosignatureV1Signer(std::string name, const crypto::Ed25519PrivateKey& key);
  std::string_view Name() const { return name_; }
  uint32_t KeyHash() const { return key_hash_; }
  // timestamp || signature over CosignatureV1Message(text, timestamp).
  // InvalidArgument if `timestamp` exceeds kMaxCosignatureTimestamp.
  absl::StatusOr<std::vector<uint8_t>> Sign(std::string_view text, uint64_t timestamp) const;
  CosignatureV1Verifier MakeVerifier() const;
  std::string VerifierKeyString() const;

 private:
  std::string name_;
  crypto::Ed25519PrivateKey key_;
  uint32_t key_hash_;
};

// A new witness key (type 0x04) named `name`, from a fresh random seed or a given one.
// InvalidArgument on a bad name or a seed that is not 32 bytes.
absl::StatusOr<KeyPair> GenerateCosignerKey(std::string_view name);
absl::StatusOr<KeyPair> GenerateCosignerKeyFromSeed(std::string_view name,
                                                    std::span<const uint8_t> seed);

// From a type 0x04 private key string: InvalidArgument if it is malformed, of another
// type, or its hash does not match the derived public key.
absl::StatusOr<CosignatureV1Signer> NewCosignatureSigner(std::string_view skey);
// From a type 0x04 verifier key string: InvalidArgument as NewVerifier, or if the key
// is of another type.
absl::StatusOr<std::unique_ptr<CosignatureV1Verifier>> NewCosignatureVerifier(
    std::string_view vkey);

// Cosigns a checkpoint at `unix_time` and returns the signature line to append to its
// note (as a tlog-witness add-checkpoint response carries it). InvalidArgument if
// `checkpoint_text` is not a valid checkpoint (ParseCheckpoint) or the time is too large.
absl::StatusOr<std::string> Cosign(std::string_view checkpoint_text,
                                   const CosignatureV1Signer& witness, uint64_t unix_time);

// The timestamp a cosignature claims, read without verifying it (use
// VerifyCosignature, or Open, to trust it). InvalidArgument if `sig` is not 72 bytes.
absl::StatusOr<uint64_t> CosignatureTimestamp(const Signature& sig);

}  // namespace accord::note

#endif  // ACCORD_NOTE_COSIGNATURE_H_
