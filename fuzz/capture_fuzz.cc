// Fuzzes the packet capture readers (src/seal/capture_pcap.cc, capture_pcapng.cc) through
// seal::ParseCaptureBytes and CaptureReader over memory: classic pcap in both byte orders
// and precisions, pcapng with any blocks, options, sections and interfaces.
//
// Then what sealing does with the packets: the packet tree (PacketTreeBuilder), its
// sidecar encoding, and the tree hashes disclosure rebuilds from the sidecar
// (PacketTreeHashes). And what disclosure does with a sealed capture: continuing at a
// packet's offset (CaptureReader::Resume) from the recorded structure offsets.
//
// Invariants: packets come numbered 0, 1, 2… at increasing offsets inside the input, with
// at most kMaxBlockBytes of data; the sidecar of the tree decodes to the same tree and
// reproduces its root; resuming at any packet's offset yields the same packet.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/strings/str_cat.h"
#include "fuzz/fuzz_support.h"
#include "src/seal/byte_source.h"
#include "src/seal/capture.h"
#include "src/seal/packet_tree.h"
#include "src/seal/sidecar.h"
#include "src/util/encoding.h"

namespace accord::fuzz {
namespace {

struct Seen {
  uint64_t index, offset, time_ns;
  bool has_time;
  uint32_t original_length, interface;
  uint16_t link_type;
  std::vector<uint8_t> data;
};

bool Same(const Seen& s, const seal::Packet& p) {
  return s.index == p.index && s.offset == p.offset && s.time_ns == p.time_ns &&
         s.has_time == p.has_time && s.original_length == p.original_length &&
         s.interface == p.interface && s.link_type == p.link_type &&
         std::equal(s.data.begin(), s.data.end(), p.data.begin(), p.data.end());
}

void CheckTree(const seal::PacketTree& tree) {
  const std::string sidecar = seal::EncodeSidecar(tree);
  auto decoded = seal::DecodeSidecar(util::AsBytes(sidecar));
  ACCORD_FUZZ_CHECK(decoded.ok(),
                    "a tree's sidecar does not decode: ", decoded.status().ToString());
  ACCORD_FUZZ_CHECK(seal::EncodeSidecar(*decoded) == sidecar);
  auto hashes = seal::PacketTreeHashes::Create(*decoded);
  ACCORD_FUZZ_CHECK(
      hashes.ok(), "a built tree's hashes do not reproduce its root: ", hashes.status().ToString());
}

}  // namespace
}  // namespace accord::fuzz

namespace accord::fuzz {

int FuzzOne(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  auto source = seal::ByteSource::FromMemory(bytes);
  auto reader = seal::CaptureReader::Open(*source);
  if (!reader.ok()) {
    ACCORD_FUZZ_CHECK(absl::IsInvalidArgument(reader.status()) || absl::IsDataLoss(reader.status()),
                      reader.status().ToString());
    return 0;
  }
  std::vector<Seen> seen;
  // OpenSSL: the multi-buffer backend costs more to set up than these few packets.
  seal::PacketTreeBuilder builder(crypto::HashBackend::kOpenSsl);
  absl::Status end;
  while (true) {
    auto packet = (*reader)->Next();
    if (!packet.ok()) {
      ACCORD_FUZZ_CHECK(absl::IsDataLoss(packet.status()), packet.status().ToString());
      end = packet.status();
      break;
    }
    if (!packet->has_value()) break;
    const seal::Packet& p = **packet;
    ACCORD_FUZZ_CHECK(p.index == seen.size(), "packet ", seen.size(), " numbered ", p.index);
    ACCORD_FUZZ_CHECK(seen.empty() || p.offset > seen.back().offset, "offsets do not increase");
    ACCORD_FUZZ_CHECK(p.offset < size && p.data.size() <= size - p.offset);
    ACCORD_FUZZ_CHECK(p.data.size() <= seal::kMaxBlockBytes);
    ACCORD_FUZZ_CHECK(p.interface < (*reader)->interfaces().size());
    ACCORD_FUZZ_CHECK(p.link_type == (*reader)->interfaces()[p.interface].link_type);
    seen.push_back(Seen{p.index, p.offset, p.time_ns, p.has_time, p.original_length, p.interface,
                        p.link_type, std::vector<uint8_t>(p.data.begin(), p.data.end())});
    builder.Add(p);
  }
  // The in-memory entry point agrees with the reader.
  uint64_t visited = 0;
  auto count = seal::ParseCaptureBytes(bytes, [&](const seal::Packet& p) {
    ACCORD_FUZZ_CHECK(visited < seen.size() && Same(seen[visited], p), "ParseCaptureBytes packet ",
                      visited, " differs");
    ++visited;
    return true;
  });
  ACCORD_FUZZ_CHECK(count.ok() == end.ok() && visited == seen.size());

  seal::PacketTree tree = builder.Finish();
  ACCORD_FUZZ_CHECK(tree.size == seen.size());
  tree.format = (*reader)->metadata().format;
  tree.capture_bytes = size;
  tree.structure = (*reader)->structure_offsets();
  CheckTree(tree);

  // Resume at a few packets, as disclosure does from a sidecar.
  const std::vector<uint64_t> structure = (*reader)->structure_offsets();
  for (size_t i = 0; i < seen.size(); i += 1 + seen.size() / 4) {
    auto again_source = seal::ByteSource::FromMemory(bytes);
    auto again = seal::CaptureReader::Open(*again_source);
    ACCORD_FUZZ_CHECK(again.ok());
    absl::Status s = (*again)->Resume(seen[i].offset, seen[i].index, structure);
    ACCORD_FUZZ_CHECK(s.ok(), "cannot resume at packet ", i, ": ", s.ToString());
    auto packet = (*again)->Next();
    ACCORD_FUZZ_CHECK(packet.ok() && packet->has_value(), "no packet after resuming at ", i);
    ACCORD_FUZZ_CHECK(Same(seen[i], **packet), "resuming at packet ", i, " reads another packet");
  }
  return 0;
}

}  // namespace accord::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return accord::fuzz::FuzzOne(data, size);
}
