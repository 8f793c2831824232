// Synthetic packet captures of the drill's default scenario "grid": an attack on a
// power-grid operator in party A through a server hosted in party B (docs/drill-captures.md).
//
// Two captures of one generated world, so that the same flows appear in both with the
// same 5-tuples and consistent times:
//   - A's sensor at the operator's network edge (pcapng, two interfaces: the Internet
//     uplink and a span port of the OT segment): benign DNS, TLS, HTTP, NTP and
//     Modbus/TCP; then from B's server a TCP SYN scan of the operator's public range, an
//     exploit attempt against the VPN gateway (HTTP POST with a path-traversal/command-
//     injection payload, harmless text) and the gateway fetching a stager; then TLS
//     command-and-control beacons from a compromised engineering workstation to the server.
//   - B's capture at the server's hosting provider (classic pcap, Ethernet, microseconds):
//     the same scan, exploit and C2 flows seen from the server's side (one-way latency
//     and a small clock offset apart), the attack's operator reaching the server over SSH
//     from a third address, and benign traffic of the provider's other customers.
//
// Addresses are from the documentation ranges (RFC 5737) and, inside the OT segment,
// RFC 1918; names are example.com/.net/.org. Every header is valid: IPv4 header and
// TCP/UDP checksums are correct, TCP handshakes, sequence and acknowledgement numbers
// are consistent, and the application payloads are well-formed enough for tshark to
// dissect them (dns, tls, ntp, mbtcp, http, ssh) without malformed-packet warnings.
//
// Deterministic: the bytes depend only on the scenario, the seed and the scale (the
// generator uses its own PRNG, not the standard library's distributions). Generation of
// the default scale takes ~25 ms a capture. Pure computation apart from writing the
// file; thread-compatible (no shared state).
#ifndef ACCORD_DRILL_SYNTHETIC_H_
#define ACCORD_DRILL_SYNTHETIC_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace accord::drill {

// The addresses, times and BPF filters of the scenario. DefaultGridScenario fills every
// field; a caller that changes an address must call DeriveFilters() again.
struct GridScenario {
  // Party A: the grid operator. Its public range (the scan's target), the VPN gateway
  // (the exploit's target), the engineering workstation that beacons to the C2 server,
  // and the OT segment seen on the sensor's second interface.
  std::string victim_net = "203.0.113.0/24";
  std::string scan_net = "203.0.113.0/27";  // the part of victim_net the scanner sweeps
  std::string vpn_gateway_ip = "203.0.113.10";
  std::string compromised_host_ip = "203.0.113.77";
  std::string ot_net = "10.20.30.0/24";
  // Party B: the hosting provider's range and the server used in the attack.
  std::string hosting_net = "198.51.100.0/24";
  std::string attacker_server_ip = "198.51.100.23";
  // The attack's operator, reaching the server over SSH from a third country.
  std::string operator_ip = "192.0.2.66";
  std::string c2_domain = "cdn-updates.example.net";
  uint16_t scan_source_port = 61532;  // the SYN scanner's fixed source port

  absl::Time start;                                         // first packet of both captures
  absl::Duration duration = absl::Minutes(60);              // at scale 1; multiplied by scale
  absl::Duration one_way_latency = absl::Milliseconds(18);  // A's edge <-> B's server
  // B's capture clock minus true time (A's sensor is NTP-synchronised).
  absl::Duration server_clock_offset = absl::Milliseconds(350);

  // BPF filters (pcap-filter syntax), derived from the addresses by DeriveFilters().
  // In A's sensor capture each selects exactly the packets of its phase:
  std::string scan_filter;     // "scan": SYNs to the public range and the answers
  std::string exploit_filter;  // "exploit": the POSTs to the VPN gateway, the stager fetch
  std::string c2_filter;       // "c2": the beacons' TLS sessions
  std::string attack_filter;   // all three phases: every packet to or from B's server
  // In B's server capture:
  std::string victim_filter;    // "scan" + "exploit" + "c2": the server with A's network
  std::string operator_filter;  // "operator": SSH from operator_ip to the server
};

// The default scenario, its first packet at `start` (the drill passes a time in the past).
GridScenario DefaultGridScenario(absl::Time start);

// Sets the *_filter fields of `scenario` from its addresses and scan_source_port.
void DeriveFilters(GridScenario& scenario);

// Phase names used in CaptureSummary::by_phase.
inline constexpr char kPhaseBenign[] = "benign";
inline constexpr char kPhaseScan[] = "scan";
inline constexpr char kPhaseExploit[] = "exploit";
inline constexpr char kPhaseC2[] = "c2";
inline constexpr char kPhaseOperator[] = "operator";  // B's capture only

struct CaptureSummary {
  uint64_t packets = 0;
  uint64_t bytes = 0;                        // the file's size
  uint64_t first_ns = 0, last_ns = 0;        // capture times of the first and last packet
  std::map<std::string, uint64_t> by_phase;  // every phase present, packets in each
};

// Writes A's sensor capture as pcapng (little-endian; nanosecond timestamps; interface 0
// "edge0", the Internet uplink, and interface 1 "ot0", the OT segment's span port; both
// Ethernet). `scale` >= 1 multiplies the duration, the traffic and the scanned ports, so
// packet counts grow roughly in proportion. Overwrites `out`. InvalidArgument for a bad
// address or scale; an I/O error names the file.
absl::StatusOr<CaptureSummary> WriteSensorCapture(const std::filesystem::path& out,
                                                  const GridScenario& scenario, uint64_t seed,
                                                  int scale = 1);

// Writes B's server capture as classic pcap (little-endian, microseconds, Ethernet). The
// same `seed` and `scale` as the sensor capture give the same attack flows in both.
absl::StatusOr<CaptureSummary> WriteServerCapture(const std::filesystem::path& out,
                                                  const GridScenario& scenario, uint64_t seed,
                                                  int scale = 1);

}  // namespace accord::drill

#endif  // ACCORD_DRILL_SYNTHETIC_H_
