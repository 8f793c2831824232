#include "src/node/intake.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "absl/strings/str_replace.h"
#include "src/node/testing.h"
#include "src/util/time.h"

namespace accord::node {
namespace {

using ::testing::HasSubstr;

constexpr char kIntakeParty[] = "intake.example/log";

absl::Time IntakeTime(std::string_view rfc3339) { return *util::ParseRfc3339(rfc3339); }

using testing::NewKey;

class IntakeTest : public ::testing::Test {
 protected:
  IntakeTest()
      : party_(NewKey(kIntakeParty)),
        officer_(NewKey("intake.example/officer/kadri")),
        validator_(*statement::Validator::Create()),
        intake_(std::make_shared<note::Ed25519Verifier>(party_.MakeVerifier()), *validator_) {}

  std::string Incident(const note::Ed25519Signer& by, std::string_view issued) {
    return testing::IncidentAt(kIntakeParty, issued, by);
  }
  std::string Officer(std::string_view action, std::string_view issued,
                      std::optional<std::string_view> valid_until = std::nullopt) {
    return testing::OfficerDecision(party_, action, officer_, issued, valid_until);
  }
  // Admits `envelope` now and, as the node does once it is queued, applies it.
  absl::StatusOr<Accepted> Commit(std::string_view envelope, absl::Time now) {
    auto a = intake_.Admit(envelope, now);
    if (a.ok() && a->statement.kind == statement::Kind::kOfficer) {
      EXPECT_TRUE(intake_.Apply(a->statement).ok());
    }
    return a;
  }

  note::Ed25519Signer party_, officer_;
  std::unique_ptr<statement::Validator> validator_;
  Intake intake_;
};

TEST_F(IntakeTest, ReSpelledOrReSignedSubmissionsAreOneStatementInOneLoggedForm) {
  const std::string original = Incident(party_, "2026-03-14T09:40:12Z");
  auto first = intake_.Admit(original, IntakeTime("2026-03-14T09:41:00Z"));
  ASSERT_TRUE(first.ok()) << first.status();

  // Whitespace and escapes.
  std::string spaced = nlohmann::json::parse(original).dump(2);
  spaced = absl::StrReplaceAll(spaced, {{"/", "\\/"}});
  // Another (unauthorised) signature added before the party's.
  auto env = *statement::ParseEnvelope(original);
  const note::Ed25519Signer stranger = NewKey("stranger.example/log");
  const std::string pae = statement::Pae(env.payload_type, env.payload);
  env.signatures.insert(env.signatures.begin(),
                        {statement::KeyId(stranger.MakeVerifier()), *stranger.Sign(pae)});
  const std::string extra = statement::SerializeEnvelope(env);

  for (const std::string& variant : {spaced, extra}) {
    auto again = intake_.Admit(variant, IntakeTime("2026-03-14T09:42:00Z"));
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(again->entry, first->entry);
    EXPECT_EQ(again->meta.digest, first->meta.digest);
    EXPECT_EQ(again->meta.leaf_hash, first->meta.leaf_hash);
  }
  // The logged form is what verifiers accept; the other spellings are not.
  EXPECT_TRUE(intake_.Verify(first->entry).ok());
  for (const std::string& variant : {original == first->entry ? spaced : original, extra}) {
    auto v = intake_.Verify(variant);
    EXPECT_TRUE(absl::IsInvalidArgument(v.status())) << v.status();
    EXPECT_THAT(v.status().message(), HasSubstr("logged form"));
  }
}

TEST_F(IntakeTest, AReplayedAuthorisationDoesNotReviveARevokedOfficer) {
  const std::string authorize = Officer("authorize", "2026-03-01T08:00:00Z");
  ASSERT_TRUE(Commit(authorize, IntakeTime("2026-03-01T08:00:30Z")).ok());
  ASSERT_TRUE(
      intake_.Admit(Incident(officer_, "2026-03-02T00:00:00Z"), IntakeTime("2026-03-02T00:00:01Z"))
          .ok());
  ASSERT_TRUE(
      Commit(Officer("revoke", "2026-03-10T08:00:00Z"), IntakeTime("2026-03-10T08:00:01Z")).ok());

  for (const std::string& revive : {authorize, Officer("authorize", "2026-03-11T08:00:00Z")}) {
    auto r = intake_.Admit(revive, IntakeTime("2026-03-11T08:00:01Z"));
    EXPECT_TRUE(absl::IsFailedPrecondition(r.status())) << r.status();
    EXPECT_EQ(ProblemName(r.status()), kProblemOfficerDecision);
  }
  EXPECT_EQ(intake_.officers(), 0u);
  auto signed_after =
      intake_.Admit(Incident(officer_, "2026-03-11T00:00:00Z"), IntakeTime("2026-03-11T00:00:01Z"));
  EXPECT_TRUE(absl::IsPermissionDenied(signed_after.status())) << signed_after.status();
  EXPECT_EQ(ProblemName(signed_after.status()), kProblemUnknownSigner);
  EXPECT_THAT(signed_after.status().message(), HasSubstr("revoked"));
}

TEST_F(IntakeTest, ValidUntilIsEnforcedOnIssuedAndOnTheClock) {
  ASSERT_TRUE(Commit(Officer("authorize", "2026-03-01T08:00:00Z", "2026-04-01T00:00:00Z"),
                     IntakeTime("2026-03-01T08:00:30Z"))
                  .ok());
  const std::string inside = Incident(officer_, "2026-03-31T23:00:00Z");
  EXPECT_TRUE(intake_.Admit(inside, IntakeTime("2026-03-31T23:00:05Z")).ok());
  // Submitted after the authorisation lapsed: refused even though issued inside it.
  auto late = intake_.Admit(inside, IntakeTime("2026-04-01T00:00:05Z"));
  EXPECT_TRUE(absl::IsPermissionDenied(late.status())) << late.status();
  EXPECT_THAT(late.status().message(), HasSubstr("lapsed"));
  // A verifier replaying the log judges by `issued`: the entry stays valid.
  auto logged = intake_.Admit(inside, IntakeTime("2026-03-31T23:00:05Z"));
  ASSERT_TRUE(logged.ok());
  EXPECT_TRUE(intake_.Verify(logged->entry).ok());
  // Issued after valid_until: refused by intake and by verifiers alike.
  const std::string after = Incident(officer_, "2026-04-02T00:00:00Z");
  EXPECT_TRUE(
      absl::IsPermissionDenied(intake_.Admit(after, IntakeTime("2026-04-02T00:00:01Z")).status()));
  EXPECT_TRUE(absl::IsPermissionDenied(intake_.Verify(after).status()));
}

TEST_F(IntakeTest, OfficerStatementsAreSignedByThePartyKeyOnly) {
  ASSERT_TRUE(
      Commit(Officer("authorize", "2026-03-01T08:00:00Z"), IntakeTime("2026-03-01T08:00:30Z"))
          .ok());
  nlohmann::json p = testing::ExamplePayload(statement::Kind::kOfficer, kIntakeParty);
  p["issued"] = "2026-03-02T00:00:00Z";
  p["key"] = NewKey("intake.example/officer/mart").VerifierKeyString();
  auto r = intake_.Admit(*statement::Sign(statement::Kind::kOfficer, p.dump(), officer_),
                         IntakeTime("2026-03-02T00:00:01Z"));
  EXPECT_TRUE(absl::IsPermissionDenied(r.status())) << r.status();
  EXPECT_EQ(ProblemName(r.status()), kProblemUnknownSigner);
}

}  // namespace
}  // namespace accord::node
