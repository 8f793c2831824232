#include "src/tlog/proof.h"

#include <gtest/gtest.h>

#include <random>

#include "src/tlog/testing.h"
#include "src/tlog/tile_reader.h"

namespace accord::tlog {
namespace {

using testing::MemoryTiles;
using testing::NaiveMth;
using testing::NaivePath;

struct Fixture {
  explicit Fixture(uint64_t n) {
    TreeHasher hasher;
    for (uint64_t i = 0; i < n; ++i) leaves.push_back(LeafHash(testing::TestEntry(i)));
    // Grow in uneven batches, keeping every partial tile (as a log that never deletes).
    for (uint64_t done = 0; done < n;) {
      const uint64_t b = std::min<uint64_t>(n - done, 1 + done % 300);
      tiles.Apply(tree.Append(std::span<const Hash>(leaves).subspan(done, b), hasher));
      done += b;
    }
  }
  std::vector<Hash> leaves;
  TreeAppender tree;
  MemoryTiles tiles;
};

TEST(Proofs, InclusionMatchesDefinitionAndVerifies) {
  Fixture f(1100);
  std::mt19937 rng(7);
  for (uint64_t size : {1u, 2u, 3u, 7u, 8u, 255u, 256u, 257u, 513u, 1000u, 1100u}) {
    TileHashReader reader(size, f.tiles);
    const Hash root = NaiveMth(f.leaves, 0, size);
    EXPECT_EQ(*RootHash(size, reader), root) << size;
    for (int k = 0; k < 20; ++k) {
      const uint64_t index = k == 0 ? size - 1 : rng() % size;
      auto proof = InclusionProof(index, size, reader);
      ASSERT_TRUE(proof.ok()) << proof.status();
      std::vector<Hash> want;
      NaivePath(f.leaves, index, 0, size, want);
      ASSERT_EQ(*proof, want) << index << " in " << size;
      ASSERT_TRUE(VerifyInclusion(index, size, f.leaves[index], *proof, root).ok());
      // Any change is caught.
      EXPECT_FALSE(VerifyInclusion(index, size, f.leaves[(index + 1) % size], *proof, root).ok() &&
                   size > 1);
      if (!proof->empty()) {
        auto bad = *proof;
        bad[rng() % bad.size()][rng() % kHashSize] ^= 1;
        EXPECT_TRUE(IsProofMismatch(VerifyInclusion(index, size, f.leaves[index], bad, root)));
        bad = *proof;
        bad.pop_back();
        EXPECT_FALSE(VerifyInclusion(index, size, f.leaves[index], bad, root).ok());
      }
      auto longer = *proof;
      longer.push_back(root);
      EXPECT_FALSE(VerifyInclusion(index, size, f.leaves[index], longer, root).ok());
    }
  }
  TileHashReader reader(10, f.tiles);
  EXPECT_TRUE(absl::IsInvalidArgument(InclusionProof(10, 10, reader).status()));
}

TEST(Proofs, ConsistencyVerifiesForEveryPairAndCatchesChanges) {
  Fixture f(600);
  for (uint64_t n : {1u, 2u, 5u, 8u, 255u, 256u, 257u, 600u}) {
    TileHashReader reader(n, f.tiles);
    const Hash new_root = NaiveMth(f.leaves, 0, n);
    for (uint64_t m = 1; m <= n; m += (m < 20 ? 1 : 37)) {
      auto proof = ConsistencyProof(m, n, reader);
      ASSERT_TRUE(proof.ok()) << proof.status();
      const Hash old_root = NaiveMth(f.leaves, 0, m);
      ASSERT_TRUE(VerifyConsistency(m, n, old_root, new_root, *proof).ok()) << m << "→" << n;
      if (m < n) {
        Hash other = old_root;
        other[0] ^= 0x80;
        EXPECT_TRUE(IsProofMismatch(VerifyConsistency(m, n, other, new_root, *proof)));
        EXPECT_FALSE(VerifyConsistency(m, n, old_root, other, *proof).ok());
        auto bad = *proof;
        bad.back()[5] ^= 1;
        EXPECT_FALSE(VerifyConsistency(m, n, old_root, new_root, bad).ok());
      }
    }
  }
  TileHashReader reader(10, f.tiles);
  EXPECT_TRUE(absl::IsInvalidArgument(ConsistencyProof(0, 10, reader).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(ConsistencyProof(11, 10, reader).status()));
}

TEST(Proofs, ReadsFullTileWhenPartialIsGone) {
  Fixture f(300);
  // Sizes 256.. had a partial level-0 tile 001.p/W; delete all partials of tile 000.
  for (auto it = f.tiles.tiles().begin(); it != f.tiles.tiles().end();) {
    it = it->first.starts_with("tile/0/000.p/") ? f.tiles.tiles().erase(it) : std::next(it);
  }
  TileHashReader reader(100, f.tiles);
  EXPECT_EQ(*RootHash(100, reader), NaiveMth(f.leaves, 0, 100));
}

TEST(Proofs, MissingOrDamagedTilesAreErrorsNotCrashes) {
  Fixture f(300);
  f.tiles.tiles()["tile/0/000"] = "short";
  TileHashReader reader(300, f.tiles);
  EXPECT_TRUE(absl::IsDataLoss(InclusionProof(3, 300, reader).status()));
  f.tiles.tiles().clear();
  TileHashReader empty(300, f.tiles);
  EXPECT_TRUE(absl::IsNotFound(InclusionProof(3, 300, empty).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(empty.ReadNode(9, 0).status()));
}

TEST(TileCache, ServesRepeatedProofsWithoutReadingAndEvictsLeastRecentlyUsed) {
  Fixture f(256 * 6);
  TileCache cache(3);
  TileHashReader reader(f.leaves.size(), f.tiles, &cache);
  ASSERT_TRUE(InclusionProof(5, f.leaves.size(), reader).ok());
  const int reads = f.tiles.reads();
  TileHashReader again(f.leaves.size(), f.tiles, &cache);
  ASSERT_TRUE(InclusionProof(6, f.leaves.size(), again).ok());
  EXPECT_EQ(f.tiles.reads(), reads);
  for (uint64_t i = 0; i < f.leaves.size(); i += 256) {
    ASSERT_TRUE(InclusionProof(i, f.leaves.size(), again).ok());
  }
  EXPECT_LE(cache.size(), 3u);
}

}  // namespace
}  // namespace accord::tlog
