// The packet leaf of scheme "accord-seal/v1": how one packet record becomes one leaf of
// the sealed Merkle tree (RFC 6962 §2.1: leaf hash = SHA-256(0x00 ‖ leaf)).
//
//   offset  size  field (all integers big-endian)
//   0       15    domain separator: ASCII "accord-seal/v1" then 0x00
//   15      8     capture time, ns since 1970-01-01T00:00:00Z (0: not recorded)
//   23      2     link type (LINKTYPE_*)
//   25      4     original length on the wire
//   29      4     captured length n
//   33      n     the captured bytes
//
// The encoding is canonical: one packet record has exactly one leaf, and the leaf
// determines every field (the captured length makes it self-delimiting). It commits to
// what a packet *is* — when, on which kind of link, how long, which bytes — and not to
// how one file stored it (byte order, timestamp resolution, interface number, block
// type, options), so the same packet in a disclosed pcapng hashes to the same leaf.
// The separator keeps packet leaves apart from every other tree accord hashes (log
// entries are DSSE envelopes, which start with '{').
#ifndef ACCORD_SEAL_LEAF_H_
#define ACCORD_SEAL_LEAF_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "src/crypto/sha256.h"
#include "src/tlog/hash.h"

namespace accord::seal {

// The scheme's name, as the evidence statement records it ("seal.scheme").
inline constexpr std::string_view kSealScheme = "accord-seal/v1";
inline constexpr size_t kLeafHeaderSize = 33;

struct PacketFields {
  uint64_t time_ns = 0;
  uint16_t link_type = 0;
  uint32_t original_length = 0;
  std::span<const uint8_t> data;
};

// The first kLeafHeaderSize bytes of the leaf.
void EncodeLeafHeader(const PacketFields& packet, uint8_t* out);
// The whole leaf.
std::string EncodeLeaf(const PacketFields& packet);
// RFC 6962 leaf hash of the leaf: tlog::LeafHash(EncodeLeaf(packet)).
tlog::Hash PacketLeafHash(const PacketFields& packet);

// Hashes the leaves of many packets at once through a multi-buffer BatchHasher, copying
// each packet once (into 0x00 ‖ header ‖ bytes). Not thread-safe: one per thread.
class LeafBatch {
 public:
  explicit LeafBatch(crypto::HashBackend backend = crypto::HashBackend::kAuto);
  void Add(const PacketFields& packet);
  size_t size() const { return starts_.size(); }
  size_t bytes() const { return used_; }
  // Hashes every added packet into out (out.size() == size()), then empties the batch.
  void HashInto(std::span<tlog::Hash> out);

 private:
  std::unique_ptr<crypto::BatchHasher> hasher_;
  std::vector<uint8_t> scratch_;
  size_t used_ = 0;
  std::vector<size_t> starts_;
  std::vector<std::span<const uint8_t>> messages_;
};

}  // namespace accord::seal

#endif  // ACCORD_SEAL_LEAF_H_
