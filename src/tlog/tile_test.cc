#include "src/tlog/tile.h"

#include <gtest/gtest.h>

namespace accord::tlog {
namespace {

TEST(TilePath, EncodesIndexInGroupsOfThree) {
  EXPECT_EQ(EncodeTileIndex(0), "000");
  EXPECT_EQ(EncodeTileIndex(999), "999");
  EXPECT_EQ(EncodeTileIndex(1000), "x001/000");
  EXPECT_EQ(EncodeTileIndex(1234067), "x001/x234/067");
  EXPECT_EQ(TilePath({0, 1234067, 256}), "tile/0/x001/x234/067");
  EXPECT_EQ(TilePath({2, 5, 17}), "tile/2/005.p/17");
  EXPECT_EQ(TilePath({TileId::kEntriesLevel, 0, 3}), "tile/entries/000.p/3");
  EXPECT_EQ(TilePath({TileId::kEntriesLevel, 1000, 256}), "tile/entries/x001/000");
}

TEST(TilePath, ParsesWhatItPrints) {
  for (TileId id : {TileId{0, 0, 256}, TileId{0, 1234067, 256}, TileId{1, 7, 1},
                    TileId{63, UINT64_MAX, 255}, TileId{TileId::kEntriesLevel, 999000, 12}}) {
    auto parsed = ParseTilePath(TilePath(id));
    ASSERT_TRUE(parsed.ok()) << TilePath(id) << ": " << parsed.status();
    EXPECT_EQ(*parsed, id) << TilePath(id);
  }
}

TEST(TilePath, RejectsEveryOtherSpelling) {
  for (const char* bad : {"tile/0/1",
                          "tile/0/01",
                          "tile/00/000",
                          "tile/64/000",
                          "tile/0/001/002",
                          "tile/0/x001",
                          "tile/0/x000/001",
                          "tile/0/000.p/0",
                          "tile/0/000.p/256",
                          "tile/0/000.p/017",
                          "tile/0/000.p/",
                          "tile/0/000/",
                          "tile/0/../000",
                          "tile/-1/000",
                          "tile/entriess/000",
                          "tile/0",
                          "tiles/0/000",
                          "tile/0/x1/000",
                          "tile/0/x999/x999/x999/x999/x999/x999/x999/999",
                          "tile/0/x018/x446/x744/x073/x709/x551/616",
                          "tile/0/0a0",
                          "/tile/0/000"}) {
    EXPECT_FALSE(ParseTilePath(bad).ok()) << bad;
  }
  EXPECT_EQ(ParseTilePath("tile/0/x018/x446/x744/x073/x709/x551/615")->index, UINT64_MAX);
}

TEST(TileForTree, WidthsFollowTheSpecExample) {
  // c2sp.org/tlog-tiles: a tree of 70,000 has 273 full level-0 tiles, a partial one of
  // width 112, one full level-1 tile, a partial of width 17, a partial level-2 of width 1.
  EXPECT_EQ(TileForTree(0, 272, 70000).width, 256u);
  EXPECT_EQ(TileForTree(0, 273, 70000).width, 112u);
  EXPECT_EQ(TileForTree(1, 0, 70000).width, 256u);
  EXPECT_EQ(TileForTree(1, 1, 70000).width, 17u);
  EXPECT_EQ(TileForTree(2, 0, 70000).width, 1u);
  EXPECT_EQ(LevelWidth(3, 70000), 0u);
}

TEST(EntryBundle, RoundTripsAndRejectsDamage) {
  std::string bundle;
  const std::vector<uint8_t> a = {1, 2, 3}, empty, big(65535, 7), too_big(65536);
  ASSERT_TRUE(AppendBundleEntry(bundle, a).ok());
  ASSERT_TRUE(AppendBundleEntry(bundle, empty).ok());
  ASSERT_TRUE(AppendBundleEntry(bundle, big).ok());
  EXPECT_TRUE(absl::IsInvalidArgument(AppendBundleEntry(bundle, too_big)));

  auto entries = DecodeEntryBundle(bundle, 3);
  ASSERT_TRUE(entries.ok()) << entries.status();
  EXPECT_EQ(std::vector<uint8_t>((*entries)[0].begin(), (*entries)[0].end()), a);
  EXPECT_TRUE((*entries)[1].empty());
  EXPECT_EQ((*entries)[2].size(), 65535u);

  EXPECT_TRUE(absl::IsDataLoss(DecodeEntryBundle(bundle, 2).status()));  // trailing entry
  EXPECT_TRUE(absl::IsDataLoss(DecodeEntryBundle(bundle, 4).status()));  // missing entry
  EXPECT_TRUE(absl::IsDataLoss(DecodeEntryBundle(bundle.substr(0, bundle.size() - 1), 3).status()));
  EXPECT_TRUE(absl::IsDataLoss(DecodeEntryBundle(bundle.substr(0, 1), 1).status()));
}

TEST(HashTile, DecodeChecksLength) {
  std::vector<Hash> hashes(3, EmptyTreeHash());
  std::string data = EncodeHashTile(hashes);
  EXPECT_EQ(data.size(), 96u);
  EXPECT_EQ(*DecodeHashTile(data, 3), hashes);
  EXPECT_TRUE(absl::IsDataLoss(DecodeHashTile(data, 2).status()));
  EXPECT_TRUE(absl::IsDataLoss(DecodeHashTile(data.substr(1), 3).status()));
}

}  // namespace
}  // namespace accord::tlog
