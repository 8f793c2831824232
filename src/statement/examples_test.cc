// docs/examples/<kind>.json: each is a valid statement of its kind, and typical
// mistakes made to it are refused with the right JSON pointer.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "src/statement/internal.h"
#include "src/statement/statement.h"
#include "src/statement/testing.h"

namespace accord::statement {
namespace {

using Json = nlohmann::json;

using testing::TheValidator;

absl::StatusOr<Statement> Parse(Kind kind, const Json& payload) {
  return TheValidator().Parse(testing::SignedEnvelope(kind, payload));
}

TEST(StatementExamples, EachIsValid) {
  // statement::Example serves one compiled-in example per kind.
  EXPECT_EQ(internal::ExampleFiles().size(), std::size(kAllKinds));
  for (Kind kind : kAllKinds) {
    const Json example = Example(kind);
    absl::StatusOr<Statement> s = Parse(kind, example);
    ASSERT_TRUE(s.ok()) << KindName(kind) << ": " << s.status();
    EXPECT_EQ(s->kind, kind);
    EXPECT_EQ(example.at("kind"), KindName(kind));
  }
}

// The scenario's statements hang together: the claim cites evidence, the response
// answers the request, the request is addressed to the party hosting the servers.
TEST(StatementExamples, ScenarioFields) {
  absl::StatusOr<Statement> claim = Parse(Kind::kClaim, Example(Kind::kClaim));
  ASSERT_TRUE(claim.ok()) << claim.status();
  EXPECT_EQ(claim->issuer, "cert.example.ee/log");
  ASSERT_EQ(claim->refs.size(), 2u);
  EXPECT_EQ(claim->refs[0].kind, Kind::kIncident);
  EXPECT_EQ(claim->refs[1].kind, Kind::kEvidence);

  absl::StatusOr<Statement> request = Parse(Kind::kRequest, Example(Kind::kRequest));
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_THAT(request->addressees, ::testing::ElementsAre("cert.example.nl/log"));
  EXPECT_TRUE(request->private_commitment.has_value());

  absl::StatusOr<Statement> response = Parse(Kind::kResponse, Example(Kind::kResponse));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->issuer, "cert.example.nl/log");
  ASSERT_EQ(response->refs.size(), 1u);
  EXPECT_EQ(response->refs[0].kind, Kind::kRequest);
  EXPECT_EQ(response->refs[0].index, 1044u);
}

// The log that signed the two checkpoints in docs/examples/equivocation.json.
constexpr char kEquivocatingLogKey[] =
    "cert.example.xx/log+7971c7ad+AfXwh/BnHk1fsMNOlvVuLcOHtC1lv1ceuNVzagcWELo8";

TEST(StatementExamples, EquivocationCheckpointsAreSignedByTheLog) {
  absl::StatusOr<Statement> s = Parse(Kind::kEquivocation, Example(Kind::kEquivocation));
  ASSERT_TRUE(s.ok()) << s.status();
  auto verifier = note::NewVerifier(kEquivocatingLogKey);
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  EXPECT_TRUE(VerifyEquivocation(*s, **verifier).ok());
}

struct Mutation {
  std::string name;
  std::function<void(Json&)> apply;
  std::string pointer;
};

// Mistakes that apply to every kind.
std::vector<Mutation> CommonMutations(Kind kind) {
  const std::string other = kind == Kind::kIncident ? "claim" : "incident";
  return {
      {"wrong_kind", [other](Json& p) { p["kind"] = other; }, "/payload/kind"},
      {"kind_not_string", [](Json& p) { p["kind"] = 3; }, "/payload/kind"},
      {"missing_kind", [](Json& p) { p.erase("kind"); }, "/payload/kind"},
      {"missing_issuer", [](Json& p) { p.erase("issuer"); }, "/payload/issuer"},
      {"issuer_with_scheme", [](Json& p) { p["issuer"] = "https://cert.example.ee/log"; },
       "/payload/issuer"},
      {"issuer_upper_case", [](Json& p) { p["issuer"] = "CERT.example.ee/log"; },
       "/payload/issuer"},
      {"missing_issued", [](Json& p) { p.erase("issued"); }, "/payload/issued"},
      {"issued_with_offset", [](Json& p) { p["issued"] = "2026-03-14T11:40:12+02:00"; },
       "/payload/issued"},
      {"issued_date_only", [](Json& p) { p["issued"] = "2026-03-14"; }, "/payload/issued"},
      {"issued_impossible_date", [](Json& p) { p["issued"] = "2026-04-31T00:00:00Z"; },
       "/payload/issued"},
      {"unknown_member", [](Json& p) { p["colour"] = "red"; }, "/payload/colour"},
      {"ref_hash_short",
       [](Json& p) {
         p["refs"] = {{{"origin", "cert.example.ee/log"}, {"index", 1}, {"leaf_hash", "AAAA"}}};
       },
       "/payload/refs/0/leaf_hash"},
      {"ref_hash_hex",
       [](Json& p) {
         p["refs"] = {{{"origin", "cert.example.ee/log"},
                       {"index", 1},
                       {"leaf_hash", std::string(64, 'a')}}};
       },
       "/payload/refs/0/leaf_hash"},
      {"ref_hash_noncanonical",
       [](Json& p) {
         p["refs"] = {{{"origin", "cert.example.ee/log"},
                       {"index", 1},
                       {"leaf_hash", std::string(42, 'A') + "B="}}};  // B has low bits set
       },
       "/payload/refs/0/leaf_hash"},
      {"ref_index_negative",
       [](Json& p) {
         p["refs"] = {{{"origin", "cert.example.ee/log"},
                       {"index", -1},
                       {"leaf_hash", std::string(42, 'A') + "A="}}};
       },
       "/payload/refs/0/index"},
      {"ref_unknown_kind",
       [](Json& p) {
         p["refs"] = {{{"origin", "cert.example.ee/log"},
                       {"index", 1},
                       {"leaf_hash", std::string(43, 'A') + "="},
                       {"kind", "rumour"}}};
       },
       "/payload/refs/0/kind"},
      {"refs_empty", [](Json& p) { p["refs"] = Json::array(); }, "/payload/refs"},
      {"private_upper_hex",
       [](Json& p) {
         p["private"] = {{"sha256", std::string(64, 'A')}};
       },
       "/payload/private/sha256"},
      {"to_repeated",
       [](Json& p) {
         p["to"] = {"cert.example.nl/log", "cert.example.nl/log"};
       },
       "/payload/to"},
      {"to_not_origin", [](Json& p) { p["to"] = {"cert example"}; }, "/payload/to/0"},
  };
}

// Mistakes particular to one kind.
std::vector<Mutation> KindMutations(Kind kind) {
  switch (kind) {
    case Kind::kIncident:
      return {{"bad_sector", [](Json& p) { p["sector"] = "power"; }, "/payload/sector"},
              {"no_severity", [](Json& p) { p.erase("severity"); }, "/payload/severity"},
              {"bad_indicator", [](Json& p) { p["indicators"][1]["type"] = "hostname"; },
               "/payload/indicators/1/type"}};
    case Kind::kEvidence:
      return {
          {"pcap_without_seal", [](Json& p) { p.erase("seal"); }, "/payload/seal"},
          {"seal_root_hex", [](Json& p) { p["seal"]["root"] = std::string(64, 'a'); },
           "/payload/seal/root"},
          {"file_sha_short", [](Json& p) { p["file"]["sha256"] = "abc"; }, "/payload/file/sha256"},
          {"span_reversed", [](Json& p) { p["last_observed"] = "2026-03-01T00:00:00Z"; },
           "/payload/last_observed"},
          {"no_tool_version", [](Json& p) { p["tool"].erase("version"); },
           "/payload/tool/version"}};
    case Kind::kClaim:
      return {
          {"no_evidence", [](Json& p) { p.erase("evidence"); }, "/payload/evidence"},
          {"empty_evidence", [](Json& p) { p["evidence"] = Json::array(); }, "/payload/evidence"},
          {"incident_as_evidence", [](Json& p) { p["evidence"][0]["kind"] = "incident"; },
           "/payload/evidence/0/kind"},
          {"confidence_over_100", [](Json& p) { p["confidence"] = 101; }, "/payload/confidence"}};
    case Kind::kRequest:
      return {
          {"no_addressee", [](Json& p) { p.erase("to"); }, "/payload/to"},
          {"bad_type", [](Json& p) { p["request_type"] = "hack_back"; }, "/payload/request_type"},
          {"short_preservation", [](Json& p) { p["preservation_days"] = 30; },
           "/payload/preservation_days"},
          {"no_legal_basis", [](Json& p) { p["legal_basis"] = Json::array(); },
           "/payload/legal_basis"}};
    case Kind::kResponse:
      return {
          {"no_request", [](Json& p) { p.erase("request"); }, "/payload/request"},
          {"refused_without_grounds", [](Json& p) { p["status"] = "refused"; }, "/payload/grounds"},
          {"bad_status", [](Json& p) { p["status"] = "ignored"; }, "/payload/status"}};
    case Kind::kAccess:
      return {{"no_legal_basis", [](Json& p) { p.erase("legal_basis"); }, "/payload/legal_basis"},
              {"consent_without_time", [](Json& p) { p["consent"].erase("given"); },
               "/payload/consent/given"},
              {"ended_before_started", [](Json& p) { p["ended"] = "2026-03-15T07:00:00Z"; },
               "/payload/ended"}};
    case Kind::kEquivocation:
      return {
          {"one_checkpoint", [](Json& p) { p["checkpoints"].erase(1); }, "/payload/checkpoints"},
          {"same_checkpoint", [](Json& p) { p["checkpoints"][1] = p["checkpoints"][0]; },
           "/payload/checkpoints/1"},
          {"other_origin", [](Json& p) { p["origin"] = "cert.example.yy/log"; },
           "/payload/checkpoints/0"}};
    case Kind::kOfficer:
      return {{"bad_action", [](Json& p) { p["action"] = "promote"; }, "/payload/action"},
              {"key_not_vkey", [](Json& p) { p["key"] = "cert.example.ee/officer/kadri"; },
               "/payload/key"}};
  }
  return {};
}

TEST(StatementExamples, MutationsAreRefusedWithPointer) {
  for (Kind kind : kAllKinds) {
    std::vector<Mutation> mutations = CommonMutations(kind);
    for (Mutation& m : KindMutations(kind)) mutations.push_back(std::move(m));
    for (const Mutation& m : mutations) {
      Json p = Example(kind);
      m.apply(p);
      absl::StatusOr<Statement> s = Parse(kind, p);
      ASSERT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument)
          << KindName(kind) << "/" << m.name;
      EXPECT_EQ(ErrorPointer(s.status()), m.pointer)
          << KindName(kind) << "/" << m.name << ": " << s.status();
    }
  }
}

}  // namespace
}  // namespace accord::statement
