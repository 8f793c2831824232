#include "src/note/keys.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "src/crypto/sha256.h"
#include "src/note/cosignature.h"
#include "src/note/text.h"
#include "src/util/encoding.h"

namespace accord::note {
namespace {

using util::AsBytes;

// Splits `s` at the first `sep`: {before, after}; without `sep`, {s, ""} (Go's chop).
std::pair<std::string_view, std::string_view> Chop(std::string_view s, char sep) {
  size_t i = s.find(sep);
  if (i == std::string_view::npos) return {s, {}};
  return {s.substr(0, i), s.substr(i + 1)};
}

// Eight hex digits, either case (Go's strconv.ParseUint(s, 16, 32) with len(s) == 8).
bool ParseKeyHash(std::string_view hex, uint32_t* out) {
  if (hex.size() != 8) return false;
  uint32_t v = 0;
  for (char c : hex) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      return false;
    }
    v = (v << 4) | static_cast<uint32_t>(d);
  }
  *out = v;
  return true;
}

std::vector<uint8_t> TypeAndKey(uint8_t type, std::span<const uint8_t> key) {
  std::vector<uint8_t> out;
  out.reserve(1 + key.size());
  out.push_back(type);
  out.insert(out.end(), key.begin(), key.end());
  return out;
}

}  // namespace

uint32_t ComputeKeyHash(std::string_view name, uint8_t type, std::span<const uint8_t> public_key) {
  crypto::Sha256Stream h;
  h.Update(name);
  const uint8_t sep_and_type[2] = {'\n', type};
  h.Update(std::span<const uint8_t>(sep_and_type));
  h.Update(public_key);
  crypto::Digest d = h.Final();
  return (uint32_t{d[0]} << 24) | (uint32_t{d[1]} << 16) | (uint32_t{d[2]} << 8) | d[3];
}

absl::StatusOr<VerifierKey> ParseVerifierKey(std::string_view vkey) {
  auto [name, rest] = Chop(vkey, '+');
  auto [hash_hex, key64] = Chop(rest, '+');
  VerifierKey out;
  auto key = util::Base64Decode(key64);
  if (!IsValidKeyName(name) || !ParseKeyHash(hash_hex, &out.key_hash) || !key || key->empty()) {
    return absl::InvalidArgumentError(absl::StrCat("malformed verifier key \"", std::string(vkey),
                                                   "\": want <name>+<8 hex>+<base64 key>"));
  }
  if (ComputeKeyHash(name, (*key)[0], std::span(*key).subspan(1)) != out.key_hash) {
    return absl::InvalidArgumentError(absl::StrCat("verifier key \"", std::string(vkey),
                                                   "\": key hash ", std::string(hash_hex),
                                                   " does not match its name and key"));
  }
  out.name = std::string(name);
  out.type = (*key)[0];
  out.public_key.assign(key->begin() + 1, key->end());
  return out;
}

absl::StatusOr<std::string> FormatVerifierKey(std::string_view name, uint8_t type,
                                              std::span<const uint8_t> public_key) {
  if (!IsValidKeyName(name)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid key name \"", std::string(name), "\""));
  }
  return absl::StrFormat("%s+%08x+%s", name, ComputeKeyHash(name, type, public_key),
                         util::Base64Encode(TypeAndKey(type, public_key)));
}

absl::StatusOr<PrivateKey> ParsePrivateKey(std::string_view skey) {
  auto [private_word, rest1] = Chop(skey, '+');
  auto [key_word, rest2] = Chop(rest1, '+');
  auto [name, rest3] = Chop(rest2, '+');
  auto [hash_hex, key64] = Chop(rest3, '+');
  PrivateKey out;
  auto key = util::Base64Decode(key64);
  if (private_word != "PRIVATE" || key_word != "KEY" || !IsValidKeyName(name) ||
      !ParseKeyHash(hash_hex, &out.key_hash) || !key || key->empty()) {
    // Never quote a private key in an error: it may be nearly right.
    return absl::InvalidArgumentError(
        "malformed private key: want PRIVATE+KEY+<name>+<8 hex>+<base64 key>");
  }
  out.name = std::string(name);
  out.type = (*key)[0];
  out.key.assign(key->begin() + 1, key->end());
  std::fill(key->begin(), key->end(), 0);
  return out;
}

absl::StatusOr<std::string> FormatPrivateKey(std::string_view name, uint32_t key_hash, uint8_t type,
                                             std::span<const uint8_t> key) {
  if (!IsValidKeyName(name)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid key name \"", std::string(name), "\""));
  }
  return absl::StrFormat("PRIVATE+KEY+%s+%08x+%s", name, key_hash,
                         util::Base64Encode(TypeAndKey(type, key)));
}

Ed25519Verifier::Ed25519Verifier(std::string name, const crypto::Ed25519PublicKey& public_key)
    : name_(std::move(name)),
      public_key_(public_key),
      key_hash_(ComputeKeyHash(name_, kSignatureTypeEd25519, public_key_)) {}

bool Ed25519Verifier::Verify(std::string_view text, std::span<const uint8_t> signature) const {
  return crypto::Ed25519Verify(public_key_, AsBytes(text), signature);
}

Ed25519Signer::Ed25519Signer(std::string name, const crypto::Ed25519PrivateKey& key)
    : name_(std::move(name)),
      key_(key),
      key_hash_(ComputeKeyHash(name_, kSignatureTypeEd25519, key_.public_key())) {}

absl::StatusOr<std::vector<uint8_t>> Ed25519Signer::Sign(std::string_view text) const {
  crypto::Ed25519Signature sig = key_.Sign(AsBytes(text));
  return std::vector<uint8_t>(sig.begin(), sig.end());
}

Ed25519Verifier Ed25519Signer::MakeVerifier() const {
  return Ed25519Verifier(name_, key_.public_key());
}

std::string Ed25519Signer::VerifierKeyString() const {
  // The name was valid at construction, so this cannot fail.
  return *FormatVerifierKey(name_, kSignatureTypeEd25519, key_.public_key());
}

absl::StatusOr<KeyPair> GenerateTypedKeyFromSeed(std::string_view name, uint8_t type,
                                                 std::span<const uint8_t> seed) {
  if (!IsValidKeyName(name)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid key name \"", std::string(name), "\""));
  }
  auto key = crypto::Ed25519PrivateKey::FromSeedBytes(seed);
  if (!key.ok()) return key.status();
  const crypto::Ed25519PublicKey public_key = key->public_key();
  const uint32_t hash = ComputeKeyHash(name, type, public_key);
  KeyPair pair;
  pair.private_key = *FormatPrivateKey(name, hash, type, key->seed());
  pair.verifier_key = *FormatVerifierKey(name, type, public_key);
  return pair;
}

absl::StatusOr<KeyPair> GenerateKeyFromSeed(std::string_view name, std::span<const uint8_t> seed) {
  return GenerateTypedKeyFromSeed(name, kSignatureTypeEd25519, seed);
}

absl::StatusOr<KeyPair> GenerateKey(std::string_view name) {
  crypto::Ed25519Seed seed;
  crypto::RandomBytes(seed);
  auto pair = GenerateKeyFromSeed(name, seed);
  seed.fill(0);
  return pair;
}

absl::StatusOr<std::string> NewEd25519VerifierKey(std::string_view name,
                                                  const crypto::Ed25519PublicKey& public_key) {
  return FormatVerifierKey(name, kSignatureTypeEd25519, public_key);
}

namespace {

// The signer of signature type `type` (`type_name` in errors) that `skey` holds: its seed
// wiped once the key is derived, its key hash checked against the key.
template <typename Signer>
absl::StatusOr<Signer> NewSignerOfType(std::string_view skey, uint8_t type,
                                       std::string_view type_name) {
  auto parsed = ParsePrivateKey(skey);
  if (!parsed.ok()) return parsed.status();
  if (parsed->type != type) {
    return absl::InvalidArgumentError(
        absl::StrFormat("private key for \"%s\" has signature type 0x%02x, want 0x%02x (%s)",
                        parsed->name, parsed->type, type, type_name));
  }
  auto key = crypto::Ed25519PrivateKey::FromSeedBytes(parsed->key);
  std::fill(parsed->key.begin(), parsed->key.end(), 0);
  if (!key.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("malformed private key for \"", parsed->name, "\": ", key.status().message()));
  }
  Signer signer(parsed->name, *std::move(key));
  if (signer.KeyHash() != parsed->key_hash) {
    return absl::InvalidArgumentError(
        absl::StrFormat("private key for \"%s\": key hash %08x does not match its key",
                        parsed->name, parsed->key_hash));
  }
  return signer;
}

}  // namespace

absl::StatusOr<Ed25519Signer> NewSigner(std::string_view skey) {
  return NewSignerOfType<Ed25519Signer>(skey, kSignatureTypeEd25519, "Ed25519");
}

absl::StatusOr<CosignatureV1Signer> NewCosignatureSigner(std::string_view skey) {
  return NewSignerOfType<CosignatureV1Signer>(skey, kSignatureTypeCosignatureV1, "cosignature/v1");
}

absl::StatusOr<std::unique_ptr<Verifier>> NewVerifier(std::string_view vkey) {
  auto parsed = ParseVerifierKey(vkey);
  if (!parsed.ok()) return parsed.status();
  if (parsed->type != kSignatureTypeEd25519 && parsed->type != kSignatureTypeCosignatureV1) {
    return absl::InvalidArgumentError(
        absl::StrFormat("verifier key \"%s\": unknown signature type 0x%02x", vkey, parsed->type));
  }
  crypto::Ed25519PublicKey public_key;
  if (parsed->public_key.size() != public_key.size()) {
    return absl::InvalidArgumentError(absl::StrCat("verifier key \"", std::string(vkey),
                                                   "\": Ed25519 public key is ",
                                                   parsed->public_key.size(), " bytes, want 32"));
  }
  std::copy(parsed->public_key.begin(), parsed->public_key.end(), public_key.begin());
  if (parsed->type == kSignatureTypeCosignatureV1) {
    return std::make_unique<CosignatureV1Verifier>(std::move(parsed->name), public_key);
  }
  return std::make_unique<Ed25519Verifier>(std::move(parsed->name), public_key);
}

}  // namespace accord::note
