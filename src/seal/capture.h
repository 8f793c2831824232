// Reading packet captures: classic pcap (https://ietf-opsawg-wg.github.io/draft-ietf-opsawg-pcap/,
// both byte orders, micro- and nanosecond timestamps) and pcapng
// (draft-ietf-opsawg-pcapng: several sections, interfaces, link types, snap lengths and
// timestamp resolutions), one packet record at a time.
//
// accord parses both formats itself rather than through libpcap's pcap_next_ex, because
// evidence needs what libpcap does not give: each packet's own interface and link type
// (libpcap refuses a pcapng whose interfaces differ in link type or snap length, and its
// packet header has no interface), the captured bytes exactly as stored (libpcap cuts a
// record longer than the file's snap length), and errors that name the offending offset.
// libpcap still compiles and runs BPF filters (select.h), and the tests check that both
// readers agree on every file libpcap can read.
//
// Robustness: every length is checked before use; a malformed or truncated file gives
// DataLoss naming the byte offset and the record, never a crash or an unbounded
// allocation. Memory stays bounded by kMaxBlockBytes plus the source's buffer.
#ifndef ACCORD_SEAL_CAPTURE_H_
#define ACCORD_SEAL_CAPTURE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "src/seal/byte_source.h"

namespace accord::seal {

// Largest pcap record or pcapng block accepted (libpcap's initial pcapng bound too).
inline constexpr uint32_t kMaxBlockBytes = 16 << 20;
// Most interfaces one capture may declare, over all its sections.
inline constexpr size_t kMaxInterfaces = 1 << 16;

enum class CaptureFormat { kPcap = 1, kPcapng = 2 };
std::string_view FormatName(CaptureFormat format);  // "pcap", "pcapng"

// What a capture says about one interface: the pcap file header, or a pcapng Interface
// Description Block (IDB).
struct Interface {
  uint16_t link_type = 0;    // LINKTYPE_* (pcap: the low 16 bits of the header's field)
  uint32_t snap_length = 0;  // 0 in pcapng means "no limit"
  uint32_t section = 0;      // pcapng section (SHB) number, from 0
  std::string name;          // if_name, if_description, if_hardware…: as recorded, if any
  std::string description;
};

// What the file says about itself, for the evidence's capture metadata.
struct CaptureMetadata {
  CaptureFormat format = CaptureFormat::kPcap;
  bool big_endian = false;  // the first section's / the file header's byte order
  bool nanosecond = false;  // pcap: nanosecond magic (pcapng: per interface)
  uint16_t version_major = 0, version_minor = 0;
  std::string hardware, os, application;  // pcapng SHB options shb_hardware/os/userappl
  uint32_t sections = 0;
};

// One packet record.
struct Packet {
  uint64_t index = 0;   // position among the file's packet records, from 0
  uint64_t offset = 0;  // byte offset of the record (pcap record header / pcapng block)
  // Capture time in nanoseconds since 1970-01-01 UTC, after the interface's if_tsoffset;
  // resolutions finer than 1 ns are floored. 0 for a pcapng Simple Packet Block, which
  // records no time.
  uint64_t time_ns = 0;
  bool has_time = true;
  uint32_t original_length = 0;
  uint16_t link_type = 0;
  uint32_t interface = 0;         // index into CaptureReader::interfaces()
  std::span<const uint8_t> data;  // the captured bytes; valid until the next Next()
};

class CaptureReader {
 public:
  // Reads the pcap file header or the first pcapng Section Header Block from `source`
  // (borrowed; must outlive the reader). InvalidArgument if the file is neither format;
  // DataLoss, naming the offset, if the header is malformed.
  static absl::StatusOr<std::unique_ptr<CaptureReader>> Open(ByteSource& source);
  virtual ~CaptureReader() = default;

  // The next packet record, skipping other blocks; nullopt at a clean end of file.
  // DataLoss naming the offset for malformed or truncated data.
  virtual absl::StatusOr<std::optional<Packet>> Next() = 0;

  // Continues at the packet record at byte `offset`, which is packet number `index`,
  // first re-reading the pcapng blocks that define the state there (the last Section
  // Header Block at or before `offset` and the Interface Description Blocks after it)
  // from `structure`, the block offsets structure_offsets() reported while the file was
  // read in full. REQUIRES: a seekable source.
  virtual absl::Status Resume(uint64_t offset, uint64_t index,
                              std::span<const uint64_t> structure) = 0;

  // Called with the offset, Private Enterprise Number and data (after the PEN, options
  // included) of each pcapng Custom Block (types 0x00000BAD and 0x40000BAD) read from now
  // on; an error it returns stops reading and is returned by Next().
  using CustomBlockHandler =
      std::function<absl::Status(uint64_t offset, uint32_t pen, std::span<const uint8_t> data)>;
  void OnCustomBlock(CustomBlockHandler handler) { custom_block_ = std::move(handler); }

  const CaptureMetadata& metadata() const { return metadata_; }
  // Every interface declared so far (pcap: exactly one).
  const std::vector<Interface>& interfaces() const { return interfaces_; }
  // Offsets of every block that defines reader state seen so far (pcapng SHBs and IDBs;
  // empty for pcap, whose header is always at 0).
  const std::vector<uint64_t>& structure_offsets() const { return structure_offsets_; }

 protected:
  CaptureMetadata metadata_;
  std::vector<Interface> interfaces_;
  std::vector<uint64_t> structure_offsets_;
  CustomBlockHandler custom_block_;
};

// Parses a whole capture held in memory, calling `visit` for each packet; stops at the
// first error or when `visit` returns false. Returns the number of packets visited.
// The entry point for fuzzing: any input must return a status, never crash, hang or
// allocate more than a few times kMaxBlockBytes.
absl::StatusOr<uint64_t> ParseCaptureBytes(std::span<const uint8_t> bytes,
                                           const std::function<bool(const Packet&)>& visit);

// Converts a pcapng timestamp of `units` at resolution if_tsresol `tsresol` with
// if_tsoffset `offset_seconds` to ns since 1970 (floored); nullopt if the result is
// before 1970 or does not fit 64 bits.
std::optional<uint64_t> PcapngTimeToNs(uint64_t units, uint8_t tsresol, int64_t offset_seconds);

}  // namespace accord::seal

#endif  // ACCORD_SEAL_CAPTURE_H_
