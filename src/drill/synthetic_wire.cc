// The generator's wire model (synthetic_wire.h): address parsing, Ethernet/IPv4/TCP/UDP
// framing with valid checksums (RFC 791, 793, 768), the taps and TCP connections.
#include "src/drill/synthetic_wire.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace accord::drill::synthetic_internal {
namespace {

constexpr uint16_t kMss = 1460;

std::optional<uint32_t> ParseIp4(std::string_view text) {
  const std::vector<std::string> parts = Split(text, '.');
  if (parts.size() != 4) return std::nullopt;
  uint32_t ip = 0;
  for (const std::string& p : parts) {
    uint32_t octet;
    if (p.empty() || p.size() > 3 || !absl::SimpleAtoi(p, &octet) || octet > 255) {
      return std::nullopt;
    }
    ip = ip << 8 | octet;
  }
  return ip;
}

std::optional<Net> ParseNet(std::string_view text) {
  const std::vector<std::string> p = Split(text, '/');
  if (p.size() != 2) return std::nullopt;
  auto ip = ParseIp4(p[0]);
  int bits;
  if (!ip || !absl::SimpleAtoi(p[1], &bits) || bits < 8 || bits > 30) return std::nullopt;
  const uint32_t mask = ~uint32_t{0} << (32 - bits);
  return Net{*ip & mask, mask};
}

using Mac = std::array<uint8_t, 6>;
// Locally administered addresses: 02:00:<ip> for hosts; routers and firewalls by role.
Mac HostMac(uint32_t ip) {
  return {0x02, 0x00, uint8_t(ip >> 24), uint8_t(ip >> 16), uint8_t(ip >> 8), uint8_t(ip)};
}
constexpr Mac kFirewallMac = {0x02, 0x1a, 0x00, 0x00, 0x00, 0x01};    // A's edge firewall
constexpr Mac kIspRouterMac = {0x02, 0x1a, 0x00, 0x00, 0x00, 0xfe};   // A's upstream
constexpr Mac kProviderGwMac = {0x02, 0x2b, 0x00, 0x00, 0x00, 0x01};  // B's hosting router

uint32_t SumWords(std::string_view bytes, uint32_t sum = 0) {
  for (size_t i = 0; i + 1 < bytes.size(); i += 2) {
    sum += uint32_t(uint8_t(bytes[i])) << 8 | uint8_t(bytes[i + 1]);
  }
  if (bytes.size() % 2) sum += uint32_t(uint8_t(bytes.back())) << 8;
  return sum;
}
uint16_t FoldChecksum(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return uint16_t(~sum);
}

// The Ethernet frame of `d` as a tap sees it: `ttl` on arrival, between `from` and `to`.
std::string Frame(const Datagram& d, uint8_t ttl, const Mac& from, const Mac& to) {
  std::string l4;
  if (d.proto == 6) {
    Put16(l4, d.sport);
    Put16(l4, d.dport);
    Put32(l4, d.seq);
    Put32(l4, d.ack);
    l4.push_back(char((20 + d.options.size()) / 4 << 4));
    l4.push_back(char(d.flags));
    Put16(l4, d.window);
    Put16(l4, 0);  // checksum
    Put16(l4, 0);  // urgent pointer
    l4 += d.options;
  } else {
    Put16(l4, d.sport);
    Put16(l4, d.dport);
    Put16(l4, uint16_t(8 + d.payload.size()));
    Put16(l4, 0);
  }
  l4 += d.payload;
  std::string pseudo;
  Put32(pseudo, d.src);
  Put32(pseudo, d.dst);
  Put16(pseudo, d.proto);
  Put16(pseudo, uint16_t(l4.size()));
  uint16_t sum = FoldChecksum(SumWords(l4, SumWords(pseudo)));
  if (d.proto == 17 && sum == 0) sum = 0xffff;
  const size_t at = d.proto == 6 ? 16 : 6;
  l4[at] = char(sum >> 8);
  l4[at + 1] = char(sum);

  std::string ip;
  ip.push_back(0x45);
  ip.push_back(0);
  Put16(ip, uint16_t(20 + l4.size()));
  Put16(ip, d.ip_id);
  Put16(ip, d.df ? 0x4000 : 0);
  ip.push_back(char(ttl));
  ip.push_back(char(d.proto));
  Put16(ip, 0);
  Put32(ip, d.src);
  Put32(ip, d.dst);
  const uint16_t ip_sum = FoldChecksum(SumWords(ip));
  ip[10] = char(ip_sum >> 8);
  ip[11] = char(ip_sum);

  std::string frame(reinterpret_cast<const char*>(to.data()), 6);
  frame.append(reinterpret_cast<const char*>(from.data()), 6);
  Put16(frame, 0x0800);
  frame += ip;
  frame += l4;
  if (frame.size() < 60) frame.resize(60, '\0');  // Ethernet minimum, as received
  return frame;
}

}  // namespace

// ---- Addresses ----

std::vector<std::string> Split(std::string_view text, char sep) {
  std::vector<std::string> out;
  size_t from = 0;
  for (size_t at; (at = text.find(sep, from)) != std::string_view::npos; from = at + 1) {
    out.emplace_back(text.substr(from, at - from));
  }
  out.emplace_back(text.substr(from));
  return out;
}

std::string Ip4Text(uint32_t ip) {
  return absl::StrCat(ip >> 24, ".", (ip >> 16) & 255, ".", (ip >> 8) & 255, ".", ip & 255);
}

absl::StatusOr<Addresses> ResolveAddresses(const GridScenario& sc) {
  Addresses a;
  struct NetField {
    const std::string& text;
    Net* out;
  };
  for (NetField f : {NetField{sc.victim_net, &a.victim}, NetField{sc.scan_net, &a.scan},
                     NetField{sc.ot_net, &a.ot}, NetField{sc.hosting_net, &a.hosting}}) {
    auto net = ParseNet(f.text);
    if (!net) return absl::InvalidArgumentError(absl::StrCat("bad network \"", f.text, "\""));
    *f.out = *net;
  }
  struct IpField {
    const std::string& text;
    uint32_t* out;
  };
  for (IpField f :
       {IpField{sc.vpn_gateway_ip, &a.gateway}, IpField{sc.compromised_host_ip, &a.workstation},
        IpField{sc.attacker_server_ip, &a.attacker}, IpField{sc.operator_ip, &a.op}}) {
    auto ip = ParseIp4(f.text);
    if (!ip) return absl::InvalidArgumentError(absl::StrCat("bad address \"", f.text, "\""));
    *f.out = *ip;
  }
  if (!a.victim.Contains(a.gateway) || !a.victim.Contains(a.workstation) ||
      !a.hosting.Contains(a.attacker) || a.victim.Contains(a.op) || a.hosting.Contains(a.op)) {
    return absl::InvalidArgumentError(
        "the gateway and workstation must be in victim_net, the server in hosting_net, and "
        "the operator in neither");
  }
  if (a.victim.Size() < 256 || a.hosting.Size() < 256) {
    return absl::InvalidArgumentError("victim_net and hosting_net must be /24 or larger");
  }
  return a;
}

// ---- Wire format ----

void Put16(std::string& s, uint16_t v) {
  s.push_back(char(v >> 8));
  s.push_back(char(v));
}
void Put32(std::string& s, uint32_t v) {
  Put16(s, uint16_t(v >> 16));
  Put16(s, uint16_t(v));
}
void Put24(std::string& s, uint32_t v) {
  s.push_back(char(v >> 16));
  Put16(s, uint16_t(v));
}

// ---- The world and its taps ----

const char* PhaseName(Phase p) {
  switch (p) {
    case Phase::kBenign:
      return kPhaseBenign;
    case Phase::kScan:
      return kPhaseScan;
    case Phase::kExploit:
      return kPhaseExploit;
    case Phase::kC2:
      return kPhaseC2;
    case Phase::kOperator:
      return kPhaseOperator;
  }
  return "?";
}

World::World(const Addresses& a, const GridScenario& sc)
    : a_(a),
      latency_ns_(absl::ToInt64Nanoseconds(sc.one_way_latency)),
      offset_ns_(absl::ToInt64Nanoseconds(sc.server_clock_offset)) {}

void World::Emit(const Datagram& d, int64_t t_ns, Phase phase) {
  const bool src_ot = a_.ot.Contains(d.src), dst_ot = a_.ot.Contains(d.dst);
  const bool src_a = a_.victim.Contains(d.src), dst_a = a_.victim.Contains(d.dst);
  const bool src_b = a_.hosting.Contains(d.src), dst_b = a_.hosting.Contains(d.dst);
  if (src_ot || dst_ot) {  // the OT span port: one switch, TTL unchanged
    sensor_.push_back({t_ns, order_++, 1, phase, Frame(d, d.ttl, HostMac(d.src), HostMac(d.dst))});
    return;
  }
  if (src_a || dst_a) {  // A's edge, outside the firewall
    const uint8_t ttl = src_a ? d.ttl - 1 : d.ttl - Hops(d.src);
    sensor_.push_back({t_ns, order_++, 0, phase,
                       src_a ? Frame(d, ttl, kFirewallMac, kIspRouterMac)
                             : Frame(d, ttl, kIspRouterMac, kFirewallMac)});
    if (!src_b && !dst_b) return;
    t_ns += src_a ? latency_ns_ : -latency_ns_;
  }
  if (src_b || dst_b) {  // B's server tap, at the servers' access switch
    const uint8_t ttl = src_b ? d.ttl : d.ttl - (src_a ? 1 : 0) - Hops(d.src);
    server_.push_back({t_ns + offset_ns_, order_++, 0, phase,
                       src_b ? Frame(d, ttl, HostMac(d.src), kProviderGwMac)
                             : Frame(d, ttl, kProviderGwMac, HostMac(d.dst))});
  }
}

uint16_t World::NextIpId(uint32_t host, Rng& rng) {
  auto [it, fresh] = ip_ids_.try_emplace(host, 0);
  if (fresh) it->second = uint16_t(rng.Next());
  return it->second++;
}

// Routers between `src` and the far tap: A and B are 11 hops apart; other Internet
// hosts 7 to 15, fixed per address.
uint8_t World::Hops(uint32_t src) const {
  if (a_.hosting.Contains(src) || a_.victim.Contains(src)) return 11;
  return uint8_t(7 + ((src * 2654435761u) >> 28) % 9);
}

// ---- TCP and UDP ----

uint16_t EphemeralPort(Rng& rng, bool windows, uint16_t avoid) {
  while (true) {
    const auto p = uint16_t(windows ? rng.Range(49152, 65535) : rng.Range(32768, 60999));
    if (p != avoid) return p;
  }
}

TcpFlow::TcpFlow(World& world, Rng& rng, Phase phase, Endpoint client, Endpoint server,
                 int64_t t_ns)
    : w_(world),
      rng_(rng),
      phase_(phase),
      c_(client),
      s_(server),
      cseq_(uint32_t(rng.Next())),
      sseq_(uint32_t(rng.Next())),
      t_(t_ns) {}

void TcpFlow::Connect() {
  // MSS 1460, NOP, window scale, NOP, NOP, SACK permitted.
  const std::string syn_options("\x02\x04\x05\xb4\x01\x03\x03\x08\x01\x01\x04\x02", 12);
  Emit(true, kSyn, "", syn_options, 64240);
  std::string synack_options = syn_options;
  synack_options[7] = 7;
  Emit(false, kSyn | kAck, "", synack_options, 65160);
  Emit(true, kAck, "");
}

void TcpFlow::Send(bool from_client, std::string_view data, bool reply_follows) {
  size_t pos = 0, burst = 4;
  while (pos < data.size()) {
    size_t in_burst = 0;
    for (; in_burst < burst && pos < data.size(); ++in_burst) {
      const size_t n = std::min<size_t>(kMss, data.size() - pos);
      const bool last = pos + n == data.size() || in_burst + 1 == burst;
      Emit(from_client, last ? kAck | kPsh : kAck, data.substr(pos, n));
      pos += n;
    }
    const bool done = pos == data.size();
    if (done && reply_follows) break;
    for (size_t i = 0; i < (in_burst + 1) / 2; ++i) Emit(!from_client, kAck, "");
    burst = std::min<size_t>(burst * 2, 10);
  }
}

void TcpFlow::Close(bool client_first) {
  Emit(client_first, kFin | kAck, "");
  Emit(!client_first, kFin | kAck, "");
  Emit(client_first, kAck, "");
}

void TcpFlow::Emit(bool from_client, uint8_t flags, std::string_view payload, std::string options,
                   uint16_t window) {
  const Endpoint& from = from_client ? c_ : s_;
  const Endpoint& to = from_client ? s_ : c_;
  const int side = from_client ? 0 : 1;
  if (last_side_ == side) {
    t_ += rng_.Range(8 * kUs, 60 * kUs);
  } else if (last_side_ >= 0) {
    t_ += 2 * from.delay_ns + rng_.Range(30 * kUs, 400 * kUs);
  }
  last_side_ = side;
  uint32_t& seq = from_client ? cseq_ : sseq_;
  Datagram d;
  d.src = from.ip;
  d.dst = to.ip;
  d.sport = from.port;
  d.dport = to.port;
  d.ttl = from.ttl;
  d.ip_id = w_.NextIpId(from.ip, rng_);
  d.seq = seq;
  d.ack = (flags & kAck) ? (from_client ? sseq_ : cseq_) : 0;
  d.flags = flags;
  d.window = window ? window : (from.ttl == 128 ? 1026 : 501);
  d.options = std::move(options);
  d.payload = std::string(payload);
  seq += uint32_t(payload.size()) + ((flags & (kSyn | kFin)) ? 1 : 0);
  w_.Emit(d, t_, phase_);
}

void EmitUdp(World& w, Rng& rng, Phase phase, const Endpoint& from, const Endpoint& to,
             std::string payload, int64_t t_ns) {
  Datagram d;
  d.proto = 17;
  d.src = from.ip;
  d.dst = to.ip;
  d.sport = from.port;
  d.dport = to.port;
  d.ttl = from.ttl;
  d.df = false;
  d.ip_id = w.NextIpId(from.ip, rng);
  d.payload = std::move(payload);
  w.Emit(d, t_ns, phase);
}

}  // namespace accord::drill::synthetic_internal
