#include "src/tlog/compact_range.h"

#include <gtest/gtest.h>

#include <bit>
#include <random>

#include "absl/strings/str_cat.h"
#include "src/tlog/proof.h"
#include "src/tlog/testing.h"
#include "src/tlog/tile_reader.h"
#include "src/tlog/tree.h"

namespace accord::tlog {
namespace {

Hash Leaf(uint64_t i) {
  std::string s = absl::StrCat("leaf ", i);
  return LeafHash({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
}

TEST(CompactRangeTest, EmptyTreeHasTheEmptyRoot) {
  CompactRange r;
  EXPECT_EQ(r.size(), 0u);
  EXPECT_EQ(r.Root(), EmptyTreeHash());
  auto back = CompactRange::Deserialize(r.Serialize());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, r);
}

// Against the tiled tree (TreeAppender) and RootHash over its tiles, at every size
// up to 1100 and at random sizes appended in random batches.
TEST(CompactRangeTest, RootMatchesTheTiledTreeAtEverySize) {
  tlog::TreeHasher hasher;
  tlog::TreeAppender tree;
  tlog::testing::MemoryTiles tiles;
  CompactRange r;
  std::mt19937_64 rng(5);
  uint64_t next = 0;
  while (next < 3000) {
    const uint64_t batch = next < 1100 ? 1 : 1 + rng() % 300;
    std::vector<Hash> leaves;
    for (uint64_t i = 0; i < batch; ++i) leaves.push_back(Leaf(next++));
    tiles.Apply(tree.Append(leaves, hasher));
    r.Append(leaves);
    ASSERT_EQ(r.size(), tree.size());
    ASSERT_EQ(r.Root(), tree.Root()) << "size " << r.size();
    EXPECT_EQ(r.nodes().size(), std::popcount(r.size()));
    if (next % 97 == 0 || batch > 1) {
      tlog::TileHashReader reader(tree.size(), tiles);
      auto root = RootHash(tree.size(), reader);
      ASSERT_TRUE(root.ok());
      ASSERT_EQ(r.Root(), *root);
    }
  }
}

TEST(CompactRangeTest, SerializesAndResumes) {
  CompactRange a, b;
  for (uint64_t i = 0; i < 777; ++i) a.Append(Leaf(i));
  auto restored = CompactRange::Deserialize(a.Serialize());
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(*restored, a);
  for (uint64_t i = 777; i < 1000; ++i) {
    a.Append(Leaf(i));
    restored->Append(Leaf(i));
  }
  for (uint64_t i = 0; i < 1000; ++i) b.Append(Leaf(i));
  EXPECT_EQ(restored->Root(), b.Root());
  EXPECT_EQ(a.Root(), b.Root());
}

TEST(CompactRangeTest, RejectsMalformedEncodings) {
  CompactRange a;
  for (uint64_t i = 0; i < 7; ++i) a.Append(Leaf(i));
  const std::string good = a.Serialize();
  EXPECT_EQ(CompactRange::Deserialize(good.substr(0, 5)).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(CompactRange::Deserialize(good.substr(0, good.size() - 1)).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(CompactRange::Deserialize(good + "x").status().code(), absl::StatusCode::kDataLoss);
  std::string wrong_size = good;
  wrong_size[7] = 8;  // popcount 1, but three hashes follow
  EXPECT_EQ(CompactRange::Deserialize(wrong_size).status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace accord::tlog
