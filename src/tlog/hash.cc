#include "src/tlog/hash.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace accord::tlog {
namespace {
constexpr uint8_t kLeafPrefix = 0x00;
constexpr uint8_t kNodePrefix = 0x01;
// Batches bigger than this are hashed in slices, bounding the scratch buffer's size.
constexpr size_t kSliceMessages = 4096;
}  // namespace

Hash LeafHash(std::span<const uint8_t> entry) {
  crypto::Sha256Stream s;
  s.Update(std::span<const uint8_t>(&kLeafPrefix, 1));
  s.Update(entry);
  return s.Final();
}

Hash NodeHash(const Hash& left, const Hash& right) {
  uint8_t buf[1 + 2 * kHashSize];
  buf[0] = kNodePrefix;
  std::memcpy(buf + 1, left.data(), kHashSize);
  std::memcpy(buf + 1 + kHashSize, right.data(), kHashSize);
  return crypto::Sha256(std::span<const uint8_t>(buf, sizeof buf));
}

Hash EmptyTreeHash() { return crypto::Sha256(std::span<const uint8_t>()); }

TreeHasher::TreeHasher(crypto::HashBackend backend) {
  auto h = crypto::NewBatchHasher(backend);
  if (!h.ok()) {
    // Only an explicit kIpsecMb request can fail; callers that ask for it check first.
    std::fprintf(stderr, "accord: fatal: %s\n", h.status().ToString().c_str());
    std::abort();
  }
  hasher_ = *std::move(h);
}

void TreeHasher::LeafHashes(std::span<const std::span<const uint8_t>> entries,
                            std::span<Hash> out) {
  for (size_t base = 0; base < entries.size(); base += kSliceMessages) {
    const size_t n = std::min(kSliceMessages, entries.size() - base);
    size_t total = 0;
    for (size_t i = 0; i < n; ++i) total += 1 + entries[base + i].size();
    scratch_.resize(total);
    messages_.resize(n);
    uint8_t* p = scratch_.data();
    for (size_t i = 0; i < n; ++i) {
      const auto& e = entries[base + i];
      p[0] = kLeafPrefix;
      if (!e.empty()) std::memcpy(p + 1, e.data(), e.size());
      messages_[i] = {p, 1 + e.size()};
      p += 1 + e.size();
    }
    hasher_->HashMany(messages_, out.subspan(base, n));
  }
}

void TreeHasher::NodeHashes(std::span<const Hash> children, std::span<Hash> parents) {
  constexpr size_t kMsg = 1 + 2 * kHashSize;
  for (size_t base = 0; base < parents.size(); base += kSliceMessages) {
    const size_t n = std::min(kSliceMessages, parents.size() - base);
    scratch_.resize(n * kMsg);
    messages_.resize(n);
    for (size_t i = 0; i < n; ++i) {
      uint8_t* p = scratch_.data() + i * kMsg;
      p[0] = kNodePrefix;
      std::memcpy(p + 1, children[2 * (base + i)].data(), 2 * kHashSize);
      messages_[i] = {p, kMsg};
    }
    // Digests go to a separate buffer first: `parents` may alias `children` further on.
    digests_.resize(n);
    hasher_->HashMany(messages_, digests_);
    std::memcpy(parents.data() + base, digests_.data(), n * kHashSize);
  }
}

}  // namespace accord::tlog
