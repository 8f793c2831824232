#include "src/crypto/box.h"

#include <sodium.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "src/crypto/random.h"
#include "src/crypto/sodium_init.h"
#include "src/util/encoding.h"

namespace accord::crypto {

static_assert(crypto_box_SEALBYTES == kSealOverheadBytes);
static_assert(crypto_box_PUBLICKEYBYTES == kBoxKeySize);
static_assert(crypto_box_SECRETKEYBYTES == kBoxKeySize);

BoxKeyPair BoxKeyPair::Generate() {
  internal::EnsureSodium();
  BoxKeyPair k;
  crypto_box_keypair(k.public_.data(), k.secret_.data());
  return k;
}

absl::StatusOr<BoxKeyPair> BoxKeyPair::FromSecret(std::span<const uint8_t> secret) {
  if (secret.size() != kBoxKeySize) {
    return absl::InvalidArgumentError(
        absl::StrCat("a box secret key is 32 bytes, not ", secret.size()));
  }
  internal::EnsureSodium();
  BoxKeyPair k;
  std::copy(secret.begin(), secret.end(), k.secret_.begin());
  if (crypto_scalarmult_base(k.public_.data(), k.secret_.data()) != 0) {
    return absl::InvalidArgumentError("box secret key gives no public key");
  }
  return k;
}

BoxKeyPair::~BoxKeyPair() { Wipe(secret_); }

absl::StatusOr<std::string> SealBox(std::string_view plaintext, const BoxPublicKey& recipient) {
  internal::EnsureSodium();
  std::string sealed(plaintext.size() + kSealOverheadBytes, '\0');
  if (crypto_box_seal(reinterpret_cast<unsigned char*>(sealed.data()),
                      reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                      recipient.data()) != 0) {
    return absl::InvalidArgumentError("cannot seal to this public key");
  }
  return sealed;
}

absl::StatusOr<std::string> OpenBox(std::string_view sealed, const BoxKeyPair& keys) {
  if (sealed.size() < kSealOverheadBytes) {
    return absl::InvalidArgumentError(absl::StrCat("a sealed box is at least ", kSealOverheadBytes,
                                                   " bytes, not ", sealed.size()));
  }
  internal::EnsureSodium();
  std::string plaintext(sealed.size() - kSealOverheadBytes, '\0');
  if (crypto_box_seal_open(reinterpret_cast<unsigned char*>(plaintext.data()),
                           reinterpret_cast<const unsigned char*>(sealed.data()), sealed.size(),
                           keys.public_key().data(), keys.secret_key().data()) != 0) {
    Wipe(plaintext);
    return absl::InvalidArgumentError(
        "sealed body does not open with this key (sealed to another key, or altered)");
  }
  return plaintext;
}

std::string FormatBoxPublicKey(const BoxPublicKey& key) {
  return util::Base64Encode(std::span<const uint8_t>(key));
}

absl::StatusOr<BoxPublicKey> ParseBoxPublicKey(std::string_view text) {
  auto bytes = util::Base64Decode(text);
  if (!bytes || bytes->size() != kBoxKeySize) {
    return absl::InvalidArgumentError("a box key is canonical base64 of 32 bytes");
  }
  BoxPublicKey key;
  std::copy(bytes->begin(), bytes->end(), key.begin());
  return key;
}

}  // namespace accord::crypto
