#include "src/tlog/compact_range.h"

#include <bit>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace accord::tlog {

void CompactRange::Append(const Hash& leaf_hash) {
  nodes_.push_back(leaf_hash);
  // Every trailing one bit of the old size is a subtree of the same height as the new
  // one to its left: merge them, as a binary counter carries.
  for (uint64_t s = size_; s & 1; s >>= 1) {
    Hash right = nodes_.back();
    nodes_.pop_back();
    nodes_.back() = NodeHash(nodes_.back(), right);
  }
  ++size_;
}

void CompactRange::Append(std::span<const Hash> leaf_hashes) {
  for (const Hash& h : leaf_hashes) Append(h);
}

Hash CompactRange::Root() const {
  if (nodes_.empty()) return EmptyTreeHash();
  Hash h = nodes_.back();
  for (size_t i = nodes_.size() - 1; i-- > 0;) h = NodeHash(nodes_[i], h);
  return h;
}

std::string CompactRange::Serialize() const {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(size_ >> (56 - 8 * i));
  for (const Hash& h : nodes_) out.append(reinterpret_cast<const char*>(h.data()), h.size());
  return out;
}

absl::StatusOr<CompactRange> CompactRange::Deserialize(std::string_view data) {
  if (data.size() < 8) {
    return absl::DataLossError(absl::StrCat("compact range: ", data.size(), " bytes, need 8+"));
  }
  CompactRange r;
  for (int i = 0; i < 8; ++i) r.size_ = (r.size_ << 8) | static_cast<uint8_t>(data[i]);
  const size_t want = std::popcount(r.size_);
  if (data.size() != 8 + want * kHashSize) {
    return absl::DataLossError(absl::StrCat("compact range of size ", r.size_, ": ", data.size(),
                                            " bytes, want ", 8 + want * kHashSize));
  }
  r.nodes_.resize(want);
  for (size_t i = 0; i < want; ++i) {
    std::memcpy(r.nodes_[i].data(), data.data() + 8 + i * kHashSize, kHashSize);
  }
  return r;
}

}  // namespace accord::tlog
