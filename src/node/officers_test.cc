#include "src/node/officers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "src/note/keys.h"
#include "src/util/time.h"

namespace accord::node {
namespace {

using ::testing::HasSubstr;

constexpr char kParty[] = "officers.example/log";

absl::Time At(std::string_view rfc3339) { return *util::ParseRfc3339(rfc3339); }

statement::Statement Decision(std::string_view action, std::string_view key,
                              std::string_view issued,
                              std::optional<std::string_view> valid_until = std::nullopt) {
  statement::Statement s;
  s.kind = statement::Kind::kOfficer;
  s.issuer = kParty;
  s.issued = At(issued);
  s.payload = {{"kind", "officer"},
               {"issuer", kParty},
               {"issued", std::string(issued)},
               {"action", std::string(action)},
               {"key", std::string(key)}};
  if (valid_until) s.payload["valid_until"] = std::string(*valid_until);
  return s;
}

class OfficerRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pair = note::GenerateKey("officers.example/officer/kadri");
    ASSERT_TRUE(pair.ok());
    vkey_ = pair->verifier_key;
    keyid_ = statement::KeyId(**note::NewVerifier(vkey_));
  }
  std::string vkey_, keyid_;
  OfficerRegistry registry_;
};

TEST_F(OfficerRegistryTest, AKeySignsOnlyWithinItsAuthorisation) {
  ASSERT_TRUE(
      registry_.Apply(Decision("authorize", vkey_, "2026-03-01T08:00:00Z", "2026-06-01T00:00:00Z"))
          .ok());
  EXPECT_EQ(registry_.active(), 1u);
  EXPECT_TRUE(registry_.SignerFor(keyid_, At("2026-04-01T00:00:00Z"), std::nullopt).ok());
  // Issued before the authorisation: the key did not speak for the party then.
  auto early = registry_.SignerFor(keyid_, At("2026-02-28T00:00:00Z"), std::nullopt);
  EXPECT_TRUE(absl::IsPermissionDenied(early.status())) << early.status();
  EXPECT_THAT(early.status().message(), HasSubstr("before the key"));
  // Issued after valid_until, or submitted after it (intake passes its clock).
  auto late = registry_.SignerFor(keyid_, At("2026-06-02T00:00:00Z"), std::nullopt);
  EXPECT_TRUE(absl::IsPermissionDenied(late.status())) << late.status();
  EXPECT_THAT(late.status().message(), HasSubstr("lapsed at 2026-06-01T00:00:00Z"));
  auto now_late =
      registry_.SignerFor(keyid_, At("2026-05-31T00:00:00Z"), At("2026-06-01T00:00:01Z"));
  EXPECT_TRUE(absl::IsPermissionDenied(now_late.status())) << now_late.status();
  // A key never authorised.
  EXPECT_TRUE(absl::IsNotFound(
      registry_
          .SignerFor("officers.example/other+00000000", At("2026-04-01T00:00:00Z"), std::nullopt)
          .status()));
}

TEST_F(OfficerRegistryTest, ARevocationIsFinalWhateverIsReplayedOrIssuedLater) {
  const auto authorize = Decision("authorize", vkey_, "2026-03-01T08:00:00Z");
  ASSERT_TRUE(registry_.Apply(authorize).ok());
  ASSERT_TRUE(registry_.Apply(Decision("revoke", vkey_, "2026-03-10T08:00:00Z")).ok());
  EXPECT_EQ(registry_.active(), 0u);
  // The original authorisation replayed: refused, and changes nothing.
  absl::Status replay = registry_.Apply(authorize);
  EXPECT_TRUE(absl::IsFailedPrecondition(replay)) << replay;
  EXPECT_THAT(replay.message(), HasSubstr("revoked"));
  // Nor does a new authorisation of the same key, issued after the revocation.
  EXPECT_TRUE(absl::IsFailedPrecondition(
      registry_.Apply(Decision("authorize", vkey_, "2026-04-01T00:00:00Z"))));
  // Nor a second revocation.
  EXPECT_TRUE(absl::IsFailedPrecondition(
      registry_.Apply(Decision("revoke", vkey_, "2026-04-02T00:00:00Z"))));
  EXPECT_EQ(registry_.active(), 0u);
  // The revoked key signs nothing, not even a statement "issued" while it was valid.
  auto signer = registry_.SignerFor(keyid_, At("2026-03-05T00:00:00Z"), std::nullopt);
  EXPECT_TRUE(absl::IsPermissionDenied(signer.status())) << signer.status();
}

TEST_F(OfficerRegistryTest, ARenewalMustBeIssuedLaterThanTheKeysLatestDecision) {
  ASSERT_TRUE(
      registry_.Apply(Decision("authorize", vkey_, "2026-03-01T08:00:00Z", "2026-06-01T00:00:00Z"))
          .ok());
  // A renewal extends validity.
  ASSERT_TRUE(
      registry_.Apply(Decision("authorize", vkey_, "2026-05-01T00:00:00Z", "2026-12-01T00:00:00Z"))
          .ok());
  EXPECT_TRUE(registry_.SignerFor(keyid_, At("2026-07-01T00:00:00Z"), std::nullopt).ok());
  // A replay of the first (shorter) one, or any older decision, changes nothing.
  absl::Status stale =
      registry_.Apply(Decision("authorize", vkey_, "2026-03-01T08:00:00Z", "2026-06-01T00:00:00Z"));
  EXPECT_TRUE(absl::IsFailedPrecondition(stale)) << stale;
  EXPECT_THAT(stale.message(), HasSubstr("is not newer"));
  EXPECT_TRUE(registry_.SignerFor(keyid_, At("2026-07-01T00:00:00Z"), std::nullopt).ok());
  // Authorisation time stays the first one's: statements issued between the two are fine.
  EXPECT_TRUE(registry_.SignerFor(keyid_, At("2026-04-01T00:00:00Z"), std::nullopt).ok());
}

TEST_F(OfficerRegistryTest, InvalidDecisionsAreRefusedAndChangeNothing) {
  EXPECT_TRUE(
      absl::IsInvalidArgument(registry_.Apply(Decision("promote", vkey_, "2026-03-01T08:00:00Z"))));
  EXPECT_TRUE(absl::IsInvalidArgument(
      registry_.Apply(Decision("authorize", "not a key", "2026-03-01T08:00:00Z"))));
  absl::Status until =
      registry_.Apply(Decision("authorize", vkey_, "2026-03-01T08:00:00Z", "2026-03-01T08:00:00Z"));
  EXPECT_TRUE(absl::IsInvalidArgument(until)) << until;
  EXPECT_THAT(until.message(), HasSubstr("is not after"));
  statement::Statement incident = Decision("authorize", vkey_, "2026-03-01T08:00:00Z");
  incident.kind = statement::Kind::kIncident;
  EXPECT_TRUE(absl::IsInvalidArgument(registry_.Apply(incident)));
  EXPECT_EQ(registry_.active(), 0u);
  EXPECT_TRUE(absl::IsNotFound(
      registry_.SignerFor(keyid_, At("2026-04-01T00:00:00Z"), std::nullopt).status()));
}

TEST_F(OfficerRegistryTest, AKeyRevokedBeforeItWasEverAuthorisedNeverIs) {
  ASSERT_TRUE(registry_.Apply(Decision("revoke", vkey_, "2026-03-01T08:00:00Z")).ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(
      registry_.Apply(Decision("authorize", vkey_, "2026-03-02T08:00:00Z"))));
  EXPECT_EQ(registry_.active(), 0u);
}

}  // namespace
}  // namespace accord::node
