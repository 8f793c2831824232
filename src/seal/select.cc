#include "src/seal/select.h"

#include <pcap/pcap.h>

#include <algorithm>
#include <charconv>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "src/util/strings.h"

namespace accord::seal {
namespace {

// pcap_open_dead takes DLT_ values; capture files carry LINKTYPE_ values, which differ
// for a few link types (libpcap maps them internally when it reads a file).
int DltOf(uint16_t link_type) {
  switch (link_type) {
    case 100:
      return DLT_ATM_RFC1483;
    case 101:
      return DLT_RAW;
    case 102:
      return DLT_SLIP_BSDOS;
    case 103:
      return DLT_PPP_BSDOS;
    case 106:
      return DLT_ATM_CLIP;
    default:
      return link_type;
  }
}

absl::StatusOr<uint64_t> ParseNumber(std::string_view text, std::string_view what) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad ", std::string(what), " \"", std::string(text), "\""));
  }
  return v;
}

}  // namespace

absl::StatusOr<PacketRanges> ParsePacketList(std::string_view list) {
  PacketRanges ranges;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    const std::string_view item = util::StripWhitespace(list.substr(start, comma - start));
    const size_t dash = item.find('-');
    auto first = ParseNumber(item.substr(0, dash), "packet number");
    if (!first.ok()) return first.status();
    absl::StatusOr<uint64_t> last = *first;
    if (dash != std::string_view::npos) last = ParseNumber(item.substr(dash + 1), "packet number");
    if (!last.ok()) return last.status();
    if (*first == 0 || *last < *first) {
      return absl::InvalidArgumentError(absl::StrCat("bad packet range \"", std::string(item),
                                                     "\" (packets are numbered from 1)"));
    }
    ranges.emplace_back(*first - 1, *last - 1);
    start = comma + 1;
  }
  std::sort(ranges.begin(), ranges.end());
  PacketRanges merged;
  for (const auto& r : ranges) {
    if (!merged.empty() && r.first <= merged.back().second + 1) {
      merged.back().second = std::max(merged.back().second, r.second);
    } else {
      merged.push_back(r);
    }
  }
  return merged;
}

absl::StatusOr<uint64_t> ParseTimeNs(std::string_view text) {
  text = util::StripWhitespace(text);
  if (text.find_first_not_of("0123456789.") == std::string_view::npos) {
    const size_t dot = text.find('.');
    auto seconds = ParseNumber(text.substr(0, dot), "time");
    if (!seconds.ok()) return seconds.status();
    uint64_t nanos = 0;
    if (dot != std::string_view::npos) {
      std::string frac(text.substr(dot + 1));
      if (frac.empty() || frac.size() > 9) {
        return absl::InvalidArgumentError(
            absl::StrCat("bad time \"", std::string(text), "\": 1 to 9 decimals"));
      }
      frac.resize(9, '0');
      auto n = ParseNumber(frac, "time");
      if (!n.ok()) return n.status();
      nanos = *n;
    }
    if (*seconds > UINT64_MAX / 1'000'000'000 - 1) {
      return absl::InvalidArgumentError(absl::StrCat("time \"", std::string(text), "\" too large"));
    }
    return *seconds * 1'000'000'000 + nanos;
  }
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, std::string(text), &t, &error)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bad time \"", std::string(text), "\": not RFC 3339 nor seconds since 1970 (", error, ")"));
  }
  if (t < absl::UnixEpoch()) {
    return absl::InvalidArgumentError(
        absl::StrCat("time \"", std::string(text), "\" is before 1970"));
  }
  return static_cast<uint64_t>(absl::ToUnixNanos(t));
}

std::string FormatTimeNs(uint64_t ns) {
  const absl::Time t = absl::FromUnixSeconds(static_cast<int64_t>(ns / 1'000'000'000)) +
                       absl::Nanoseconds(static_cast<int64_t>(ns % 1'000'000'000));
  return absl::FormatTime("%Y-%m-%d%ET%H:%M:%E*SZ", t, absl::UTCTimeZone());
}

struct BpfFilter::Program {
  struct PcapClose {
    void operator()(pcap_t* p) const { pcap_close(p); }
  };
  std::unique_ptr<pcap_t, PcapClose> handle;
  bpf_program code{};
  bool compiled = false;
  ~Program() {
    if (compiled) pcap_freecode(&code);
  }
};

BpfFilter::BpfFilter(std::string expression) : expression_(std::move(expression)) {}
BpfFilter::~BpfFilter() = default;

absl::StatusOr<std::unique_ptr<BpfFilter>> BpfFilter::Create(std::string expression) {
  std::unique_ptr<BpfFilter> f(new BpfFilter(std::move(expression)));
  for (uint16_t link_type : {1, 101, 113, 0}) {
    if (f->ProgramFor(link_type) != nullptr) return f;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("filter \"", f->expression_, "\": ", f->unsupported_.at(1)));
}

BpfFilter::Program* BpfFilter::ProgramFor(uint16_t link_type) {
  auto it = programs_.find(link_type);
  if (it != programs_.end()) return it->second.get();
  auto program = std::make_unique<Program>();
  program->handle.reset(pcap_open_dead(DltOf(link_type), 262144));
  if (program->handle == nullptr) {
    unsupported_[link_type] = "libpcap cannot open a handle for this link type";
    program.reset();
  } else if (pcap_compile(program->handle.get(), &program->code, expression_.c_str(), 1,
                          PCAP_NETMASK_UNKNOWN) != 0) {
    unsupported_[link_type] = pcap_geterr(program->handle.get());
    program.reset();
  } else {
    program->compiled = true;
  }
  Program* raw = program.get();
  programs_[link_type] = std::move(program);
  return raw;
}

bool BpfFilter::Matches(const Packet& packet) {
  Program* program = ProgramFor(packet.link_type);
  if (program == nullptr) return false;
  pcap_pkthdr header{};
  header.caplen = static_cast<bpf_u_int32>(packet.data.size());
  header.len = packet.original_length;
  return pcap_offline_filter(&program->code, &header, packet.data.data()) != 0;
}

bool Selector::Matches(const Packet& packet) {
  if (packets) {
    auto it = std::upper_bound(packets->begin(), packets->end(),
                               std::make_pair(packet.index, UINT64_MAX));
    if (it == packets->begin() || std::prev(it)->second < packet.index) return false;
  }
  if (from_ns || to_ns) {
    if (!packet.has_time) return false;
    if (from_ns && packet.time_ns < *from_ns) return false;
    if (to_ns && packet.time_ns > *to_ns) return false;
  }
  return filter == nullptr || filter->Matches(packet);
}

}  // namespace accord::seal
