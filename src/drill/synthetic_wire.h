// Internal to the synthetic captures (synthetic.h): the generator's PRNG, the scenario's
// addresses, IPv4/TCP/UDP datagrams, and the world model — each datagram sent once at a
// true time and recorded by every tap that sees it — with TCP connections timed by a
// causal model. Not part of accord's API; used only by src/drill/synthetic*.cc.
#ifndef ACCORD_DRILL_SYNTHETIC_WIRE_H_
#define ACCORD_DRILL_SYNTHETIC_WIRE_H_

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "src/drill/synthetic.h"

namespace accord::drill::synthetic_internal {

constexpr int64_t kUs = 1000;  // nanoseconds
constexpr int64_t kMs = 1000 * kUs;
constexpr int64_t kSec = 1000 * kMs;

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

// `text` split at every `sep` (n separators give n + 1 parts, empty ones included).
// Debian's abseil has its own string_view, so splitting and parsing stay in std types.
std::vector<std::string> Split(std::string_view text, char sep);

// An IPv4 network; addresses are host-order integers.
struct Net {
  uint32_t base = 0, mask = 0;
  bool Contains(uint32_t ip) const { return (ip & mask) == base; }
  uint32_t Host(uint32_t i) const { return base | (i & ~mask); }
  uint32_t Size() const { return ~mask + 1; }
};

// Dotted-quad text of `ip`.
std::string Ip4Text(uint32_t ip);

// The scenario's addresses, parsed.
struct Addresses {
  Net victim, scan, ot, hosting;
  uint32_t gateway = 0, workstation = 0, attacker = 0, op = 0;
};

// Parses the scenario's networks (/8 to /30) and addresses. InvalidArgument names a bad
// field, or says which address lies outside its network, or that victim_net or
// hosting_net is smaller than a /24.
absl::StatusOr<Addresses> ResolveAddresses(const GridScenario& sc);

// ---- Wire format ----

enum : uint8_t { kFin = 1, kSyn = 2, kRst = 4, kPsh = 8, kAck = 16 };  // TCP flags

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

// Appends `v` in network byte order (big-endian), in 2, 4 or 3 bytes.
void Put16(std::string& s, uint16_t v);
void Put32(std::string& s, uint32_t v);
void Put24(std::string& s, uint32_t v);

// ---- The world and its taps ----

enum class Phase { kBenign, kScan, kExploit, kC2, kOperator };
// The phase's name in CaptureSummary::by_phase (kPhaseBenign, ...).
const char* PhaseName(Phase p);

// One packet as a capture records it.
struct Record {
  int64_t t_ns;    // in the capture's clock
  uint64_t order;  // emission order: ties in time keep it
  uint32_t iface;
  Phase phase;
  std::string frame;  // Ethernet
};

// Both taps' records of one generated world. The records are appended in emission
// order; the caller sorts them by (t_ns, order).
class World {
 public:
  World(const Addresses& a, const GridScenario& sc);

  const Addresses& addresses() const { return a_; }
  int64_t latency_ns() const { return latency_ns_; }

  // Records `d`, seen at its reference tap at true time `t_ns` (A's sensor for traffic
  // of A's networks, B's server tap otherwise), in each capture that sees it.
  void Emit(const Datagram& d, int64_t t_ns, Phase phase);

  // The next IP identification of `host` (a per-host counter, from a random start drawn
  // from `rng` on the host's first datagram).
  uint16_t NextIpId(uint32_t host, Rng& rng);

  std::vector<Record>& sensor() { return sensor_; }
  std::vector<Record>& server() { return server_; }

 private:
  // Routers between `src` and the far tap.
  uint8_t Hops(uint32_t src) const;

  Addresses a_;
  int64_t latency_ns_, offset_ns_;
  uint64_t order_ = 0;
  std::vector<Record> sensor_, server_;
  std::map<uint32_t, uint16_t> ip_ids_;
};

// ---- TCP and UDP ----

struct Endpoint {
  uint32_t ip = 0;
  uint16_t port = 0;
  uint8_t ttl = 64;      // 64 Linux, 128 Windows
  int64_t delay_ns = 0;  // one way, between this host and the flow's reference tap
};

// A random ephemeral port in Windows' or Linux's range, never `avoid`.
uint16_t EphemeralPort(Rng& rng, bool windows, uint16_t avoid);

// One TCP connection, its packets timed by a causal model: a packet answering the other
// side's leaves the tap two of its sender's one-way delays (plus processing) after the
// one it answers; consecutive packets of one side follow each other closely. Emits into
// `world` and draws from `rng`, both of which must outlive it.
class TcpFlow {
 public:
  TcpFlow(World& world, Rng& rng, Phase phase, Endpoint client, Endpoint server, int64_t t_ns);

  // The three-way handshake, with Linux-like options.
  void Connect();

  // `from_client` sends `data` in segments of at most one MSS, in bursts of up to ten;
  // the receiver acknowledges every second segment, except after the last burst when
  // `reply_follows` (its reply carries the acknowledgement).
  void Send(bool from_client, std::string_view data, bool reply_follows = false);

  // An orderly close: FIN from one side, FIN from the other, last ACK.
  void Close(bool client_first);

  // A pure acknowledgement.
  void Ack(bool from_client) { Emit(from_client, kAck, ""); }
  void Wait(int64_t ns) { t_ += ns; }
  int64_t now() const { return t_; }

 private:
  void Emit(bool from_client, uint8_t flags, std::string_view payload, std::string options = "",
            uint16_t window = 0);

  World& w_;
  Rng& rng_;
  Phase phase_;
  Endpoint c_, s_;
  uint32_t cseq_, sseq_;  // the next sequence number each side sends
  int64_t t_;
  int last_side_ = -1;
};

// One UDP datagram from `from` to `to`, seen at the reference tap at `t_ns`.
void EmitUdp(World& w, Rng& rng, Phase phase, const Endpoint& from, const Endpoint& to,
             std::string payload, int64_t t_ns);

}  // namespace accord::drill::synthetic_internal

#endif  // ACCORD_DRILL_SYNTHETIC_WIRE_H_
