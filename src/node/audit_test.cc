// The audit (`accord verify`) over logs written behind the node's back: whatever a
// party's log holds, the audit judges every entry by the rules intake applies, so a log
// that intake could not have produced is never "fine".
#include "src/node/audit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "src/node/testing.h"
#include "src/store/log_storage.h"
#include "src/util/encoding.h"

namespace accord::node {
namespace {

using statement::Kind;
using ::testing::HasSubstr;

constexpr char kAuditParty[] = "audit.example/log";

using testing::NewKey;

class AuditTest : public ::testing::Test {
 protected:
  AuditTest()
      : party_(NewKey(kAuditParty)),
        officer_(NewKey("audit.example/officer/kadri")),
        verifier_(party_.MakeVerifier()),
        validator_(*statement::Validator::Create()) {}

  std::string Signed(Kind kind, nlohmann::json p, const note::Ed25519Signer& by) {
    p["issuer"] = kAuditParty;
    return *statement::Sign(kind, p.dump(), by);
  }
  std::string Officer(std::string_view action, std::string_view issued,
                      std::optional<std::string_view> valid_until = std::nullopt) {
    return testing::OfficerDecision(party_, action, officer_, issued, valid_until);
  }
  std::string Incident(std::string_view issued, const note::Ed25519Signer& by) {
    return testing::IncidentAt(kAuditParty, issued, by);
  }
  // The audit of a log holding exactly `entries`, appended without any intake.
  absl::StatusOr<AuditReport> Audit(const std::vector<std::string>& entries) {
    auto log = log::Log::Create(std::make_unique<store::MemoryLogStorage>(), party_);
    if (!log.ok()) return log.status();
    std::vector<std::span<const uint8_t>> views;
    for (const auto& e : entries) views.push_back(util::AsBytes(e));
    if (auto r = (*log)->Append(views); !r.ok()) return r.status();
    return AuditLog(**log, verifier_, *validator_, 0, (*log)->size());
  }

  note::Ed25519Signer party_, officer_;
  note::Ed25519Verifier verifier_;
  std::unique_ptr<statement::Validator> validator_;
};

TEST_F(AuditTest, ALogIntakeWouldWriteIsFine) {
  const std::string incident = Incident("2026-03-02T00:00:00Z", officer_);
  nlohmann::json claim = testing::ExamplePayload(Kind::kRequest, kAuditParty);
  statement::CiteIn(claim, {{Kind::kIncident,
                             {kAuditParty, 1, statement::LeafHashOf(incident), Kind::kIncident}}});
  auto report =
      Audit({Officer("authorize", "2026-03-01T08:00:00Z", "2026-04-01T00:00:00Z"), incident,
             Signed(Kind::kRequest, claim, party_), Officer("revoke", "2026-03-10T00:00:00Z")});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->statements, 4u);
  EXPECT_EQ(report->refs_checked, 1u);
  EXPECT_EQ(report->by_signer[statement::KeyId(officer_.MakeVerifier())], 1u);
}

TEST_F(AuditTest, NoReplayRevivesARevokedOfficer) {
  const std::string authorize = Officer("authorize", "2026-03-01T08:00:00Z");
  const std::string revoke = Officer("revoke", "2026-03-10T00:00:00Z");
  // The original authorisation appended again (a decision that changes nothing now, and
  // a repeat of entry 0).
  auto replayed = Audit({authorize, revoke, authorize});
  EXPECT_TRUE(absl::IsDataLoss(replayed.status())) << replayed.status();
  EXPECT_THAT(std::string(replayed.status().message()), HasSubstr("entry 2: "));
  EXPECT_THAT(std::string(replayed.status().message()), HasSubstr("revoked"));
  // Any other statement appended twice.
  const std::string incident = Incident("2026-03-02T00:00:00Z", party_);
  auto twice = Audit({incident, incident});
  EXPECT_THAT(std::string(twice.status().message()),
              HasSubstr("entry 1: repeats the statement at entry 0"));
  // A new authorisation of the revoked key: a decision intake refuses.
  auto renewed = Audit({authorize, revoke, Officer("authorize", "2026-03-11T00:00:00Z")});
  EXPECT_TRUE(absl::IsDataLoss(renewed.status())) << renewed.status();
  EXPECT_THAT(std::string(renewed.status().message()), HasSubstr("revoked"));
  // The revoked key's statements, even dated while it was valid.
  auto signed_after = Audit({authorize, revoke, Incident("2026-03-05T00:00:00Z", officer_)});
  EXPECT_TRUE(absl::IsDataLoss(signed_after.status())) << signed_after.status();
  EXPECT_THAT(std::string(signed_after.status().message()), HasSubstr("entry 2"));
}

TEST_F(AuditTest, AnOfficerSignsNothingAfterValidUntil) {
  auto report = Audit({Officer("authorize", "2026-03-01T08:00:00Z", "2026-04-01T00:00:00Z"),
                       Incident("2026-04-02T00:00:00Z", officer_)});
  EXPECT_TRUE(absl::IsDataLoss(report.status())) << report.status();
  EXPECT_THAT(std::string(report.status().message()), HasSubstr("lapsed"));
}

TEST_F(AuditTest, AnEntryNotInItsLoggedFormIsInvalid) {
  const std::string incident = Incident("2026-03-02T00:00:00Z", party_);
  auto report = Audit({nlohmann::json::parse(incident).dump(1)});
  EXPECT_TRUE(absl::IsDataLoss(report.status())) << report.status();
  EXPECT_THAT(std::string(report.status().message()), HasSubstr("logged form"));
}

TEST_F(AuditTest, RefsIntoTheLogMustCiteWhatTheySay) {
  const std::string incident = Incident("2026-03-02T00:00:00Z", party_);
  const statement::Ref right{kAuditParty, 0, statement::LeafHashOf(incident), Kind::kIncident};
  struct Case {
    const char* what;
    statement::Ref ref;
    const char* says;
  };
  statement::Ref zero = right;
  zero.leaf_hash = {};
  statement::Ref later = right;
  later.index = 5;
  statement::Ref kind = right;
  kind.kind = Kind::kEvidence;
  for (const Case& c : {Case{"an all-zero leaf hash", zero, "another leaf hash"},
                        Case{"a later entry", later, "not before it"},
                        Case{"another kind", kind, "not the evidence"}}) {
    nlohmann::json request = testing::ExamplePayload(Kind::kRequest, kAuditParty);
    statement::CiteIn(request, {{Kind::kIncident, c.ref}});
    if (c.ref.kind != Kind::kIncident) {
      request["refs"] = nlohmann::json::array({{{"origin", c.ref.origin},
                                                {"index", c.ref.index},
                                                {"leaf_hash", util::Base64Encode(c.ref.leaf_hash)},
                                                {"kind", statement::KindName(*c.ref.kind)}}});
    }
    auto report = Audit({incident, Signed(Kind::kRequest, request, party_)});
    EXPECT_TRUE(absl::IsDataLoss(report.status())) << c.what << ": " << report.status();
    EXPECT_THAT(std::string(report.status().message()), HasSubstr(c.says)) << c.what;
  }
  // A ref into another log is counted, for the caller to resolve.
  nlohmann::json request = testing::ExamplePayload(Kind::kRequest, kAuditParty);
  auto report = Audit({incident, Signed(Kind::kRequest, request, party_)});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->foreign_refs, 1u);
  EXPECT_EQ(report->refs_checked, 0u);
}

}  // namespace
}  // namespace accord::node
