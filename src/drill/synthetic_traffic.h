// Internal to the synthetic captures (synthetic.h): the grid scenario's traffic
// generators. Each emits one part of the scenario into a World, drawing only from its own
// Rng stream, so that changing one generator leaves the others' packets as they were.
// Benign traffic is in synthetic_benign.cc, the attack's phases in synthetic_attack.cc.
// Not part of accord's API; used only by src/drill/synthetic*.cc.
#ifndef ACCORD_DRILL_SYNTHETIC_TRAFFIC_H_
#define ACCORD_DRILL_SYNTHETIC_TRAFFIC_H_

#include <cstdint>

#include "src/drill/synthetic.h"
#include "src/drill/synthetic_wire.h"

namespace accord::drill::synthetic_internal {

// The time span and size of one generation. `sc` is borrowed for the generation.
struct Plan {
  int64_t start_ns, end_ns;
  int scale;
  const GridScenario* sc;
};

// The true time at `fraction` of the plan's span (0: its start).
inline int64_t At(const Plan& p, double fraction) {
  return p.start_ns + int64_t(double(p.end_ns - p.start_ns) * fraction);
}
// `m` minutes in nanoseconds.
inline int64_t Minutes(double m) { return int64_t(m * 60 * kSec); }

// ---- Benign traffic (synthetic_benign.cc) ----

// At A's edge: the operator's resolver (including the C2 name's lookup before the first
// beacon), its NTP server, and the office workstations' HTTPS and HTTP.
void SensorBenign(World& w, Rng& rng, const Plan& p);
// On A's OT segment: the HMI polling the PLCs over Modbus/TCP.
void OtModbus(World& w, Rng& rng, const Plan& p);
// At B: the hosting provider's other customers' web sites, DNS and NTP.
void HostingBenign(World& w, Rng& rng, const Plan& p);

// ---- The attack (synthetic_attack.cc) ----

// Phase "scan": the SYN scan of A's scan range from B's server.
void Scan(World& w, Rng& rng, const Plan& p);
// Phase "exploit": the exploit attempt against the VPN gateway, the stager's fetch.
void Exploit(World& w, Rng& rng, const Plan& p);
// Phase "c2": the compromised workstation's TLS beacons to B's server.
void C2(World& w, Rng& rng, const Plan& p);
// Phase "operator": the attack's operator on B's server over SSH (B's capture only).
void OperatorSsh(World& w, Rng& rng, const Plan& p);

}  // namespace accord::drill::synthetic_internal

#endif  // ACCORD_DRILL_SYNTHETIC_TRAFFIC_H_
