#include "src/note/cosignature.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "src/note/checkpoint.h"
#include "src/note/text.h"
#include "src/util/encoding.h"

namespace accord::note {
namespace {

uint64_t ReadBigEndian64(std::span<const uint8_t> b) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | b[i];
  return v;
}

}  // namespace

std::string CosignatureV1Message(std::string_view checkpoint_text, uint64_t timestamp) {
  std::string message = absl::StrCat("cosignature/v1\ntime ", timestamp, "\n");
  message.append(checkpoint_text);
  return message;
}

CosignatureV1Verifier::CosignatureV1Verifier(std::string name,
                                             const crypto::Ed25519PublicKey& public_key)
    : name_(std::move(name)),
      public_key_(public_key),
      key_hash_(ComputeKeyHash(name_, kSignatureTypeCosignatureV1, public_key_)) {}

bool CosignatureV1Verifier::Verify(std::string_view text,
                                   std::span<const uint8_t> signature) const {
  return VerifyCosignature(text, signature).ok();
}

absl::StatusOr<uint64_t> CosignatureV1Verifier::VerifyCosignature(
    std::string_view checkpoint_text, std::span<const uint8_t> signature) const {
  if (signature.size() != kCosignatureV1Size) {
    return absl::PermissionDeniedError(absl::StrCat(
        "cosignature by ", name_, " is ", signature.size(), " bytes, want ", kCosignatureV1Size));
  }
  const uint64_t timestamp = ReadBigEndian64(signature);
  if (timestamp > kMaxCosignatureTimestamp) {
    return absl::PermissionDeniedError(
        absl::StrCat("cosignature by ", name_, " has timestamp ", timestamp, " above 2^63-1"));
  }
  const std::string message = CosignatureV1Message(checkpoint_text, timestamp);
  if (!crypto::Ed25519Verify(public_key_, util::AsBytes(message), signature.subspan(8))) {
    return absl::PermissionDeniedError(absl::StrCat("invalid cosignature by ", name_));
  }
  return timestamp;
}

CosignatureV1Signer::CosignatureV1Signer(std::string name, const crypto::Ed25519PrivateKey& key)
    : name_(std::move(name)),
      key_(key),
      key_hash_(ComputeKeyHash(name_, kSignatureTypeCosignatureV1, key_.public_key())) {}

absl::StatusOr<std::vector<uint8_t>> CosignatureV1Signer::Sign(std::string_view text,
                                                               uint64_t timestamp) const {
  if (timestamp > kMaxCosignatureTimestamp) {
    return absl::InvalidArgumentError(
        absl::StrCat("cosignature timestamp ", timestamp, " is above 2^63-1"));
  }
  std::vector<uint8_t> out;
  out.reserve(kCosignatureV1Size);
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(uint8_t(timestamp >> shift));
  const crypto::Ed25519Signature sig =
      key_.Sign(util::AsBytes(CosignatureV1Message(text, timestamp)));
  out.insert(out.end(), sig.begin(), sig.end());
  return out;
}

CosignatureV1Verifier CosignatureV1Signer::MakeVerifier() const {
  return CosignatureV1Verifier(name_, key_.public_key());
}

std::string CosignatureV1Signer::VerifierKeyString() const {
  return *FormatVerifierKey(name_, kSignatureTypeCosignatureV1, key_.public_key());
}

absl::StatusOr<KeyPair> GenerateCosignerKeyFromSeed(std::string_view name,
                                                    std::span<const uint8_t> seed) {
  return GenerateTypedKeyFromSeed(name, kSignatureTypeCosignatureV1, seed);
}

absl::StatusOr<KeyPair> GenerateCosignerKey(std::string_view name) {
  crypto::Ed25519Seed seed;
  crypto::RandomBytes(seed);
  auto pair = GenerateCosignerKeyFromSeed(name, seed);
  seed.fill(0);
  return pair;
}

absl::StatusOr<std::unique_ptr<CosignatureV1Verifier>> NewCosignatureVerifier(
    std::string_view vkey) {
  auto parsed = ParseVerifierKey(vkey);
  if (!parsed.ok()) return parsed.status();
  if (parsed->type != kSignatureTypeCosignatureV1) {
    return absl::InvalidArgumentError(
        absl::StrFormat("verifier key \"%s\" has signature type 0x%02x, want 0x04 (cosignature/v1)",
                        vkey, parsed->type));
  }
  crypto::Ed25519PublicKey public_key;
  if (parsed->public_key.size() != public_key.size()) {
    return absl::InvalidArgumentError(absl::StrCat("verifier key \"", std::string(vkey),
                                                   "\": Ed25519 public key is ",
                                                   parsed->public_key.size(), " bytes, want 32"));
  }
  std::copy(parsed->public_key.begin(), parsed->public_key.end(), public_key.begin());
  return std::make_unique<CosignatureV1Verifier>(std::move(parsed->name), public_key);
}

absl::StatusOr<std::string> Cosign(std::string_view checkpoint_text,
                                   const CosignatureV1Signer& witness, uint64_t unix_time) {
  if (auto cp = ParseCheckpoint(checkpoint_text); !cp.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("refusing to cosign a non-checkpoint: ", cp.status().message()));
  }
  auto sig = witness.Sign(checkpoint_text, unix_time);
  if (!sig.ok()) return sig.status();
  return FormatSignatureLine({std::string(witness.Name()), witness.KeyHash(), *std::move(sig)});
}

absl::StatusOr<uint64_t> CosignatureTimestamp(const Signature& sig) {
  if (sig.signature.size() != kCosignatureV1Size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "signature by ", sig.name, " is ", sig.signature.size(), " bytes, not a cosignature/v1"));
  }
  return ReadBigEndian64(sig.signature);
}

}  // namespace accord::note
