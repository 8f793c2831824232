// The sealed tree of a capture: one leaf per packet record in file order (leaf.h), an
// RFC 6962 Merkle tree over them built with tlog's TreeAppender, and the compact
// summary disclosure needs to prove any packet without re-hashing the whole capture:
// the root of every complete group of 256 packets ("tile", as in C2SP tlog-tiles: the
// level-8 nodes of the tree) with the file offset of its first packet, and the leaf
// hashes of the last, incomplete group. The sidecar file (sidecar.h) stores this.
//
// Building reads the capture once, streaming: one thread parses and hashes the leaves
// (multi-buffer SHA-256, 256 packets a batch) while a second hashes the file's bytes
// from the same reads (SHA-256 of exactly the bytes parsed). Memory is bounded by the
// read buffer, one batch of packets, and O(packets / 256) tile hashes.
#ifndef ACCORD_SEAL_PACKET_TREE_H_
#define ACCORD_SEAL_PACKET_TREE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/crypto/sha256.h"
#include "src/seal/capture.h"
#include "src/tlog/hash.h"
#include "src/tlog/proof.h"
#include "src/tlog/tile_reader.h"

namespace accord::seal {

inline constexpr uint64_t kTilePackets = 256;  // packets per tile (tree level 8)
inline constexpr int kTileLevel = 8;

struct TreeTile {
  uint64_t offset = 0;  // file offset of the tile's first packet record
  tlog::Hash hash{};    // MTH of the tile's 256 leaves: node (level 8, tile index)
};

struct PacketTree {
  CaptureFormat format = CaptureFormat::kPcap;
  uint64_t capture_bytes = 0;
  crypto::Digest capture_sha256{};
  uint64_t size = 0;  // packets (leaves)
  tlog::Hash root{};
  std::vector<uint64_t> structure;  // CaptureReader::structure_offsets()
  std::vector<TreeTile> tiles;      // size / 256 complete tiles
  uint64_t tail_offset = 0;         // offset of the first packet after the last tile
  std::vector<tlog::Hash> tail;     // leaf hashes of the last size % 256 packets
};

// What the capture says, summarised for the evidence statement.
struct CaptureSummary {
  CaptureMetadata metadata;
  std::vector<Interface> interfaces;
  std::set<uint16_t> link_types;
  std::optional<uint64_t> first_ns, last_ns;  // over packets that record a time
  uint64_t untimed_packets = 0;               // pcapng simple packet blocks
  uint64_t captured_bytes = 0;                // sum of captured lengths
};

struct BuildOptions {
  bool hash_file = true;          // compute capture_sha256
  bool two_threads = true;        // hash the file on a second thread
  size_t buffer_bytes = 2 << 20;  // per read buffer; an observed source rotates four
  crypto::HashBackend backend = crypto::HashBackend::kAuto;
  // Called every few thousand packets with (bytes read so far, file size).
  std::function<void(uint64_t, uint64_t)> progress;
};

struct BuiltTree {
  PacketTree tree;
  CaptureSummary summary;
};

// Reads the capture at `path` once and builds its tree. Errors from the capture reader
// (DataLoss naming the offset, InvalidArgument for a non-capture) or from I/O.
absl::StatusOr<BuiltTree> BuildPacketTree(const std::string& path,
                                          const BuildOptions& options = {});

// Builds a tree one packet at a time (what BuildPacketTree does per packet).
class PacketTreeBuilder {
 public:
  explicit PacketTreeBuilder(crypto::HashBackend backend = crypto::HashBackend::kAuto);
  ~PacketTreeBuilder();
  // REQUIRES: packets in file order.
  void Add(const Packet& packet);
  // Completes the tree: size, root, tiles and tail (format, file size and hash and
  // structure are the caller's to fill). The builder then starts a new, empty tree.
  PacketTree Finish();

 private:
  void Flush();
  struct State;
  const crypto::HashBackend backend_;
  std::unique_ptr<State> s_;
};

// Every complete-subtree hash of a sealed tree, from its summary: nodes at level ≥ 8
// from the tile hashes, nodes inside the tail from its leaf hashes, and nodes inside a
// tile once its 256 leaves have been supplied (re-hashed from the capture).
// Not thread-safe.
class PacketTreeHashes final : public tlog::HashReader {
 public:
  // Computes the levels above the tiles and checks that the summary reproduces
  // tree.root: DataLoss otherwise. Also DataLoss if tiles/tail do not fit tree.size.
  // Copies what it needs: `tree` may go away.
  static absl::StatusOr<std::unique_ptr<PacketTreeHashes>> Create(const PacketTree& tree);

  // Supplies the leaf hashes of complete tile `tile`; DataLoss unless their root is the
  // tile's sealed hash (the capture differs from the sealed one there).
  absl::Status AddTileLeaves(uint64_t tile, std::vector<tlog::Hash> leaves);
  bool HasTileLeaves(uint64_t tile) const { return expanded_.count(tile) != 0; }

  absl::StatusOr<tlog::Hash> ReadNode(int level, uint64_t index) override;
  // The leaf hash of packet `index` (its tile's leaves must have been supplied, or it
  // lies in the tail).
  absl::StatusOr<tlog::Hash> Leaf(uint64_t index) { return ReadNode(0, index); }

 private:
  PacketTreeHashes() = default;
  uint64_t size_ = 0;
  tlog::TreeHasher hasher_;
  std::vector<std::vector<tlog::Hash>> upper_;  // upper_[k]: complete nodes at level 8 + k
  std::shared_ptr<const tlog::ExpandedTile> tail_;
  std::map<uint64_t, std::shared_ptr<const tlog::ExpandedTile>> expanded_;
};

}  // namespace accord::seal

#endif  // ACCORD_SEAL_PACKET_TREE_H_
