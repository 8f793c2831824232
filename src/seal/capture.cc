#include "src/seal/capture.h"

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "src/seal/bytes.h"
#include "src/seal/capture_internal.h"
#include "src/util/encoding.h"

namespace accord::seal {

std::string_view FormatName(CaptureFormat format) {
  return format == CaptureFormat::kPcap ? "pcap" : "pcapng";
}

absl::StatusOr<std::unique_ptr<CaptureReader>> CaptureReader::Open(ByteSource& source) {
  auto head = source.Peek(4);
  if (!head.ok()) return head.status();
  if (head->size() < 4) {
    return absl::InvalidArgumentError(absl::StrCat(
        source.name(), " is not a capture: ", head->size(), " bytes, too short for a header"));
  }
  const uint32_t magic = Load32(head->data(), false);
  absl::StatusOr<std::unique_ptr<CaptureReader>> reader;
  switch (magic) {
    case internal::kPcapMicros:
    case internal::kPcapNanos:
    case internal::kPcapMicrosSwapped:
    case internal::kPcapNanosSwapped:
      reader = internal::OpenPcap(source);
      break;
    case internal::kPcapngSectionHeader:
      reader = internal::OpenPcapng(source);
      break;
    default:
      return absl::InvalidArgumentError(absl::StrCat(source.name(),
                                                     " is neither pcap nor pcapng (first bytes 0x",
                                                     util::HexEncode(*head), ")"));
  }
  if (!reader.ok()) {
    return absl::Status(reader.status().code(),
                        absl::StrCat(source.name(), ": ", reader.status().message()));
  }
  return reader;
}

absl::StatusOr<uint64_t> ParseCaptureBytes(std::span<const uint8_t> bytes,
                                           const std::function<bool(const Packet&)>& visit) {
  std::unique_ptr<ByteSource> source = ByteSource::FromMemory(bytes);
  auto reader = CaptureReader::Open(*source);
  if (!reader.ok()) return reader.status();
  uint64_t count = 0;
  while (true) {
    auto packet = (*reader)->Next();
    if (!packet.ok()) return packet.status();
    if (!packet->has_value()) return count;
    ++count;
    if (visit && !visit(**packet)) return count;
  }
}

std::optional<uint64_t> PcapngTimeToNs(uint64_t units, uint8_t tsresol, int64_t offset_seconds) {
  const unsigned exponent = tsresol & 0x7F;
  absl::int128 ns;
  if (tsresol & 0x80) {
    // 2^-exponent seconds per unit; units·10^9 < 2^94, so the product fits.
    ns = exponent >= 127 ? absl::int128(0)
                         : absl::int128((absl::uint128(units) * 1'000'000'000u) >> exponent);
  } else if (exponent <= 9) {
    absl::int128 scale = 1;
    for (unsigned i = exponent; i < 9; ++i) scale *= 10;
    ns = absl::int128(units) * scale;
  } else {
    absl::uint128 scale = 1;
    for (unsigned i = 9; i < exponent && scale <= absl::uint128(units); ++i) scale *= 10;
    ns = absl::int128(absl::uint128(units) / scale);
  }
  ns += absl::int128(offset_seconds) * 1'000'000'000;
  if (ns < 0 || ns > absl::int128(UINT64_MAX)) return std::nullopt;
  return static_cast<uint64_t>(ns);
}

}  // namespace accord::seal
