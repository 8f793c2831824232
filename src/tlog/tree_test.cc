#include "src/tlog/tree.h"

#include <gtest/gtest.h>

#include <random>

#include "src/tlog/testing.h"

namespace accord::tlog {
namespace {

using testing::MemoryTiles;
using testing::NaiveMth;

std::vector<Hash> Leaves(uint64_t from, uint64_t to) {
  std::vector<Hash> out;
  for (uint64_t i = from; i < to; ++i) out.push_back(LeafHash(testing::TestEntry(i)));
  return out;
}

// Every tile of the tree of all `leaves`, computed from the definition.
std::map<std::string, std::string> NaiveTiles(const std::vector<Hash>& leaves) {
  std::map<std::string, std::string> out;
  const uint64_t n = leaves.size();
  for (int level = 0; LevelWidth(level, n) > 0; ++level) {
    const uint64_t span = uint64_t{1} << (kTileHeight * level);
    std::vector<Hash> row;
    for (uint64_t i = 0; i < LevelWidth(level, n); ++i) {
      row.push_back(NaiveMth(leaves, i * span, (i + 1) * span));
    }
    for (uint64_t t = 0; t * kTileWidth < row.size(); ++t) {
      TileId id = TileForTree(level, t, n);
      out[TilePath(id)] =
          EncodeHashTile(std::span<const Hash>(row).subspan(t * kTileWidth, id.width));
    }
  }
  return out;
}

class TreeBackendTest : public ::testing::TestWithParam<crypto::HashBackend> {
 protected:
  void SetUp() override {
    if (!crypto::NewBatchHasher(GetParam()).ok()) GTEST_SKIP() << "backend unavailable";
    hasher_ = std::make_unique<TreeHasher>(GetParam());
  }
  std::unique_ptr<TreeHasher> hasher_;
};

TEST_P(TreeBackendTest, MatchesDefinitionForEverySizeAndBatching) {
  std::mt19937 rng(1);
  for (int round = 0; round < 4; ++round) {
    TreeAppender tree;
    MemoryTiles tiles;
    std::vector<Hash> all;
    while (all.size() < 1400) {
      // Mix single appends, tile-sized and tile-straddling batches.
      const uint64_t b = std::vector<uint64_t>{1, 1, 2, 3, 255, 256, 257, 600}[rng() % 8];
      auto batch = Leaves(all.size(), all.size() + b);
      all.insert(all.end(), batch.begin(), batch.end());
      TreeUpdate u = tree.Append(batch, *hasher_);
      tiles.Apply(u);
      ASSERT_EQ(u.new_size, all.size());
      ASSERT_EQ(u.root, NaiveMth(all, 0, all.size())) << "size " << all.size();
      ASSERT_EQ(tree.Root(), u.root);
    }
    // The stored tiles, latest partials included, are exactly the tree's tiles.
    for (const auto& [path, data] : NaiveTiles(all)) {
      ASSERT_TRUE(tiles.tiles().count(path)) << path;
      ASSERT_EQ(tiles.tiles()[path], data) << path;
    }
  }
}

TEST_P(TreeBackendTest, RestoreContinuesExactlyWhereTheTreeWas) {
  for (uint64_t size : {0u, 1u, 2u, 255u, 256u, 257u, 511u, 65535u, 65536u, 65537u, 70000u}) {
    auto leaves = Leaves(0, size);
    TreeAppender tree;
    tree.Append(leaves, *hasher_);
    std::vector<std::vector<Hash>> partial;
    for (int l = 0; l < 8; ++l) {
      auto p = tree.PartialTile(l);
      partial.emplace_back(p.begin(), p.end());
    }
    auto restored = TreeAppender::Restore(size, partial, *hasher_);
    ASSERT_TRUE(restored.ok()) << restored.status();
    EXPECT_EQ(restored->Root(), tree.Root()) << size;
    auto more = Leaves(size, size + 300);
    EXPECT_EQ(restored->Append(more, *hasher_).root, tree.Append(more, *hasher_).root) << size;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, TreeBackendTest,
                         ::testing::Values(crypto::HashBackend::kOpenSsl,
                                           crypto::HashBackend::kIpsecMb),
                         [](const auto& info) {
                           return info.param == crypto::HashBackend::kOpenSsl ? "OpenSsl"
                                                                              : "IpsecMb";
                         });

TEST(TreeAppender, RestoreRejectsTilesThatDoNotFitTheSize) {
  TreeHasher hasher;
  std::vector<std::vector<Hash>> partial = {std::vector<Hash>(3)};
  EXPECT_TRUE(absl::IsInvalidArgument(TreeAppender::Restore(4, partial, hasher).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(TreeAppender::Restore(2, partial, hasher).status()));
  partial.push_back(std::vector<Hash>(1));
  EXPECT_TRUE(absl::IsInvalidArgument(TreeAppender::Restore(3, partial, hasher).status()));
  EXPECT_TRUE(TreeAppender::Restore(3, {std::vector<Hash>(3)}, hasher).ok());
}

TEST(TreeAppender, AnAppendTouchesOnlyTheTilesItChanges) {
  TreeHasher hasher;
  TreeAppender tree;
  tree.Append(Leaves(0, 70000), hasher);
  // One leaf into a tree of 70,000: the level-0 partial tile only.
  TreeUpdate u = tree.Append(Leaves(70000, 70001), hasher);
  ASSERT_EQ(u.tiles.size(), 1u);
  EXPECT_EQ(u.tiles[0].id, (TileId{0, 273, 113}));
  // Completing a tile writes it full and extends the level above.
  tree.Append(Leaves(70001, 70143), hasher);
  u = tree.Append(Leaves(70143, 70144), hasher);
  ASSERT_EQ(u.tiles.size(), 2u);
  EXPECT_EQ(u.tiles[0].id, (TileId{0, 273, 256}));
  EXPECT_EQ(u.tiles[1].id, (TileId{1, 1, 18}));
}

}  // namespace
}  // namespace accord::tlog
