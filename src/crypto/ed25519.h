// Ed25519 signatures (RFC 8032), through libsodium.
//
// These are thin wrappers: key pairs from a random or a given 32-byte seed (the RFC 8032
// private key), detached signatures, verification. Formats that carry keys and
// signatures (C2SP signed notes, DSSE, HTTP message signatures) live in their own parts
// and see only these types.
//
// Verification is libsodium's crypto_sign_verify_detached: cofactorless, and it rejects
// non-canonical S, non-canonical or small-order public keys, and small-order R. Honest
// keys and signatures verify exactly as with Go's crypto/ed25519; only adversarially
// crafted degenerate keys or signatures that Go accepts are refused here.
//
// Only src/crypto includes libsodium (random.h: its initialisation).
#ifndef ACCORD_CRYPTO_ED25519_H_
#define ACCORD_CRYPTO_ED25519_H_

#include <array>
#include <cstdint>
#include <span>

#include "absl/status/statusor.h"
#include "src/crypto/random.h"  // RandomBytes, for the keys' users

namespace accord::crypto {

inline constexpr size_t kEd25519SeedSize = 32;
inline constexpr size_t kEd25519PublicKeySize = 32;
inline constexpr size_t kEd25519SignatureSize = 64;

using Ed25519Seed = std::array<uint8_t, kEd25519SeedSize>;
using Ed25519PublicKey = std::array<uint8_t, kEd25519PublicKeySize>;
using Ed25519Signature = std::array<uint8_t, kEd25519SignatureSize>;

// An Ed25519 private key. Immutable once built; the secret bytes are wiped on
// destruction. Thread-safe: const methods may be called concurrently.
class Ed25519PrivateKey {
 public:
  // A new key from a fresh random seed.
  static Ed25519PrivateKey Generate();
  // The key whose RFC 8032 seed is `seed` (deterministic).
  static Ed25519PrivateKey FromSeed(const Ed25519Seed& seed);
  // As above for a seed of unchecked length: InvalidArgument unless it is 32 bytes.
  static absl::StatusOr<Ed25519PrivateKey> FromSeedBytes(std::span<const uint8_t> seed);

  Ed25519PrivateKey(const Ed25519PrivateKey& other) = default;
  Ed25519PrivateKey& operator=(const Ed25519PrivateKey& other) = default;
  ~Ed25519PrivateKey();

  Ed25519Seed seed() const;
  Ed25519PublicKey public_key() const;

  // Signs `message` (pure Ed25519, deterministic: same key and message, same signature).
  Ed25519Signature Sign(std::span<const uint8_t> message) const;

 private:
  Ed25519PrivateKey() = default;
  // libsodium's layout: seed (32 bytes) followed by the public key (32 bytes).
  std::array<uint8_t, kEd25519SeedSize + kEd25519PublicKeySize> secret_key_{};
};

// Reports whether `signature` is a valid Ed25519 signature of `message` under
// `public_key`. A signature that is not 64 bytes long is simply invalid. Thread-safe.
bool Ed25519Verify(const Ed25519PublicKey& public_key, std::span<const uint8_t> message,
                   std::span<const uint8_t> signature);

}  // namespace accord::crypto

#endif  // ACCORD_CRYPTO_ED25519_H_
