// The two capture parsers behind CaptureReader::Open. Internal to src/seal.
#ifndef ACCORD_SEAL_CAPTURE_INTERNAL_H_
#define ACCORD_SEAL_CAPTURE_INTERNAL_H_

#include <memory>

#include "absl/status/statusor.h"
#include "src/seal/byte_source.h"
#include "src/seal/capture.h"

namespace accord::seal::internal {

// Magic numbers as the first four bytes read little-endian.
inline constexpr uint32_t kPcapMicros = 0xA1B2C3D4;
inline constexpr uint32_t kPcapNanos = 0xA1B23C4D;
inline constexpr uint32_t kPcapMicrosSwapped = 0xD4C3B2A1;
inline constexpr uint32_t kPcapNanosSwapped = 0x4D3CB2A1;
inline constexpr uint32_t kPcapngSectionHeader = 0x0A0D0D0A;

// REQUIRES: the source is at offset 0 and starts with one of the pcap magics.
absl::StatusOr<std::unique_ptr<CaptureReader>> OpenPcap(ByteSource& source);
// REQUIRES: the source is at offset 0 and starts with a Section Header Block type.
absl::StatusOr<std::unique_ptr<CaptureReader>> OpenPcapng(ByteSource& source);

}  // namespace accord::seal::internal

#endif  // ACCORD_SEAL_CAPTURE_INTERNAL_H_
