// Keys for C2SP signed notes (c2sp.org/signed-note, "Signatures" and "Verifier keys"),
// byte-compatible with Go's golang.org/x/mod/sumdb/note.
//
// A key is known by a name and a 32-bit key hash (the spec's "key ID"):
//
//   key hash = big-endian uint32 of SHA-256(name || 0x0A || type || public key)[:4]
//
// where `type` is the signature type byte: 0x01 for plain Ed25519 note signatures,
// 0x04 for tlog-cosignature/v1 witness cosignatures (see cosignature.h).
//
// Text encodings:
//   verifier key ("vkey"):  <name>+<hash as 8 lower-case hex>+<base64(type || public key)>
//   private key ("skey"):   PRIVATE+KEY+<name>+<hash>+<base64(type || 32-byte seed)>
//
// Anyone holding a private key string can sign with it: keep it secret. The literal
// "PRIVATE+KEY" prefix keeps it from being mistaken for a verifier key.
#ifndef ACCORD_NOTE_KEYS_H_
#define ACCORD_NOTE_KEYS_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "src/crypto/ed25519.h"

namespace accord::note {

// Signature type bytes (c2sp.org/signed-note, "Signature types").
inline constexpr uint8_t kSignatureTypeEd25519 = 0x01;
inline constexpr uint8_t kSignatureTypeCosignatureV1 = 0x04;

// Verifies signatures made by one key. Implementations are immutable and thread-safe.
class Verifier {
 public:
  virtual ~Verifier() = default;
  // The key name, as it appears in signature lines.
  virtual std::string_view Name() const = 0;
  virtual uint32_t KeyHash() const = 0;
  // Reports whether `signature` (the signature bytes after the 4-byte key hash) is a
  // valid signature of the note text `text` by this key.
  virtual bool Verify(std::string_view text, std::span<const uint8_t> signature) const = 0;
};

// Signs note texts with one key. Implementations are immutable and thread-safe.
class Signer {
 public:
  virtual ~Signer() = default;
  virtual std::string_view Name() const = 0;
  virtual uint32_t KeyHash() const = 0;
  // Returns the signature bytes (without the key hash) over the note text `text`.
  virtual absl::StatusOr<std::vector<uint8_t>> Sign(std::string_view text) const = 0;
};

uint32_t ComputeKeyHash(std::string_view name, uint8_t type, std::span<const uint8_t> public_key);

// A verifier key, decoded and checked: the name is valid, the hash is 8 hex digits, the
// key material is canonical base64 of at least one byte, and the hash matches the name,
// type and public key. The algorithm-specific length of `public_key` is not checked here.
struct VerifierKey {
  std::string name;
  uint32_t key_hash = 0;
  uint8_t type = 0;
  std::vector<uint8_t> public_key;
};
// InvalidArgument on any defect, naming it ("malformed verifier key", "key hash ... does
// not match", ...).
absl::StatusOr<VerifierKey> ParseVerifierKey(std::string_view vkey);
// InvalidArgument if `name` is not a valid key name.
absl::StatusOr<std::string> FormatVerifierKey(std::string_view name, uint8_t type,
                                              std::span<const uint8_t> public_key);

// A private key, decoded: valid name, 8-hex-digit hash, canonical base64 key material of
// at least one byte. The hash cannot be checked until the public key is derived, which
// the algorithm-specific constructors (NewSigner, NewCosignatureSigner) do. Error
// messages never quote the key.
struct PrivateKey {
  std::string name;
  uint32_t key_hash = 0;
  uint8_t type = 0;
  std::vector<uint8_t> key;  // the seed, for Ed25519 types
};
absl::StatusOr<PrivateKey> ParsePrivateKey(std::string_view skey);
absl::StatusOr<std::string> FormatPrivateKey(std::string_view name, uint32_t key_hash, uint8_t type,
                                             std::span<const uint8_t> key);

// Plain Ed25519 note signatures (type 0x01), as Go's note.NewVerifier makes.
class Ed25519Verifier final : public Verifier {
 public:
  // REQUIRES: IsValidKeyName(name).
  Ed25519Verifier(std::string name, const crypto::Ed25519PublicKey& public_key);
  std::string_view Name() const override { return name_; }
  uint32_t KeyHash() const override { return key_hash_; }
  bool Verify(std::string_view text, std::span<const uint8_t> signature) const override;
  const crypto::Ed25519PublicKey& public_key() const { return public_key_; }

 private:
  std::string name_;
  crypto::Ed25519PublicKey public_key_;
  uint32_t key_hash_;
};

class Ed25519Signer final : public Signer {
 public:
  // REQUIRES: IsValidKeyName(name).
  Ed25519Signer(std::string name, const crypto::Ed25519PrivateKey& key);
  std::string_view Name() const override { return name_; }
  uint32_t KeyHash() const override { return key_hash_; }
  absl::StatusOr<std::vector<uint8_t>> Sign(std::string_view text) const override;
  // The verifier for this signer's key.
  Ed25519Verifier MakeVerifier() const;
  // This key's verifier key string.
  std::string VerifierKeyString() const;

 private:
  std::string name_;
  crypto::Ed25519PrivateKey key_;
  uint32_t key_hash_;
};

struct KeyPair {
  std::string private_key;   // skey: secret
  std::string verifier_key;  // vkey: give to verifiers
};

// A new Ed25519 note key named `name`, from a fresh random seed, as Go's
// note.GenerateKey. InvalidArgument if the name is invalid.
absl::StatusOr<KeyPair> GenerateKey(std::string_view name);
// The same from a given 32-byte seed (deterministic). InvalidArgument on a bad name or
// a seed that is not 32 bytes.
absl::StatusOr<KeyPair> GenerateKeyFromSeed(std::string_view name, std::span<const uint8_t> seed);
// The same for any Ed25519-based signature type (kSignatureTypeEd25519 or
// kSignatureTypeCosignatureV1): the key hash and key strings carry `type`.
absl::StatusOr<KeyPair> GenerateTypedKeyFromSeed(std::string_view name, uint8_t type,
                                                 std::span<const uint8_t> seed);
// The type 0x01 verifier key for an existing Ed25519 public key, as Go's
// note.NewEd25519VerifierKey.
absl::StatusOr<std::string> NewEd25519VerifierKey(std::string_view name,
                                                  const crypto::Ed25519PublicKey& public_key);

// A signer from a type 0x01 private key string: InvalidArgument if it is malformed, of
// another type, or its hash does not match the derived public key.
absl::StatusOr<Ed25519Signer> NewSigner(std::string_view skey);

// A verifier from a verifier key string of type 0x01 (Ed25519Verifier) or 0x04
// (CosignatureV1Verifier, cosignature.h). InvalidArgument if it is malformed, its hash
// does not match, its key has the wrong length, or its type is another.
absl::StatusOr<std::unique_ptr<Verifier>> NewVerifier(std::string_view vkey);

}  // namespace accord::note

#endif  // ACCORD_NOTE_KEYS_H_
