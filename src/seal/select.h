// Which packets a disclosure takes: packet numbers, a time range and a BPF filter, all
// of which must hold for a packet to be selected. BPF filters are compiled by libpcap
// (pcap_compile on a pcap_open_dead handle, one program per link type in the capture,
// matched with pcap_offline_filter) — the same language and semantics as tcpdump -r
// and tshark -f.
#ifndef ACCORD_SEAL_SELECT_H_
#define ACCORD_SEAL_SELECT_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "src/seal/capture.h"

namespace accord::seal {

// Inclusive ranges [first, last] of 0-based packet indices, sorted and disjoint.
using PacketRanges = std::vector<std::pair<uint64_t, uint64_t>>;

// Parses a list such as "1,5,10-20" of packet numbers counted from 1, as Wireshark
// and tshark number frames, into 0-based ranges. InvalidArgument naming the bad item.
absl::StatusOr<PacketRanges> ParsePacketList(std::string_view list);

// Parses a time as RFC 3339 ("2026-03-11T21:00:00.25Z", any UTC offset) or as seconds
// since 1970 with up to nine decimals ("1773262800.25"), to ns since 1970.
absl::StatusOr<uint64_t> ParseTimeNs(std::string_view text);
// RFC 3339 UTC with nanoseconds, trailing zeros of the fraction dropped.
std::string FormatTimeNs(uint64_t ns);

// A BPF filter over packets of any link type. Not thread-safe.
class BpfFilter {
 public:
  // InvalidArgument if `expression` compiles for none of the common link types
  // (Ethernet, raw IP, Linux cooked, loopback) — most likely a syntax error.
  static absl::StatusOr<std::unique_ptr<BpfFilter>> Create(std::string expression);
  ~BpfFilter();

  // Whether `packet` passes. A link type the expression cannot apply to (libpcap will
  // not compile it there) passes nothing; Unsupported() lists such link types.
  bool Matches(const Packet& packet);
  // Link types the filter could not be compiled for, with libpcap's reason.
  const std::map<uint16_t, std::string>& Unsupported() const { return unsupported_; }

 private:
  struct Program;
  explicit BpfFilter(std::string expression);
  Program* ProgramFor(uint16_t link_type);

  std::string expression_;
  std::map<uint16_t, std::unique_ptr<Program>> programs_;  // null: not compilable
  std::map<uint16_t, std::string> unsupported_;
};

// Every selection criterion a disclosure was given.
struct Selector {
  std::optional<PacketRanges> packets;
  std::optional<uint64_t> from_ns, to_ns;  // inclusive; packets without a time fail
  std::unique_ptr<BpfFilter> filter;

  // Whether choosing packets needs every packet read (a time range or a filter).
  bool NeedsScan() const { return from_ns || to_ns || filter; }
  bool Matches(const Packet& packet);
};

}  // namespace accord::seal

#endif  // ACCORD_SEAL_SELECT_H_
