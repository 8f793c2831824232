// Writing pcapng blocks (draft-ietf-opsawg-pcapng §3–§4): disclosures are pcapng files,
// and the tests build their captures with the same block encoder. Pure encoding into
// strings; the caller writes them out.
#ifndef ACCORD_SEAL_PCAPNG_WRITER_H_
#define ACCORD_SEAL_PCAPNG_WRITER_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace accord::seal {

// Block types.
inline constexpr uint32_t kSectionHeaderBlock = 0x0A0D0D0A;
inline constexpr uint32_t kInterfaceDescriptionBlock = 1;
inline constexpr uint32_t kSimplePacketBlock = 3;
inline constexpr uint32_t kEnhancedPacketBlock = 6;
inline constexpr uint32_t kCustomBlockCopyable = 0x00000BAD;
inline constexpr uint32_t kCustomBlockNoCopy = 0x40000BAD;

// One option: code and raw value (padded when encoded).
struct PcapngOption {
  uint16_t code = 0;
  std::string value;
};
PcapngOption TextOption(uint16_t code, std::string_view text);
PcapngOption U8Option(uint16_t code, uint8_t v);

// Encodes blocks in one byte order (that of the section it writes).
class PcapngEncoder {
 public:
  explicit PcapngEncoder(bool big_endian = false) : big_(big_endian) {}

  // A block of `type` around `body` (padded to 4 bytes with zeros).
  std::string Block(uint32_t type, std::string_view body) const;
  // The options area: each option padded, then opt_endofopt; empty if `options` is.
  std::string Options(std::span<const PcapngOption> options) const;

  std::string SectionHeader(std::span<const PcapngOption> options = {}) const;
  std::string InterfaceDescription(uint16_t link_type, uint32_t snap_length,
                                   std::span<const PcapngOption> options = {}) const;
  // `timestamp` in the interface's if_tsresol units.
  std::string EnhancedPacket(uint32_t interface, uint64_t timestamp, uint32_t original_length,
                             std::span<const uint8_t> data,
                             std::span<const PcapngOption> options = {}) const;
  // A Custom Block (§4.8): the Private Enterprise Number, then `data`.
  std::string Custom(uint32_t type, uint32_t pen, std::string_view data) const;

  bool big_endian() const { return big_; }

 private:
  bool big_;
};

}  // namespace accord::seal

#endif  // ACCORD_SEAL_PCAPNG_WRITER_H_
