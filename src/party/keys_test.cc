// The party's key files: created once (0600, the public half beside), then loaded;
// never created where the operator named a file; damage and exposure refused.
#include "src/party/keys.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <string>

#include "src/store/durable_file.h"
#include "src/test/temp_dir.h"

namespace accord::party {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

void WriteFile(const fs::path& p, std::string_view data) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << data;
}

mode_t ModeOf(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 0777;
}

TEST(KeyFiles, NameTheDataFoldersKeys) {
  const KeyFiles f = KeyFiles::In("/srv/accord");
  EXPECT_EQ(f.party_key, "/srv/accord/party.key");
  EXPECT_EQ(f.witness_key, "/srv/accord/witness.key");
  EXPECT_EQ(f.box_key, "/srv/accord/box.key");
}

TEST(PartyKey, CreatedOnceThenLoaded) {
  TempDir dir;
  const fs::path key = dir.path() / "data/party.key";
  auto created = LoadOrCreatePartyKey(key, "cert.a.example/log", /*create=*/true);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->Name(), "cert.a.example/log");
  EXPECT_EQ(ModeOf(key), 0600u);
  EXPECT_EQ(*store::ReadWholeFile(dir.path() / "data/party.vkey"),
            created->VerifierKeyString() + "\n");
  // Loaded, whatever name is asked for now: the key names its log.
  auto loaded = LoadOrCreatePartyKey(key, "other.example/log", /*create=*/true);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->VerifierKeyString(), created->VerifierKeyString());
}

TEST(PartyKey, ANamedFileIsNeverCreated) {
  TempDir dir;
  auto missing = LoadOrCreatePartyKey(dir.path() / "given.key", "cert.a.example/log",
                                      /*create=*/false);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(fs::exists(dir.path() / "given.key"));
  EXPECT_FALSE(fs::exists(dir.path() / "given.vkey"));
}

TEST(PartyKey, AnotherKindOfKeyIsRefusedNamingTheFile) {
  TempDir dir;
  const fs::path witness = dir.path() / "witness.key";
  ASSERT_TRUE(LoadOrCreateWitnessKey(witness, "cert.a.example/witness", true).ok());
  auto wrong = LoadOrCreatePartyKey(witness, "cert.a.example/log", false);
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(wrong.status().message().find(witness.string()), std::string_view::npos)
      << wrong.status();
  const fs::path party = dir.path() / "party.key";
  ASSERT_TRUE(LoadOrCreatePartyKey(party, "cert.a.example/log", true).ok());
  EXPECT_EQ(LoadOrCreateWitnessKey(party, "cert.a.example/witness", false).status().code(),
            absl::StatusCode::kInvalidArgument);
  WriteFile(party, "garbage\n");
  EXPECT_EQ(LoadOrCreatePartyKey(party, "cert.a.example/log", true).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(WitnessKey, CreatedOnceThenLoaded) {
  TempDir dir;
  const fs::path key = dir.path() / "witness.key";
  auto created = LoadOrCreateWitnessKey(key, "cert.a.example/witness", true);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->Name(), "cert.a.example/witness");
  EXPECT_EQ(ModeOf(key), 0600u);
  EXPECT_EQ(*store::ReadWholeFile(dir.path() / "witness.vkey"),
            created->VerifierKeyString() + "\n");
  auto loaded = LoadOrCreateWitnessKey(key, "cert.a.example/witness", true);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->VerifierKeyString(), created->VerifierKeyString());
}

TEST(BoxKey, CreatedOnceThenLoaded) {
  TempDir dir;
  const fs::path key = dir.path() / "data/box.key";
  auto created = LoadOrCreateBoxKey(key, true);
  ASSERT_TRUE(created.ok()) << created.status();
  struct stat st;
  ASSERT_EQ(::stat(key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_EQ(*store::ReadWholeFile(dir.path() / "data/box.pub"),
            crypto::FormatBoxPublicKey(created->public_key()) + "\n");

  auto loaded = LoadOrCreateBoxKey(key, true);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->public_key(), created->public_key());

  fs::remove(dir.path() / "data/box.pub");  // rewritten from the key
  ASSERT_TRUE(LoadOrCreateBoxKey(key, true).ok());
  EXPECT_TRUE(fs::exists(dir.path() / "data/box.pub"));

  WriteFile(dir.path() / "data/box.pub",
            crypto::FormatBoxPublicKey(crypto::BoxKeyPair::Generate().public_key()) + "\n");
  EXPECT_EQ(LoadOrCreateBoxKey(key, true).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(BoxKey, ANamedFileIsNeverCreated) {
  TempDir dir;
  EXPECT_EQ(LoadOrCreateBoxKey(dir.path() / "box.key", false).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_FALSE(fs::exists(dir.path() / "box.key"));
  EXPECT_FALSE(fs::exists(dir.path() / "box.pub"));
}

TEST(BoxKey, RefusesAnExposedOrDamagedKey) {
  TempDir dir;
  const fs::path key = dir.path() / "box.key";
  ASSERT_TRUE(LoadOrCreateBoxKey(key, true).ok());
  fs::permissions(key, fs::perms::group_read, fs::perm_options::add);
  EXPECT_EQ(LoadOrCreateBoxKey(key, true).status().code(), absl::StatusCode::kFailedPrecondition);
  WriteFile(key, "not a key\n");
  fs::permissions(key, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  EXPECT_EQ(LoadOrCreateBoxKey(key, true).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace accord::party
