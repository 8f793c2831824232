#include "src/note/checkpoint.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "src/crypto/sha256.h"
#include "src/util/encoding.h"

namespace accord::note {
namespace {

// A small log written by Tessera (shared/testdata/README.md).
constexpr std::string_view kTesseraOrigin = "example.com/log/testdata";
constexpr std::string_view kTesseraVkey =
    "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx";

// The example of c2sp.org/tlog-checkpoint.
constexpr std::string_view kSpecText =
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

// A file of ../shared/testdata. There is no substitute for another implementation's
// output, so a missing file fails the test that reads it.
std::string ReadTestdata(const std::string& name) {
  const std::string path = std::string(ACCORD_SHARED_TESTDATA) + "/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot read " << path << ": the Tessera log of ../shared/testdata "
                  << "(shared/testdata/README.md; ACCORD_SHARED_TESTDATA) is missing";
    return "";
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Checkpoint Example() {
  Checkpoint cp;
  cp.origin = "accord.example/log";
  cp.size = 42;
  for (size_t i = 0; i < cp.root_hash.size(); ++i) cp.root_hash[i] = static_cast<uint8_t>(i);
  return cp;
}

TEST(Checkpoint, TesseraVectorsOpen) {
  auto verifier = NewVerifier(kTesseraVkey);
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  for (int n = 0; n <= 15; ++n) {
    const std::string signed_note = ReadTestdata("tessera-log/checkpoint." + std::to_string(n));
    ASSERT_FALSE(signed_note.empty()) << "missing checkpoint." << n;
    auto opened = OpenCheckpoint(signed_note, kTesseraOrigin, **verifier);
    ASSERT_TRUE(opened.ok()) << n << ": " << opened.status();
    EXPECT_EQ(opened->checkpoint.origin, kTesseraOrigin);
    EXPECT_EQ(opened->checkpoint.size, static_cast<uint64_t>(n));
    EXPECT_TRUE(opened->checkpoint.extensions.empty());
    EXPECT_EQ(FormatCheckpoint(opened->checkpoint), opened->note.text);
    ASSERT_EQ(opened->note.signatures.size(), 1u);
    EXPECT_EQ(opened->note.signatures[0].key_hash, 0x33d7b496u);
    if (n == 0) {
      EXPECT_EQ(opened->checkpoint.root_hash, crypto::Sha256(""));
    }
  }
  auto latest = OpenCheckpoint(ReadTestdata("tessera-log/checkpoint"), kTesseraOrigin, **verifier);
  ASSERT_TRUE(latest.ok()) << latest.status();
  EXPECT_EQ(latest->checkpoint.size, 15u);
}

TEST(Checkpoint, OpenRejectsWrongOriginKeyOrTampering) {
  auto verifier = NewVerifier(kTesseraVkey);
  ASSERT_TRUE(verifier.ok());
  const std::string signed_note = ReadTestdata("tessera-log/checkpoint.3");
  ASSERT_FALSE(signed_note.empty());

  auto wrong_origin = OpenCheckpoint(signed_note, "example.com/log/other", **verifier);
  EXPECT_EQ(wrong_origin.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(wrong_origin.status().message().find("origin"), absl::string_view::npos);

  auto other_key = GenerateKey("example.com/log/testdata");
  auto other = NewVerifier(other_key->verifier_key);
  EXPECT_TRUE(IsUnverifiedNote(OpenCheckpoint(signed_note, kTesseraOrigin, **other).status()));

  std::string tampered = signed_note;
  tampered[tampered.find("\n3\n") + 1] = '4';
  EXPECT_TRUE(IsInvalidSignature(OpenCheckpoint(tampered, kTesseraOrigin, **verifier).status()));
}

TEST(Checkpoint, OpenRequiresTheLogSignature) {
  auto log = GenerateKey("accord.example/log");
  auto stranger = GenerateKey("stranger.example");
  auto log_verifier = NewVerifier(log->verifier_key);
  auto stranger_signer = NewSigner(stranger->private_key);
  auto stranger_verifier = stranger_signer->MakeVerifier();
  auto signed_note = SignCheckpoint(Example(), *stranger_signer);
  ASSERT_TRUE(signed_note.ok());
  // The stranger is a known cosigner and verifies, but the log itself did not sign.
  auto opened =
      OpenCheckpoint(*signed_note, "accord.example/log", **log_verifier, {&stranger_verifier});
  EXPECT_TRUE(IsUnverifiedNote(opened.status())) << opened.status();
}

TEST(Checkpoint, SignOpenRoundTripWithExtensions) {
  auto log = GenerateKey("accord.example/log");
  auto signer = NewSigner(log->private_key);
  auto verifier = signer->MakeVerifier();
  Checkpoint cp = Example();
  cp.extensions = {"ext one", "— two"};
  auto signed_note = SignCheckpoint(cp, *signer);
  ASSERT_TRUE(signed_note.ok()) << signed_note.status();
  auto opened = OpenCheckpoint(*signed_note, cp.origin, verifier);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->checkpoint, cp);
}

TEST(Checkpoint, FormatAndParse) {
  Checkpoint cp = Example();
  const std::string text = FormatCheckpoint(cp);
  EXPECT_EQ(text, "accord.example/log\n42\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n");
  auto parsed = ParseCheckpoint(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, cp);

  auto spec = ParseCheckpoint(kSpecText);
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->origin, "example.com/behind-the-sofa");
  EXPECT_EQ(spec->size, 20852163u);
  EXPECT_EQ(FormatCheckpoint(*spec), kSpecText);

  // An origin need only be non-empty: spaces and '+' are allowed.
  auto odd = ParseCheckpoint("my log+1\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n");
  ASSERT_TRUE(odd.ok()) << odd.status();
  EXPECT_EQ(odd->origin, "my log+1");

  auto max = ParseCheckpoint("o\n18446744073709551615\n" + util::Base64Encode(cp.root_hash) + "\n");
  ASSERT_TRUE(max.ok()) << max.status();
  EXPECT_EQ(max->size, UINT64_MAX);
}

TEST(Checkpoint, ParseRejects) {
  const std::string root = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
  const std::string bad[] = {
      "",
      "o\n",
      "o\n1\n",
      "o\n1\n" + root,  // no final newline
      "\n1\n" + root + "\n",
      "o\n\n" + root + "\n",
      "o\n01\n" + root + "\n",
      "o\n00\n" + root + "\n",
      "o\n+1\n" + root + "\n",
      "o\n-1\n" + root + "\n",
      "o\n 1\n" + root + "\n",
      "o\n1 \n" + root + "\n",
      "o\n0x1\n" + root + "\n",
      "o\n1e3\n" + root + "\n",
      "o\n18446744073709551616\n" + root + "\n",
      "o\n99999999999999999999\n" + root + "\n",
      "o\n123456789012345678901\n" + root + "\n",
      "o\n1\n\n",
      "o\n1\nAAEC\n",                                          // 3 bytes
      "o\n1\n" + root.substr(0, 43) + "\n",                    // unpadded
      "o\n1\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9=\n",  // non-canonical bits
      "o\n1\n" + root + "AAAA\n",                              // 35 bytes
      "o\n1\n" + root + "\n\n",                                // empty extension line
      "o\n1\n" + root + "\next\n\n",
      "o\n1\n" + root + "\n\next\n",
      "o\t\n1\n" + root + "\n",    // control character
      "o\xFF\n1\n" + root + "\n",  // invalid UTF-8
  };
  for (const std::string& text : bad) {
    auto cp = ParseCheckpoint(text);
    EXPECT_EQ(cp.status().code(), absl::StatusCode::kInvalidArgument)
        << ::testing::PrintToString(text);
  }
}

TEST(Checkpoint, ValidateRejectsUnformattable) {
  Checkpoint cp = Example();
  EXPECT_TRUE(ValidateCheckpoint(cp).ok());
  for (std::string origin : {"", "a\nb", "tab\t", "bad\xFF"}) {
    cp.origin = origin;
    EXPECT_EQ(ValidateCheckpoint(cp).code(), absl::StatusCode::kInvalidArgument) << origin;
  }
  cp = Example();
  cp.extensions = {"ok", ""};
  EXPECT_FALSE(ValidateCheckpoint(cp).ok());
  cp.extensions = {"two\nlines"};
  EXPECT_FALSE(ValidateCheckpoint(cp).ok());

  auto signer = NewSigner(GenerateKey("k")->private_key);
  EXPECT_EQ(SignCheckpoint(cp, *signer).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(CheckpointDeathTest, FormatAbortsOnInvalid) {
  Checkpoint cp = Example();
  cp.origin = "two\nlines";
  EXPECT_DEATH(FormatCheckpoint(cp), "invalid checkpoint");
}

}  // namespace
}  // namespace accord::note
