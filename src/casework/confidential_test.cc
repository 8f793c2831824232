// Body format, sealing, commitments and the body store.
#include "src/casework/confidential.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <random>

#include "absl/strings/str_cat.h"
#include "src/casework/body_store.h"
#include "src/crypto/sha256.h"
#include "src/store/durable_file.h"
#include "src/test/temp_dir.h"
#include "src/util/encoding.h"

namespace accord::casework {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using TempDir = test::TempDir;

json Content() {
  return {{"facts", "Intrusion through 198.51.100.23"},
          {"identifiers", {{{"type", "ipv4-addr"}, {"value", "198.51.100.23"}}}},
          {"legal_basis", {"Budapest Art. 29"}},
          {"contacts", {{{"name", "A. Analyst"}, {"phone", "+000 555 0100"}}}}};
}

void WriteFile(const fs::path& p, std::string_view data) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << data;
}

TEST(BodyTest, PlaintextIsCanonicalAndCommitted) {
  Salt salt;
  salt.fill(0xab);
  auto body = MakeBodyWithSalt({{"b", 2}, {"a", "x"}}, salt);
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(body->plaintext,
            absl::StrCat("{\"accord_body\":1,\"body\":{\"a\":\"x\",\"b\":2},\"salt\":\"",
                         util::Base64Encode(std::span<const uint8_t>(salt)), "\"}"));
  EXPECT_EQ(body->commitment, util::HexEncode(crypto::Sha256(body->plaintext)));
  EXPECT_TRUE(IsCommitment(body->commitment));
  auto again = MakeBodyWithSalt({{"a", "x"}, {"b", 2}}, salt);
  EXPECT_EQ(again->plaintext, body->plaintext);
  EXPECT_TRUE(VerifyCommitment(body->plaintext, body->commitment).ok());

  auto parsed = ParseBody(body->plaintext);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->content, json({{"a", "x"}, {"b", 2}}));
  EXPECT_EQ(parsed->salt, salt);
}

TEST(BodyTest, FreshSaltHidesEqualBodies) {
  auto a = MakeBody(Content()), b = MakeBody(Content());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->commitment, b->commitment);
  EXPECT_EQ(ParseBody(a->plaintext)->content, Content());
}

TEST(BodyTest, RejectsWhatIsNoBody) {
  EXPECT_EQ(MakeBody(json::array({1})).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeBody({{"x", std::string("\xff\xfe")}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeBody({{"x", std::string(kMaxPlaintextBytes, 'a')}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  for (std::string_view bad :
       {"", "[]", "{\"accord_body\":1,\"body\":{}}",
        "{\"accord_body\":2,\"body\":{},\"salt\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}",
        "{\"accord_body\":1,\"body\":[],\"salt\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}",
        "{\"accord_body\":1,\"body\":{},\"salt\":\"AAAA\"}",
        // NOLINTNEXTLINE(bugprone-suspicious-missing-comma): one literal on two lines
        "{\"accord_body\":1,\"body\":{},\"salt\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\","
        "\"x\":1}",
        // A committed body one reader could take two ways (src/util/json.h).
        // NOLINTNEXTLINE(bugprone-suspicious-missing-comma): one literal on two lines
        "{\"accord_body\":1,\"body\":{\"a\":1,\"a\":2},"
        "\"salt\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}"}) {
    EXPECT_EQ(ParseBody(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_TRUE(ParseBody("{\"accord_body\":1,\"body\":{},\"salt\":"
                        "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}")
                  .ok());
}

TEST(BodyTest, TamperedPlaintextFailsTheCommitment) {
  auto body = MakeBody(Content());
  ASSERT_TRUE(body.ok());
  for (size_t i : {size_t{0}, body->plaintext.size() / 2, body->plaintext.size() - 1}) {
    std::string tampered = body->plaintext;
    tampered[i] ^= 1;
    EXPECT_EQ(VerifyCommitment(tampered, body->commitment).code(), absl::StatusCode::kDataLoss);
  }
  EXPECT_EQ(VerifyCommitment(body->plaintext + " ", body->commitment).code(),
            absl::StatusCode::kDataLoss);
  std::string upper = body->commitment;
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  EXPECT_EQ(VerifyCommitment(body->plaintext, upper).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyCommitment(body->plaintext, "abc").code(), absl::StatusCode::kInvalidArgument);
}

TEST(SealTest, RoundTripToTheAddresseeOnly) {
  const BoxKeyPair b = BoxKeyPair::Generate(), d = BoxKeyPair::Generate();
  auto body = MakeBody(Content());
  auto sealed = Seal(body->plaintext, b.public_key());
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_EQ(sealed->size(), body->plaintext.size() + kSealOverheadBytes);
  EXPECT_EQ(sealed->find("198.51.100.23"), std::string::npos);
  EXPECT_NE(*Seal(body->plaintext, b.public_key()), *sealed);  // randomised

  auto opened = Open(*sealed, b);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, body->plaintext);
  EXPECT_TRUE(VerifyCommitment(*opened, body->commitment).ok());

  EXPECT_EQ(Open(*sealed, d).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(SealTest, TamperedCiphertextDoesNotOpen) {
  const BoxKeyPair b = BoxKeyPair::Generate();
  auto sealed = Seal("a confidential body", b.public_key());
  ASSERT_TRUE(sealed.ok());
  for (size_t i = 0; i < sealed->size(); ++i) {
    std::string t = *sealed;
    t[i] ^= 0x20;
    EXPECT_FALSE(Open(t, b).ok()) << "byte " << i;
  }
  EXPECT_FALSE(Open(sealed->substr(0, sealed->size() - 1), b).ok());
  EXPECT_FALSE(Open(*sealed + "x", b).ok());
  EXPECT_FALSE(Open(sealed->substr(0, kSealOverheadBytes - 1), b).ok());
  EXPECT_FALSE(Open(std::string(kMaxSealedBytes + 1, 'x'), b).ok());
  EXPECT_FALSE(Seal(std::string(kMaxPlaintextBytes + 1, 'x'), b.public_key()).ok());
}

TEST(OriginTest, MatchesTheSchemaPattern) {
  for (std::string_view ok : {"cert.example.ee/log", "a", "a-b.c", "x.y/A_b~c.d/e-f", "0/0"}) {
    EXPECT_TRUE(IsOrigin(ok)) << ok;
  }
  for (std::string_view bad : {"", "-a", "a-", ".a", "A.example", "a/", "a//b", "a/b/", "../etc",
                               "a b", "a/b c", "a+b", "a/b%2f"}) {
    EXPECT_FALSE(IsOrigin(bad)) << bad;
  }
  // The schema's pattern allows ".." as a path segment; harmless, as an origin never
  // becomes a path (the store names files by its hash).
  EXPECT_TRUE(IsOrigin("a/../b"));
  EXPECT_FALSE(IsOrigin(std::string(256, 'a')));
  EXPECT_TRUE(IsOrigin(std::string(255, 'a')));
}

// ---- the store ----

constexpr char kPartyB[] = "cert.b.example/log";
constexpr char kPartyC[] = "cert.c.example/log";

// A body store on a folder, as the embedded backend makes it.
BodyStore At(const fs::path& dir, store::FaultInjector fault = nullptr,
             store::Durability durability = store::DefaultDurability()) {
  return BodyStore(std::make_unique<store::FolderBodyStorage>(dir, std::move(fault), durability));
}

class BodyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    body_ = *MakeBody(Content());
    copies_ = {{kPartyB, *Seal(body_.plaintext, b_.public_key())},
               {kPartyC, *Seal(body_.plaintext, c_.public_key())}};
  }
  fs::path Dir() const { return dir_.path() / "bodies"; }

  TempDir dir_;
  BoxKeyPair b_ = BoxKeyPair::Generate(), c_ = BoxKeyPair::Generate();
  Body body_;
  std::vector<SealedCopy> copies_;
};

TEST_F(BodyStoreTest, PutGetListAndReopen) {
  {
    BodyStore s = At(Dir());
    EXPECT_TRUE(s.Commitments()->empty());
    EXPECT_TRUE(s.Addressees(body_.commitment)->empty());
    ASSERT_TRUE(s.Put(body_.commitment, copies_).ok());
  }
  BodyStore s = At(Dir());  // a new instance reads what the first made durable
  auto b = s.Get(body_.commitment, kPartyB);
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_TRUE(b->has_value());
  EXPECT_EQ(**b, copies_[0].sealed);
  EXPECT_EQ(*Open(**b, b_), body_.plaintext);
  EXPECT_FALSE(Open(**b, c_).ok());
  EXPECT_EQ(**s.Get(body_.commitment, kPartyC), copies_[1].sealed);
  EXPECT_FALSE(s.Get(body_.commitment, "cert.d.example/log")->has_value());
  EXPECT_FALSE(s.Get(std::string(64, '0'), kPartyB)->has_value());
  EXPECT_EQ(*s.Addressees(body_.commitment), (std::vector<std::string>{kPartyB, kPartyC}));
  EXPECT_EQ(*s.Commitments(), std::vector<std::string>{body_.commitment});

  // Files are named by hex only, and private to the node's user.
  const fs::path file = Dir() / body_.commitment / store::AddresseeId(kPartyB);
  struct stat st;
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);

  // A second put replaces one copy and keeps the other.
  const std::vector<SealedCopy> again = {{kPartyB, *Seal(body_.plaintext, b_.public_key())}};
  ASSERT_TRUE(s.Put(body_.commitment, again).ok());
  EXPECT_EQ(**s.Get(body_.commitment, kPartyB), again[0].sealed);
  EXPECT_EQ(**s.Get(body_.commitment, kPartyC), copies_[1].sealed);
}

TEST_F(BodyStoreTest, RejectsMalformedIdsAndTraversal) {
  BodyStore s = At(Dir());
  std::string upper = body_.commitment;
  upper[0] = 'A';
  for (std::string_view bad :
       {std::string_view("../../etc/passwd"), std::string_view(""), std::string_view(upper),
        std::string_view("abc"), std::string_view(body_.commitment).substr(1)}) {
    EXPECT_EQ(s.Put(bad, copies_).code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(s.Get(bad, kPartyB).status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(s.Addressees(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  for (std::string_view bad : {"../x", "/etc/passwd", "", "a//b", "A"}) {
    const std::vector<SealedCopy> c = {{std::string(bad), copies_[0].sealed}};
    EXPECT_EQ(s.Put(body_.commitment, c).code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(s.Get(body_.commitment, bad).status().code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_FALSE(fs::exists(Dir()));
}

TEST_F(BodyStoreTest, RejectsBadBatches) {
  BodyStore s = At(Dir());
  EXPECT_EQ(s.Put(body_.commitment, {}).code(), absl::StatusCode::kInvalidArgument);
  const std::vector<SealedCopy> twice = {copies_[0], copies_[0]};
  EXPECT_EQ(s.Put(body_.commitment, twice).code(), absl::StatusCode::kInvalidArgument);
  const std::vector<SealedCopy> big = {{kPartyB, std::string(kMaxSealedBytes + 1, 'x')}};
  EXPECT_EQ(s.Put(body_.commitment, big).code(), absl::StatusCode::kInvalidArgument);
  const std::vector<SealedCopy> small = {{kPartyB, std::string(kSealOverheadBytes, 'x')}};
  EXPECT_EQ(s.Put(body_.commitment, small).code(), absl::StatusCode::kInvalidArgument);
  std::vector<SealedCopy> many;
  for (size_t i = 0; i <= kMaxCopiesPerPut; ++i) {
    many.push_back({absl::StrCat("p", i, ".example/log"), copies_[0].sealed});
  }
  EXPECT_EQ(s.Put(body_.commitment, many).code(), absl::StatusCode::kInvalidArgument);
  const std::vector<SealedCopy> largest = {{kPartyB, std::string(kMaxSealedBytes, 'x')}};
  EXPECT_TRUE(s.Put(body_.commitment, largest).ok());
  EXPECT_EQ((*s.Get(body_.commitment, kPartyB))->size(), kMaxSealedBytes);
}

TEST_F(BodyStoreTest, DamageIsDataLoss) {
  BodyStore s = At(Dir());
  ASSERT_TRUE(s.Put(body_.commitment, copies_).ok());
  const fs::path file = Dir() / body_.commitment / store::AddresseeId(kPartyB);
  std::string bytes = *store::ReadWholeFile(file);
  std::string flipped = bytes;
  flipped.back() ^= 1;
  WriteFile(file, flipped);
  EXPECT_EQ(s.Get(body_.commitment, kPartyB).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(s.Addressees(body_.commitment).status().code(), absl::StatusCode::kDataLoss);
  // A copy moved under another addressee's name is refused, not served to them.
  WriteFile(file, bytes);
  fs::copy_file(file, Dir() / body_.commitment / store::AddresseeId(kPartyC),
                fs::copy_options::overwrite_existing);
  EXPECT_EQ(s.Get(body_.commitment, kPartyC).status().code(), absl::StatusCode::kDataLoss);
  WriteFile(file, "garbage");
  EXPECT_EQ(s.Get(body_.commitment, kPartyB).status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(BodyStoreTest, CrashBeforeRenameLeavesNothing) {
  for (auto durability : {store::Durability::kFsyncEachFile, store::Durability::kSyncFilesystem}) {
    TempDir dir;
    const fs::path d = dir.path() / "bodies";
    BodyStore crashing = At(
        d,
        [](std::string_view step, const fs::path&) {
          return step == "rename" ? absl::InternalError("simulated crash") : absl::OkStatus();
        },
        durability);
    EXPECT_FALSE(crashing.Put(body_.commitment, copies_).ok());
    BodyStore reopened = At(d);
    EXPECT_FALSE(reopened.Get(body_.commitment, kPartyB)->has_value());
    EXPECT_TRUE(reopened.Addressees(body_.commitment)->empty());  // temporaries skipped
    EXPECT_TRUE(reopened.Commitments()->empty());
    ASSERT_TRUE(reopened.Put(body_.commitment, copies_).ok());
    EXPECT_EQ(reopened.Addressees(body_.commitment)->size(), 2u);
  }
}

}  // namespace
}  // namespace accord::casework
