#include "src/seal/sidecar.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "src/seal/bytes.h"
#include "src/store/durable_file.h"
#include "src/util/encoding.h"

namespace accord::seal {
namespace {

constexpr size_t kMaxStructure = 2 * kMaxInterfaces;

void PutHash(std::string& out, const tlog::Hash& h) { PutBytes(out, h); }

absl::Status Bad(std::string_view what) {
  return absl::DataLossError(absl::StrCat("malformed sidecar: ", std::string(what)));
}

}  // namespace

std::string SidecarPath(const std::string& capture_path) {
  return capture_path + std::string(kSidecarSuffix);
}

std::string EncodeSidecar(const PacketTree& tree) {
  std::string out(kSidecarMagic);
  out.reserve(200 + tree.structure.size() * 8 + tree.tiles.size() * 40 + tree.tail.size() * 32);
  out.push_back(static_cast<char>(tree.format));
  Put64(out, tree.capture_bytes, true);
  PutHash(out, tree.capture_sha256);
  Put64(out, tree.size, true);
  PutHash(out, tree.root);
  Put32(out, static_cast<uint32_t>(tree.structure.size()), true);
  for (uint64_t o : tree.structure) Put64(out, o, true);
  Put64(out, tree.tiles.size(), true);
  for (const TreeTile& t : tree.tiles) {
    Put64(out, t.offset, true);
    PutHash(out, t.hash);
  }
  Put16(out, static_cast<uint16_t>(tree.tail.size()), true);
  if (!tree.tail.empty()) {
    Put64(out, tree.tail_offset, true);
    for (const tlog::Hash& h : tree.tail) PutHash(out, h);
  }
  PutHash(out, crypto::Sha256(out));
  return out;
}

absl::StatusOr<PacketTree> DecodeSidecar(std::span<const uint8_t> bytes) {
  if (bytes.size() < kSidecarMagic.size() + 32 ||
      util::AsChars(bytes.first(kSidecarMagic.size())) != kSidecarMagic) {
    return Bad("no accord-seal/v1 tree magic");
  }
  const auto body = bytes.first(bytes.size() - 32);
  const crypto::Digest sum = crypto::Sha256(body);
  if (!std::equal(sum.begin(), sum.end(), bytes.begin() + body.size())) {
    return Bad("checksum mismatch (the file is damaged)");
  }
  BigEndianReader r(body.subspan(kSidecarMagic.size()));
  PacketTree tree;
  const uint8_t format = r.U8();
  if (format != 1 && format != 2) return Bad(absl::StrCat("unknown capture format ", format));
  tree.format = static_cast<CaptureFormat>(format);
  tree.capture_bytes = r.U64();
  tree.capture_sha256 = r.Array<tlog::kHashSize>();
  tree.size = r.U64();
  tree.root = r.Array<tlog::kHashSize>();
  const uint32_t structure = r.U32();
  if (structure > kMaxStructure || structure * 8ull > r.remaining()) {
    return Bad(absl::StrCat("structure count ", structure));
  }
  for (uint32_t i = 0; i < structure; ++i) tree.structure.push_back(r.U64());
  const uint64_t tiles = r.U64();
  if (tiles != tree.size / kTilePackets || tiles > r.remaining() / 40) {
    return Bad(absl::StrCat(tiles, " tiles for ", tree.size, " packets"));
  }
  tree.tiles.resize(tiles);
  for (TreeTile& t : tree.tiles) {
    t.offset = r.U64();
    t.hash = r.Array<tlog::kHashSize>();
  }
  const uint16_t tail = r.U16();
  if (tail != tree.size % kTilePackets) {
    return Bad(absl::StrCat(tail, " tail leaves for ", tree.size, " packets"));
  }
  if (tail > 0) {
    tree.tail_offset = r.U64();
    for (uint16_t i = 0; i < tail; ++i) tree.tail.push_back(r.Array<tlog::kHashSize>());
  }
  if (r.failed()) return Bad("truncated");
  if (r.remaining() != 0) return Bad(absl::StrCat(r.remaining(), " trailing bytes"));
  return tree;
}

absl::Status WriteSidecar(const std::string& path, const PacketTree& tree) {
  const std::string data = EncodeSidecar(tree);
  const store::FileWrite write{path, data};
  absl::Status s =
      store::WriteFilesDurably(std::span(&write, 1), store::Durability::kFsyncEachFile);
  if (!s.ok()) {
    return absl::Status(s.code(), absl::StrCat("cannot write sidecar ", path, ": ", s.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<PacketTree> ReadSidecar(const std::string& path) {
  auto data = store::ReadWholeFile(path);
  if (!data.ok()) return data.status();
  auto tree = DecodeSidecar(util::AsBytes(*data));
  if (!tree.ok()) {
    return absl::DataLossError(absl::StrCat(path, ": ", tree.status().message()));
  }
  return tree;
}

}  // namespace accord::seal
