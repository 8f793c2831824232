// Disclose: choose packets, re-hash only the tiles they sit in (checked against the
// sealed tile hashes), write them with the evidence record and one multi-leaf proof.

#include <algorithm>
#include <filesystem>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "src/seal/leaf.h"
#include "src/seal/multiproof.h"
#include "src/seal/pcapng_writer.h"
#include "src/seal/seal.h"
#include "src/seal/sidecar.h"
#include "src/statement/statement.h"
#include "src/store/durable_file.h"
#include "src/util/encoding.h"

namespace accord::seal {
namespace {

// Reads for re-hashing a tile: a tile of 256 packets is usually one read.
constexpr size_t kDiscloseBufferBytes = 512 << 10;

// Encodes the disclosure's blocks, with one interface per link type declared just
// before its first packet.
class DisclosureWriter {
 public:
  DisclosureWriter(store::DurableFileWriter& file, uint64_t sealed)
      : file_(file), sealed_(sealed) {}

  absl::Status Begin(const EvidenceRecord& evidence) {
    const PcapngOption app[] = {TextOption(4, absl::StrCat("accord ", ACCORD_VERSION))};
    buffer_ = encoder_.SectionHeader(app);
    buffer_ += encoder_.Custom(kCustomBlockNoCopy, kDisclosurePen, EncodeEvidenceRecord(evidence));
    return Flush(0);
  }

  absl::Status Add(const Packet& p) {
    auto [it, added] = interfaces_.emplace(p.link_type, static_cast<uint32_t>(interfaces_.size()));
    if (added) {
      const PcapngOption ns[] = {U8Option(9, 9)};
      buffer_ += encoder_.InterfaceDescription(p.link_type, 0, ns);
    }
    const PcapngOption comment[] = {
        TextOption(1, absl::StrCat("accord: sealed packet ", p.index + 1, " of ", sealed_))};
    buffer_ += encoder_.EnhancedPacket(it->second, p.time_ns, p.original_length, p.data, comment);
    return Flush(1 << 20);
  }

  absl::Status Finish(std::span<const uint64_t> indices, std::span<const tlog::Hash> leaves,
                      std::span<const tlog::Hash> proof) {
    for (size_t i = 0; i < indices.size(); i += kMaxRecordEntries) {
      const size_t n = std::min(kMaxRecordEntries, indices.size() - i);
      buffer_ +=
          encoder_.Custom(kCustomBlockNoCopy, kDisclosurePen,
                          EncodePacketsRecord(i, indices.subspan(i, n), leaves.subspan(i, n)));
    }
    for (size_t i = 0; i < proof.size(); i += kMaxRecordEntries) {
      const size_t n = std::min(kMaxRecordEntries, proof.size() - i);
      buffer_ += encoder_.Custom(kCustomBlockNoCopy, kDisclosurePen,
                                 EncodeProofRecord(i, proof.subspan(i, n)));
    }
    return Flush(0);
  }

 private:
  absl::Status Flush(size_t above) {
    if (buffer_.size() < above) return absl::OkStatus();
    absl::Status s = file_.Append(buffer_);
    buffer_.clear();
    return s;
  }
  store::DurableFileWriter& file_;
  const uint64_t sealed_;
  PcapngEncoder encoder_{/*big_endian=*/false};
  std::map<uint16_t, uint32_t> interfaces_;
  std::string buffer_;
};

absl::StatusOr<EvidenceFacts> FactsOf(const EvidenceRecord& evidence) {
  auto validator = statement::Validator::Create();
  if (!validator.ok()) return validator.status();
  auto st = (*validator)->Parse(evidence.statement);
  if (!st.ok()) {
    return absl::Status(st.status().code(),
                        absl::StrCat("the evidence statement: ", st.status().message()));
  }
  if (st->kind != statement::Kind::kEvidence) {
    return absl::FailedPreconditionError(absl::StrCat("entry ", evidence.index, " is a ",
                                                      std::string(statement::KindName(st->kind)),
                                                      " statement, not evidence"));
  }
  return ReadEvidenceFacts(st->payload);
}

// The sealed tree: from the sidecar if it matches the statement, else rebuilt.
absl::StatusOr<PacketTree> LoadTree(const DiscloseRequest& r, const EvidenceFacts& facts,
                                    DiscloseResult& result) {
  const std::string sidecar = r.sidecar_path.empty() ? SidecarPath(r.capture_path) : r.sidecar_path;
  auto tree = ReadSidecar(sidecar);
  if (tree.ok() && tree->root == facts.root && tree->size == facts.packets) {
    result.used_sidecar = true;
    return tree;
  }
  result.warnings.push_back(absl::StrCat(
      "sidecar ", sidecar,
      tree.ok() ? " belongs to another seal" : absl::StrCat(": ", tree.status().message()),
      "; re-hashing the whole capture"));
  BuildOptions options;
  options.hash_file = false;
  options.backend = r.backend;
  auto built = BuildPacketTree(r.capture_path, options);
  if (!built.ok()) return built.status();
  if (built->tree.root != facts.root || built->tree.size != facts.packets) {
    return absl::FailedPreconditionError(
        absl::StrCat(r.capture_path, " is not the capture sealed by entry: its ", built->tree.size,
                     " packets have another root than the ", facts.packets, " sealed"));
  }
  return std::move(built->tree);
}

absl::StatusOr<std::vector<uint64_t>> Choose(const DiscloseRequest& r, uint64_t sealed,
                                             Selector& selector, DiscloseResult& result) {
  std::vector<uint64_t> out;
  if (!selector.NeedsScan()) {
    for (const auto& [first, last] : selector.packets.value_or(PacketRanges{{0, sealed - 1}})) {
      if (last >= sealed) {
        return absl::InvalidArgumentError(absl::StrCat(
            "packet ", last + 1, " does not exist: the capture has ", sealed, " sealed packets"));
      }
      for (uint64_t i = first; i <= last; ++i) out.push_back(i);
    }
    return out;
  }
  auto source = ByteSource::OpenFile(r.capture_path);
  if (!source.ok()) return source.status();
  auto reader = CaptureReader::Open(**source);
  if (!reader.ok()) return reader.status();
  std::set<uint16_t> link_types;
  uint64_t count = 0;
  while (true) {
    auto p = (*reader)->Next();
    if (!p.ok()) return p.status();
    if (!p->has_value()) break;
    ++count;
    link_types.insert((*p)->link_type);
    if (selector.Matches(**p)) out.push_back((*p)->index);
  }
  if (count != sealed) {
    return absl::FailedPreconditionError(
        absl::StrCat(r.capture_path, " has ", count, " packets; ", sealed, " were sealed"));
  }
  if (selector.filter) {
    for (const auto& [link_type, why] : selector.filter->Unsupported()) {
      if (link_types.count(link_type)) {
        result.warnings.push_back(
            absl::StrCat("the filter selects no packet of link type ", link_type, ": ", why));
      }
    }
  }
  return out;
}

// Re-reads each tile holding a chosen packet, checks it against the sealed tree and
// writes the chosen packets in order.
absl::Status WriteChosen(const DiscloseRequest& r, const PacketTree& tree,
                         std::span<const uint64_t> indices, PacketTreeHashes& hashes,
                         DisclosureWriter& writer, DiscloseResult& result) {
  auto source = ByteSource::OpenFile(r.capture_path, nullptr, kDiscloseBufferBytes);
  if (!source.ok()) return source.status();
  auto reader = CaptureReader::Open(**source);
  if (!reader.ok()) return reader.status();
  LeafBatch batch(r.backend);
  std::vector<tlog::Hash> leaves;
  auto hash_batch = [&] {
    const size_t have = leaves.size();
    leaves.resize(have + batch.size());
    batch.HashInto(std::span<tlog::Hash>(leaves).subspan(have));
  };
  size_t next = 0;
  while (next < indices.size()) {
    const uint64_t tile = indices[next] / kTilePackets;
    const bool complete = tile < tree.tiles.size();
    const uint64_t first = tile * kTilePackets;
    const uint64_t count = complete ? kTilePackets : tree.tail.size();
    if (auto s = (*reader)->Resume(complete ? tree.tiles[tile].offset : tree.tail_offset, first,
                                   tree.structure);
        !s.ok()) {
      return s;
    }
    for (uint64_t i = first; i < first + count; ++i) {
      auto p = (*reader)->Next();
      if (!p.ok()) return p.status();
      if (!p->has_value()) {
        return absl::FailedPreconditionError(
            absl::StrCat(r.capture_path, " ends before packet ", i + 1, " of ", tree.size));
      }
      batch.Add(PacketFields{(*p)->time_ns, (*p)->link_type, (*p)->original_length, (*p)->data});
      if (batch.bytes() >= (4 << 20)) hash_batch();  // bounds memory for huge packets
      if (next < indices.size() && indices[next] == i) {
        if (auto s = writer.Add(**p); !s.ok()) return s;
        ++next;
      }
    }
    hash_batch();
    ++result.tiles_rehashed;
    if (complete) {
      if (auto s = hashes.AddTileLeaves(tile, std::exchange(leaves, {})); !s.ok()) return s;
    } else if (leaves != tree.tail) {
      return absl::DataLossError(absl::StrCat("packets ", first + 1, "–", tree.size, " of ",
                                              r.capture_path, " differ from the sealed capture"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<DiscloseResult> Disclose(const DiscloseRequest& r, Selector& selector) {
  DiscloseResult result;
  auto facts = FactsOf(r.evidence);
  if (!facts.ok()) return facts.status();
  result.facts = *facts;
  auto tree = LoadTree(r, *facts, result);
  if (!tree.ok()) return tree.status();
  std::error_code ec;
  const uint64_t bytes = std::filesystem::file_size(r.capture_path, ec);
  if (!ec && bytes != tree->capture_bytes) {
    return absl::FailedPreconditionError(absl::StrCat(
        r.capture_path, " is ", bytes, " bytes; the sealed capture was ", tree->capture_bytes));
  }
  if (tree->size == 0) return absl::InvalidArgumentError("the sealed capture has no packets");
  auto hashes = PacketTreeHashes::Create(*tree);
  if (!hashes.ok()) return hashes.status();
  auto chosen = Choose(r, tree->size, selector, result);
  if (!chosen.ok()) return chosen.status();
  if (chosen->empty()) return absl::InvalidArgumentError("no packet matches the selection");
  result.indices = *std::move(chosen);

  auto file = store::DurableFileWriter::Create(r.out_path);
  if (!file.ok()) return file.status();
  DisclosureWriter writer(**file, tree->size);
  if (auto s = writer.Begin(r.evidence); !s.ok()) return s;
  if (auto s = WriteChosen(r, *tree, result.indices, **hashes, writer, result); !s.ok()) return s;
  std::vector<tlog::Hash> leaves;
  leaves.reserve(result.indices.size());
  for (uint64_t i : result.indices) {
    auto leaf = (*hashes)->Leaf(i);
    if (!leaf.ok()) return leaf.status();
    leaves.push_back(*leaf);
  }
  auto proof = MultiInclusionProof(result.indices, tree->size, **hashes);
  if (!proof.ok()) return proof.status();
  result.proof_hashes = proof->size();
  if (auto s = writer.Finish(result.indices, leaves, *proof); !s.ok()) return s;
  if (auto s = (*file)->Commit(); !s.ok()) return s;
  return result;
}

}  // namespace accord::seal
