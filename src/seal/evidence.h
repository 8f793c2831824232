// The evidence statement of a sealed capture: the payload of kind "evidence"
// (docs/schemas/evidence.v1.json) that `accord seal` signs, and the facts that
// disclosure and verification read back from it.
//
// What a sealed capture's payload holds:
//   evidence_type   "pcap" | "pcapng"
//   seal            {root: MTH of the packet leaves (base64), items: packet count,
//                    scheme: "accord-seal/v1"}
//   file            {sha256 (hex, as sha256sum prints), bytes, name}
//   first_observed, last_observed   earliest and latest packet time (RFC 3339, ns)
//   collector, sensor {name, location}, tool {name, version}, note   chain of custody
//   issuer, issued  the party's log origin and the sealing time
#ifndef ACCORD_SEAL_EVIDENCE_H_
#define ACCORD_SEAL_EVIDENCE_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "src/seal/packet_tree.h"

namespace accord::seal {

// Chain-of-custody data given at sealing time.
struct Custody {
  std::string issuer;                        // the party's log origin
  absl::Time issued = absl::InfinitePast();  // when sealed; InfinitePast: now
  std::string collector_role = "collector";
  std::string collector_name, collector_id;
  std::string sensor;                   // sensor or system identifier (default: this host's name)
  std::string place;                    // site, network segment or place
  std::string tool_name, tool_version;  // the collecting tool (default: accord)
  std::string note;
  std::string file_name;  // the capture's file name as collected
};

// The payload for `built` (compact JSON). Packets without a time (pcapng simple packet
// blocks) do not count for the observed span; a capture without timed packets spans
// just the sealing time.
std::string EvidencePayload(const BuiltTree& built, const Custody& custody);

// What a sealed capture's evidence statement says.
struct EvidenceFacts {
  std::string issuer;
  std::string issued;  // RFC 3339 as signed
  std::string evidence_type;
  tlog::Hash root{};
  uint64_t packets = 0;
  std::string file_sha256;  // hex
  std::optional<uint64_t> file_bytes;
  std::string file_name;
  std::string first_observed, last_observed;
  nlohmann::json collector, sensor, tool;
  std::string note;
};

// Reads the facts from a schema-valid evidence payload. FailedPrecondition if the
// statement does not seal a capture under scheme accord-seal/v1.
absl::StatusOr<EvidenceFacts> ReadEvidenceFacts(const nlohmann::json& payload);

}  // namespace accord::seal

#endif  // ACCORD_SEAL_EVIDENCE_H_
