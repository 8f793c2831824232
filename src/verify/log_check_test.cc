#include "src/verify/log_check.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/node/api.h"
#include "src/node/client.h"
#include "src/node/testing.h"
#include "src/note/keys.h"

namespace accord::verify {
namespace {

using statement::Kind;
constexpr char kOrigin[] = "cert.example.ee/log";

// One party's node serving three incidents, and the verifier's view of it.
class LogCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    node::NodeServerOptions o;
    o.node.data_dir = dir_.path() / "node";
    o.node.key = node::testing::PartyKeyIn(o.node.data_dir, kOrigin);
    o.node.stores = node::testing::EmbeddedStoresIn(o.node.data_dir);
    o.node.sequencer.max_delay = absl::Milliseconds(1);
    auto s = node::NodeServer::Start(std::move(o));
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = *std::move(s);
    const note::Ed25519Signer party = node::testing::KeyFromFile(dir_.path() / "node/party.key");
    auto client = node::NodeClient::Create(server_->url());
    ASSERT_TRUE(client.ok());
    for (int i = 0; i < 3; ++i) {
      auto r = (*client)->Submit(node::testing::SignedExample(Kind::kIncident, kOrigin, party, i));
      ASSERT_TRUE(r.ok()) << r.status();
      leaves_.push_back(r->leaf_hash);
    }
    key_ = *note::NewVerifier(server_->node().verifier_key());
  }

  // A directory listing this node (quorum `quorum`) and, if `other`, a second party.
  federation::Directory Directory(size_t quorum, bool list_this = true) {
    nlohmann::json parties = nlohmann::json::array();
    auto party = [&](const std::string& origin, const std::string& log_key) {
      return nlohmann::json{
          {"name", origin},
          {"origin", origin},
          {"log_key", log_key},
          {"url", server_->url()},
          {"witness", {{"key", note::GenerateCosignerKey(origin + "/w")->verifier_key}}},
          {"contact", {{"team", "duty"}, {"email", "duty@example"}, {"hours", "24/7"}}}};
    };
    if (list_this) parties.push_back(party(kOrigin, server_->node().verifier_key()));
    for (const char* other : {"cert.example.lv/log", "cert.example.lt/log"}) {
      parties.push_back(party(other, note::GenerateKey(other)->verifier_key));
    }
    const nlohmann::json doc = {
        {"accord_directory", 1}, {"witness_quorum", quorum}, {"parties", parties}};
    auto d = federation::ParseDirectory(doc.dump());
    EXPECT_TRUE(d.ok()) << d.status();
    return *std::move(d);
  }

  node::testing::TempDir dir_;
  std::unique_ptr<node::NodeServer> server_;
  std::unique_ptr<note::Verifier> key_;
  std::vector<tlog::Hash> leaves_;
};

TEST_F(LogCheckTest, TheWholeLogAgainstAGivenKey) {
  LogTrust trust;
  trust.key = key_.get();
  auto r = CheckLog(server_->url(), trust);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->checkpoint.origin, kOrigin);
  EXPECT_EQ(r->checkpoint.size, 3u);
  EXPECT_TRUE(r->whole_log);
  EXPECT_FALSE(r->witnesses_checked);
  EXPECT_EQ(r->audit.statements, 3u);
  EXPECT_EQ(r->audit.by_kind.at("incident"), 3u);
  EXPECT_GE(r->tiles.entry_bundles, 1u);
  const auto j = r->ToJson();
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["statements"], 3);
  EXPECT_FALSE(j.contains("witnesses"));
  EXPECT_NE(r->ToText().find("every tile and entry verified"), std::string::npos);
}

TEST_F(LogCheckTest, ChosenStatementsWithInclusionProofs) {
  LogTrust trust;
  trust.key = key_.get();
  const std::vector<uint64_t> asked = {2, 0};
  auto r = CheckLog(server_->url(), trust, asked);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->whole_log);
  ASSERT_EQ(r->statements.size(), 2u);
  EXPECT_EQ(r->statements[0].index, 2u);
  EXPECT_EQ(r->statements[0].leaf_hash, leaves_[2]);
  EXPECT_EQ(r->statements[1].leaf_hash, leaves_[0]);
  EXPECT_EQ(r->statements[0].kind, "incident");
  EXPECT_EQ(r->ToJson()["statements"][1]["included"], true);

  const std::vector<uint64_t> beyond = {3};
  EXPECT_FALSE(CheckLog(server_->url(), trust, beyond).ok()) << "no entry 3 under the checkpoint";
}

TEST_F(LogCheckTest, TheKeyFromTheDirectoryAndItsWitnessQuorum) {
  const federation::Directory d = Directory(0);
  LogTrust trust;
  trust.directory = &d;
  auto r = CheckLog(server_->url(), trust);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->witnesses_checked);
  EXPECT_TRUE(r->witnesses.empty());
  EXPECT_EQ(r->witnesses_required, 0u);

  // Nobody witnessed this log: a quorum of one is not met, whoever asks for it.
  trust.witnesses_required = 1;
  EXPECT_EQ(CheckLog(server_->url(), trust).status().code(), absl::StatusCode::kFailedPrecondition);
  const federation::Directory strict = Directory(1);
  LogTrust by_directory;
  by_directory.directory = &strict;
  auto refused = CheckLog(server_->url(), by_directory);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("1 are required"), absl::string_view::npos);
}

TEST_F(LogCheckTest, WhatTheVerifierDoesNotTrustFails) {
  EXPECT_EQ(CheckLog(server_->url(), LogTrust{}).status().code(),
            absl::StatusCode::kInvalidArgument);
  const federation::Directory unlisted = Directory(0, /*list_this=*/false);
  LogTrust trust;
  trust.directory = &unlisted;
  EXPECT_EQ(CheckLog(server_->url(), trust).status().code(), absl::StatusCode::kNotFound);
  auto stranger = note::NewVerifier(note::GenerateKey(kOrigin)->verifier_key);
  ASSERT_TRUE(stranger.ok());
  LogTrust wrong;
  wrong.key = stranger->get();
  EXPECT_FALSE(CheckLog(server_->url(), wrong).ok()) << "a key of the same name, not the log's";
}

}  // namespace
}  // namespace accord::verify
