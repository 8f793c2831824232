#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "src/note/checkpoint.h"
#include "src/note/cosignature.h"
#include "src/statement/internal.h"
#include "src/statement/statement.h"
#include "src/statement/testing.h"
#include "src/tlog/proof.h"
#include "src/util/encoding.h"

namespace accord::statement {
namespace {

using ::testing::HasSubstr;
using testing::SignedEnvelope;
using testing::TestSigner;
using Json = nlohmann::json;

using testing::TheValidator;

std::string B64Hash(char fill) { return util::Base64Encode(std::string(32, fill)); }

Json Ref(std::string origin, uint64_t index, char fill) {
  return {{"origin", origin}, {"index", index}, {"leaf_hash", B64Hash(fill)}};
}

Json MinimalIncident() {
  return {{"kind", "incident"},
          {"issuer", "cert.example.ee/log"},
          {"issued", "2026-03-14T09:40:12Z"},
          {"title", "t"},
          {"summary", "s"},
          {"detected", "2026-03-14T06:18:00Z"},
          {"sector", "energy"},
          {"severity", "high"}};
}

absl::StatusOr<Statement> ParsePayload(Kind kind, const Json& payload) {
  return TheValidator().Parse(SignedEnvelope(kind, payload));
}

// Expects InvalidArgument at `pointer`.
void ExpectFault(const absl::StatusOr<Statement>& s, std::string_view pointer) {
  ASSERT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << "want fault at " << pointer;
  EXPECT_EQ(ErrorPointer(s.status()), std::string(pointer)) << s.status();
}

TEST(StatementValidator, ExtractsCommonFields) {
  Json p = MinimalIncident();
  p["issued"] = "2026-03-14T09:40:12.25Z";
  p["refs"] = Json::array({Ref("cert.example.nl/log", 7, 'a')});
  p["refs"][0]["kind"] = "request";
  p["to"] = {"cert.example.nl/log", "cert.example.lv/log"};
  p["private"] = {{"sha256", std::string(64, 'c')}};
  const std::string envelope = SignedEnvelope(Kind::kIncident, p);
  absl::StatusOr<Statement> s = TheValidator().Parse(envelope);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->kind, Kind::kIncident);
  EXPECT_EQ(s->issuer, "cert.example.ee/log");
  EXPECT_EQ(s->issued, absl::FromUnixMillis(1773481212250));
  ASSERT_EQ(s->refs.size(), 1u);
  EXPECT_EQ(s->refs[0].origin, "cert.example.nl/log");
  EXPECT_EQ(s->refs[0].index, 7u);
  crypto::Digest a;
  a.fill('a');
  EXPECT_EQ(s->refs[0].leaf_hash, a);
  EXPECT_EQ(s->refs[0].kind, Kind::kRequest);
  EXPECT_THAT(s->addressees, ::testing::ElementsAre("cert.example.nl/log", "cert.example.lv/log"));
  ASSERT_TRUE(s->private_commitment.has_value());
  EXPECT_EQ(util::HexEncode(*s->private_commitment), std::string(64, 'c'));
  EXPECT_EQ(s->payload, p);
  EXPECT_EQ(s->envelope.payload, p.dump());
  EXPECT_EQ(LeafHashOf(envelope), LeafHashOf(SerializeEnvelope(s->envelope)));
}

TEST(StatementValidator, OptionalFieldsAbsent) {
  absl::StatusOr<Statement> s = ParsePayload(Kind::kIncident, MinimalIncident());
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->refs.empty());
  EXPECT_TRUE(s->addressees.empty());
  EXPECT_FALSE(s->private_commitment.has_value());
}

TEST(StatementValidator, ClaimEvidenceRefsAreRefsOfKindEvidence) {
  Json p = {{"kind", "claim"},
            {"issuer", "cert.example.ee/log"},
            {"issued", "2026-03-16T14:30:00Z"},
            {"attribution", "a"},
            {"confidence", 60},
            {"refs", {Ref("cert.example.ee/log", 1, 'i'), Ref("cert.example.ee/log", 2, 'e')}},
            {"evidence", {Ref("cert.example.ee/log", 2, 'e'), Ref("cert.example.nl/log", 9, 'f')}}};
  p["evidence"][1]["kind"] = "evidence";
  absl::StatusOr<Statement> s = ParsePayload(Kind::kClaim, p);
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->refs.size(), 3u);  // the evidence cited in refs too appears once
  EXPECT_EQ(s->refs[0].index, 1u);
  EXPECT_EQ(s->refs[0].kind, std::nullopt);
  EXPECT_EQ(s->refs[1].index, 2u);
  EXPECT_EQ(s->refs[1].kind, Kind::kEvidence);
  EXPECT_EQ(s->refs[2].origin, "cert.example.nl/log");
  EXPECT_EQ(s->refs[2].kind, Kind::kEvidence);

  Json incident_as_evidence = p;
  incident_as_evidence["evidence"][0]["kind"] = "incident";
  ExpectFault(ParsePayload(Kind::kClaim, incident_as_evidence), "/payload/evidence/0/kind");
  Json none = p;
  none["evidence"] = Json::array();
  ExpectFault(ParsePayload(Kind::kClaim, none), "/payload/evidence");
  none.erase("evidence");
  ExpectFault(ParsePayload(Kind::kClaim, none), "/payload/evidence");
}

TEST(StatementValidator, ResponseRequestRef) {
  Json p = {{"kind", "response"},
            {"issuer", "cert.example.nl/log"},
            {"issued", "2026-03-14T19:48:00Z"},
            {"request", Ref("cert.example.ee/log", 1044, 'r')},
            {"status", "acknowledged"},
            {"to", {"cert.example.ee/log"}}};
  absl::StatusOr<Statement> s = ParsePayload(Kind::kResponse, p);
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->refs.size(), 1u);
  EXPECT_EQ(s->refs[0].index, 1044u);
  EXPECT_EQ(s->refs[0].kind, Kind::kRequest);
  EXPECT_THAT(s->addressees, ::testing::ElementsAre("cert.example.ee/log"));

  Json refused = p;
  refused["status"] = "refused";
  ExpectFault(ParsePayload(Kind::kResponse, refused), "/payload/grounds");
  refused["grounds"] = {"Budapest Art. 27(4)(a)"};
  EXPECT_TRUE(ParsePayload(Kind::kResponse, refused).ok());
  Json extended = p;
  extended["status"] = "extended";
  ExpectFault(ParsePayload(Kind::kResponse, extended), "/payload/until");
  Json evidence_as_request = p;
  evidence_as_request["request"]["kind"] = "evidence";
  ExpectFault(ParsePayload(Kind::kResponse, evidence_as_request), "/payload/request/kind");
}

TEST(StatementValidator, EnvelopeAndPayloadLevelFaults) {
  const Validator& v = TheValidator();
  ExpectFault(v.Parse("{"), "");
  note::Ed25519Signer signer = TestSigner("cert.example.ee/log");
  Envelope e;
  e.payload_type = "application/vnd.in-toto+json";
  e.payload = MinimalIncident().dump();
  e.signatures.push_back(Signature{KeyId(signer.MakeVerifier()), std::vector<uint8_t>(64, 1)});
  ExpectFault(v.Parse(SerializeEnvelope(e)), "/payloadType");
  EXPECT_EQ(FaultOf(v.Parse(SerializeEnvelope(e)).status()), Fault::kBadPayload);
  e.payload_type = PayloadType(Kind::kIncident);
  e.payload = "{\"kind\":";
  ExpectFault(v.Parse(SerializeEnvelope(e)), "/payload");
  EXPECT_EQ(FaultOf(v.Parse(SerializeEnvelope(e)).status()), Fault::kBadJson);
  e.payload = "[]";
  ExpectFault(v.Parse(SerializeEnvelope(e)), "/payload");
  EXPECT_EQ(FaultOf(v.Parse(SerializeEnvelope(e)).status()), Fault::kBadPayload);
  e.payload = R"({"kind":"incident","issuer":"a.example/log","issuer":"b.example/log"})";
  ExpectFault(v.Parse(SerializeEnvelope(e)), "/payload/issuer");
  EXPECT_EQ(FaultOf(v.Parse(SerializeEnvelope(e)).status()), Fault::kBadJson);
  Json missing = MinimalIncident();
  missing.erase("title");
  e.payload = missing.dump();
  ExpectFault(v.Parse(SerializeEnvelope(e)), "/payload/title");
  EXPECT_EQ(FaultOf(v.Parse(SerializeEnvelope(e)).status()), Fault::kBadPayload);
  e.payload = MinimalIncident().dump();
  EXPECT_TRUE(v.Parse(SerializeEnvelope(e)).ok());  // signatures are not checked here
  // The payload's kind must be the payloadType's.
  e.payload_type = PayloadType(Kind::kClaim);
  absl::StatusOr<Statement> s = v.Parse(SerializeEnvelope(e));
  ExpectFault(s, "/payload/kind");
  EXPECT_THAT(s.status().message(), HasSubstr("application/vnd.accord.claim.v1+json"));
}

TEST(StatementValidator, TimesAreCalendarTimesAndIntervalsOrdered) {
  Json p = MinimalIncident();
  p["issued"] = "2026-02-30T09:40:12Z";
  ExpectFault(ParsePayload(Kind::kIncident, p), "/payload/issued");
  p["issued"] = "2025-02-29T00:00:00Z";  // not a leap year
  ExpectFault(ParsePayload(Kind::kIncident, p), "/payload/issued");
  p["issued"] = "2024-02-29T00:00:00Z";
  EXPECT_TRUE(ParsePayload(Kind::kIncident, p).ok());
  for (const char* bad : {"2026-03-14T09:40:12+02:00", "2026-03-14t09:40:12z",
                          "2026-03-14 09:40:12Z", "2026-03-14T09:40:60Z", "1773481212"}) {
    p["issued"] = bad;
    ExpectFault(ParsePayload(Kind::kIncident, p), "/payload/issued");
  }
  p = MinimalIncident();
  p["started"] = "2026-03-14T00:00:00Z";
  p["ended"] = "2026-03-13T00:00:00Z";
  ExpectFault(ParsePayload(Kind::kIncident, p), "/payload/ended");
  p = MinimalIncident();
  p["indicators"] = {{{"type", "ipv4-addr"},
                      {"value", "192.0.2.1"},
                      {"first_seen", "2026-03-14T00:00:00Z"},
                      {"last_seen", "2026-03-13T00:00:00Z"}}};
  ExpectFault(ParsePayload(Kind::kIncident, p), "/payload/indicators/0/last_seen");
}

// Years are four digits from 1000 (common.v1.json's pattern), so that every
// time accepted is written back as RFC 3339 by any formatter, absl's %Y included (which
// writes 999, not 0999); whatever is accepted round-trips.
TEST(StatementValidator, TimestampYearsAre1000To9999AndRoundTrip) {
  Json p = MinimalIncident();
  for (const char* bad : {"0999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "0000-01-01T00:00:00Z",
                          "10000-01-01T00:00:00Z", "+2026-03-14T09:40:12Z", "-999-01-01T00:00:00Z",
                          "999-01-01T00:00:00Z"}) {
    SCOPED_TRACE(bad);
    p["issued"] = bad;
    absl::StatusOr<Statement> s = ParsePayload(Kind::kIncident, p);
    ExpectFault(s, "/payload/issued");
    EXPECT_EQ(FaultOf(s.status()), Fault::kBadPayload);
    p["issued"] = MinimalIncident()["issued"];
    p["detected"] = bad;  // every timestamp member, not only issued
    ExpectFault(ParsePayload(Kind::kIncident, p), "/payload/detected");
    p["detected"] = MinimalIncident()["detected"];
  }
  for (const char* good : {"1000-01-01T00:00:00Z", "1969-12-31T23:59:59.5Z",
                           "9999-12-31T23:59:59.999999999Z", "2026-03-14T09:40:12.000001Z"}) {
    SCOPED_TRACE(good);
    p["issued"] = good;
    p["detected"] = "1000-01-01T00:00:00Z";
    absl::StatusOr<Statement> s = ParsePayload(Kind::kIncident, p);
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_EQ(absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", s->issued, absl::UTCTimeZone()), good);
  }
}

TEST(StatementValidator, HugeValuesFailWithoutExhaustingTheStack) {
  // std::regex recurses per character; valijson must never run a pattern on these.
  Json p = MinimalIncident();
  p["issuer"] = std::string(40000, 'a');
  ExpectFault(ParsePayload(Kind::kIncident, p), "/payload/issuer");
  p = MinimalIncident();
  p["issued"] = std::string(40000, '1');
  ExpectFault(ParsePayload(Kind::kIncident, p), "/payload/issued");
  p = MinimalIncident();
  p["to"] = Json::array();
  for (int i = 0; i < 1500; ++i) p["to"].push_back("cert.example.ee/log");
  ExpectFault(ParsePayload(Kind::kIncident, p), "/payload/to");
  p = MinimalIncident();
  p["title"] = std::string(40000, 'a');
  ExpectFault(ParsePayload(Kind::kIncident, p), "/payload/title");
}

TEST(StatementValidator, DeepPayloadRefused) {
  Json p = MinimalIncident();
  Json deep = Json::array();
  for (int i = 0; i < 40; ++i) deep = Json::array({deep});
  p["impact"] = deep;
  absl::StatusOr<Statement> s = ParsePayload(Kind::kIncident, p);
  ASSERT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(*ErrorPointer(s.status()), ::testing::StartsWith("/payload/impact/0/0"));
}

Json OfficerPayload(const std::string& key) {
  return {{"kind", "officer"},
          {"issuer", "cert.example.ee/log"},
          {"issued", "2026-03-01T08:00:00Z"},
          {"action", "authorize"},
          {"key", key},
          {"name", "Kadri Tamm"},
          {"role", "duty officer"}};
}

TEST(StatementValidator, OfficerKeyMustBeEd25519VerifierKey) {
  note::Ed25519Signer officer = TestSigner("cert.example.ee/officer/kadri", 3);
  EXPECT_TRUE(ParsePayload(Kind::kOfficer, OfficerPayload(officer.VerifierKeyString())).ok());
  std::string wrong_hash = officer.VerifierKeyString();
  wrong_hash[wrong_hash.find('+') + 1] ^= 1;  // still hex, no longer the key's hash
  ExpectFault(ParsePayload(Kind::kOfficer, OfficerPayload(wrong_hash)), "/payload/key");
  ExpectFault(ParsePayload(Kind::kOfficer, OfficerPayload("not a key")), "/payload/key");
  // A witness cosignature key (type 0x04) may not sign statements.
  std::array<uint8_t, 32> pk{};
  pk.fill(5);
  absl::StatusOr<std::string> cosigner =
      note::FormatVerifierKey("witness.example", note::kSignatureTypeCosignatureV1, pk);
  ASSERT_TRUE(cosigner.ok());
  ExpectFault(ParsePayload(Kind::kOfficer, OfficerPayload(*cosigner)), "/payload/key");
}

// Complete-subtree hashes of an in-memory list of leaves.
class LeavesReader : public tlog::HashReader {
 public:
  explicit LeavesReader(std::vector<std::string> leaves) : leaves_(std::move(leaves)) {}
  absl::StatusOr<tlog::Hash> ReadNode(int level, uint64_t index) override {
    if (level == 0) return tlog::LeafHash(util::AsBytes(leaves_.at(index)));
    auto left = ReadNode(level - 1, 2 * index);
    auto right = ReadNode(level - 1, 2 * index + 1);
    return tlog::NodeHash(*left, *right);
  }

 private:
  std::vector<std::string> leaves_;
};

struct Split {
  std::string small_cp, large_cp;  // signed checkpoints: sizes 3 and 5 of two histories
  tlog::Hash small_root, old_root_in_large;
  std::vector<tlog::Hash> proof;
};

Split MakeSplit(const note::Ed25519Signer& log) {
  LeavesReader x({"x0", "x1", "x2"}), y({"y0", "y1", "y2", "y3", "y4"});
  Split out;
  out.small_root = *tlog::RootHash(3, x);
  out.old_root_in_large = *tlog::RootHash(3, y);
  out.proof = *tlog::ConsistencyProof(3, 5, y);
  out.small_cp = *note::SignCheckpoint({"cert.example.xx/log", 3, out.small_root, {}}, log);
  out.large_cp = *note::SignCheckpoint({"cert.example.xx/log", 5, *tlog::RootHash(5, y), {}}, log);
  return out;
}

Json EquivocationPayload(const std::string& a, const std::string& b) {
  return {{"kind", "equivocation"},
          {"issuer", "cert.example.ee/log"},
          {"issued", "2026-03-20T10:00:00Z"},
          {"origin", "cert.example.xx/log"},
          {"checkpoints", {a, b}}};
}

Json ProofJson(const tlog::Hash& old_root, const std::vector<tlog::Hash>& hashes) {
  Json j = {{"old_root", util::Base64Encode(old_root)}, {"hashes", Json::array()}};
  for (const tlog::Hash& h : hashes) j["hashes"].push_back(util::Base64Encode(h));
  return j;
}

TEST(StatementValidator, EquivocationOfEqualSizes) {
  note::Ed25519Signer log = TestSigner("cert.example.xx/log", 9);
  tlog::Hash r1, r2;
  r1.fill(1);
  r2.fill(2);
  const std::string a = *note::SignCheckpoint({"cert.example.xx/log", 10, r1, {}}, log);
  const std::string b = *note::SignCheckpoint({"cert.example.xx/log", 10, r2, {}}, log);
  absl::StatusOr<Statement> s = ParsePayload(Kind::kEquivocation, EquivocationPayload(a, b));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(VerifyEquivocation(*s, log.MakeVerifier()).ok());
  absl::Status other = VerifyEquivocation(*s, TestSigner("cert.example.xx/log", 10).MakeVerifier());
  EXPECT_FALSE(other.ok());

  ExpectFault(ParsePayload(Kind::kEquivocation, EquivocationPayload(a, a)),
              "/payload/checkpoints/1");
  ExpectFault(ParsePayload(Kind::kEquivocation, EquivocationPayload(a, "no note")),
              "/payload/checkpoints/1");
  const std::string elsewhere =
      *note::SignCheckpoint({"cert.example.yy/log", 10, r2, {}}, TestSigner("cert.example.yy/log"));
  ExpectFault(ParsePayload(Kind::kEquivocation, EquivocationPayload(a, elsewhere)),
              "/payload/checkpoints/1");
  Json with_proof = EquivocationPayload(a, b);
  with_proof["consistency_proof"] = ProofJson(r1, {r2});
  ExpectFault(ParsePayload(Kind::kEquivocation, with_proof), "/payload/consistency_proof");
}

TEST(StatementValidator, EquivocationNeedsCheckpoints) {
  note::Ed25519Signer log = TestSigner("cert.example.xx/log", 9);
  tlog::Hash r1, r2;
  r1.fill(1);
  r2.fill(2);
  const std::string a = *note::SignCheckpoint({"cert.example.xx/log", 10, r1, {}}, log);
  const note::Signer* signers[] = {&log};
  const std::string not_checkpoint = *note::Sign("cert.example.xx/log\nhello\n", signers);
  ExpectFault(ParsePayload(Kind::kEquivocation, EquivocationPayload(not_checkpoint, a)),
              "/payload/checkpoints/0");
  // The empty tree is consistent with every tree, whatever the other checkpoint says.
  const std::string empty = *note::SignCheckpoint({"cert.example.xx/log", 0, r2, {}}, log);
  Json p = EquivocationPayload(a, empty);
  p["consistency_proof"] = ProofJson(r2, {r1});
  ExpectFault(ParsePayload(Kind::kEquivocation, p), "/payload/checkpoints/1");
}

TEST(StatementValidator, EquivocationOfDifferentSizesNeedsProof) {
  note::Ed25519Signer log = TestSigner("cert.example.xx/log", 9);
  const Split split = MakeSplit(log);
  Json p = EquivocationPayload(split.large_cp, split.small_cp);
  ExpectFault(ParsePayload(Kind::kEquivocation, p), "/payload/consistency_proof");
  p["consistency_proof"] = ProofJson(split.old_root_in_large, split.proof);
  absl::StatusOr<Statement> s = ParsePayload(Kind::kEquivocation, p);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(VerifyEquivocation(*s, log.MakeVerifier()).ok());

  Json consistent = p;  // the smaller checkpoint's own root: nothing is proven
  consistent["consistency_proof"] = ProofJson(split.small_root, split.proof);
  ExpectFault(ParsePayload(Kind::kEquivocation, consistent), "/payload/consistency_proof/old_root");
  Json bad = p;
  std::vector<tlog::Hash> tampered = split.proof;
  tampered[0][0] ^= 1;
  bad["consistency_proof"] = ProofJson(split.old_root_in_large, tampered);
  ExpectFault(ParsePayload(Kind::kEquivocation, bad), "/payload/consistency_proof/hashes");
}

TEST(StatementValidator, VerifyEquivocationNeedsAnEquivocation) {
  absl::StatusOr<Statement> s = ParsePayload(Kind::kIncident, MinimalIncident());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(VerifyEquivocation(*s, TestSigner("x.example").MakeVerifier()).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(StatementValidator, ConcurrentUse) {
  const std::string good = SignedEnvelope(Kind::kIncident, MinimalIncident());
  Json bad_payload = MinimalIncident();
  bad_payload["severity"] = "apocalyptic";
  const std::string bad = SignedEnvelope(Kind::kIncident, bad_payload);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (!TheValidator().Parse(good).ok()) ++failures;
        absl::StatusOr<Statement> s = TheValidator().Parse(bad);
        if (s.ok() || ErrorPointer(s.status()) != "/payload/severity") ++failures;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(StatementSchemas, PrepareGuardsRegexesAndDropsFormat) {
  Json schema = Json::parse(R"({"properties": {"pattern": {"type": "string", "maxLength": 9,
      "pattern": "^a+$", "format": "date-time"}, "list": {"maxItems": 3, "uniqueItems": true}}})");
  ASSERT_TRUE(internal::PrepareSchema(schema, "t.json").ok());
  // A property named "pattern" is a name, not a keyword: its schema is what changes.
  EXPECT_EQ(schema["properties"]["pattern"],
            Json::parse(R"({"type": "string", "maxLength": 9, "allOf": [{"if": {"maxLength": 9},
                "then": {"pattern": "^a+$"}}]})"));
  EXPECT_EQ(schema["properties"]["list"],
            Json::parse(R"({"maxItems": 3, "allOf": [{"if": {"maxItems": 3},
                "then": {"uniqueItems": true}}]})"));

  Json unbounded = Json::parse(R"({"items": {"type": "string", "pattern": "^a+$"}})");
  absl::Status s = internal::PrepareSchema(unbounded, "t.json");
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(s.message(), HasSubstr("t.json/items"));
  Json unique = Json::parse(R"({"uniqueItems": true})");
  EXPECT_EQ(internal::PrepareSchema(unique, "t.json").code(), absl::StatusCode::kInternal);
  Json format = Json::parse(R"({"maxLength": 30, "format": "date-time"})");
  EXPECT_EQ(internal::PrepareSchema(format, "t.json").code(), absl::StatusCode::kInternal);
}

TEST(StatementValidator, PayloadMustBeUtf8) {
  note::Ed25519Signer signer = TestSigner("cert.example.ee/log");
  std::string payload = MinimalIncident().dump();
  payload.replace(payload.find("\"t\""), 3, "\"\xff\"");
  absl::StatusOr<std::string> envelope = Sign(Kind::kIncident, payload, signer);
  ASSERT_TRUE(envelope.ok());
  ExpectFault(TheValidator().Parse(*envelope), "/payload");
}

// A signed payload with a byte order mark, a NUL and more after it, or a lone
// surrogate escape is no statement, even though nlohmann alone would read one.
TEST(StatementValidator, PayloadIsStrictJson) {
  note::Ed25519Signer signer = TestSigner("cert.example.ee/log");
  const std::string good = MinimalIncident().dump();
  std::string surrogate = good;
  surrogate.replace(surrogate.find("\"t\""), 3, "\"\\ud800\"");
  for (const std::string& payload :
       {"\xEF\xBB\xBF" + good, good + std::string("\0", 1),
        good + std::string(1, '\0') + "{\"kind\":\"claim\"}", surrogate}) {
    absl::StatusOr<std::string> envelope = Sign(Kind::kIncident, payload, signer);
    ASSERT_TRUE(envelope.ok());
    absl::StatusOr<Statement> s = TheValidator().Parse(*envelope);
    ExpectFault(s, "/payload");
    EXPECT_EQ(FaultOf(s.status()), Fault::kBadJson) << s.status();
  }
  EXPECT_TRUE(TheValidator().Parse(*Sign(Kind::kIncident, good, signer)).ok());
}

TEST(StatementSchemas, EveryKindAndCommonAreCompiledIn) {
  std::vector<std::string> names;
  for (const internal::EmbeddedFile& f : internal::SchemaFiles()) names.emplace_back(f.name);
  EXPECT_THAT(names, ::testing::Contains("common.v1.json"));
  for (Kind kind : kAllKinds) {
    EXPECT_THAT(names, ::testing::Contains(std::string(KindName(kind)) + ".v1.json"));
  }
}

}  // namespace
}  // namespace accord::statement
