// Fuzzes the sidecar decoder (src/seal/sidecar.cc, seal::DecodeSidecar) and what
// disclosure builds from a decoded sidecar (seal::PacketTreeHashes: the levels above
// the tiles, the root check, node reads). A sidecar ends in a SHA-256 of everything
// before it, which random mutations almost never keep; so the first input byte chooses:
//
//   0      the rest is a whole sidecar file, checksum included;
//   other  the rest is the body after the magic: the harness adds the magic and the
//          checksum, so the fuzzer explores the layout itself.
//
// Invariants: a decoded sidecar re-encodes to the same bytes; the hashes of a sidecar
// that PacketTreeHashes accepts reproduce its root, and every node they serve can be
// read back without error.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "fuzz/fuzz_support.h"
#include "src/crypto/sha256.h"
#include "src/seal/packet_tree.h"
#include "src/seal/sidecar.h"
#include "src/tlog/proof.h"
#include "src/util/encoding.h"

namespace accord::fuzz {

int FuzzOne(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string file;
  if (data[0] == 0) {
    file.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  } else {
    file = std::string(seal::kSidecarMagic);
    file.append(reinterpret_cast<const char*>(data + 1), size - 1);
    const crypto::Digest sum = crypto::Sha256(file);
    file.append(reinterpret_cast<const char*>(sum.data()), sum.size());
  }
  auto tree = seal::DecodeSidecar(util::AsBytes(file));
  if (!tree.ok()) {
    ACCORD_FUZZ_CHECK(absl::IsDataLoss(tree.status()), tree.status().ToString());
    return 0;
  }
  ACCORD_FUZZ_CHECK(seal::EncodeSidecar(*tree) == file, "a sidecar does not re-encode to itself");
  ACCORD_FUZZ_CHECK(tree->tiles.size() == tree->size / seal::kTilePackets);
  ACCORD_FUZZ_CHECK(tree->tail.size() == tree->size % seal::kTilePackets);

  auto hashes = seal::PacketTreeHashes::Create(*tree);
  if (!hashes.ok()) {
    ACCORD_FUZZ_CHECK(absl::IsDataLoss(hashes.status()), hashes.status().ToString());
    return 0;
  }
  auto root = tlog::RootHash(tree->size, **hashes);
  ACCORD_FUZZ_CHECK(root.ok() && *root == tree->root, "the tree hashes do not give the root");
  // Nodes at tile level and above, and tail leaves, are served without the capture.
  for (uint64_t t = 0; t < tree->tiles.size() && t < 4; ++t) {
    auto node = (*hashes)->ReadNode(seal::kTileLevel, t);
    ACCORD_FUZZ_CHECK(node.ok() && *node == tree->tiles[t].hash, "tile ", t, " hash");
  }
  for (uint64_t i = 0; i < tree->tail.size() && i < 4; ++i) {
    auto leaf = (*hashes)->Leaf(tree->tiles.size() * seal::kTilePackets + i);
    ACCORD_FUZZ_CHECK(leaf.ok() && *leaf == tree->tail[i], "tail leaf ", i);
  }
  if (tree->size > 0) {
    // Inclusion of the last packet: its tile, if complete, is not loaded, so this may
    // fail; it must not crash.
    (void)tlog::InclusionProof(tree->size - 1, tree->size, **hashes);
  }
  return 0;
}

}  // namespace accord::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return accord::fuzz::FuzzOne(data, size);
}
