#include "src/crypto/ed25519.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include "src/util/encoding.h"

namespace accord::crypto {
namespace {

using util::AsBytes;
using util::HexDecode;
using util::HexEncode;

Ed25519Seed SeedFromHex(std::string_view hex) {
  auto bytes = HexDecode(hex);
  EXPECT_TRUE(bytes.has_value());
  Ed25519Seed seed{};
  std::copy(bytes->begin(), bytes->end(), seed.begin());
  return seed;
}

// RFC 8032 section 7.1, TEST 1 and TEST 2.
TEST(Ed25519, Rfc8032Vectors) {
  struct Vector {
    const char* seed;
    const char* public_key;
    const char* message;
    const char* signature;
  } vectors[] = {
      {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
       "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
       "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701c"
       "f9b46bd25bf5f0595bbe24655141438e7a100b"},
      {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
       "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
       "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0"
       "f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
  };
  for (const auto& v : vectors) {
    auto key = Ed25519PrivateKey::FromSeed(SeedFromHex(v.seed));
    EXPECT_EQ(HexEncode(key.public_key()), v.public_key);
    EXPECT_EQ(HexEncode(key.seed()), v.seed);
    auto message = *HexDecode(v.message);
    auto signature = key.Sign(message);
    EXPECT_EQ(HexEncode(signature), v.signature);
    EXPECT_TRUE(Ed25519Verify(key.public_key(), message, signature));
  }
}

TEST(Ed25519, RejectsTamperedMessageSignatureAndKey) {
  auto key = Ed25519PrivateKey::Generate();
  std::string message = "accord";
  auto signature = key.Sign(AsBytes(message));
  ASSERT_TRUE(Ed25519Verify(key.public_key(), AsBytes(message), signature));

  std::string other = "accorD";
  EXPECT_FALSE(Ed25519Verify(key.public_key(), AsBytes(other), signature));
  for (size_t i = 0; i < signature.size(); i += 7) {
    auto bad = signature;
    bad[i] ^= 0x01;
    EXPECT_FALSE(Ed25519Verify(key.public_key(), AsBytes(message), bad)) << "byte " << i;
  }
  auto other_key = Ed25519PrivateKey::Generate();
  EXPECT_FALSE(Ed25519Verify(other_key.public_key(), AsBytes(message), signature));
}

TEST(Ed25519, RejectsWrongSignatureLength) {
  auto key = Ed25519PrivateKey::Generate();
  auto signature = key.Sign({});
  std::vector<uint8_t> shorter(signature.begin(), signature.end() - 1);
  std::vector<uint8_t> longer(signature.begin(), signature.end());
  longer.push_back(0);
  EXPECT_TRUE(Ed25519Verify(key.public_key(), {}, signature));
  EXPECT_FALSE(Ed25519Verify(key.public_key(), {}, shorter));
  EXPECT_FALSE(Ed25519Verify(key.public_key(), {}, longer));
  EXPECT_FALSE(Ed25519Verify(key.public_key(), {}, {}));
}

TEST(Ed25519, FromSeedBytesChecksLength) {
  std::vector<uint8_t> seed(31, 7);
  auto short_key = Ed25519PrivateKey::FromSeedBytes(seed);
  EXPECT_EQ(short_key.status().code(), absl::StatusCode::kInvalidArgument);
  seed.push_back(7);
  auto key = Ed25519PrivateKey::FromSeedBytes(seed);
  ASSERT_TRUE(key.ok()) << key.status();
  Ed25519Seed fixed;
  fixed.fill(7);
  EXPECT_EQ(key->public_key(), Ed25519PrivateKey::FromSeed(fixed).public_key());
}

TEST(Ed25519, GeneratedKeysDiffer) {
  std::set<Ed25519PublicKey> seen;
  for (int i = 0; i < 16; ++i) seen.insert(Ed25519PrivateKey::Generate().public_key());
  EXPECT_EQ(seen.size(), 16u);
}

TEST(RandomBytes, FillsAndVaries) {
  std::array<uint8_t, 64> a{}, b{};
  RandomBytes(a);
  RandomBytes(b);
  EXPECT_NE(a, b);
  RandomBytes({});  // an empty span is fine
}

// First use from many threads at once (ctest runs each test in its own process):
// initialisation must be race-free and every thread must get working keys.
TEST(Ed25519, ConcurrentFirstUse) {
  std::vector<std::thread> threads;
  std::vector<int> ok(8, 0);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([t, &ok] {
      auto key = Ed25519PrivateKey::Generate();
      std::string message = "thread " + std::to_string(t);
      ok[t] = Ed25519Verify(key.public_key(), AsBytes(message), key.Sign(AsBytes(message)));
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 8; ++t) EXPECT_TRUE(ok[t]) << "thread " << t;
}

}  // namespace
}  // namespace accord::crypto
