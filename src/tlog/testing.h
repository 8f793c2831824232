// Test helpers for tlog: a naive reference Merkle tree (RFC 9162 §2.1.1 definitions,
// computed recursively from all leaves) and an in-memory tile store.
#ifndef ACCORD_TLOG_TESTING_H_
#define ACCORD_TLOG_TESTING_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "src/tlog/hash.h"
#include "src/tlog/tile.h"
#include "src/tlog/tile_reader.h"
#include "src/tlog/tree.h"

namespace accord::tlog::testing {

inline std::vector<uint8_t> TestEntry(uint64_t i) {
  std::string s = absl::StrCat("entry ", i);
  return std::vector<uint8_t>(s.begin(), s.end());
}

// MTH(D[lo:hi]) straight from the definition.
inline Hash NaiveMth(const std::vector<Hash>& leaves, uint64_t lo, uint64_t hi) {
  if (hi == lo) return EmptyTreeHash();
  if (hi - lo == 1) return leaves[lo];
  uint64_t k = 1;
  while (k * 2 < hi - lo) k *= 2;
  return NodeHash(NaiveMth(leaves, lo, lo + k), NaiveMth(leaves, lo + k, hi));
}

// PATH(m, D[lo:hi]).
inline void NaivePath(const std::vector<Hash>& leaves, uint64_t m, uint64_t lo, uint64_t hi,
                      std::vector<Hash>& out) {
  if (hi - lo <= 1) return;
  uint64_t k = 1;
  while (k * 2 < hi - lo) k *= 2;
  if (m < lo + k) {
    NaivePath(leaves, m, lo, lo + k, out);
    out.push_back(NaiveMth(leaves, lo + k, hi));
  } else {
    NaivePath(leaves, m, lo + k, hi, out);
    out.push_back(NaiveMth(leaves, lo, lo + k));
  }
}

// Tiles kept in a map, written from TreeUpdates.
class MemoryTiles : public TileSource {
 public:
  void Apply(const TreeUpdate& u) {
    for (const auto& t : u.tiles) tiles_[TilePath(t.id)] = EncodeHashTile(t.hashes);
  }
  absl::StatusOr<std::string> ReadTile(const TileId& id) override {
    ++reads_;
    auto it = tiles_.find(TilePath(id));
    if (it == tiles_.end()) return absl::NotFoundError(TilePath(id));
    return it->second;
  }
  std::map<std::string, std::string>& tiles() { return tiles_; }
  int reads() const { return reads_; }

 private:
  std::map<std::string, std::string> tiles_;
  int reads_ = 0;
};

}  // namespace accord::tlog::testing

#endif  // ACCORD_TLOG_TESTING_H_
