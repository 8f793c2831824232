#include "src/note/keys.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "src/note/cosignature.h"
#include "src/note/testing.h"
#include "src/util/encoding.h"

namespace accord::note {
namespace {

// Test vectors from Go's golang.org/x/mod/sumdb/note (note_test.go, example_test.go).
using testing::kEnochVkey;
using testing::kPeterSkey;
using testing::kPeterVkey;

// Keys and seed that Go's note.GenerateKey(bytes.NewReader(seed), "accord.example/log")
// printed for the seed 00 01 02 ... 1f (checked with Go 1.19, x/mod 0.7.0).
constexpr std::string_view kGoSeededSkey =
    "PRIVATE+KEY+accord.example/log+22964dbd+AQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f";
constexpr std::string_view kGoSeededVkey =
    "accord.example/log+22964dbd+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4";

std::vector<uint8_t> Seed0To31() {
  std::vector<uint8_t> seed(32);
  for (int i = 0; i < 32; ++i) seed[i] = static_cast<uint8_t>(i);
  return seed;
}

TEST(NoteKeys, GoVectorsParse) {
  auto signer = NewSigner(kPeterSkey);
  ASSERT_TRUE(signer.ok()) << signer.status();
  EXPECT_EQ(signer->Name(), "PeterNeumann");
  EXPECT_EQ(signer->KeyHash(), 0xc74f20a3u);
  EXPECT_EQ(signer->VerifierKeyString(), kPeterVkey);

  auto verifier = NewVerifier(kPeterVkey);
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  EXPECT_EQ((*verifier)->Name(), "PeterNeumann");
  EXPECT_EQ((*verifier)->KeyHash(), 0xc74f20a3u);

  auto enoch = NewVerifier(kEnochVkey);
  ASSERT_TRUE(enoch.ok()) << enoch.status();
  EXPECT_EQ((*enoch)->KeyHash(), 0xaf0cfe78u);
}

TEST(NoteKeys, GenerateKeyFromSeedMatchesGo) {
  auto pair = GenerateKeyFromSeed("accord.example/log", Seed0To31());
  ASSERT_TRUE(pair.ok()) << pair.status();
  EXPECT_EQ(pair->private_key, kGoSeededSkey);
  EXPECT_EQ(pair->verifier_key, kGoSeededVkey);
}

// Other implementations' keys: a plain Ed25519 vkey and a type 0x04 witness vkey from
// transparency-dev/formats' tests. Parsing checks the hash over name, type and key.
TEST(NoteKeys, ThirdPartyVerifierKeysParse) {
  auto plain = ParseVerifierKey("TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6");
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->type, kSignatureTypeEd25519);
  auto witness =
      ParseVerifierKey("remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2");
  ASSERT_TRUE(witness.ok()) << witness.status();
  EXPECT_EQ(witness->type, kSignatureTypeCosignatureV1);
  EXPECT_EQ(witness->key_hash, 0xda77ade7u);
  auto v = NewVerifier("remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_NE(dynamic_cast<const CosignatureV1Verifier*>(v->get()), nullptr);
}

// As Go's TestNewVerifier: every proper substring and every single-byte increment of a
// valid verifier key is rejected.
TEST(NoteKeys, VerifierKeyManglingsRejected) {
  const std::string vkey(kPeterVkey);
  for (size_t i = 0; i <= vkey.size(); ++i) {
    for (size_t j = i + 1; j <= vkey.size(); ++j) {
      if (i == 0 && j == vkey.size()) continue;
      std::string sub = vkey.substr(i, j - i);
      EXPECT_FALSE(NewVerifier(sub).ok()) << sub;
    }
  }
  for (size_t i = 0; i < vkey.size(); ++i) {
    std::string bad = vkey;
    ++bad[i];
    EXPECT_FALSE(NewVerifier(bad).ok()) << bad;
  }
  // Wrong key length and unknown algorithm, each with a key hash that matches.
  auto wrong_length =
      NewVerifier("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==");
  // (Go rejects this one for its length; accord already for its non-canonical base64.)
  EXPECT_EQ(wrong_length.status().code(), absl::StatusCode::kInvalidArgument);
  auto short_key =
      NewVerifier(*FormatVerifierKey("k", kSignatureTypeEd25519, std::vector<uint8_t>(31)));
  EXPECT_EQ(short_key.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(short_key.status().message().find("31 bytes, want 32"), absl::string_view::npos)
      << short_key.status();
  auto unknown_type =
      NewVerifier("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  EXPECT_EQ(unknown_type.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(unknown_type.status().message().find("0x65"), absl::string_view::npos);
}

TEST(NoteKeys, PrivateKeyManglingsRejected) {
  const std::string skey(kPeterSkey);
  for (size_t i = 0; i <= skey.size(); ++i) {
    for (size_t j = i + 1; j <= skey.size(); ++j) {
      if (i == 0 && j == skey.size()) continue;
      EXPECT_FALSE(NewSigner(skey.substr(i, j - i)).ok()) << skey.substr(i, j - i);
    }
  }
  for (size_t i = 0; i < skey.size(); ++i) {
    std::string bad = skey;
    ++bad[i];
    EXPECT_FALSE(NewSigner(bad).ok()) << bad;
  }
}

TEST(NoteKeys, ErrorsNameTheFault) {
  EXPECT_NE(NewVerifier("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
                .status()
                .message()
                .find("does not match"),
            absl::string_view::npos);
  EXPECT_NE(NewVerifier("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
                .status()
                .message()
                .find("malformed verifier key"),
            absl::string_view::npos);
  // A private key's error never repeats the key.
  std::string bad_hash(kPeterSkey);
  bad_hash.replace(bad_hash.find("c74f20a3"), 8, "c74f20a4");
  auto s = NewSigner(bad_hash).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("does not match"), absl::string_view::npos);
  EXPECT_EQ(s.message().find("AYEKFALV"), absl::string_view::npos);
  // Upper-case hex is accepted, as Go's strconv.ParseUint does.
  EXPECT_TRUE(
      NewVerifier("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").ok());
}

TEST(NoteKeys, SignerTypeMustMatch) {
  auto witness = GenerateCosignerKeyFromSeed("w.example", Seed0To31());
  ASSERT_TRUE(witness.ok());
  auto as_plain = NewSigner(witness->private_key);
  EXPECT_EQ(as_plain.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(as_plain.status().message().find("0x04"), absl::string_view::npos);
}

TEST(NoteKeys, GenerateKeyRoundTrip) {
  auto pair = GenerateKey("EnochRoot");
  ASSERT_TRUE(pair.ok()) << pair.status();
  auto signer = NewSigner(pair->private_key);
  ASSERT_TRUE(signer.ok()) << signer.status();
  auto verifier = NewVerifier(pair->verifier_key);
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  EXPECT_EQ(signer->Name(), "EnochRoot");
  EXPECT_EQ((*verifier)->Name(), "EnochRoot");
  EXPECT_EQ(signer->KeyHash(), (*verifier)->KeyHash());

  std::string msg = "hi";
  auto sig = signer->Sign(msg);
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE((*verifier)->Verify(msg, *sig));
  (*sig)[0]++;
  EXPECT_FALSE((*verifier)->Verify(msg, *sig));
  (*sig)[0]--;
  EXPECT_FALSE((*verifier)->Verify("hj", *sig));

  auto other = GenerateKey("EnochRoot");
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->private_key, pair->private_key);
}

TEST(NoteKeys, GenerateKeyRejectsBadInput) {
  for (std::string_view name : {"", "a+b", "a b", "tab\there", "nbsp\xC2\xA0", "bad\xFF"}) {
    EXPECT_EQ(GenerateKey(name).status().code(), absl::StatusCode::kInvalidArgument) << name;
  }
  EXPECT_EQ(GenerateKeyFromSeed("ok", std::vector<uint8_t>(31)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(NoteKeys, NewEd25519VerifierKeyMatchesSigner) {
  auto signer = NewSigner(kPeterSkey);
  ASSERT_TRUE(signer.ok());
  auto vkey = NewEd25519VerifierKey("PeterNeumann", signer->MakeVerifier().public_key());
  ASSERT_TRUE(vkey.ok());
  EXPECT_EQ(*vkey, kPeterVkey);
  EXPECT_FALSE(NewEd25519VerifierKey("bad name", signer->MakeVerifier().public_key()).ok());
}

TEST(NoteKeys, ComputeKeyHashSeparatesTypes) {
  auto v = ParseVerifierKey(kPeterVkey);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(ComputeKeyHash(v->name, kSignatureTypeEd25519, v->public_key), 0xc74f20a3u);
  EXPECT_NE(ComputeKeyHash(v->name, kSignatureTypeCosignatureV1, v->public_key), 0xc74f20a3u);
}

TEST(NoteKeys, FormatPrivateKeyRejectsBadName) {
  EXPECT_FALSE(FormatPrivateKey("a+b", 0, 1, std::vector<uint8_t>(32)).ok());
  EXPECT_FALSE(FormatVerifierKey("", 1, std::vector<uint8_t>(32)).ok());
}

}  // namespace
}  // namespace accord::note
