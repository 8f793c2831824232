#include "src/federation/directory.h"

#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "src/log/testing.h"
#include "src/note/checkpoint.h"
#include "src/note/cosignature.h"
#include "src/note/keys.h"

namespace accord::federation {
namespace {

using ::testing::HasSubstr;

struct TestParty {
  note::KeyPair log;
  note::KeyPair witness;
};

TestParty MakeParty(std::string_view host) {
  return {*note::GenerateKey(absl::StrCat(std::string(host), "/log")),
          *note::GenerateCosignerKey(absl::StrCat(std::string(host), "/witness"))};
}

nlohmann::json PartyJson(const TestParty& p, std::string_view host, int port) {
  return {{"name", absl::StrCat("CERT of ", std::string(host))},
          {"origin", absl::StrCat(std::string(host), "/log")},
          {"log_key", p.log.verifier_key},
          {"url", absl::StrCat("http://127.0.0.1:", port)},
          {"witness", {{"key", p.witness.verifier_key}}},
          {"contact", {{"team", "duty officer"}, {"email", "duty@example"}, {"hours", "24/7"}}}};
}

class DirectoryTest : public ::testing::Test {
 protected:
  TestParty a_ = MakeParty("a.example"), b_ = MakeParty("b.example");
  nlohmann::json doc_ = {
      {"accord_directory", 1},
      {"witness_quorum", 1},
      {"parties", {PartyJson(a_, "a.example", 7381), PartyJson(b_, "b.example", 7382)}}};
};

TEST_F(DirectoryTest, AQuorumNoLogCouldReachIsRefused) {
  doc_["witness_quorum"] = 2;  // each log has one other party to cosign it
  auto d = ParseDirectory(doc_.dump());
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(d.status().message(), HasSubstr("only 1 other party"));
  doc_["witness_quorum"] = 1;
  doc_["parties"][1].erase("witness");  // a.example's log now has no one to cosign it
  d = ParseDirectory(doc_.dump());
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(d.status().message(),
              HasSubstr("a.example/log can be cosigned by the witnesses of only 0"));
  doc_["witness_quorum"] = 0;
  EXPECT_TRUE(ParseDirectory(doc_.dump()).ok());
  doc_.erase("witness_quorum");  // the default, 1
  EXPECT_FALSE(ParseDirectory(doc_.dump()).ok());
}

TEST_F(DirectoryTest, EntriesAreCheckedAndAssembled) {
  auto d = ParseDirectory(doc_.dump());
  ASSERT_TRUE(d.ok()) << d.status();
  auto a = FormatEntry(d->parties[0]);
  auto b = FormatEntry(d->parties[1]);
  ASSERT_TRUE(a.ok() && b.ok());
  const std::vector<std::string> entries = {*a, *b};
  auto assembled = AssembleDirectory(entries, 1);
  ASSERT_TRUE(assembled.ok()) << assembled.status();
  EXPECT_EQ(FormatDirectory(*assembled), FormatDirectory(*d));
  EXPECT_FALSE(AssembleDirectory(entries, 2).ok()) << "two parties cannot give a quorum of 2";
  const std::vector<std::string> broken = {*a, "[1]"};
  auto refused = AssembleDirectory(broken, 1);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("entry 2"));

  Party bad = d->parties[0];
  bad.url = "ftp://example";
  EXPECT_FALSE(FormatEntry(bad).ok());
}

TEST_F(DirectoryTest, ParsesAndFormatsRoundTrip) {
  auto d = ParseDirectory(doc_.dump());
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_EQ(d->parties.size(), 2u);
  const Party* a = d->FindByOrigin("a.example/log");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->witness_url, "http://127.0.0.1:7381");  // defaults to the node's URL
  EXPECT_EQ(a->contact.hours, "24/7");
  ASSERT_NE(a->witness_verifier, nullptr);
  EXPECT_EQ(d->FindByWitness("b.example/witness"), d->FindByOrigin("b.example/log"));
  EXPECT_EQ(d->FindByOrigin("c.example/log"), nullptr);

  auto again = ParseDirectory(FormatDirectory(*d));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(FormatDirectory(*again), FormatDirectory(*d));
}

TEST_F(DirectoryTest, RejectsWhatItCannotTrust) {
  struct Case {
    std::string name;
    std::function<void(nlohmann::json&)> mutate;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"version", [](nlohmann::json& j) { j["accord_directory"] = 2; }, "accord_directory"},
      {"unknown member", [](nlohmann::json& j) { j["extra"] = 1; }, "unknown member"},
      {"no parties", [](nlohmann::json& j) { j["parties"] = nlohmann::json::array(); }, "parties"},
      {"quorum", [](nlohmann::json& j) { j["witness_quorum"] = -1; }, "witness_quorum"},
      {"origin twice", [](nlohmann::json& j) { j["parties"][1] = j["parties"][0]; },
       "listed twice"},
      {"key of another log",
       [this](nlohmann::json& j) { j["parties"][0]["log_key"] = b_.log.verifier_key; },
       "not the origin"},
      {"witness key as log key",
       [this](nlohmann::json& j) { j["parties"][0]["log_key"] = a_.witness.verifier_key; },
       "log_key"},
      {"log key as witness key",
       [this](nlohmann::json& j) { j["parties"][0]["witness"]["key"] = a_.log.verifier_key; },
       "witness"},
      {"garbage key", [](nlohmann::json& j) { j["parties"][0]["log_key"] = "nope"; }, "log_key"},
      {"url scheme", [](nlohmann::json& j) { j["parties"][0]["url"] = "ftp://x"; }, "http(s) URL"},
      {"url without host", [](nlohmann::json& j) { j["parties"][0]["url"] = "http:///x"; },
       "no host"},
      {"missing url", [](nlohmann::json& j) { j["parties"][0].erase("url"); },
       "\"url\" is missing"},
      {"same witness twice",
       [this](nlohmann::json& j) { j["parties"][1]["witness"]["key"] = a_.witness.verifier_key; },
       "witness name"},
      {"contact type", [](nlohmann::json& j) { j["parties"][0]["contact"]["phone"] = 5; }, "phone"},
      {"box key", [](nlohmann::json& j) { j["parties"][0]["box_key"] = "AAAA"; }, "box_key"},
  };
  for (const Case& c : cases) {
    nlohmann::json j = doc_;
    c.mutate(j);
    auto d = ParseDirectory(j.dump());
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_THAT(d.status().message(), HasSubstr(c.message)) << c.name;
  }
  EXPECT_FALSE(ParseDirectory("{").ok());
  EXPECT_FALSE(ParseDirectory("[]").ok());
  // The strict reader (src/util/json.h): a repeated member could hide a second key or
  // quorum from one of two parsers; a NUL would hide what follows it.
  const std::string text = doc_.dump();
  auto twice = ParseDirectory(absl::StrCat("{\"witness_quorum\":64,", text.substr(1)));
  EXPECT_THAT(twice.status().message(), HasSubstr("/witness_quorum: member name repeated"));
  EXPECT_THAT(ParseDirectory(text + std::string(1, '\0') + "{}").status().message(),
              HasSubstr("NUL byte"));
  EXPECT_THAT(ParseDirectory("\xEF\xBB\xBF" + text).status().message(),
              HasSubstr("byte order mark"));
}

TEST_F(DirectoryTest, CountsOnlyValidCosignaturesOfOtherParties) {
  auto d = ParseDirectory(doc_.dump());
  ASSERT_TRUE(d.ok());
  const std::string text = note::FormatCheckpoint({"b.example/log", 5, {}, {}});
  auto log_signer = *note::NewSigner(b_.log.private_key);
  std::string signed_note = *note::SignCheckpoint({"b.example/log", 5, {}, {}}, log_signer);
  EXPECT_EQ(CountCosignatures(*d, "b.example/log", signed_note), 0u);

  auto a_witness = *note::NewCosignatureSigner(a_.witness.private_key);
  auto b_witness = *note::NewCosignatureSigner(b_.witness.private_key);
  const std::string by_a = *note::Cosign(text, a_witness, 1700000000);
  const std::string by_b = *note::Cosign(text, b_witness, 1700000000);
  // A's cosignature counts once, however often it appears; B's own witness never does.
  std::string cosigned = signed_note + by_a + by_a + by_b;
  EXPECT_EQ(CountCosignatures(*d, "b.example/log", cosigned), 1u);
  EXPECT_THAT(CosigningWitnesses(*d, "b.example/log", cosigned),
              ::testing::ElementsAre("a.example/witness"));
  // A cosignature over another checkpoint does not count.
  const std::string other =
      *note::Cosign(note::FormatCheckpoint({"b.example/log", 6, {}, {}}), a_witness, 1700000000);
  EXPECT_EQ(CountCosignatures(*d, "b.example/log", signed_note + other), 0u);
  EXPECT_EQ(CountCosignatures(*d, "b.example/log", "garbage"), 0u);
}

TEST_F(DirectoryTest, WatcherReloadsOnChangeAndKeepsTheLastGoodOne) {
  log::testing::TempDir dir;
  const auto path = dir.path() / "directory.json";
  std::ofstream(path) << doc_.dump();
  auto w = DirectoryWatcher::Open(path, absl::ZeroDuration());
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ((*w)->current()->parties.size(), 2u);
  EXPECT_EQ((*w)->generation(), 1u);

  nlohmann::json one = doc_;
  one["parties"].erase(1);
  one["witness_quorum"] = 0;  // a party alone has no one to cosign its log
  std::ofstream(path, std::ios::trunc) << one.dump();
  EXPECT_EQ((*w)->current()->parties.size(), 1u);
  EXPECT_EQ((*w)->generation(), 2u);
  EXPECT_TRUE((*w)->last_error().ok());

  std::ofstream(path, std::ios::trunc) << "{not json at all}";
  EXPECT_EQ((*w)->current()->parties.size(), 1u);  // kept
  EXPECT_THAT((*w)->last_error().message(), HasSubstr("keeping the directory"));

  EXPECT_FALSE(DirectoryWatcher::Open(dir.path() / "missing.json").ok());
}

}  // namespace
}  // namespace accord::federation
