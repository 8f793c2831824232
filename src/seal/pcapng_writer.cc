#include "src/seal/pcapng_writer.h"

#include "src/seal/bytes.h"

namespace accord::seal {
namespace {

void Pad(std::string& out) { out.append((4 - out.size() % 4) % 4, '\0'); }

}  // namespace

PcapngOption TextOption(uint16_t code, std::string_view text) {
  return PcapngOption{code, std::string(text)};
}

PcapngOption U8Option(uint16_t code, uint8_t v) {
  return PcapngOption{code, std::string(1, static_cast<char>(v))};
}

std::string PcapngEncoder::Block(uint32_t type, std::string_view body) const {
  const uint32_t total = static_cast<uint32_t>(12 + ((body.size() + 3) & ~size_t{3}));
  std::string out;
  out.reserve(total);
  Put32(out, type, big_);
  Put32(out, total, big_);
  out.append(body);
  Pad(out);
  Put32(out, total, big_);
  return out;
}

std::string PcapngEncoder::Options(std::span<const PcapngOption> options) const {
  std::string out;
  if (options.empty()) return out;
  for (const PcapngOption& o : options) {
    Put16(out, o.code, big_);
    Put16(out, static_cast<uint16_t>(o.value.size()), big_);
    out.append(o.value);
    Pad(out);
  }
  Put32(out, 0, big_);  // opt_endofopt
  return out;
}

std::string PcapngEncoder::SectionHeader(std::span<const PcapngOption> options) const {
  std::string body;
  Put32(body, 0x1A2B3C4D, big_);
  Put16(body, 1, big_);
  Put16(body, 0, big_);
  Put64(body, ~uint64_t{0}, big_);  // section length unknown
  body += Options(options);
  return Block(kSectionHeaderBlock, body);
}

std::string PcapngEncoder::InterfaceDescription(uint16_t link_type, uint32_t snap_length,
                                                std::span<const PcapngOption> options) const {
  std::string body;
  Put16(body, link_type, big_);
  Put16(body, 0, big_);
  Put32(body, snap_length, big_);
  body += Options(options);
  return Block(kInterfaceDescriptionBlock, body);
}

std::string PcapngEncoder::EnhancedPacket(uint32_t interface, uint64_t timestamp,
                                          uint32_t original_length, std::span<const uint8_t> data,
                                          std::span<const PcapngOption> options) const {
  std::string body;
  body.reserve(20 + data.size() + 3);
  Put32(body, interface, big_);
  Put32(body, static_cast<uint32_t>(timestamp >> 32), big_);
  Put32(body, static_cast<uint32_t>(timestamp), big_);
  Put32(body, static_cast<uint32_t>(data.size()), big_);
  Put32(body, original_length, big_);
  PutBytes(body, data);
  Pad(body);
  body += Options(options);
  return Block(kEnhancedPacketBlock, body);
}

std::string PcapngEncoder::Custom(uint32_t type, uint32_t pen, std::string_view data) const {
  std::string body;
  Put32(body, pen, big_);
  body.append(data);
  return Block(type, body);
}

}  // namespace accord::seal
