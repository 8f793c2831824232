#include "src/note/cosignature.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "src/note/checkpoint.h"
#include "src/util/encoding.h"

namespace accord::note {
namespace {

// The example checkpoint of c2sp.org/tlog-cosignature, and a cosignature over it by the
// witness whose seed is 32 bytes of 0x42, at the spec's example time. The expected line
// and vkey were produced by a separate Go implementation written from the spec and run
// through golang.org/x/mod/sumdb/note.Sign.
constexpr std::string_view kCheckpointText =
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
constexpr uint64_t kTime = 1679315147;
constexpr std::string_view kWitnessName = "witness.example/w1";
constexpr std::string_view kWitnessVkey =
    "witness.example/w1+f1ed8c47+BCFS+NGbeR0kRTJC4V8uq2y3z/p7al7TAJeWDgaYgdsS";
const std::string kGoCosignatureLine =
    "\xE2\x80\x94 witness.example/w1 "
    "8e2MRwAAAABkGFDLEqgtDUsneMqeLcGMqk8Xx08OQIVxF72ZJmEtUU5sbo5WiTljN+UF1cQ+"
    "vSoh1gRQ0wV3Nz9m8DFvjwH"
    "DTDcQBA==\n";

std::vector<uint8_t> Seed42() { return std::vector<uint8_t>(32, 0x42); }

CosignatureV1Signer WitnessSigner() {
  auto pair = GenerateCosignerKeyFromSeed(kWitnessName, Seed42());
  EXPECT_TRUE(pair.ok()) << pair.status();
  auto signer = NewCosignatureSigner(pair->private_key);
  EXPECT_TRUE(signer.ok()) << signer.status();
  return *std::move(signer);
}

TEST(Cosignature, MatchesIndependentImplementation) {
  auto pair = GenerateCosignerKeyFromSeed(kWitnessName, Seed42());
  ASSERT_TRUE(pair.ok());
  EXPECT_EQ(pair->verifier_key, kWitnessVkey);
  EXPECT_TRUE(pair->private_key.starts_with("PRIVATE+KEY+witness.example/w1+f1ed8c47+B"));
  auto line = Cosign(kCheckpointText, WitnessSigner(), kTime);
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(*line, kGoCosignatureLine);
}

TEST(Cosignature, MessageFormat) {
  EXPECT_EQ(CosignatureV1Message(kCheckpointText, kTime),
            "cosignature/v1\ntime 1679315147\n" + std::string(kCheckpointText));
  EXPECT_EQ(CosignatureV1Message("o\n", 0), "cosignature/v1\ntime 0\no\n");
}

TEST(Cosignature, OpenWithLogAndWitnessVerifiers) {
  auto log_signer = NewSigner(GenerateKey("example.com/behind-the-sofa")->private_key);
  ASSERT_TRUE(log_signer.ok());
  auto log_verifier = log_signer->MakeVerifier();
  auto checkpoint = ParseCheckpoint(kCheckpointText);
  ASSERT_TRUE(checkpoint.ok());
  auto signed_note = SignCheckpoint(*checkpoint, *log_signer);
  ASSERT_TRUE(signed_note.ok());
  const std::string cosigned = *signed_note + kGoCosignatureLine;

  // Through the generic key factory: the type 0x04 vkey yields a cosignature verifier.
  auto witness = NewVerifier(kWitnessVkey);
  ASSERT_TRUE(witness.ok()) << witness.status();
  auto opened =
      OpenCheckpoint(cosigned, "example.com/behind-the-sofa", log_verifier, {witness->get()});
  ASSERT_TRUE(opened.ok()) << opened.status();
  ASSERT_EQ(opened->note.signatures.size(), 2u);
  const Signature& cosig = opened->note.signatures[1];
  EXPECT_EQ(cosig.name, kWitnessName);
  EXPECT_EQ(cosig.key_hash, 0xf1ed8c47u);
  auto ts = CosignatureTimestamp(cosig);
  ASSERT_TRUE(ts.ok());
  EXPECT_EQ(*ts, kTime);

  // Without the witness verifier, the cosignature is merely reported.
  auto log_only = OpenCheckpoint(cosigned, "example.com/behind-the-sofa", log_verifier);
  ASSERT_TRUE(log_only.ok()) << log_only.status();
  EXPECT_EQ(log_only->note.unverified.size(), 1u);

  // A witness alone may open a note, if the caller asks for no log signature.
  auto witness_only = Open(cosigned, {witness->get()});
  ASSERT_TRUE(witness_only.ok()) << witness_only.status();
  EXPECT_EQ(witness_only->signatures.size(), 1u);
}

TEST(Cosignature, VerifyReturnsTimestamp) {
  const CosignatureV1Signer signer = WitnessSigner();
  const CosignatureV1Verifier verifier = signer.MakeVerifier();
  EXPECT_EQ(signer.VerifierKeyString(), kWitnessVkey);
  for (uint64_t t : {uint64_t{0}, kTime, kMaxCosignatureTimestamp}) {
    auto sig = signer.Sign(kCheckpointText, t);
    ASSERT_TRUE(sig.ok()) << sig.status();
    ASSERT_EQ(sig->size(), kCosignatureV1Size);
    auto verified = verifier.VerifyCosignature(kCheckpointText, *sig);
    ASSERT_TRUE(verified.ok()) << verified.status();
    EXPECT_EQ(*verified, t);
    EXPECT_TRUE(verifier.Verify(kCheckpointText, *sig));
  }
}

TEST(Cosignature, VerifyRejects) {
  const CosignatureV1Signer signer = WitnessSigner();
  const CosignatureV1Verifier verifier = signer.MakeVerifier();
  auto sig = *signer.Sign(kCheckpointText, kTime);

  auto shorter = std::vector<uint8_t>(sig.begin(), sig.end() - 1);
  auto longer = sig;
  longer.push_back(0);
  EXPECT_FALSE(verifier.VerifyCosignature(kCheckpointText, shorter).ok());
  EXPECT_FALSE(verifier.VerifyCosignature(kCheckpointText, longer).ok());

  auto other_time = sig;
  other_time[7] ^= 1;  // the signed message names the time: it cannot be changed
  EXPECT_EQ(verifier.VerifyCosignature(kCheckpointText, other_time).status().code(),
            absl::StatusCode::kPermissionDenied);

  auto too_late = sig;
  too_late[0] = 0x80;
  auto late = verifier.VerifyCosignature(kCheckpointText, too_late);
  EXPECT_NE(late.status().message().find("2^63"), absl::string_view::npos) << late.status();

  std::string tampered(kCheckpointText);
  tampered[tampered.find("20852163")] = '3';
  EXPECT_FALSE(verifier.Verify(tampered, sig));

  // Extension lines are covered.
  const std::string with_ext = std::string(kCheckpointText) + "ext\n";
  auto ext_sig = *signer.Sign(with_ext, kTime);
  EXPECT_TRUE(verifier.Verify(with_ext, ext_sig));
  EXPECT_FALSE(verifier.Verify(std::string(kCheckpointText) + "exu\n", ext_sig));
  EXPECT_FALSE(verifier.Verify(kCheckpointText, ext_sig));
}

TEST(Cosignature, InvalidCosignatureRejectsTheNote) {
  auto log_signer = NewSigner(GenerateKey("example.com/behind-the-sofa")->private_key);
  auto log_verifier = log_signer->MakeVerifier();
  auto signed_note = SignCheckpoint(*ParseCheckpoint(kCheckpointText), *log_signer);
  std::string bad_line = kGoCosignatureLine;
  // Base64 characters 16 and on encode the Ed25519 signature (after hash and time).
  bad_line.replace(bad_line.find(' ', 4) + 1 + 40, 4, "ABCD");
  auto witness = NewVerifier(kWitnessVkey);
  auto opened = OpenCheckpoint(*signed_note + bad_line, "example.com/behind-the-sofa", log_verifier,
                               {witness->get()});
  EXPECT_TRUE(IsInvalidSignature(opened.status())) << opened.status();
}

TEST(Cosignature, PlainAndCosignatureKeysAreDistinct) {
  // Same seed and name as a plain note key: different key hash, and neither verifies
  // the other's signatures.
  auto plain = GenerateKeyFromSeed(kWitnessName, Seed42());
  auto plain_signer = NewSigner(plain->private_key);
  ASSERT_TRUE(plain_signer.ok());
  const CosignatureV1Signer cosigner = WitnessSigner();
  EXPECT_NE(plain_signer->KeyHash(), cosigner.KeyHash());
  auto plain_sig = *plain_signer->Sign(kCheckpointText);
  EXPECT_FALSE(cosigner.MakeVerifier().Verify(kCheckpointText, plain_sig));
  auto cosig = *cosigner.Sign(kCheckpointText, kTime);
  EXPECT_FALSE(plain_signer->MakeVerifier().Verify(kCheckpointText, cosig));

  EXPECT_FALSE(NewCosignatureSigner(plain->private_key).ok());
  EXPECT_FALSE(NewCosignatureVerifier(plain->verifier_key).ok());
  EXPECT_TRUE(NewCosignatureVerifier(kWitnessVkey).ok());
}

TEST(Cosignature, CosignRejectsBadInput) {
  const CosignatureV1Signer signer = WitnessSigner();
  EXPECT_EQ(Cosign("not a checkpoint\n", signer, kTime).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Cosign(kCheckpointText, signer, kMaxCosignatureTimestamp + 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Cosign(kCheckpointText, signer, kMaxCosignatureTimestamp).ok());
}

TEST(Cosignature, KeysRoundTripAndManglingsFail) {
  auto pair = GenerateCosignerKey("w.example");
  ASSERT_TRUE(pair.ok()) << pair.status();
  auto signer = NewCosignatureSigner(pair->private_key);
  ASSERT_TRUE(signer.ok()) << signer.status();
  auto verifier = NewCosignatureVerifier(pair->verifier_key);
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  EXPECT_EQ(signer->KeyHash(), (*verifier)->KeyHash());
  auto sig = signer->Sign(kCheckpointText, 5);
  EXPECT_TRUE((*verifier)->Verify(kCheckpointText, *sig));

  EXPECT_FALSE(GenerateCosignerKey("bad name").ok());
  EXPECT_FALSE(GenerateCosignerKeyFromSeed("ok", std::vector<uint8_t>(33)).ok());
  for (size_t i = 0; i < pair->private_key.size(); ++i) {
    std::string bad = pair->private_key;
    ++bad[i];
    EXPECT_FALSE(NewCosignatureSigner(bad).ok()) << i;
  }
  std::string wrong_hash = pair->verifier_key;
  wrong_hash[wrong_hash.find('+') + 1] ^= 1;
  EXPECT_FALSE(NewCosignatureVerifier(wrong_hash).ok());
}

TEST(Cosignature, TimestampOfThirdPartySignature) {
  // From transparency-dev/formats' tests: a cosignature/v1 made at 1727964367.
  auto raw = util::Base64Decode(
      "ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEB"
      "YJXORmnFBOBA==");
  ASSERT_TRUE(raw.has_value());
  Signature sig{"w", 0x646846b9, std::vector<uint8_t>(raw->begin() + 4, raw->end())};
  auto ts = CosignatureTimestamp(sig);
  ASSERT_TRUE(ts.ok()) << ts.status();
  EXPECT_EQ(*ts, 1727964367u);
  sig.signature.resize(64);  // a plain Ed25519 signature
  EXPECT_EQ(CosignatureTimestamp(sig).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace accord::note
