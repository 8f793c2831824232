#include "src/crypto/sha256.h"

#include <gtest/gtest.h>

#include <random>

#include "src/util/encoding.h"

namespace accord::crypto {
namespace {

using util::HexEncode;

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(HexEncode(Sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(HexEncode(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, StreamMatchesOneShotAndResets) {
  Sha256Stream s;
  s.Update("a");
  s.Update("bc");
  EXPECT_EQ(s.Final(), Sha256("abc"));
  EXPECT_EQ(s.Final(), Sha256(""));  // Final() reset the stream
}

std::vector<std::vector<uint8_t>> RandomMessages(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::vector<uint8_t>> msgs(n);
  for (size_t i = 0; i < n; ++i) {
    // Cover every length around the 55/56/64-byte padding boundaries, then longer ones.
    // Around the 64 KiB limit of a multi-buffer job, too.
    size_t len = i < 200 ? i : i < 210 ? 65530 + (i - 200) : rng() % 5000;
    msgs[i].resize(len);
    for (auto& b : msgs[i]) b = static_cast<uint8_t>(rng());
  }
  return msgs;
}

void ExpectBackendMatchesOneShot(BatchHasher& h) {
  for (size_t n : {0u, 1u, 7u, 16u, 17u, 333u}) {
    auto msgs = RandomMessages(n, static_cast<uint32_t>(n));
    std::vector<std::span<const uint8_t>> views(msgs.begin(), msgs.end());
    std::vector<Digest> out(n);
    h.HashMany(views, out);
    for (size_t i = 0; i < n; ++i) {
      ASSERT_EQ(out[i], Sha256(msgs[i])) << h.Name() << " message " << i << " of " << n;
    }
  }
}

TEST(BatchHasher, OpenSslMatchesOneShot) {
  auto h = NewBatchHasher(HashBackend::kOpenSsl);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ((*h)->Name(), "openssl");
  ExpectBackendMatchesOneShot(**h);
}

TEST(BatchHasher, IpsecMbMatchesOneShot) {
  auto h = NewBatchHasher(HashBackend::kIpsecMb);
  if (!h.ok()) GTEST_SKIP() << h.status();
  ExpectBackendMatchesOneShot(**h);
}

TEST(BatchHasher, AutoAlwaysWorks) {
  auto h = NewBatchHasher(HashBackend::kAuto);
  ASSERT_TRUE(h.ok());
  ExpectBackendMatchesOneShot(**h);
}

}  // namespace
}  // namespace accord::crypto
