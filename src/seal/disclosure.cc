#include "src/seal/disclosure.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "src/seal/byte_source.h"
#include "src/seal/bytes.h"
#include "src/seal/capture.h"
#include "src/seal/leaf.h"
#include "src/util/encoding.h"

namespace accord::seal {
namespace {

enum RecordKind : uint8_t { kEvidence = 1, kPackets = 2, kProof = 3 };

std::string Header(RecordKind kind) {
  std::string out(kDisclosureMagic);
  out.push_back(static_cast<char>(kind));
  return out;
}

std::string TakeString(BigEndianReader& r, size_t n) {
  return std::string(util::AsChars(r.Bytes(n)));
}

// Collects accord's records from the custom blocks of one disclosure file.
class RecordCollector {
 public:
  explicit RecordCollector(Disclosure& out) : out_(out) {}

  absl::Status Add(uint64_t offset, uint32_t pen, std::span<const uint8_t> data) {
    if (pen != kDisclosurePen || data.size() < kDisclosureMagic.size() + 1 ||
        util::AsChars(data.first(kDisclosureMagic.size())) != kDisclosureMagic) {
      return absl::OkStatus();  // someone else's custom block
    }
    BigEndianReader r(data.subspan(kDisclosureMagic.size()));
    const uint8_t kind = r.U8();
    absl::Status s;
    if (kind == kEvidence) {
      s = Evidence(r);
    } else if (kind == kPackets) {
      s = Packets(r);
    } else if (kind == kProof) {
      s = Proof(r);
    } else {
      s = absl::InvalidArgumentError(absl::StrCat("unknown record kind ", kind));
    }
    if (s.ok() && r.failed()) s = absl::DataLossError("truncated");
    if (s.ok()) {
      auto rest = r.Bytes(r.remaining());
      if (rest.size() > 3 || std::any_of(rest.begin(), rest.end(), [](uint8_t b) { return b; })) {
        s = absl::DataLossError(absl::StrCat(rest.size(), " unexpected trailing bytes"));
      }
    }
    if (!s.ok()) {
      return absl::Status(s.code(),
                          absl::StrCat("accord record at offset ", offset, ": ", s.message()));
    }
    return absl::OkStatus();
  }

  bool has_evidence() const { return has_evidence_; }

 private:
  absl::Status Evidence(BigEndianReader& r) {
    if (has_evidence_) return absl::InvalidArgumentError("a second evidence record");
    has_evidence_ = true;
    EvidenceRecord& e = out_.evidence;
    e.origin = TakeString(r, r.U16());
    e.index = r.U64();
    e.leaf_hash = r.Array<tlog::kHashSize>();
    e.statement = TakeString(r, r.U32());
    e.checkpoint = TakeString(r, r.U32());
    const uint8_t n = r.U8();
    for (uint8_t i = 0; i < n && !r.failed(); ++i)
      e.inclusion_proof.push_back(r.Array<tlog::kHashSize>());
    return absl::OkStatus();
  }

  absl::Status Packets(BigEndianReader& r) {
    const uint64_t first = r.U64();
    const uint32_t n = r.U32();
    if (first != out_.indices.size()) {
      return absl::InvalidArgumentError(absl::StrCat("packets record starts at position ", first,
                                                     ", expected ", out_.indices.size()));
    }
    if (n > r.remaining() / 40) return absl::DataLossError(absl::StrCat("count ", n, " overruns"));
    for (uint32_t i = 0; i < n; ++i) {
      out_.indices.push_back(r.U64());
      out_.listed_leaves.push_back(r.Array<tlog::kHashSize>());
    }
    return absl::OkStatus();
  }

  absl::Status Proof(BigEndianReader& r) {
    const uint64_t first = r.U64();
    const uint32_t n = r.U32();
    if (first != out_.proof.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("proof record starts at hash ", first, ", expected ", out_.proof.size()));
    }
    if (n > r.remaining() / 32) return absl::DataLossError(absl::StrCat("count ", n, " overruns"));
    for (uint32_t i = 0; i < n; ++i) out_.proof.push_back(r.Array<tlog::kHashSize>());
    return absl::OkStatus();
  }

  Disclosure& out_;
  bool has_evidence_ = false;
};

}  // namespace

std::string EncodeEvidenceRecord(const EvidenceRecord& e) {
  std::string out = Header(kEvidence);
  Put16(out, static_cast<uint16_t>(e.origin.size()), true);
  out += e.origin;
  Put64(out, e.index, true);
  PutBytes(out, e.leaf_hash);
  Put32(out, static_cast<uint32_t>(e.statement.size()), true);
  out += e.statement;
  Put32(out, static_cast<uint32_t>(e.checkpoint.size()), true);
  out += e.checkpoint;
  out.push_back(static_cast<char>(e.inclusion_proof.size()));
  for (const tlog::Hash& h : e.inclusion_proof) PutBytes(out, h);
  return out;
}

std::string EncodePacketsRecord(uint64_t first, std::span<const uint64_t> indices,
                                std::span<const tlog::Hash> leaf_hashes) {
  std::string out = Header(kPackets);
  Put64(out, first, true);
  Put32(out, static_cast<uint32_t>(indices.size()), true);
  for (size_t i = 0; i < indices.size(); ++i) {
    Put64(out, indices[i], true);
    PutBytes(out, leaf_hashes[i]);
  }
  return out;
}

std::string EncodeProofRecord(uint64_t first, std::span<const tlog::Hash> hashes) {
  std::string out = Header(kProof);
  Put64(out, first, true);
  Put32(out, static_cast<uint32_t>(hashes.size()), true);
  for (const tlog::Hash& h : hashes) PutBytes(out, h);
  return out;
}

namespace {

absl::StatusOr<Disclosure> ReadFrom(ByteSource& source) {
  auto reader = CaptureReader::Open(source);
  if (!reader.ok()) return reader.status();
  Disclosure out;
  RecordCollector records(out);
  (*reader)->OnCustomBlock([&records](uint64_t offset, uint32_t pen, std::span<const uint8_t> d) {
    return records.Add(offset, pen, d);
  });
  while (true) {
    auto packet = (*reader)->Next();
    if (!packet.ok()) {
      return absl::Status(packet.status().code(),
                          absl::StrCat(source.name(), ": ", packet.status().message()));
    }
    if (!packet->has_value()) break;
    const Packet& p = **packet;
    out.packets.push_back(DisclosedPacket{
        PacketLeafHash(PacketFields{p.time_ns, p.link_type, p.original_length, p.data}), p.time_ns,
        p.has_time, p.link_type, p.offset});
  }
  if (!records.has_evidence()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source.name(), " is no accord disclosure: it has no evidence record"));
  }
  return out;
}

}  // namespace

absl::StatusOr<Disclosure> ReadDisclosure(const std::string& path) {
  auto source = ByteSource::OpenFile(path);
  if (!source.ok()) return source.status();
  return ReadFrom(**source);
}

absl::StatusOr<Disclosure> ParseDisclosureBytes(std::span<const uint8_t> bytes) {
  auto source = ByteSource::FromMemory(bytes);
  return ReadFrom(*source);
}

}  // namespace accord::seal
