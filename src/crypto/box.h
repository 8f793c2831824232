// Sealed boxes: anonymous public-key encryption to an X25519 key, through libsodium's
// crypto_box_seal — an ephemeral X25519 key pair per message, XSalsa20-Poly1305 under
// the shared key, the ephemeral public key prepended. Only the recipient's secret key
// opens a box; the sender cannot, and nothing in it names the sender.
//
// Thin wrappers with no construction of their own: what a box holds and who may have
// one (confidential bodies) is src/casework/confidential.h's business. Thread-safe.
#ifndef ACCORD_CRYPTO_BOX_H_
#define ACCORD_CRYPTO_BOX_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace accord::crypto {

inline constexpr size_t kBoxKeySize = 32;
// crypto_box_SEALBYTES: the ephemeral public key and the Poly1305 tag.
inline constexpr size_t kSealOverheadBytes = 48;

using BoxPublicKey = std::array<uint8_t, kBoxKeySize>;

// An X25519 key pair for sealed boxes. The secret is wiped on destruction. Immutable;
// thread-safe.
class BoxKeyPair {
 public:
  // A fresh key pair from the OS CSPRNG (crypto_box_keypair).
  static BoxKeyPair Generate();
  // The pair whose secret key is `secret` (the public key is derived from it).
  // InvalidArgument unless `secret` is 32 bytes.
  static absl::StatusOr<BoxKeyPair> FromSecret(std::span<const uint8_t> secret);

  BoxKeyPair(const BoxKeyPair&) = default;
  BoxKeyPair& operator=(const BoxKeyPair&) = default;
  ~BoxKeyPair();

  const BoxPublicKey& public_key() const { return public_; }
  std::span<const uint8_t> secret_key() const { return secret_; }

 private:
  BoxKeyPair() = default;
  std::array<uint8_t, kBoxKeySize> secret_{};
  BoxPublicKey public_{};
};

// A box public key as the party directory writes it: canonical standard base64 of its
// 32 bytes.
std::string FormatBoxPublicKey(const BoxPublicKey& key);
// InvalidArgument unless `text` is canonical base64 of 32 bytes.
absl::StatusOr<BoxPublicKey> ParseBoxPublicKey(std::string_view text);

// Seals `plaintext` to `recipient` (crypto_box_seal; randomised: two seals of the same
// plaintext differ): plaintext.size() + kSealOverheadBytes bytes. InvalidArgument if
// libsodium refuses the key.
absl::StatusOr<std::string> SealBox(std::string_view plaintext, const BoxPublicKey& recipient);
// Opens a box with `keys` (crypto_box_seal_open). InvalidArgument if it was sealed to
// another key, altered or truncated: the cases are indistinguishable by design.
absl::StatusOr<std::string> OpenBox(std::string_view sealed, const BoxKeyPair& keys);

}  // namespace accord::crypto

#endif  // ACCORD_CRYPTO_BOX_H_
