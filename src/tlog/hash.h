// Merkle tree hashing of RFC 6962 §2.1 / RFC 9162 §2.1.1, with SHA-256:
//   leaf hash  MTH({d}) = SHA-256(0x00 ‖ d)
//   node hash           = SHA-256(0x01 ‖ left ‖ right)
//   empty tree MTH({})  = SHA-256("")
#ifndef ACCORD_TLOG_HASH_H_
#define ACCORD_TLOG_HASH_H_

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "src/crypto/sha256.h"

namespace accord::tlog {

using Hash = crypto::Digest;
inline constexpr size_t kHashSize = crypto::kSha256Size;

Hash LeafHash(std::span<const uint8_t> entry);
Hash NodeHash(const Hash& left, const Hash& right);
Hash EmptyTreeHash();

// Hashes many leaves or node pairs at once through a crypto::BatchHasher, so that the
// multi-buffer backend hashes independent messages in parallel lanes.
// Not thread-safe: one per thread (owns scratch buffers and the hasher).
class TreeHasher {
 public:
  explicit TreeHasher(crypto::HashBackend backend = crypto::HashBackend::kAuto);

  // out[i] = LeafHash(entries[i]). REQUIRES: out.size() == entries.size().
  void LeafHashes(std::span<const std::span<const uint8_t>> entries, std::span<Hash> out);

  // parents[i] = NodeHash(children[2i], children[2i+1]).
  // REQUIRES: children.size() == 2 * parents.size(); parents may alias the front of
  // children (each parent is written only after its own children were read).
  void NodeHashes(std::span<const Hash> children, std::span<Hash> parents);

  std::string_view BackendName() const { return hasher_->Name(); }

 private:
  std::unique_ptr<crypto::BatchHasher> hasher_;
  std::vector<uint8_t> scratch_;
  std::vector<std::span<const uint8_t>> messages_;
  std::vector<Hash> digests_;
};

}  // namespace accord::tlog

#endif  // ACCORD_TLOG_HASH_H_
