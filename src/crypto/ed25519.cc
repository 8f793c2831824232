#include "src/crypto/ed25519.h"

#include <sodium.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "src/crypto/sodium_init.h"

namespace accord::crypto {
namespace {

static_assert(crypto_sign_SEEDBYTES == kEd25519SeedSize);
static_assert(crypto_sign_PUBLICKEYBYTES == kEd25519PublicKeySize);
static_assert(crypto_sign_SECRETKEYBYTES == kEd25519SeedSize + kEd25519PublicKeySize);
static_assert(crypto_sign_BYTES == kEd25519SignatureSize);

}  // namespace

Ed25519PrivateKey Ed25519PrivateKey::Generate() {
  Ed25519Seed seed;
  RandomBytes(seed);
  Ed25519PrivateKey key = FromSeed(seed);
  sodium_memzero(seed.data(), seed.size());
  return key;
}

Ed25519PrivateKey Ed25519PrivateKey::FromSeed(const Ed25519Seed& seed) {
  internal::EnsureSodium();
  Ed25519PrivateKey key;
  Ed25519PublicKey public_key;
  crypto_sign_seed_keypair(public_key.data(), key.secret_key_.data(), seed.data());
  return key;
}

absl::StatusOr<Ed25519PrivateKey> Ed25519PrivateKey::FromSeedBytes(std::span<const uint8_t> seed) {
  if (seed.size() != kEd25519SeedSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("Ed25519 seed is ", seed.size(), " bytes, want ", kEd25519SeedSize));
  }
  Ed25519Seed fixed;
  std::copy(seed.begin(), seed.end(), fixed.begin());
  Ed25519PrivateKey key = FromSeed(fixed);
  sodium_memzero(fixed.data(), fixed.size());
  return key;
}

Ed25519PrivateKey::~Ed25519PrivateKey() { sodium_memzero(secret_key_.data(), secret_key_.size()); }

Ed25519Seed Ed25519PrivateKey::seed() const {
  Ed25519Seed seed;
  std::copy_n(secret_key_.begin(), kEd25519SeedSize, seed.begin());
  return seed;
}

Ed25519PublicKey Ed25519PrivateKey::public_key() const {
  Ed25519PublicKey public_key;
  std::copy_n(secret_key_.begin() + kEd25519SeedSize, kEd25519PublicKeySize, public_key.begin());
  return public_key;
}

Ed25519Signature Ed25519PrivateKey::Sign(std::span<const uint8_t> message) const {
  Ed25519Signature signature;
  // Cannot fail for a well-formed secret key, which the constructors guarantee.
  crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(),
                       secret_key_.data());
  return signature;
}

bool Ed25519Verify(const Ed25519PublicKey& public_key, std::span<const uint8_t> message,
                   std::span<const uint8_t> signature) {
  if (signature.size() != kEd25519SignatureSize) return false;
  internal::EnsureSodium();
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                     public_key.data()) == 0;
}

}  // namespace accord::crypto
