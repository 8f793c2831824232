// The grid scenario's synthetic captures (synthetic.h). One World is generated from the
// seed; each packet is an IP datagram sent at a true time, which every tap that sees it
// records with its own arrival time, TTL and Ethernet addresses. This file runs the
// generators and writes the files; the wire model is in synthetic_wire.h, the payloads
// in synthetic_payloads.h, the generators in synthetic_traffic.h.
#include "src/drill/synthetic.h"

#include <algorithm>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "src/drill/synthetic_traffic.h"
#include "src/drill/synthetic_wire.h"
#include "src/seal/pcapng_writer.h"
#include "src/store/durable_file.h"

namespace accord::drill {
namespace {

using synthetic_internal::kSec;
using synthetic_internal::kUs;
using synthetic_internal::Plan;
using synthetic_internal::Record;
using synthetic_internal::Rng;
using synthetic_internal::World;

// The world of `sc` for `seed` and `scale`, both taps' records sorted by capture time.
// InvalidArgument for a bad scale or address.

absl::StatusOr<World> Generate(const GridScenario& sc, uint64_t seed, int scale) {
  if (scale < 1 || scale > 1000) {
    return absl::InvalidArgumentError(absl::StrCat("scale must be 1 to 1000, not ", scale));
  }
  auto addresses = synthetic_internal::ResolveAddresses(sc);
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
  synthetic_internal::SensorBenign(w, benign, p);
  synthetic_internal::OtModbus(w, ot, p);
  synthetic_internal::Scan(w, scan, p);
  synthetic_internal::Exploit(w, exploit, p);
  synthetic_internal::C2(w, c2, p);
  synthetic_internal::OperatorSsh(w, op, p);
  synthetic_internal::HostingBenign(w, hosting, p);
  for (std::vector<Record>* records : {&w.sensor(), &w.server()}) {
    std::sort(records->begin(), records->end(), [](const Record& x, const Record& y) {
      return std::tie(x.t_ns, x.order) < std::tie(y.t_ns, y.order);
    });
  }
  return w;
}

// Writes `bytes` to `out` durably (it is evidence to be sealed) and summarises
// `records`, the packets they hold.
absl::StatusOr<CaptureSummary> WriteFile(const std::filesystem::path& out, const std::string& bytes,
                                         const std::vector<Record>& records) {
  // The folder is the caller's: a capture is never written into one it did not make.
  const std::filesystem::path dir = out.parent_path().empty() ? "." : out.parent_path();
  if (std::error_code ec; !std::filesystem::is_directory(dir, ec)) {
    return absl::NotFoundError(
        absl::StrCat("cannot write ", out.string(), ": no folder ", dir.string()));
  }
  const store::FileWrite file[] = {{out, bytes}};
  if (absl::Status s = store::WriteFilesDurably(file); !s.ok()) return s;
  CaptureSummary summary;
  summary.packets = records.size();
  summary.bytes = bytes.size();
  if (!records.empty()) {
    summary.first_ns = uint64_t(records.front().t_ns);
    summary.last_ns = uint64_t(records.back().t_ns);
  }
  for (const Record& r : records) ++summary.by_phase[synthetic_internal::PhaseName(r.phase)];
  return summary;
}

// Appends the low `n` bytes of `v`, little-endian.
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
