#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/crypto/ed25519.h"
#include "src/statement/statement.h"
#include "src/statement/testing.h"
#include "src/tlog/hash.h"
#include "src/util/encoding.h"

namespace accord::statement {
namespace {

using ::testing::HasSubstr;
using testing::TestSigner;

TEST(StatementKind, NamesAndPayloadTypesRoundTrip) {
  for (Kind kind : kAllKinds) {
    EXPECT_EQ(ParseKind(KindName(kind)), kind);
    EXPECT_EQ(PayloadType(kind),
              "application/vnd.accord." + std::string(KindName(kind)) + ".v1+json");
    EXPECT_EQ(KindOfPayloadType(PayloadType(kind)), kind);
  }
  EXPECT_EQ(PayloadType(Kind::kEquivocation), "application/vnd.accord.equivocation.v1+json");
  EXPECT_EQ(ParseKind("Incident"), std::nullopt);
  EXPECT_EQ(ParseKind(""), std::nullopt);
  EXPECT_EQ(KindOfPayloadType("application/vnd.accord..v1+json"), std::nullopt);
  EXPECT_EQ(KindOfPayloadType("application/vnd.accord.claim.v2+json"), std::nullopt);
  EXPECT_EQ(KindOfPayloadType("application/vnd.accord.claim.v1+json "), std::nullopt);
  EXPECT_EQ(KindOfPayloadType("application/vnd.accord.v1+json"), std::nullopt);
  EXPECT_EQ(KindOfPayloadType("application/json"), std::nullopt);
}

// protocol.md, "Test Vectors".
TEST(StatementPae, SpecVector) {
  EXPECT_EQ(Pae("http://example.com/HelloWorld", "hello world"),
            "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
}

// Computed by hand from protocol.md's definition: LEN counts bytes, in decimal without
// leading zeros; the body may hold any bytes.
TEST(StatementPae, HandComputedVectors) {
  EXPECT_EQ(Pae("", ""), "DSSEv1 0  0 ");
  EXPECT_EQ(Pae("application/vnd.accord.incident.v1+json", "{}"),
            "DSSEv1 39 application/vnd.accord.incident.v1+json 2 {}");
  // "é" is two bytes in UTF-8; a NUL and a space inside the body count like any byte.
  EXPECT_EQ(Pae("t\xc3\xa9", std::string("a\0 b", 4)),
            std::string("DSSEv1 3 t\xc3\xa9 4 a\0 b", 19));
  EXPECT_EQ(Pae("x", std::string(1234, 'z')), "DSSEv1 1 x 1234 " + std::string(1234, 'z'));
}

TEST(StatementKeyId, IsVerifierKeyWithoutKeyMaterial) {
  note::Ed25519Signer signer = TestSigner("cert.example.ee/officer/kadri");
  const std::string vkey = signer.VerifierKeyString();
  EXPECT_EQ(KeyId(signer.MakeVerifier()), vkey.substr(0, vkey.rfind('+')));
  EXPECT_THAT(KeyId(signer.MakeVerifier()),
              ::testing::StartsWith("cert.example.ee/officer/kadri+"));
}

// Vectors made by an independent DSSE implementation — sigstore-js's preAuthEncoding
// with Node's Ed25519, by interop/dsse_interop.mjs — which also checks every example
// both ways. Ed25519 is deterministic, so accord must produce the same bytes.
constexpr char kVectorPayload[] = R"({"kind":"incident","issuer":"cert.example.ee/log"})";
// Signed by TestSigner("cert.example.ee/log") (seed: 32 bytes of 0x07).
constexpr char kVectorEnvelope[] =
    R"({"payload":"eyJraW5kIjoiaW5jaWRlbnQiLCJpc3N1ZXIiOiJjZXJ0LmV4YW1wbGUuZWUvbG9nIn0=",)"
    R"("payloadType":"application/vnd.accord.incident.v1+json","signatures":[{"keyid":)"
    R"("cert.example.ee/log+83d64f65","sig":"qjMK2ESQkA8wP2cAYYVknHA5MvMGVbySukpa82mZ2gaQb39)"
    R"(Vw5bGCmZTa0WLBazLpuLHZpAXMWwElnYqmdJJBQ=="}]})";
constexpr char kVectorVerifierKey[] =
    "cert.example.ee/log+83d64f65+AepKbGPinFIKvvVQexMuxfmVR3auvr57kkIe6mkURtIs";
// Signed in Node by a key accord never held (seed: 32 bytes of 0x2a).
constexpr char kForeignEnvelope[] =
    R"({"payload":"eyJraW5kIjoiaW5jaWRlbnQiLCJpc3N1ZXIiOiJjZXJ0LmV4YW1wbGUuZWUvbG9nIn0=",)"
    R"("payloadType":"application/vnd.accord.incident.v1+json","signatures":[{"keyid":)"
    R"("interop.example/key+25fa078c","sig":"Y8PnvQQaCXeheuAHHrGdnVH8IOEeIcSz32NTNjDxrGgntkVq)"
    R"(yMLb7hG6ynrg98h3KtXMQeg55UgpE/9JOamOCg=="}]})";
constexpr char kForeignVerifierKey[] =
    "interop.example/key+25fa078c+ARl/ayPhbIUyxqvIOPrNXqeJvgx2spIDNAOb+os9No1h";

TEST(StatementSign, MatchesIndependentImplementation) {
  note::Ed25519Signer signer = TestSigner("cert.example.ee/log");
  EXPECT_EQ(signer.VerifierKeyString(), kVectorVerifierKey);
  absl::StatusOr<std::string> envelope = Sign(Kind::kIncident, kVectorPayload, signer);
  ASSERT_TRUE(envelope.ok()) << envelope.status();
  EXPECT_EQ(*envelope, kVectorEnvelope);
}

TEST(StatementVerify, AcceptsEnvelopeFromIndependentImplementation) {
  absl::StatusOr<std::unique_ptr<note::Verifier>> verifier = note::NewVerifier(kForeignVerifierKey);
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  absl::StatusOr<Envelope> envelope = ParseEnvelope(kForeignEnvelope);
  ASSERT_TRUE(envelope.ok()) << envelope.status();
  EXPECT_EQ(envelope->payload, kVectorPayload);
  EXPECT_TRUE(VerifiedBy(*envelope, **verifier));
  EXPECT_EQ(SerializeEnvelope(*envelope), kForeignEnvelope);
}

TEST(StatementSign, SignatureIsPlainEd25519OverPae) {
  note::Ed25519Signer signer = TestSigner("cert.example.ee/log");
  absl::StatusOr<std::string> json = Sign(Kind::kClaim, R"({"a":1})", signer);
  ASSERT_TRUE(json.ok()) << json.status();
  absl::StatusOr<Envelope> envelope = ParseEnvelope(*json);
  ASSERT_TRUE(envelope.ok()) << envelope.status();
  EXPECT_EQ(envelope->payload_type, "application/vnd.accord.claim.v1+json");
  EXPECT_EQ(envelope->payload, R"({"a":1})");
  ASSERT_EQ(envelope->signatures.size(), 1u);
  EXPECT_EQ(envelope->signatures[0].keyid, KeyId(signer.MakeVerifier()));
  // No framing beyond PAE: the raw Ed25519 check over the PAE bytes passes.
  const std::string pae = Pae(envelope->payload_type, envelope->payload);
  EXPECT_TRUE(crypto::Ed25519Verify(signer.MakeVerifier().public_key(), util::AsBytes(pae),
                                    envelope->signatures[0].sig));
  EXPECT_TRUE(VerifiedBy(*envelope, signer.MakeVerifier()));
  EXPECT_EQ(SerializeEnvelope(*envelope), *json);
}

TEST(StatementVerify, RejectsTampering) {
  note::Ed25519Signer signer = TestSigner("cert.example.ee/log");
  const note::Ed25519Verifier verifier = signer.MakeVerifier();
  absl::StatusOr<Envelope> envelope = ParseEnvelope(*Sign(Kind::kClaim, R"({"a":1})", signer));
  ASSERT_TRUE(envelope.ok());
  ASSERT_TRUE(VerifiedBy(*envelope, verifier));

  Envelope payload = *envelope;
  payload.payload = R"({"a":2})";
  EXPECT_FALSE(VerifiedBy(payload, verifier));

  Envelope type = *envelope;
  type.payload_type = PayloadType(Kind::kIncident);
  EXPECT_FALSE(VerifiedBy(type, verifier));

  Envelope sig = *envelope;
  sig.signatures[0].sig[10] ^= 1;
  EXPECT_FALSE(VerifiedBy(sig, verifier));

  // A different key whose name and hash differ: its keyid matches nothing.
  EXPECT_FALSE(VerifiedBy(*envelope, TestSigner("cert.example.ee/log", 8).MakeVerifier()));
  // The same name with another key: the keyid's hash differs, so nothing is tried.
  EXPECT_FALSE(VerifiedBy(*envelope, TestSigner("cert.example.nl/log").MakeVerifier()));
}

TEST(StatementVerify, IgnoresUnknownKeyIds) {
  note::Ed25519Signer party = TestSigner("cert.example.ee/log");
  absl::StatusOr<Envelope> envelope = ParseEnvelope(*Sign(Kind::kClaim, R"({"a":1})", party));
  ASSERT_TRUE(envelope.ok());
  Signature junk{"someone.example/key+00000000", std::vector<uint8_t>(64, 0xab)};
  envelope->signatures.insert(envelope->signatures.begin(), junk);
  absl::StatusOr<Envelope> reparsed = ParseEnvelope(SerializeEnvelope(*envelope));
  ASSERT_TRUE(reparsed.ok()) << reparsed.status();
  EXPECT_TRUE(VerifiedBy(*reparsed, party.MakeVerifier()));
}

TEST(StatementSign, RefusesEnvelopesLargerThanAnEntry) {
  note::Ed25519Signer signer = TestSigner("cert.example.ee/log");
  absl::StatusOr<std::string> big = Sign(Kind::kIncident, std::string(50000, 'x'), signer);
  ASSERT_EQ(big.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorPointer(big.status()), "");
  EXPECT_THAT(big.status().message(), HasSubstr("65535"));
}

// A syntactically valid envelope of exactly `size` bytes (payload "x…", dummy signature).
std::string EnvelopeOfSize(size_t size) {
  Envelope e;
  e.payload_type = "t";
  e.signatures.push_back(Signature{"k+00000000", std::vector<uint8_t>(64, 1)});
  const size_t fixed = SerializeEnvelope(e).size();
  // Base64 of n bytes (n a multiple of 3) is 4n/3 characters; pad the rest with spaces.
  const size_t n = (size - fixed) / 4 * 3;
  e.payload = std::string(n, 'x');
  std::string out = SerializeEnvelope(e);
  out.append(size - out.size(), ' ');
  return out;
}

TEST(StatementParseEnvelope, SizeLimit) {
  const std::string max = EnvelopeOfSize(kMaxEntryBytes);
  ASSERT_EQ(max.size(), kMaxEntryBytes);
  EXPECT_TRUE(ParseEnvelope(max).ok()) << ParseEnvelope(max).status();
  const std::string over = EnvelopeOfSize(kMaxEntryBytes + 1);
  absl::StatusOr<Envelope> e = ParseEnvelope(over);
  ASSERT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorPointer(e.status()), "");
}

std::string SigB64(size_t bytes = 64) {
  return util::Base64Encode(std::vector<uint8_t>(bytes, 0x42));
}

struct Malformed {
  std::string name;
  std::string json;
  std::string pointer;
};

// "/x" and then "/0" for each array the parser entered before refusing to go deeper.
std::string DeepPointer() {
  std::string out = "/x";
  for (int i = 1; i < 32; ++i) out += "/0";
  return out;
}

std::vector<Malformed> MalformedEnvelopes() {
  const std::string sig = SigB64();
  const std::string good_sig = R"({"keyid":"a.example/k+0123abcd","sig":")" + sig + R"("})";
  auto env = [](const std::string& payload, const std::string& type, const std::string& sigs) {
    return R"({"payload":)" + payload + R"(,"payloadType":)" + type + R"(,"signatures":)" + sigs +
           "}";
  };
  const std::string p = R"("e30=")", t = R"("t")", s = "[" + good_sig + "]";
  std::string seventeen = "[";
  for (int i = 0; i < 17; ++i) {
    if (i > 0) seventeen += ",";
    char hash[9];
    std::snprintf(hash, sizeof hash, "%08x", i);
    seventeen += R"({"keyid":"a.example/k+)" + std::string(hash) + R"(","sig":")" + sig + R"("})";
  }
  seventeen += "]";
  std::string deep = R"({"x":)" + std::string(40, '[') + std::string(40, ']') + "}";
  return {
      {"not_json", "{", ""},
      {"trailing_bytes", env(p, t, s) + "x", ""},
      {"array", "[]", ""},
      {"string", R"("payload")", ""},
      {"invalid_utf8", env(p, "\"t\xff\"", s), ""},
      {"comment", "/**/" + env(p, t, s), ""},
      {"too_deep", deep, DeepPointer()},
      {"unknown_member",
       R"({"payload":"e30=","payloadType":"t","signatures":)" + s + R"(,"extra":1})", "/extra"},
      {"repeated_member",
       R"({"payload":"e30=","payload":"e30=","payloadType":"t","signatures":)" + s + "}",
       "/payload"},
      {"missing_payload", R"({"payloadType":"t","signatures":)" + s + "}", "/payload"},
      {"payload_number", env("1", t, s), "/payload"},
      {"payload_unpadded", env(R"("e30")", t, s), "/payload"},
      {"payload_urlsafe", env(R"("-_8=")", t, s), "/payload"},
      {"payload_noncanonical", env(R"("e31=")", t, s), "/payload"},
      {"missing_type", R"({"payload":"e30=","signatures":)" + s + "}", "/payloadType"},
      {"type_empty", env(p, R"("")", s), "/payloadType"},
      {"type_number", env(p, "7", s), "/payloadType"},
      {"missing_signatures", R"({"payload":"e30=","payloadType":"t"})", "/signatures"},
      {"signatures_object", env(p, t, good_sig), "/signatures"},
      {"signatures_empty", env(p, t, "[]"), "/signatures"},
      {"signatures_17", env(p, t, seventeen), "/signatures"},
      {"signature_string", env(p, t, R"(["x"])"), "/signatures/0"},
      {"missing_keyid", env(p, t, R"([{"sig":")" + sig + R"("}])"), "/signatures/0/keyid"},
      {"keyid_number", env(p, t, R"([{"keyid":1,"sig":")" + sig + R"("}])"), "/signatures/0/keyid"},
      {"keyid_no_hash", env(p, t, R"([{"keyid":"a.example/k","sig":")" + sig + R"("}])"),
       "/signatures/0/keyid"},
      {"keyid_upper_hex", env(p, t, R"([{"keyid":"a.example/k+0123ABCD","sig":")" + sig + R"("}])"),
       "/signatures/0/keyid"},
      {"keyid_short_hash", env(p, t, R"([{"keyid":"a.example/k+0123abc","sig":")" + sig + R"("}])"),
       "/signatures/0/keyid"},
      {"keyid_empty_name", env(p, t, R"([{"keyid":"+0123abcd","sig":")" + sig + R"("}])"),
       "/signatures/0/keyid"},
      {"keyid_space", env(p, t, R"([{"keyid":"a b+0123abcd","sig":")" + sig + R"("}])"),
       "/signatures/0/keyid"},
      {"keyid_repeated", env(p, t, "[" + good_sig + "," + good_sig + "]"), "/signatures/1/keyid"},
      {"missing_sig", env(p, t, R"([{"keyid":"a.example/k+0123abcd"}])"), "/signatures/0/sig"},
      {"sig_63_bytes",
       env(p, t, R"([{"keyid":"a.example/k+0123abcd","sig":")" + SigB64(63) + R"("}])"),
       "/signatures/0/sig"},
      {"sig_not_base64", env(p, t, R"([{"keyid":"a.example/k+0123abcd","sig":"!!!!"}])"),
       "/signatures/0/sig"},
      {"sig_repeated_member",
       env(p, t,
           R"([{"keyid":"a.example/k+0123abcd","sig":")" + sig + R"(","sig":")" + sig + R"("}])"),
       "/signatures/0/sig"},
      {"signature_extra",
       env(p, t, R"([{"keyid":"a.example/k+0123abcd","sig":")" + sig + R"(","alg":"x"}])"),
       "/signatures/0/alg"},
      {"pointer_escaping", R"({"a/b~c":1})", "/a~1b~0c"},
  };
}

TEST(StatementParseEnvelope, RejectsMalformedWithPointer) {
  for (const Malformed& m : MalformedEnvelopes()) {
    absl::StatusOr<Envelope> e = ParseEnvelope(m.json);
    ASSERT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument) << m.name;
    EXPECT_EQ(ErrorPointer(e.status()), m.pointer) << m.name << ": " << e.status();
  }
}

TEST(StatementParseEnvelope, ClassifiesFaults) {
  auto fault = [](std::string_view json) { return FaultOf(ParseEnvelope(json).status()); };
  EXPECT_EQ(fault(EnvelopeOfSize(kMaxEntryBytes + 1)), Fault::kTooLarge);
  EXPECT_EQ(fault("{"), Fault::kBadJson);
  EXPECT_EQ(fault(R"({"payload":"e30=","payload":"e30="})"), Fault::kBadJson);
  EXPECT_EQ(fault("[" + std::string(40, '[') + std::string(41, ']')), Fault::kBadJson);
  EXPECT_EQ(fault("[]"), Fault::kBadEnvelope);
  EXPECT_EQ(fault(R"({"payload":"e30"})"), Fault::kBadEnvelope);
  EXPECT_EQ(fault(R"({"payload":"e30=","payloadType":"t","signatures":[]})"), Fault::kBadEnvelope);
  EXPECT_EQ(fault(EnvelopeOfSize(1000)), std::nullopt);  // OK
  EXPECT_EQ(FaultOf(absl::InvalidArgumentError("x")), std::nullopt);
  absl::StatusOr<std::string> big =
      Sign(Kind::kIncident, std::string(50000, 'x'), TestSigner("cert.example.ee/log"));
  EXPECT_EQ(FaultOf(big.status()), Fault::kTooLarge);
}

// Nlohmann stops at a NUL and skips a byte order mark; both envelopes would
// be stored as sent, and other parsers refuse them.
TEST(StatementParseEnvelope, RefusesNulAndByteOrderMark) {
  const std::string good = EnvelopeOfSize(1000);
  ASSERT_TRUE(ParseEnvelope(good).ok());
  for (const std::string& bad :
       {good + std::string("\0", 1), good + std::string(1, '\0') + "{\"payload\":1}",
        "\xEF\xBB\xBF" + good, good + "\xEF\xBB\xBF"}) {
    absl::StatusOr<Envelope> e = ParseEnvelope(bad);
    ASSERT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(FaultOf(e.status()), Fault::kBadJson) << e.status();
    EXPECT_EQ(ErrorPointer(e.status()), "") << e.status();
  }
  EXPECT_EQ(ParseEnvelope(good + std::string("\0", 1)).status().message(),
            absl::StrCat("envelope: not JSON (byte ", good.size(), "): a NUL byte"));
}

TEST(StatementParseEnvelope, SpecExampleParsesOnceKeyIdIsAdded) {
  // envelope.md/protocol.md's example has no keyid, which accord requires.
  const std::string spec =
      R"({"payload": "aGVsbG8gd29ybGQ=", "payloadType": "http://example.com/HelloWorld", )"
      R"("signatures": [{"sig": "A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA=="}]})";
  absl::StatusOr<Envelope> e = ParseEnvelope(spec);
  EXPECT_EQ(ErrorPointer(e.status()), "/signatures/0/keyid");
  std::string with_keyid = spec;
  with_keyid.replace(with_keyid.find(R"({"sig")"), 1, R"({"keyid": "example.com/k+00000000", )");
  e = ParseEnvelope(with_keyid);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->payload, "hello world");
  EXPECT_EQ(e->payload_type, "http://example.com/HelloWorld");
  EXPECT_EQ(Pae(e->payload_type, e->payload),
            "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
}

TEST(StatementParseEnvelope, SerializeRoundTrips) {
  Envelope e;
  e.payload_type = "application/vnd.accord.claim.v1+json";
  e.payload = std::string("\0\x01\xff{}", 5);
  e.signatures.push_back(Signature{"a.example/k+0123abcd", std::vector<uint8_t>(64, 9)});
  e.signatures.push_back(Signature{"b.example/k+89abcdef", std::vector<uint8_t>(64, 3)});
  absl::StatusOr<Envelope> back = ParseEnvelope(SerializeEnvelope(e));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->payload, e.payload);
  EXPECT_EQ(back->payload_type, e.payload_type);
  ASSERT_EQ(back->signatures.size(), 2u);
  EXPECT_EQ(back->signatures[1].keyid, "b.example/k+89abcdef");
  EXPECT_EQ(back->signatures[1].sig, e.signatures[1].sig);
}

TEST(StatementLeafHash, IsRfc6962LeafHashOfTheExactBytes) {
  const std::string bytes = testing::SignedText(Kind::kClaim, R"({"a":1})");
  EXPECT_EQ(LeafHashOf(bytes), tlog::LeafHash(util::AsBytes(bytes)));
  std::string prefixed(1, '\0');
  prefixed += bytes;
  EXPECT_EQ(LeafHashOf(bytes), crypto::Sha256(prefixed));
  EXPECT_NE(LeafHashOf(bytes + " "), LeafHashOf(bytes));
}

TEST(StatementErrorPointer, AbsentOnOtherStatuses) {
  EXPECT_EQ(ErrorPointer(absl::OkStatus()), std::nullopt);
  EXPECT_EQ(ErrorPointer(absl::InvalidArgumentError("x")), std::nullopt);
}

}  // namespace
}  // namespace accord::statement
