// The composition root: a party's keys and directory entry, and a node started with
// them — created on first start, the same ones after, none where the start fails.
#include "src/party/party.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "src/store/durable_file.h"
#include "src/store/folder_lock.h"
#include "src/test/temp_dir.h"
#include "src/util/strings.h"

namespace accord::party {
namespace {

namespace fs = std::filesystem;
using test::TempDir;
using ::testing::HasSubstr;

TEST(PartyKeysTest, AllThreeMadeOnceAndTheEntryLoads) {
  TempDir dir;
  auto keys = LoadOrCreateKeys(dir.path() / "a", "cert.a.example/log");
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_EQ(keys->log.Name(), "cert.a.example/log");
  EXPECT_EQ(keys->witness.Name(), "cert.a.example/witness");
  for (const char* f :
       {"party.key", "party.vkey", "witness.key", "witness.vkey", "box.key", "box.pub"})
    EXPECT_TRUE(fs::exists(dir.path() / "a" / f)) << f;
  auto again = LoadOrCreateKeys(dir.path() / "a", "ignored.example/log");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->log.VerifierKeyString(), keys->log.VerifierKeyString());
  EXPECT_EQ(again->witness.VerifierKeyString(), keys->witness.VerifierKeyString());
  EXPECT_EQ(again->box.public_key(), keys->box.public_key());

  const federation::Party entry =
      DirectoryEntry(*keys, "CERT A", "https://accord.cert.a.example",
                     {"duty officer", "duty@cert.a.example", "+000 555 0100", "24/7"});
  EXPECT_EQ(entry.origin, "cert.a.example/log");
  EXPECT_EQ(entry.witness_url, entry.url);
  auto formatted = federation::FormatEntry(entry);
  ASSERT_TRUE(formatted.ok()) << formatted.status();
  EXPECT_THAT(*formatted, HasSubstr(keys->log.VerifierKeyString()));
  EXPECT_THAT(*formatted, HasSubstr(crypto::FormatBoxPublicKey(keys->box.public_key())));
}

// While a node holds the folder, its keys are read, never created beside it.
TEST(PartyKeysTest, WhileANodeHoldsTheFolderKeysAreOnlyRead) {
  TempDir dir;
  auto made = LoadOrCreateKeys(dir.path() / "a", "cert.a.example/log");
  ASSERT_TRUE(made.ok()) << made.status();
  auto lock = store::FolderLock::Acquire(dir.path() / "a");
  ASSERT_TRUE(lock.ok()) << lock.status();
  auto read = LoadOrCreateKeys(dir.path() / "a", "cert.a.example/log");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->log.VerifierKeyString(), made->log.VerifierKeyString());

  fs::remove(dir.path() / "a/box.key");
  fs::remove(dir.path() / "a/box.pub");
  auto missing = LoadOrCreateKeys(dir.path() / "a", "cert.a.example/log");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kFailedPrecondition) << missing.status();
  EXPECT_THAT(missing.status().message(), HasSubstr("only while no node runs"));
  EXPECT_FALSE(fs::exists(dir.path() / "a/box.key"));
  lock->reset();  // the node stops: now it is made
  EXPECT_TRUE(LoadOrCreateKeys(dir.path() / "a", "cert.a.example/log").ok());
  EXPECT_TRUE(fs::exists(dir.path() / "a/box.key"));
}

PartyOptions Options(const fs::path& data) {
  PartyOptions o;
  o.node.data_dir = data;
  o.name = "cert.a.example/log";
  return o;
}

TEST(StartPartyTest, CreatesTheKeyOnceAndKeepsIt) {
  TempDir dir;
  std::string vkey;
  {
    auto server = StartParty(Options(dir.path() / "a"));
    ASSERT_TRUE(server.ok()) << server.status();
    vkey = (*server)->node().verifier_key();
    EXPECT_EQ((*server)->node().origin(), "cert.a.example/log");
  }
  EXPECT_EQ(util::StripWhitespace(*store::ReadWholeFile(dir.path() / "a/party.vkey")), vkey);
  auto server = StartParty(Options(dir.path() / "a"));
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ((*server)->node().verifier_key(), vkey);
}

TEST(StartPartyTest, AKeyFileNamedButMissingIsAnErrorNotAFreshKey) {
  TempDir dir;
  PartyOptions o = Options(dir.path() / "a");
  o.key_file = dir.path() / "missing.key";
  auto server = StartParty(std::move(o));
  EXPECT_EQ(server.status().code(), absl::StatusCode::kNotFound) << server.status();
  EXPECT_FALSE(fs::exists(dir.path() / "missing.key"));
  EXPECT_FALSE(fs::exists(dir.path() / "a/party.key"));
}

TEST(StartPartyTest, AWitnessKeyWithoutADirectoryIsRefused) {
  TempDir dir;
  PartyOptions o = Options(dir.path() / "a");
  o.witness_key_file = dir.path() / "witness.key";
  auto server = StartParty(std::move(o));
  EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(dir.path() / "a"));
}

TEST(StartPartyTest, ANodeThatCannotListenCreatesNoKeys) {
  TempDir dir;
  const int busy = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(busy, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(busy, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(busy, 1), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(busy, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  PartyOptions o = Options(dir.path() / "a");
  o.http.listen = absl::StrCat("127.0.0.1:", ntohs(addr.sin_port));
  auto server = StartParty(std::move(o));
  ::close(busy);
  EXPECT_FALSE(server.ok());
  EXPECT_FALSE(fs::exists(dir.path() / "a/party.key"));
}

}  // namespace
}  // namespace accord::party
