// The sidecar: a sealed capture's tree summary (packet_tree.h), kept in a small file
// beside the capture ("<capture>.accord-tree") so that disclosure re-hashes only the
// 256-packet tiles it discloses from instead of the whole capture. About 40 bytes per
// 256 packets: 0.3 MB for a 1.8M-packet, 1 GiB capture.
//
// Layout, all integers big-endian:
//
//   20 bytes        magic "accord-seal/v1 tree\n"
//   u8              capture format: 1 pcap, 2 pcapng
//   u64             capture size in bytes
//   32 bytes        SHA-256 of the capture file
//   u64  N          packets (leaves)
//   32 bytes        root: MTH of the N packet leaves
//   u32  S          then S × u64: offsets of the pcapng blocks that define reader state
//                   (section headers, interface descriptions), ascending
//   u64  T = N/256  then T × (u64 offset of the tile's first packet record,
//                             32-byte MTH of the tile's 256 leaves)
//   u16  R = N%256  then, if R > 0, u64 offset of the first packet after the last tile
//                   and R × 32-byte leaf hashes of the last R packets
//   32 bytes        SHA-256 of every byte above
//
// Trust: the sidecar is a cache, not evidence. Whoever uses it checks that its hashes
// reproduce the sealed root of the evidence statement (PacketTreeHashes::Create), and
// every tile disclosure reads is re-hashed from the capture and compared with the tile
// hash (PacketTreeHashes::AddTileLeaves); offsets are only where to look. The trailing
// checksum just tells accidental damage apart from a capture that differs.
#ifndef ACCORD_SEAL_SIDECAR_H_
#define ACCORD_SEAL_SIDECAR_H_

#include <cstdint>
#include <span>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "src/seal/packet_tree.h"

namespace accord::seal {

inline constexpr std::string_view kSidecarMagic = "accord-seal/v1 tree\n";
inline constexpr std::string_view kSidecarSuffix = ".accord-tree";

// "<capture_path>.accord-tree".
std::string SidecarPath(const std::string& capture_path);

std::string EncodeSidecar(const PacketTree& tree);
// DataLoss naming the field for anything but exactly the layout above.
absl::StatusOr<PacketTree> DecodeSidecar(std::span<const uint8_t> bytes);

// Writes the sidecar durably (temporary file, fsync, rename), replacing any old one.
absl::Status WriteSidecar(const std::string& path, const PacketTree& tree);
// NotFound if absent; DataLoss (naming the path) if malformed.
absl::StatusOr<PacketTree> ReadSidecar(const std::string& path);

}  // namespace accord::seal

#endif  // ACCORD_SEAL_SIDECAR_H_
