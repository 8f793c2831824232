#include "src/note/note.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/note/testing.h"
#include "src/util/encoding.h"

namespace accord::note {
namespace {

// Test vectors from Go's golang.org/x/mod/sumdb/note (note_test.go).
using testing::kEnochVkey;
using testing::kPeterSkey;
using testing::kPeterVkey;
const std::string kText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
const std::string kPeterSig =
    "\xE2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const std::string kEnochSig =
    "\xE2\x80\x94 EnochRoot "
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/"
    "5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

std::unique_ptr<Verifier> MustVerifier(std::string_view vkey) {
  auto v = NewVerifier(vkey);
  EXPECT_TRUE(v.ok()) << v.status();
  return *std::move(v);
}

Signature SigFromLine(std::string_view line) {
  Signature sig;
  line.remove_prefix(4);  // "— "
  size_t space = line.find(' ');
  sig.name = std::string(line.substr(0, space));
  auto raw = util::Base64Decode(line.substr(space + 1, line.size() - space - 2));
  EXPECT_TRUE(raw.has_value());
  sig.key_hash = (uint32_t{(*raw)[0]} << 24) | (uint32_t{(*raw)[1]} << 16) |
                 (uint32_t{(*raw)[2]} << 8) | (*raw)[3];
  sig.signature.assign(raw->begin() + 4, raw->end());
  return sig;
}

// Accepts every signature: shows which keys Open consults.
class FakeVerifier : public Verifier {
 public:
  FakeVerifier(std::string name, uint32_t hash) : name_(std::move(name)), hash_(hash) {}
  std::string_view Name() const override { return name_; }
  uint32_t KeyHash() const override { return hash_; }
  bool Verify(std::string_view, std::span<const uint8_t>) const override { return true; }

 private:
  std::string name_;
  uint32_t hash_;
};

class NoteTest : public ::testing::Test {
 protected:
  std::unique_ptr<Verifier> peter_ = MustVerifier(kPeterVkey);
  std::unique_ptr<Verifier> enoch_ = MustVerifier(kEnochVkey);
  Signature peter_sig_ = SigFromLine(kPeterSig);
  Signature enoch_sig_ = SigFromLine(kEnochSig);
};

TEST_F(NoteTest, SignMatchesGo) {
  auto signer = NewSigner(kPeterSkey);
  ASSERT_TRUE(signer.ok()) << signer.status();
  auto msg = Sign(kText, {&*signer});
  ASSERT_TRUE(msg.ok()) << msg.status();
  EXPECT_EQ(*msg, kText + "\n" + kPeterSig);

  // An existing signature by the same key is replaced by the new one.
  Note note{kText, {{"PeterNeumann", 0xc74f20a3, {1, 2, 3}}}, {}};
  auto replaced = Sign(note, {&*signer});
  ASSERT_TRUE(replaced.ok()) << replaced.status();
  EXPECT_EQ(*replaced, kText + "\n" + kPeterSig);
}

TEST_F(NoteTest, SignKeepsOtherSignaturesFirst) {
  auto signer = NewSigner(kPeterSkey);
  ASSERT_TRUE(signer.ok());
  Note note{kText, {}, {enoch_sig_}};
  auto msg = Sign(note, {&*signer});
  ASSERT_TRUE(msg.ok()) << msg.status();
  EXPECT_EQ(*msg, kText + "\n" + kEnochSig + kPeterSig);
  // No new signers re-emits the note as it was.
  Note both{kText, {peter_sig_}, {enoch_sig_}};
  auto again = Sign(both, {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, kText + "\n" + kPeterSig + kEnochSig);
}

class FailingSigner : public Signer {
 public:
  std::string_view Name() const override { return name_; }
  uint32_t KeyHash() const override { return 1; }
  absl::StatusOr<std::vector<uint8_t>> Sign(std::string_view) const override {
    return absl::UnavailableError("hardware key unplugged");
  }
  std::string name_ = "ok";
};

TEST_F(NoteTest, SignRejectsBadInput) {
  auto signer = NewSigner(kPeterSkey);
  ASSERT_TRUE(signer.ok());
  const Signer* peter = &*signer;
  for (std::string_view text : {"", "abc", "no final newline\nabc", "tab\there\n", "bad\xFF\n"}) {
    EXPECT_EQ(Sign(text, {peter}).status().code(), absl::StatusCode::kInvalidArgument) << text;
  }
  EXPECT_EQ(Sign(kText, {}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Sign(kText, {peter, peter}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(Sign(Note{kText, {}, {}}, {}).ok());  // nothing to emit
  EXPECT_FALSE(Sign(Note{kText, {{"a+b", 1, {1}}}, {}}, {}).ok());
  EXPECT_FALSE(Sign(Note{kText, {{"ok", 1, {}}}, {}}, {}).ok());

  FailingSigner bad_name;
  bad_name.name_ = "bad name";
  EXPECT_EQ(Sign(kText, {&bad_name}).status().code(), absl::StatusCode::kInvalidArgument);
  FailingSigner failing;
  auto s = Sign(kText, {&failing}).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("hardware key unplugged"), absl::string_view::npos) << s;
}

TEST_F(NoteTest, SignEnforcesLimits) {
  std::vector<Signature> many(kMaxSignatures, peter_sig_);
  for (size_t i = 0; i < many.size(); ++i) many[i].key_hash = static_cast<uint32_t>(i);
  EXPECT_TRUE(Sign(Note{kText, many, {}}, {}).ok());
  many.push_back(peter_sig_);
  EXPECT_EQ(Sign(Note{kText, many, {}}, {}).status().code(), absl::StatusCode::kInvalidArgument);
  auto signer = NewSigner(kPeterSkey);
  std::string huge(kMaxNoteSize - 10, 'x');
  huge += "\n";
  EXPECT_EQ(Sign(huge, {&*signer}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(NoteTest, OpenOneVerifiedOneUnknown) {
  auto n = Open(kText + "\n" + kPeterSig + kEnochSig, {peter_.get()});
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(n->text, kText);
  EXPECT_EQ(n->signatures, std::vector<Signature>{peter_sig_});
  EXPECT_EQ(n->unverified, std::vector<Signature>{enoch_sig_});
}

TEST_F(NoteTest, OpenBothVerified) {
  auto n = Open(kText + "\n" + kPeterSig + kEnochSig, {peter_.get(), enoch_.get()});
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(n->signatures, (std::vector<Signature>{peter_sig_, enoch_sig_}));
  EXPECT_TRUE(n->unverified.empty());
}

TEST_F(NoteTest, OpenNoKnownKey) {
  auto n = Open(kText + "\n" + kPeterSig + kEnochSig, {});
  EXPECT_TRUE(IsUnverifiedNote(n.status())) << n.status();
  EXPECT_FALSE(IsMalformedNote(n.status()));
  EXPECT_NE(n.status().message().find("no known key signed this note"), absl::string_view::npos);
  // A known key that shares only the name, or only the hash, does not match.
  FakeVerifier same_name("PeterNeumann", 0xc74f20a4), same_hash("PeterNeuman", 0xc74f20a3);
  auto n2 = Open(kText + "\n" + kPeterSig, {&same_name, &same_hash});
  EXPECT_TRUE(IsUnverifiedNote(n2.status())) << n2.status();
  // Parse reports what Open would have ignored.
  auto parsed = Parse(kText + "\n" + kPeterSig + kEnochSig);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->unverified, (std::vector<Signature>{peter_sig_, enoch_sig_}));
}

TEST_F(NoteTest, OpenAmbiguousVerifiers) {
  auto n = Open(kText + "\n" + kEnochSig, {enoch_.get(), peter_.get(), enoch_.get()});
  EXPECT_EQ(n.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(n.status().message().find("ambiguous key EnochRoot+af0cfe78"), absl::string_view::npos);
  // An ambiguity that no signature touches is harmless.
  EXPECT_TRUE(Open(kText + "\n" + kPeterSig, {enoch_.get(), peter_.get(), enoch_.get()}).ok());
}

TEST_F(NoteTest, OpenTooManySignatures) {
  std::string sigs;
  for (size_t i = 0; i < kMaxSignatures; ++i) sigs += kPeterSig;
  EXPECT_TRUE(Open(kText + "\n" + sigs, {peter_.get()}).ok());
  sigs += kPeterSig;
  for (const auto& known :
       {std::vector<const Verifier*>{peter_.get()}, std::vector<const Verifier*>{}}) {
    auto n = Open(absl::StrCat(kText, "\n", sigs), known);
    EXPECT_TRUE(IsMalformedNote(n.status())) << n.status();
  }
}

TEST_F(NoteTest, OpenTooLarge) {
  std::string text(kMaxNoteSize, 'x');
  text.back() = '\n';
  auto n = Open(text + "\n" + kPeterSig, {peter_.get()});
  EXPECT_TRUE(IsMalformedNote(n.status())) << n.status();
}

TEST_F(NoteTest, OpenInvalidSignature) {
  std::string bad = kPeterSig.substr(0, 60) + "ABCD" + kPeterSig.substr(60);
  auto n = Open(kText + "\n" + bad, {peter_.get()});
  EXPECT_TRUE(IsInvalidSignature(n.status())) << n.status();
  EXPECT_EQ(n.status().message(), "invalid signature for key PeterNeumann+c74f20a3");
  // A valid signature beside it does not save the note.
  EXPECT_TRUE(IsInvalidSignature(
      Open(kText + "\n" + kEnochSig + bad, {peter_.get(), enoch_.get()}).status()));
}

TEST_F(NoteTest, OpenTamperedText) {
  std::string text = kText;
  text[3] = 'Y';
  EXPECT_TRUE(IsInvalidSignature(Open(text + "\n" + kPeterSig, {peter_.get()}).status()));
  // Adding a line to the text (before the blank line) changes what was signed.
  EXPECT_TRUE(IsInvalidSignature(Open(kText + "extra\n\n" + kPeterSig, {peter_.get()}).status()));
}

TEST_F(NoteTest, OpenDuplicates) {
  std::string enoch_abcd = kEnochSig.substr(0, 60) + "ABCD" + kEnochSig.substr(60);
  auto n = Open(kText + "\n" + kPeterSig + kPeterSig + kEnochSig + kEnochSig + enoch_abcd,
                {peter_.get()});
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(n->signatures, std::vector<Signature>{peter_sig_});
  EXPECT_EQ(n->unverified, (std::vector<Signature>{enoch_sig_, SigFromLine(enoch_abcd)}));
  // Only the first signature by a known key is checked, as in Go.
  std::string peter_abcd = kPeterSig.substr(0, 60) + "ABCD" + kPeterSig.substr(60);
  EXPECT_TRUE(Open(kText + "\n" + kPeterSig + peter_abcd, {peter_.get()}).ok());
  EXPECT_TRUE(
      IsInvalidSignature(Open(kText + "\n" + peter_abcd + kPeterSig, {peter_.get()}).status()));
}

TEST_F(NoteTest, OpenMalformed) {
  const std::string bad_msgs[] = {
      kText, kText + "\n", kText + "\n" + kPeterSig.substr(0, kPeterSig.size() - 1),
      "\x01" + kText + "\n" + kPeterSig, "\xff" + kText + "\n" + kPeterSig,
      kText + "\n" +
          "\xE2\x80\x94 Bad Name "
          "x08go/ZJkuBS9UG/"
          "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
      kText + "\n" + kPeterSig + "Unexpected line.\n",
      // Beyond Go's list:
      "", "\n\n",
      kText + "\n" + "- PeterNeumann AAAAAAA=\n",                            // ASCII dash
      kText + "\n" + "\xE2\x80\x94PeterNeumann AAAAAAA=\n",                  // no space
      kText + "\n" + "\xE2\x80\x94 PeterNeumann\n",                          // no signature
      kText + "\n" + "\xE2\x80\x94 PeterNeumann \n",                         // empty base64
      kText + "\n" + "\xE2\x80\x94 PeterNeumann AAAAAA==\n",                 // 4 bytes: no sig
      kText + "\n" + "\xE2\x80\x94 PeterNeumann AAAAAAA\n",                  // unpadded
      kText + "\n" + "\xE2\x80\x94 PeterNeumann AAAA AAA=\n",                // space inside
      kText + "\n" + "\xE2\x80\x94 PeterNeumann !AAAAAA=\n",                 // not base64
      kText + "\n" + "\xE2\x80\x94  AAAAAAA=\n",                             // empty name
      kText + "\n" + "\xE2\x80\x94 a+b AAAAAAA=\n",                          // '+' in name
      kText + "\n" + kPeterSig + "\n",                                       // blank line at end
      kText + "\n" + kPeterSig.substr(0, 20) + "\t" + kPeterSig.substr(20),  // control char
      kText + "\r\n" + kPeterSig,                                            // CR
  };
  for (const std::string& msg : bad_msgs) {
    auto n = Open(msg, {peter_.get()});
    EXPECT_TRUE(IsMalformedNote(n.status())) << ::testing::PrintToString(msg) << " " << n.status();
    EXPECT_TRUE(IsMalformedNote(Parse(msg).status())) << ::testing::PrintToString(msg);
  }
}

// accord's base64 is canonical-only, so a signature whose padding bits are not zero is
// malformed here although Go's decoder would accept it (and verify the same bytes).
TEST_F(NoteTest, OpenRejectsNonCanonicalBase64) {
  std::string line = kPeterSig;
  size_t pad = line.find("=\n");
  ASSERT_EQ(line[pad - 1], 'M');  // 'M' = 001100: its last two bits are padding
  line[pad - 1] = 'N';
  EXPECT_TRUE(IsMalformedNote(Open(kText + "\n" + line, {peter_.get()}).status()));
}

TEST_F(NoteTest, TextWithBlankLinesRoundTrips) {
  auto signer = NewSigner(kPeterSkey);
  ASSERT_TRUE(signer.ok());
  auto verifier = signer->MakeVerifier();
  for (std::string text : {"a\n\nb\n", "\n", "\n\n\n", "x\n\n", "— looks like a signature\n\n"}) {
    auto msg = Sign(text, {&*signer});
    ASSERT_TRUE(msg.ok()) << msg.status();
    auto n = Open(*msg, {&verifier});
    ASSERT_TRUE(n.ok()) << ::testing::PrintToString(text) << n.status();
    EXPECT_EQ(n->text, text);
  }
}

// The signed-note spec's own example (c2sp.org/signed-note, "Verifier keys").
TEST(NoteSpec, ExampleVerifies) {
  auto v = NewVerifier("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k");
  ASSERT_TRUE(v.ok()) << v.status();
  auto n = Open(
      "This is an example message.\n\n"
      "\xE2\x80\x94 example.com/foo "
      "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM="
      "\n",
      {v->get()});
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(n->text, "This is an example message.\n");
}

TEST(NoteFormatSignatureLine, MatchesNoteSyntax) {
  Signature sig{"n", 0x01020304, {0xff}};
  EXPECT_EQ(FormatSignatureLine(sig), "\xE2\x80\x94 n AQIDBP8=\n");
}

}  // namespace
}  // namespace accord::note
