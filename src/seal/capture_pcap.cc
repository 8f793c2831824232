// Classic pcap (draft-ietf-opsawg-pcap §4–§5): a 24-byte file header, then records of
// a 16-byte header (seconds, micro- or nanoseconds, captured length, original length)
// and the captured bytes, all in the writer's byte order.
#include <optional>

#include "absl/strings/str_cat.h"
#include "src/seal/bytes.h"
#include "src/seal/capture_internal.h"

namespace accord::seal::internal {
namespace {

constexpr size_t kFileHeaderBytes = 24;
constexpr size_t kRecordHeaderBytes = 16;

class PcapReader final : public CaptureReader {
 public:
  explicit PcapReader(ByteSource& source) : source_(source) {}

  absl::Status ReadHeader() {
    auto h = source_.Peek(kFileHeaderBytes);
    if (!h.ok()) return h.status();
    if (h->size() < kFileHeaderBytes) {
      return absl::DataLossError(
          absl::StrCat("pcap file header at offset 0 is truncated: ", h->size(), " of 24 bytes"));
    }
    const uint8_t* p = h->data();
    const uint32_t magic = Load32(p, false);
    big_ = magic == kPcapMicrosSwapped || magic == kPcapNanosSwapped;
    nanos_ = magic == kPcapNanos || magic == kPcapNanosSwapped;
    metadata_.format = CaptureFormat::kPcap;
    metadata_.big_endian = big_;
    metadata_.nanosecond = nanos_;
    metadata_.version_major = Load16(p + 4, big_);
    metadata_.version_minor = Load16(p + 6, big_);
    metadata_.sections = 1;
    if (metadata_.version_major != 2) {
      return absl::DataLossError(absl::StrCat("pcap file header at offset 0: unsupported version ",
                                              metadata_.version_major, ".", metadata_.version_minor,
                                              " (expected 2.x)"));
    }
    Interface iface;
    iface.snap_length = Load32(p + 16, big_);
    // The low 16 bits are the link type; the high bits may carry the FCS length.
    iface.link_type = static_cast<uint16_t>(Load32(p + 20, big_) & 0xFFFF);
    interfaces_.push_back(iface);
    return source_.Skip(kFileHeaderBytes);
  }

  absl::StatusOr<std::optional<Packet>> Next() override {
    const uint64_t offset = source_.offset();
    auto h = source_.Peek(kRecordHeaderBytes);
    if (!h.ok()) return h.status();
    if (h->empty()) return std::nullopt;
    if (h->size() < kRecordHeaderBytes) {
      return absl::DataLossError(absl::StrCat("pcap record ", index_, " at offset ", offset,
                                              ": header truncated (", h->size(),
                                              " of 16 bytes before the end of the file)"));
    }
    const uint8_t* p = h->data();
    const uint64_t seconds = Load32(p, big_);
    const uint64_t fraction = Load32(p + 4, big_);
    const uint32_t captured = Load32(p + 8, big_);
    const uint32_t original = Load32(p + 12, big_);
    if (captured > kMaxBlockBytes) {
      return absl::DataLossError(absl::StrCat("pcap record ", index_, " at offset ", offset,
                                              ": captured length ", captured, " exceeds the ",
                                              kMaxBlockBytes, "-byte limit"));
    }
    auto r = source_.Peek(kRecordHeaderBytes + captured);
    if (!r.ok()) return r.status();
    if (r->size() < kRecordHeaderBytes + captured) {
      return absl::DataLossError(
          absl::StrCat("pcap record ", index_, " at offset ", offset, ": truncated: ", captured,
                       " captured bytes declared, ", r->size() - kRecordHeaderBytes, " present"));
    }
    Packet packet;
    packet.index = index_++;
    packet.offset = offset;
    // Both fit: seconds < 2^32, so seconds·10^9 + fraction·10^3 < 2^63.
    packet.time_ns = seconds * 1'000'000'000 + (nanos_ ? fraction : fraction * 1000);
    packet.original_length = original;
    packet.link_type = interfaces_[0].link_type;
    packet.interface = 0;
    packet.data = r->subspan(kRecordHeaderBytes, captured);
    if (absl::Status s = source_.Skip(kRecordHeaderBytes + captured); !s.ok()) return s;
    return packet;
  }

  absl::Status Resume(uint64_t offset, uint64_t index, std::span<const uint64_t>) override {
    if (offset < kFileHeaderBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("pcap record offset ", offset, " lies inside the file header"));
    }
    index_ = index;
    return source_.Seek(offset);
  }

 private:
  ByteSource& source_;
  bool big_ = false;
  bool nanos_ = false;
  uint64_t index_ = 0;
};

}  // namespace

absl::StatusOr<std::unique_ptr<CaptureReader>> OpenPcap(ByteSource& source) {
  auto reader = std::make_unique<PcapReader>(source);
  if (absl::Status s = reader->ReadHeader(); !s.ok()) return s;
  return reader;
}

}  // namespace accord::seal::internal
