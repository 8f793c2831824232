// The offence taxonomy: the compiled-in file loads and is consistent, Parse refuses
// broken taxonomies, and the validator refuses offence codes it does not list.
#include "src/statement/taxonomy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "src/statement/statement.h"
#include "src/statement/testing.h"

namespace accord::statement {
namespace {

using Json = nlohmann::json;
using ::testing::HasSubstr;

TEST(Taxonomy, CompiledInLoads) {
  const Taxonomy& t = OffenceTaxonomy();
  EXPECT_EQ(t.version(), 1);
  // UNCC Art. 7-17 and Budapest Art. 2-10, one entry each.
  std::set<int> uncc, budapest;
  for (const Offence& o : t.offences()) {
    (o.instrument == Instrument::kUncc ? uncc : budapest).insert(o.article);
  }
  EXPECT_EQ(uncc, (std::set<int>{7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}));
  EXPECT_EQ(budapest, (std::set<int>{2, 3, 4, 5, 6, 7, 8, 9, 10}));
}

TEST(Taxonomy, CodesUniqueAndEquivalentsSymmetric) {
  const Taxonomy& t = OffenceTaxonomy();
  std::set<std::string> codes;
  for (const Offence& o : t.offences()) {
    EXPECT_TRUE(codes.insert(o.code).second) << o.code;
    for (const Offence* e : t.Equivalents(o.code)) {
      ASSERT_NE(e, nullptr) << o.code;
      EXPECT_NE(e->instrument, o.instrument) << o.code;
      EXPECT_TRUE(t.SameConduct(e->code, o.code)) << o.code << " <-> " << e->code;
    }
  }
}

TEST(Taxonomy, ExistingCodesAndCoreEquivalences) {
  const Taxonomy& t = OffenceTaxonomy();
  ASSERT_NE(t.Find("budapest:art2-illegal-access"), nullptr);
  ASSERT_NE(t.Find("budapest:art5-system-interference"), nullptr);
  EXPECT_TRUE(t.SameConduct("uncc:art7-illegal-access", "budapest:art2-illegal-access"));
  EXPECT_TRUE(t.SameConduct("budapest:art5-system-interference", "uncc:art10-system-interference"));
  EXPECT_TRUE(t.SameConduct("uncc:art13-theft-or-fraud", "budapest:art8-computer-related-fraud"));
  EXPECT_FALSE(t.SameConduct("uncc:art7-illegal-access", "budapest:art3-illegal-interception"));
  EXPECT_FALSE(t.SameConduct("budapest:art5", "budapest:art5"));  // not a taxonomy code
  EXPECT_TRUE(t.Equivalents("uncc:art17-laundering").empty());
  EXPECT_EQ(t.Find("budapest:art5"), nullptr);
}

TEST(Taxonomy, ParseRefusesBrokenDocuments) {
  auto doc = [](Json offences) { return Json{{"version", 1}, {"offences", offences}}.dump(); };
  auto entry = [](std::string code, std::string instrument, int article, Json equivalents) {
    return Json{{"code", code},     {"instrument", instrument}, {"article", article},
                {"title", "t"},     {"description", "d"},       {"equivalents", equivalents},
                {"verified", false}};
  };
  const Json a = entry("uncc:art7-x", "uncc", 7, {"budapest:art2-x"});
  const Json b = entry("budapest:art2-x", "budapest", 2, {"uncc:art7-x"});
  EXPECT_TRUE(Taxonomy::Parse(doc({a, b})).ok());

  const struct {
    Json offences;
    std::string message;
  } bad[] = {
      {{a, b, a}, "repeated"},
      {{a, entry("budapest:art2-x", "budapest", 2, Json::array())}, "does not list it back"},
      {Json::array({a}), "is unknown"},
      {{entry("uncc:art7-x", "uncc", 7, {"uncc:art8-y"}),
        entry("uncc:art8-y", "uncc", 8, {"uncc:art7-x"})},
       "same instrument"},
      {Json::array({entry("uncc:art8-x", "uncc", 7, Json::array())}), "does not start with"},
      {Json::array({entry("ecj:art1-x", "ecj", 1, Json::array())}), "unknown instrument"},
  };
  for (const auto& c : bad) {
    absl::StatusOr<Taxonomy> t = Taxonomy::Parse(doc(c.offences));
    ASSERT_FALSE(t.ok()) << c.message;
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(t.status().message(), HasSubstr(c.message));
  }
  EXPECT_FALSE(Taxonomy::Parse("{").ok());
  EXPECT_FALSE(Taxonomy::Parse(R"({"version":1})").ok());
}

// The file in the source tree is the one compiled in.
TEST(Taxonomy, SourceFileMatchesCompiledIn) {
  std::ifstream in(std::string(ACCORD_SOURCE_DIR) + "/docs/taxonomy/offences.v1.json");
  std::stringstream ss;
  ss << in.rdbuf();
  absl::StatusOr<Taxonomy> t = Taxonomy::Parse(ss.str());
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->offences().size(), OffenceTaxonomy().offences().size());
}

using testing::TheValidator;

Json Payload(Kind kind) {
  Json p = {{"kind", KindName(kind)},
            {"issuer", "cert.example.ee/log"},
            {"issued", "2026-03-14T12:15:00Z"},
            {"offences", {"uncc:art7-illegal-access", "budapest:art5-system-interference"}}};
  switch (kind) {
    case Kind::kIncident:
      p.update({{"title", "t"},
                {"summary", "s"},
                {"detected", "2026-03-14T06:18:00Z"},
                {"sector", "energy"},
                {"severity", "high"}});
      break;
    case Kind::kRequest:
      p.update({{"request_type", "preservation"},
                {"legal_basis", {"Budapest Art. 29"}},
                {"urgency", "urgent"},
                {"summary", "s"},
                {"to", {"cert.example.nl/log"}}});
      break;
    default:
      p.update({{"attribution", "a"},
                {"confidence", 50},
                {"evidence",
                 {{{"origin", "cert.example.ee/log"},
                   {"index", 1},
                   {"leaf_hash", "CqCU4q+9tINOmh1Jii7jr08SnrGeKwLCkFzwkBU/500="}}}}});
  }
  return p;
}

TEST(Taxonomy, ValidatorAcceptsTaxonomyCodes) {
  for (Kind kind : {Kind::kIncident, Kind::kRequest, Kind::kClaim}) {
    absl::StatusOr<Statement> s =
        TheValidator().Parse(testing::SignedEnvelope(kind, Payload(kind)));
    EXPECT_TRUE(s.ok()) << KindName(kind) << ": " << s.status();
  }
}

TEST(Taxonomy, ValidatorRefusesUnknownCodeWithItsPointer) {
  for (Kind kind : {Kind::kIncident, Kind::kRequest, Kind::kClaim}) {
    Json p = Payload(kind);
    p["offences"].push_back("budapest:art5");  // the free style used before the taxonomy
    absl::StatusOr<Statement> s = TheValidator().Parse(testing::SignedEnvelope(kind, p));
    ASSERT_FALSE(s.ok()) << KindName(kind);
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(ErrorPointer(s.status()), "/payload/offences/2") << s.status();
    EXPECT_EQ(FaultOf(s.status()), Fault::kBadPayload);
    EXPECT_THAT(s.status().message(), HasSubstr("budapest:art5"));
  }
}

}  // namespace
}  // namespace accord::statement
