#include "src/seal/leaf.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace accord::seal {
namespace {

void PutBig(uint8_t* p, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i, v >>= 8) p[i] = static_cast<uint8_t>(v);
}

}  // namespace

void EncodeLeafHeader(const PacketFields& packet, uint8_t* out) {
  std::memcpy(out, kSealScheme.data(), kSealScheme.size());
  out[14] = 0;
  PutBig(out + 15, packet.time_ns, 8);
  PutBig(out + 23, packet.link_type, 2);
  PutBig(out + 25, packet.original_length, 4);
  PutBig(out + 29, packet.data.size(), 4);
}

std::string EncodeLeaf(const PacketFields& packet) {
  std::string out(kLeafHeaderSize + packet.data.size(), '\0');
  EncodeLeafHeader(packet, reinterpret_cast<uint8_t*>(out.data()));
  if (!packet.data.empty()) {
    std::memcpy(out.data() + kLeafHeaderSize, packet.data.data(), packet.data.size());
  }
  return out;
}

tlog::Hash PacketLeafHash(const PacketFields& packet) {
  uint8_t header[1 + kLeafHeaderSize];
  header[0] = 0x00;  // RFC 6962 leaf prefix
  EncodeLeafHeader(packet, header + 1);
  crypto::Sha256Stream s;
  s.Update(std::span<const uint8_t>(header, sizeof header));
  s.Update(packet.data);
  return s.Final();
}

LeafBatch::LeafBatch(crypto::HashBackend backend) {
  auto h = crypto::NewBatchHasher(backend);
  if (!h.ok()) {
    // Only an explicit kIpsecMb request can fail; callers that ask for it check first.
    std::fprintf(stderr, "accord: fatal: %s\n", h.status().ToString().c_str());
    std::abort();
  }
  hasher_ = *std::move(h);
}

void LeafBatch::Add(const PacketFields& packet) {
  const size_t need = 1 + kLeafHeaderSize + packet.data.size();
  if (scratch_.size() < used_ + need) scratch_.resize(std::max(used_ + need, 2 * scratch_.size()));
  uint8_t* p = scratch_.data() + used_;
  p[0] = 0x00;  // RFC 6962 leaf prefix, as tlog::LeafHash adds it
  EncodeLeafHeader(packet, p + 1);
  if (!packet.data.empty())
    std::memcpy(p + 1 + kLeafHeaderSize, packet.data.data(), packet.data.size());
  starts_.push_back(used_);
  used_ += need;
}

void LeafBatch::HashInto(std::span<tlog::Hash> out) {
  messages_.resize(starts_.size());
  for (size_t i = 0; i < starts_.size(); ++i) {
    const size_t end = i + 1 < starts_.size() ? starts_[i + 1] : used_;
    messages_[i] = std::span<const uint8_t>(scratch_.data() + starts_[i], end - starts_[i]);
  }
  hasher_->HashMany(messages_, out);
  starts_.clear();
  used_ = 0;
}

}  // namespace accord::seal
