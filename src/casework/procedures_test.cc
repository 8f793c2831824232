// The procedures table is complete and consistent, every rule is documented, and
// CheckRequest enforces the fields each kind requires.
#include "src/casework/procedures.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "src/statement/testing.h"

namespace accord::casework {
namespace {

using Json = nlohmann::json;
using ::testing::HasSubstr;

std::string CaseworkDoc() {
  std::ifstream in(std::string(ACCORD_SOURCE_DIR) + "/docs/casework.md");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Procedures, OnePerRequestTypeInOrder) {
  const char* names[] = {"assistance_24_7", "preservation",      "traffic_disclosure",
                         "production",      "mutual_assistance", "realtime_collection"};
  ASSERT_EQ(Procedures().size(), 6u);
  for (size_t i = 0; i < 6; ++i) {
    const Procedure& p = Procedures()[i];
    EXPECT_EQ(RequestTypeName(p.type), names[i]);
    EXPECT_EQ(ParseRequestType(names[i]), p.type);
    EXPECT_EQ(&ProcedureFor(p.type), &p);
    EXPECT_THAT(std::string(p.uncc), HasSubstr("UNCC Art. "));
    EXPECT_THAT(std::string(p.budapest), HasSubstr("Budapest Art. "));
    EXPECT_FALSE(p.grounds.empty());
    EXPECT_TRUE(Admits(p, ResponseStatus::kRefused));
    EXPECT_TRUE(Admits(p, ResponseStatus::kWithdrawn));
    // Only preservation can be extended (Budapest Art. 29(7)).
    EXPECT_EQ(Admits(p, ResponseStatus::kExtended), p.type == RequestType::kPreservation);
  }
  EXPECT_EQ(ParseRequestType("search"), std::nullopt);
}

TEST(Procedures, StatusNamesRoundTrip) {
  for (const char* name :
       {"acknowledged", "executed", "executed_in_part", "refused", "extended", "withdrawn"}) {
    std::optional<ResponseStatus> s = ParseResponseStatus(name);
    ASSERT_TRUE(s.has_value()) << name;
    EXPECT_EQ(ResponseStatusName(*s), name);
  }
  EXPECT_EQ(ParseResponseStatus("postponed"), std::nullopt);
}

TEST(Procedures, GroundsAreListedUniqueAndDocumented) {
  const std::string doc = CaseworkDoc();
  ASSERT_FALSE(doc.empty());
  std::set<std::string_view> codes;
  for (const RefusalGround& g : RefusalGrounds()) {
    EXPECT_TRUE(codes.insert(g.code).second) << g.code;
    EXPECT_EQ(FindRefusalGround(g.code), &g);
    EXPECT_THAT(doc, HasSubstr(std::string(g.code)));
    EXPECT_THAT(doc, HasSubstr(std::string(g.citation)));
  }
  for (const Procedure& p : Procedures()) {
    for (std::string_view g : p.grounds) EXPECT_NE(FindRefusalGround(g), nullptr) << g;
    EXPECT_THAT(doc, HasSubstr(std::string(p.uncc)));
    EXPECT_THAT(doc, HasSubstr(std::string(p.budapest)));
    EXPECT_THAT(doc, HasSubstr(std::string(RequestTypeName(p.type))));
  }
  EXPECT_EQ(FindRefusalGround("budapest:art99"), nullptr);
}

TEST(Procedures, TimeLimits) {
  CaseworkOptions o;
  EXPECT_EQ(AckPeriod(o, "emergency"), absl::Hours(4));
  EXPECT_EQ(AckPeriod(o, "urgent"), absl::Hours(24));
  EXPECT_EQ(AckPeriod(o, "routine"), absl::Hours(24 * 7));
  EXPECT_EQ(AckPeriod(o, "whenever"), absl::InfiniteDuration());
  EXPECT_EQ(MinPreservation(o), absl::Hours(24 * 60));
  o.min_preservation_days = 30;  // cannot go below the treaty's 60 days
  EXPECT_EQ(MinPreservation(o), absl::Hours(24 * 60));
  o.min_preservation_days = 90;
  EXPECT_EQ(MinPreservation(o), absl::Hours(24 * 90));
}

using statement::testing::TheValidator;

Json RequestPayload(std::string_view type) {
  return {{"kind", "request"},
          {"issuer", "cert.example.ee/log"},
          {"issued", "2026-03-14T12:15:00Z"},
          {"request_type", type},
          {"legal_basis", {"Budapest Art. 29"}},
          {"urgency", "urgent"},
          {"summary", "s"},
          {"data_sought", "subscriber records"},
          {"identifiers", {{{"type", "ipv4-addr"}, {"value", "198.51.100.23"}}}},
          {"period", {{"start", "2026-03-01T00:00:00Z"}}},
          {"offences", {"budapest:art2-illegal-access"}},
          {"preservation_days", 90},
          {"to", {"cert.example.nl/log"}}};
}

absl::Status Check(const Json& payload, const CaseworkOptions& options = {}) {
  absl::StatusOr<statement::Statement> s =
      TheValidator().Parse(statement::testing::SignedEnvelope(statement::Kind::kRequest, payload));
  EXPECT_TRUE(s.ok()) << s.status();
  if (!s.ok()) return s.status();
  return CheckRequest(*s, options);
}

TEST(CheckRequest, EveryProcedureAcceptsACompleteRequest) {
  for (const Procedure& p : Procedures()) {
    EXPECT_TRUE(Check(RequestPayload(RequestTypeName(p.type))).ok()) << RequestTypeName(p.type);
  }
}

TEST(CheckRequest, EveryRequiredFieldIsRequired) {
  for (const Procedure& p : Procedures()) {
    for (const RequiredField& f : p.required) {
      Json r = RequestPayload(RequestTypeName(p.type));
      r.erase(std::string(f.member));
      absl::Status s = Check(r);
      EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << f.member;
      EXPECT_THAT(s.message(), HasSubstr("/payload/" + std::string(f.member)));
      EXPECT_THAT(s.message(), HasSubstr(std::string(f.citation)));
    }
  }
}

TEST(CheckRequest, PreservationDays) {
  Json r = RequestPayload("preservation");
  r["preservation_days"] = 60;
  EXPECT_TRUE(Check(r).ok());
  CaseworkOptions ninety;
  ninety.min_preservation_days = 90;
  absl::Status s = Check(r, ninety);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("at least 90 days (Budapest Art. 29(7)"));
  r["preservation_days"] = 59;  // the schema's floor
  EXPECT_FALSE(
      TheValidator().Parse(statement::testing::SignedEnvelope(statement::Kind::kRequest, r)).ok());
}

TEST(CheckRequest, NotARequest) {
  absl::StatusOr<statement::Statement> s = TheValidator().Parse(statement::testing::SignedEnvelope(
      statement::Kind::kIncident, Json{{"kind", "incident"},
                                       {"issuer", "cert.example.ee/log"},
                                       {"issued", "2026-03-14T12:15:00Z"},
                                       {"title", "t"},
                                       {"summary", "s"},
                                       {"detected", "2026-03-14T06:18:00Z"},
                                       {"sector", "energy"},
                                       {"severity", "high"}}));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(CheckRequest(*s, {}).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace accord::casework
