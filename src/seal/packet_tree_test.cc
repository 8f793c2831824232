#include "src/seal/packet_tree.h"

#include <gtest/gtest.h>

#include <random>

#include "src/seal/leaf.h"
#include "src/seal/multiproof.h"
#include "src/seal/testing.h"
#include "src/tlog/testing.h"
#include "src/util/encoding.h"

namespace accord::seal {
namespace {

using tlog::Hash;

TEST(SealLeafTest, EncodingIsTheDocumentedLayout) {
  const uint8_t data[] = {0xde, 0xad, 0xbe, 0xef, 0x01};
  const std::string leaf = EncodeLeaf(PacketFields{0x0102030405060708ull, 0x0071, 1500, data});
  EXPECT_EQ(util::HexEncode(util::AsBytes(leaf)),
            "6163636f72642d7365616c2f763100"  // "accord-seal/v1" 0x00
            "0102030405060708"                // time ns
            "0071"                            // link type
            "000005dc"                        // original length
            "00000005"                        // captured length
            "deadbeef01");
  EXPECT_EQ(PacketLeafHash(PacketFields{0x0102030405060708ull, 0x0071, 1500, data}),
            tlog::LeafHash(util::AsBytes(leaf)));
}

TEST(SealLeafTest, BatchHashesEqualSingleHashesOnEveryBackend) {
  std::vector<std::vector<uint8_t>> frames;
  for (int i = 0; i < 300; ++i)
    frames.push_back(testing::UdpFrame(1, 42 + (i * 37) % 1500, 1, 2, 3, 4, i));
  frames.push_back({});  // an empty packet
  for (auto backend : {crypto::HashBackend::kOpenSsl, crypto::HashBackend::kAuto}) {
    LeafBatch batch(backend);
    for (size_t i = 0; i < frames.size(); ++i) {
      batch.Add(PacketFields{i * 1000, 1, static_cast<uint32_t>(frames[i].size() + 4), frames[i]});
    }
    std::vector<Hash> out(batch.size());
    batch.HashInto(out);
    EXPECT_EQ(batch.size(), 0u);
    for (size_t i = 0; i < frames.size(); ++i) {
      ASSERT_EQ(out[i], PacketLeafHash(PacketFields{
                            i * 1000, 1, static_cast<uint32_t>(frames[i].size() + 4), frames[i]}))
          << i;
    }
  }
}

// A capture of n packets in memory, with the leaves a naive tree needs.
struct Built {
  PacketTree tree;
  std::vector<Hash> leaves;
};

Built BuildFromPackets(uint64_t n, std::mt19937& rng) {
  Built b;
  PacketTreeBuilder builder;
  std::vector<std::vector<uint8_t>> frames;
  for (uint64_t i = 0; i < n; ++i) {
    auto frame = testing::UdpFrame(1, 42 + rng() % 200, 1, 2, 3, 4, static_cast<uint32_t>(i));
    Packet p;
    p.index = i;
    p.offset = 1000 + 10 * i;
    p.time_ns = i * 7;
    p.link_type = 1;
    p.original_length = static_cast<uint32_t>(frame.size());
    p.data = frame;
    builder.Add(p);
    b.leaves.push_back(PacketLeafHash(PacketFields{p.time_ns, 1, p.original_length, frame}));
  }
  b.tree = builder.Finish();
  return b;
}

TEST(SealPacketTreeTest, MatchesTheNaiveTreeAndItsTiles) {
  std::mt19937 rng(3);
  for (uint64_t n : {0, 1, 2, 255, 256, 257, 511, 512, 513, 1000, 70000}) {
    SCOPED_TRACE(n);
    Built b = BuildFromPackets(n, rng);
    EXPECT_EQ(b.tree.size, n);
    EXPECT_EQ(b.tree.root, tlog::testing::NaiveMth(b.leaves, 0, n));
    ASSERT_EQ(b.tree.tiles.size(), n / 256);
    for (size_t t = 0; t < b.tree.tiles.size(); ++t) {
      EXPECT_EQ(b.tree.tiles[t].hash, tlog::testing::NaiveMth(b.leaves, t * 256, t * 256 + 256));
      EXPECT_EQ(b.tree.tiles[t].offset, 1000 + 10 * t * 256);
    }
    ASSERT_EQ(b.tree.tail.size(), n % 256);
    for (size_t i = 0; i < b.tree.tail.size(); ++i) {
      EXPECT_EQ(b.tree.tail[i], b.leaves[n / 256 * 256 + i]);
    }
    auto hashes = PacketTreeHashes::Create(b.tree);
    ASSERT_TRUE(hashes.ok()) << hashes.status();
  }
}

TEST(SealPacketTreeTest, HashesAreCheckedAgainstTheRoot) {
  std::mt19937 rng(4);
  Built b = BuildFromPackets(1000, rng);
  {
    PacketTree bad = b.tree;
    bad.tiles[1].hash[0] ^= 1;
    EXPECT_TRUE(absl::IsDataLoss(PacketTreeHashes::Create(bad).status()));
  }
  {
    PacketTree bad = b.tree;
    bad.tail[0][5] ^= 1;
    EXPECT_TRUE(absl::IsDataLoss(PacketTreeHashes::Create(bad).status()));
  }
  {
    PacketTree bad = b.tree;
    bad.tail.pop_back();
    EXPECT_TRUE(absl::IsDataLoss(PacketTreeHashes::Create(bad).status()));
  }
  auto hashes = *PacketTreeHashes::Create(b.tree);
  std::vector<Hash> tile1(b.leaves.begin() + 256, b.leaves.begin() + 512);
  EXPECT_TRUE(absl::IsFailedPrecondition(hashes->Leaf(300).status()));
  std::vector<Hash> wrong = tile1;
  wrong[7][0] ^= 1;
  EXPECT_TRUE(absl::IsDataLoss(hashes->AddTileLeaves(1, wrong)));
  ASSERT_TRUE(hashes->AddTileLeaves(1, tile1).ok());
  EXPECT_EQ(*hashes->Leaf(300), b.leaves[300]);
  EXPECT_EQ(*hashes->Leaf(999), b.leaves[999]);  // tail
  EXPECT_EQ(*hashes->ReadNode(9, 0), tlog::testing::NaiveMth(b.leaves, 0, 512));
}

TEST(SealPacketTreeTest, BuildsFromFilesWithTheFileHashOnEitherThreading) {
  testing::TempDir dir;
  std::vector<testing::TestPacket> want;
  std::string file = testing::MixedPcapng(want);
  testing::WriteFile(dir.File("c.pcapng"), file);
  std::vector<Hash> leaves;
  for (const auto& p : want) {
    leaves.push_back(
        PacketLeafHash(PacketFields{p.time_ns, p.link_type, p.original_length, p.data}));
  }
  for (bool threads : {false, true}) {
    BuildOptions options;
    options.two_threads = threads;
    options.buffer_bytes = 64;  // many refills, blocks larger than the buffer
    auto built = BuildPacketTree(dir.File("c.pcapng"), options);
    ASSERT_TRUE(built.ok()) << built.status();
    EXPECT_EQ(built->tree.size, want.size());
    EXPECT_EQ(built->tree.root, tlog::testing::NaiveMth(leaves, 0, leaves.size()));
    EXPECT_EQ(built->tree.capture_sha256, crypto::Sha256(file));
    EXPECT_EQ(built->tree.capture_bytes, file.size());
    EXPECT_EQ(built->tree.format, CaptureFormat::kPcapng);
    EXPECT_EQ(built->summary.link_types, (std::set<uint16_t>{0, 1, 101, 113}));
    EXPECT_EQ(built->summary.untimed_packets, 1u);
    EXPECT_EQ(*built->summary.first_ns, 42u);
    EXPECT_EQ(*built->summary.last_ns, 1700000001000000000ull);
  }
  testing::WriteFile(dir.File("bad.pcapng"), file.substr(0, file.size() - 3));
  auto bad = BuildPacketTree(dir.File("bad.pcapng"));
  EXPECT_TRUE(absl::IsDataLoss(bad.status())) << bad.status();
  EXPECT_NE(bad.status().message().find("bad.pcapng"), absl::string_view::npos);
}

// Complete-subtree hashes straight from the leaves.
class NaiveReader : public tlog::HashReader {
 public:
  explicit NaiveReader(const std::vector<Hash>& leaves) : leaves_(leaves) {}
  absl::StatusOr<Hash> ReadNode(int level, uint64_t index) override {
    ++reads;
    return tlog::testing::NaiveMth(leaves_, index << level, (index + 1) << level);
  }
  int reads = 0;

 private:
  const std::vector<Hash>& leaves_;
};

std::vector<Hash> Leaves(uint64_t n) {
  std::vector<Hash> leaves;
  for (uint64_t i = 0; i < n; ++i) leaves.push_back(tlog::LeafHash(tlog::testing::TestEntry(i)));
  return leaves;
}

TEST(SealMultiproofTest, OneLeafHoldsTheInclusionPathsHashes) {
  for (uint64_t n : {1, 2, 3, 5, 8, 13, 100}) {
    auto leaves = Leaves(n);
    NaiveReader reader(leaves);
    for (uint64_t i = 0; i < n; ++i) {
      const uint64_t idx[] = {i};
      auto proof = MultiInclusionProof(idx, n, reader);
      ASSERT_TRUE(proof.ok());
      std::vector<Hash> path;
      tlog::testing::NaivePath(leaves, i, 0, n, path);
      // The same hashes; the path runs bottom-up, the proof left to right.
      std::vector<Hash> got = *proof;
      std::sort(got.begin(), got.end());
      std::sort(path.begin(), path.end());
      EXPECT_EQ(got, path) << n << " " << i;
    }
  }
}

TEST(SealMultiproofTest, RandomSubsetsVerifyAndTamperingFails) {
  std::mt19937 rng(11);
  for (int round = 0; round < 200; ++round) {
    const uint64_t n = 1 + rng() % 300;
    auto leaves = Leaves(n);
    const Hash root = tlog::testing::NaiveMth(leaves, 0, n);
    std::vector<uint64_t> idx;
    const double p = (rng() % 100) / 100.0;
    for (uint64_t i = 0; i < n; ++i) {
      if ((rng() % 1000) / 1000.0 < p) idx.push_back(i);
    }
    if (idx.empty()) idx.push_back(rng() % n);
    std::vector<Hash> mine;
    for (uint64_t i : idx) mine.push_back(leaves[i]);
    NaiveReader reader(leaves);
    auto proof = MultiInclusionProof(idx, n, reader);
    ASSERT_TRUE(proof.ok()) << proof.status();
    ASSERT_EQ(proof->size(), MultiInclusionProofSize(idx, n));
    ASSERT_LE(proof->size(), idx.size() * 9);
    ASSERT_TRUE(VerifyMultiInclusion(idx, mine, n, *proof, root).ok());
    if (idx.size() == n) EXPECT_TRUE(proof->empty());

    // A changed leaf, proof hash, index, size or root fails.
    auto bad_leaves = mine;
    bad_leaves[rng() % mine.size()][0] ^= 1;
    EXPECT_TRUE(tlog::IsProofMismatch(VerifyMultiInclusion(idx, bad_leaves, n, *proof, root)));
    if (!proof->empty()) {
      auto bad = *proof;
      bad[rng() % bad.size()][31] ^= 0x80;
      EXPECT_TRUE(tlog::IsProofMismatch(VerifyMultiInclusion(idx, mine, n, bad, root)));
      bad = *proof;
      bad.pop_back();
      EXPECT_FALSE(VerifyMultiInclusion(idx, mine, n, bad, root).ok());
    }
    auto longer = *proof;
    longer.push_back(root);
    EXPECT_TRUE(absl::IsInvalidArgument(VerifyMultiInclusion(idx, mine, n, longer, root)));
    Hash other = root;
    other[0] ^= 1;
    EXPECT_TRUE(tlog::IsProofMismatch(VerifyMultiInclusion(idx, mine, n, *proof, other)));
    if (idx.back() + 1 < n) {  // shift the last index: a different position
      auto moved = idx;
      moved.back() += 1;
      EXPECT_FALSE(VerifyMultiInclusion(moved, mine, n, *proof, root).ok());
    }
  }
}

TEST(SealMultiproofTest, SwappedLeavesFail) {
  auto leaves = Leaves(10);
  const Hash root = tlog::testing::NaiveMth(leaves, 0, 10);
  NaiveReader reader(leaves);
  const uint64_t idx[] = {2, 7};
  auto proof = *MultiInclusionProof(idx, 10, reader);
  const Hash swapped[] = {leaves[7], leaves[2]};
  EXPECT_TRUE(tlog::IsProofMismatch(VerifyMultiInclusion(idx, swapped, 10, proof, root)));
}

TEST(SealMultiproofTest, RejectsMalformedIndices) {
  auto leaves = Leaves(10);
  NaiveReader reader(leaves);
  const Hash root = tlog::testing::NaiveMth(leaves, 0, 10);
  const uint64_t none[] = {0};
  EXPECT_TRUE(absl::IsInvalidArgument(
      MultiInclusionProof(std::span<const uint64_t>(none, 0), 10, reader).status()));
  const uint64_t dup[] = {3, 3};
  EXPECT_TRUE(absl::IsInvalidArgument(MultiInclusionProof(dup, 10, reader).status()));
  const uint64_t desc[] = {4, 3};
  EXPECT_TRUE(absl::IsInvalidArgument(MultiInclusionProof(desc, 10, reader).status()));
  const uint64_t out[] = {10};
  EXPECT_TRUE(absl::IsInvalidArgument(MultiInclusionProof(out, 10, reader).status()));
  const uint64_t two[] = {1, 2};
  const Hash one[] = {leaves[1]};
  EXPECT_TRUE(absl::IsInvalidArgument(VerifyMultiInclusion(two, one, 10, {}, root)));
}

TEST(SealMultiproofTest, ClusteredLeavesShareHashes) {
  auto leaves = Leaves(1 << 12);
  NaiveReader reader(leaves);
  std::vector<uint64_t> run;
  for (uint64_t i = 1024; i < 1024 + 64; ++i) run.push_back(i);
  // 64 aligned consecutive leaves: the path of their subtree only (12 - 6 hashes).
  EXPECT_EQ(MultiInclusionProofSize(run, 1 << 12), 6u);
}

TEST(SealMultiproofTest, ProofsFromPacketTreeHashes) {
  std::mt19937 rng(5);
  Built b = BuildFromPackets(2000, rng);
  auto hashes = *PacketTreeHashes::Create(b.tree);
  const uint64_t idx[] = {3, 700, 1999};
  for (uint64_t t : {0, 2}) {
    std::vector<Hash> tile(b.leaves.begin() + t * 256, b.leaves.begin() + t * 256 + 256);
    ASSERT_TRUE(hashes->AddTileLeaves(t, tile).ok());
  }
  auto proof = MultiInclusionProof(idx, 2000, *hashes);
  ASSERT_TRUE(proof.ok()) << proof.status();
  const Hash mine[] = {b.leaves[3], b.leaves[700], b.leaves[1999]};
  EXPECT_TRUE(VerifyMultiInclusion(idx, mine, 2000, *proof, b.tree.root).ok());
  const uint64_t missing[] = {300};  // tile 1's leaves were never supplied
  EXPECT_TRUE(absl::IsFailedPrecondition(MultiInclusionProof(missing, 2000, *hashes).status()));
}

}  // namespace
}  // namespace accord::seal
