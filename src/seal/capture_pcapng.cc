// pcapng (draft-ietf-opsawg-pcapng §3–§4): blocks of [type, total length, body, total
// length], each section opened by a Section Header Block (SHB) whose byte-order magic
// sets the byte order of the blocks up to the next SHB. Packets come in Enhanced Packet
// Blocks (EPB), Simple Packet Blocks (SPB) or obsolete Packet Blocks (PB), each naming
// an interface declared by an Interface Description Block (IDB) earlier in its section.
// Every other block is skipped after its framing is checked.
#include <optional>

#include "absl/strings/str_cat.h"
#include "src/seal/bytes.h"
#include "src/seal/capture_internal.h"

namespace accord::seal::internal {
namespace {

constexpr uint32_t kInterfaceDescription = 1;
constexpr uint32_t kPacketBlock = 2;  // obsolete
constexpr uint32_t kSimplePacket = 3;
constexpr uint32_t kEnhancedPacket = 6;
constexpr uint32_t kCustomCopyable = 0x00000BAD;
constexpr uint32_t kCustomNoCopy = 0x40000BAD;
constexpr uint32_t kByteOrderMagic = 0x1A2B3C4D;
constexpr size_t kMaxOptionText = 256;  // longer names are kept truncated (bounds memory)

struct SectionInterface {
  uint32_t global = 0;   // index into interfaces_
  uint8_t tsresol = 6;   // if_tsresol (default: microseconds)
  int64_t tsoffset = 0;  // if_tsoffset, seconds
};

class PcapngReader final : public CaptureReader {
 public:
  explicit PcapngReader(ByteSource& source) : source_(source) {
    metadata_.format = CaptureFormat::kPcapng;
  }

  absl::StatusOr<std::optional<Packet>> Next() override {
    while (true) {
      bool is_packet = false;
      if (absl::Status s = ReadBlock(/*structure_only=*/false, is_packet); !s.ok()) return s;
      if (at_end_) return std::nullopt;
      if (is_packet) return packet_;
    }
  }

  absl::Status Resume(uint64_t offset, uint64_t index,
                      std::span<const uint64_t> structure) override {
    interfaces_.clear();
    section_.clear();
    structure_offsets_.clear();
    metadata_.sections = 0;
    bool is_packet = false;
    for (uint64_t at : structure) {
      if (at >= offset) break;
      if (absl::Status s = source_.Seek(at); !s.ok()) return s;
      if (absl::Status s = ReadBlock(/*structure_only=*/true, is_packet); !s.ok()) return s;
    }
    if (metadata_.sections == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("no section header block before offset ", offset));
    }
    index_ = index;
    at_end_ = false;
    return source_.Seek(offset);
  }

  // Reads the first block, which must be a Section Header Block.
  absl::Status ReadFirst() {
    bool is_packet = false;
    return ReadBlock(/*structure_only=*/true, is_packet);
  }

 private:
  absl::Status Corrupt(uint64_t offset, std::string_view what, std::string_view detail) const {
    return absl::DataLossError(absl::StrCat("pcapng ", std::string(what), " at offset ", offset,
                                            ": ", std::string(detail)));
  }

  // One block's framing, checked and buffered (total == 0 at a clean end of file).
  struct Framed {
    uint64_t offset = 0;
    uint32_t type = 0;
    uint32_t total = 0;
    bool is_section = false;
    std::span<const uint8_t> body;  // between the lengths; valid until the next Peek
  };
  absl::StatusOr<Framed> ReadFraming(bool at_end_ok);
  // Reads one block at the source's offset and acts on it. With `structure_only`, the
  // block must be an SHB or IDB (the first block of a file, or a Resume target).
  absl::Status ReadBlock(bool structure_only, bool& is_packet);
  absl::Status OnSectionHeader(uint64_t offset, std::span<const uint8_t> body);
  absl::Status OnInterface(uint64_t offset, std::span<const uint8_t> body);
  absl::Status OnPacket(uint64_t offset, uint32_t type, std::span<const uint8_t> body);
  // Calls `option(code, value)` for each option in `options`; DataLoss if one overruns.
  template <typename F>
  absl::Status ForEachOption(uint64_t offset, std::string_view what,
                             std::span<const uint8_t> options, F option) const;

  ByteSource& source_;
  bool big_ = false;  // byte order of the current section
  std::vector<SectionInterface> section_;
  uint64_t index_ = 0;
  bool at_end_ = false;
  Packet packet_;
};

template <typename F>
absl::Status PcapngReader::ForEachOption(uint64_t offset, std::string_view what,
                                         std::span<const uint8_t> options, F option) const {
  size_t pos = 0;
  while (options.size() - pos >= 4) {
    const uint16_t code = Load16(&options[pos], big_);
    const uint16_t length = Load16(&options[pos + 2], big_);
    if (code == 0) break;  // opt_endofopt
    const size_t padded = (size_t{length} + 3) & ~size_t{3};
    if (padded > options.size() - pos - 4) {
      return Corrupt(offset, what,
                     absl::StrCat("option ", code, " of ", length, " bytes runs past the block"));
    }
    if (absl::Status s = option(code, options.subspan(pos + 4, length)); !s.ok()) return s;
    pos += 4 + padded;
  }
  return absl::OkStatus();
}

absl::StatusOr<PcapngReader::Framed> PcapngReader::ReadFraming(bool at_end_ok) {
  Framed f;
  f.offset = source_.offset();
  auto head = source_.Peek(12);
  if (!head.ok()) return head.status();
  if (head->empty() && at_end_ok) return f;  // f.total == 0: a clean end
  if (head->size() < 12) {
    return Corrupt(
        f.offset, "block",
        absl::StrCat("header truncated (", head->size(), " bytes before the end of the file)"));
  }
  f.is_section = Load32(head->data(), false) == kPcapngSectionHeader;
  if (f.is_section) {  // its byte-order magic sets the byte order from here on
    const uint32_t bom = Load32(head->data() + 8, false);
    if (bom != kByteOrderMagic && bom != __builtin_bswap32(kByteOrderMagic)) {
      return Corrupt(f.offset, "section header block", "bad byte-order magic");
    }
    big_ = bom != kByteOrderMagic;
  } else if (metadata_.sections == 0) {
    return Corrupt(f.offset, "block", "the file does not start with a section header block");
  }
  f.type = Load32(head->data(), big_);
  const uint32_t total = Load32(head->data() + 4, big_);
  const std::string what = absl::StrCat("block of type 0x", absl::Hex(f.type));
  if (total < 12 || total % 4 != 0 || total > kMaxBlockBytes) {
    return Corrupt(f.offset, what,
                   absl::StrCat("bad total length ", total,
                                total > kMaxBlockBytes ? " (over the 16 MiB limit)"
                                                       : " (not ≥ 12 and a multiple of 4)"));
  }
  auto block = source_.Peek(total);
  if (!block.ok()) return block.status();
  if (block->size() < total) {
    return Corrupt(
        f.offset, what,
        absl::StrCat("truncated: ", total, " bytes declared, ", block->size(), " present"));
  }
  if (Load32(block->data() + total - 4, big_) != total) {
    return Corrupt(f.offset, what, "trailing total length differs from the leading one");
  }
  f.total = total;
  f.body = block->subspan(8, total - 12);
  return f;
}

absl::Status PcapngReader::ReadBlock(bool structure_only, bool& is_packet) {
  is_packet = false;
  auto f = ReadFraming(/*at_end_ok=*/!structure_only);
  if (!f.ok()) return f.status();
  if (f->total == 0) {
    at_end_ = true;
    return absl::OkStatus();
  }
  const uint32_t type = f->type;
  absl::Status s;
  if (f->is_section) {
    s = OnSectionHeader(f->offset, f->body);
  } else if (type == kInterfaceDescription) {
    s = OnInterface(f->offset, f->body);
  } else if (structure_only) {
    s = Corrupt(f->offset, absl::StrCat("block of type 0x", absl::Hex(type)),
                "expected a section header or interface description block");
  } else if (type == kEnhancedPacket || type == kSimplePacket || type == kPacketBlock) {
    s = OnPacket(f->offset, type, f->body);
    is_packet = s.ok();
  } else if ((type == kCustomCopyable || type == kCustomNoCopy) && custom_block_) {
    if (f->body.size() < 4) return Corrupt(f->offset, "custom block", "shorter than 16 bytes");
    s = custom_block_(f->offset, Load32(f->body.data(), big_), f->body.subspan(4));
  }
  if (!s.ok()) return s;
  return source_.Skip(f->total);  // the block is buffered: packet_.data stays valid
}

absl::Status PcapngReader::OnSectionHeader(uint64_t offset, std::span<const uint8_t> body) {
  constexpr std::string_view kWhat = "section header block";
  if (body.size() < 16) return Corrupt(offset, kWhat, "shorter than 28 bytes");
  const uint16_t major = Load16(&body[4], big_);
  const uint16_t minor = Load16(&body[6], big_);
  if (major != 1) {
    return Corrupt(offset, kWhat, absl::StrCat("unsupported version ", major, ".", minor));
  }
  const bool first = metadata_.sections == 0;
  if (first) {
    metadata_.big_endian = big_;
    metadata_.version_major = major;
    metadata_.version_minor = minor;
  }
  absl::Status s = ForEachOption(offset, kWhat, body.subspan(16), [&](uint16_t code, auto value) {
    std::string text(reinterpret_cast<const char*>(value.data()),
                     std::min(value.size(), kMaxOptionText));
    if (!first) return absl::OkStatus();
    if (code == 2) {
      metadata_.hardware = std::move(text);
    } else if (code == 3) {
      metadata_.os = std::move(text);
    } else if (code == 4) {
      metadata_.application = std::move(text);
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  ++metadata_.sections;
  section_.clear();
  if (structure_offsets_.size() >= kMaxInterfaces) {
    return Corrupt(offset, kWhat, "too many sections and interfaces");
  }
  structure_offsets_.push_back(offset);
  return absl::OkStatus();
}

absl::Status PcapngReader::OnInterface(uint64_t offset, std::span<const uint8_t> body) {
  constexpr std::string_view kWhat = "interface description block";
  if (body.size() < 8) return Corrupt(offset, kWhat, "shorter than 20 bytes");
  if (interfaces_.size() >= kMaxInterfaces || structure_offsets_.size() >= kMaxInterfaces) {
    return Corrupt(offset, kWhat, absl::StrCat("more than ", kMaxInterfaces, " interfaces"));
  }
  Interface iface;
  iface.link_type = Load16(&body[0], big_);
  iface.snap_length = Load32(&body[4], big_);
  iface.section = metadata_.sections - 1;
  SectionInterface local;
  absl::Status s = ForEachOption(offset, kWhat, body.subspan(8), [&](uint16_t code, auto value) {
    if (code == 2 || code == 3) {
      std::string text(reinterpret_cast<const char*>(value.data()),
                       std::min(value.size(), kMaxOptionText));
      (code == 2 ? iface.name : iface.description) = std::move(text);
    } else if (code == 9) {
      if (value.size() != 1) return Corrupt(offset, kWhat, "if_tsresol is not 1 byte");
      local.tsresol = value[0];
    } else if (code == 14) {
      if (value.size() != 8) return Corrupt(offset, kWhat, "if_tsoffset is not 8 bytes");
      local.tsoffset = static_cast<int64_t>(Load64(value.data(), big_));
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  local.global = static_cast<uint32_t>(interfaces_.size());
  interfaces_.push_back(std::move(iface));
  section_.push_back(local);
  structure_offsets_.push_back(offset);
  return absl::OkStatus();
}

absl::Status PcapngReader::OnPacket(uint64_t offset, uint32_t type, std::span<const uint8_t> body) {
  const std::string_view what = type == kEnhancedPacket ? "enhanced packet block"
                                : type == kSimplePacket ? "simple packet block"
                                                        : "packet block";
  const size_t fixed = type == kEnhancedPacket ? 20 : type == kSimplePacket ? 4 : 20;
  if (body.size() < fixed) return Corrupt(offset, what, "too short for its fixed fields");
  uint32_t interface = 0, captured = 0, original = 0;
  uint64_t units = 0;
  if (type == kSimplePacket) {
    original = Load32(&body[0], big_);
  } else {
    interface = type == kEnhancedPacket ? Load32(&body[0], big_) : Load16(&body[0], big_);
    units = uint64_t{Load32(&body[4], big_)} << 32 | Load32(&body[8], big_);
    captured = Load32(&body[12], big_);
    original = Load32(&body[16], big_);
  }
  if (interface >= section_.size()) {
    return Corrupt(offset, what,
                   absl::StrCat("interface ", interface, " is not declared in this section (",
                                section_.size(), " are)"));
  }
  const SectionInterface& local = section_[interface];
  const Interface& iface = interfaces_[local.global];
  if (type == kSimplePacket) {
    captured = iface.snap_length == 0 ? original : std::min(original, iface.snap_length);
  }
  if (captured > body.size() - fixed) {
    return Corrupt(offset, what,
                   absl::StrCat("captured length ", captured, " exceeds the block's ",
                                body.size() - fixed, " data bytes"));
  }
  packet_.index = index_;
  packet_.offset = offset;
  packet_.has_time = type != kSimplePacket;
  packet_.time_ns = 0;
  if (packet_.has_time) {
    std::optional<uint64_t> ns = PcapngTimeToNs(units, local.tsresol, local.tsoffset);
    if (!ns.has_value()) {
      return Corrupt(offset, what, "timestamp is before 1970 or beyond 64-bit nanoseconds");
    }
    packet_.time_ns = *ns;
  }
  packet_.original_length = original;
  packet_.link_type = iface.link_type;
  packet_.interface = local.global;
  packet_.data = body.subspan(fixed, captured);
  ++index_;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<CaptureReader>> OpenPcapng(ByteSource& source) {
  auto reader = std::make_unique<PcapngReader>(source);
  if (absl::Status s = reader->ReadFirst(); !s.ok()) return s;
  return reader;
}

}  // namespace accord::seal::internal
