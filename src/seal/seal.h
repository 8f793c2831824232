// seal — evidence from packet captures. The part's three verbs:
//
//   Seal              reads a pcap/pcapng once, builds the Merkle tree over its packets
//                     (packet_tree.h, leaves per leaf.h), writes the tree's summary
//                     beside the capture (sidecar.h) and returns the signed evidence
//                     statement (evidence.h) for the party's log.
//   Disclose          writes chosen packets of a sealed capture as a pcapng that any
//                     pcap tool opens, with the evidence reference and one compact
//                     multi-leaf proof (disclosure.h, multiproof.h).
//   VerifyDisclosure  checks such a file against the log: the statement's signature
//                     and inclusion in a signed checkpoint, every packet against the
//                     sealed root, and says what was proven.
//
// Design notes and formats: docs/seal.md. Only this part includes libpcap.
#ifndef ACCORD_SEAL_SEAL_H_
#define ACCORD_SEAL_SEAL_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/note/keys.h"
#include "src/seal/disclosure.h"
#include "src/seal/evidence.h"
#include "src/seal/evidence_log.h"
#include "src/seal/packet_tree.h"
#include "src/seal/select.h"

namespace accord::seal {

struct SealRequest {
  std::string capture_path;
  std::string sidecar_path;  // empty: SidecarPath(capture_path)
  bool write_sidecar = true;
  Custody custody;  // custody.issuer empty: the signer's key name
  BuildOptions build;
};

struct SealResult {
  BuiltTree built;
  std::string payload;                // the evidence statement's JSON payload
  std::string statement;              // the signed DSSE envelope: the log entry
  std::string sidecar_path;           // empty if none was written
  std::vector<std::string> warnings;  // e.g. the sidecar could not be written
};

// Builds the tree, signs the evidence statement with `signer` and checks it against
// the evidence schema, writes the sidecar. Errors: the capture reader's (DataLoss naming
// the offset), I/O, InvalidArgument if the statement would not validate or exceeds a
// log entry's 65,535 bytes. A sidecar that cannot be written (evidence kept on
// read-only media) is a warning, not an error: disclosure then re-hashes the capture.
absl::StatusOr<SealResult> Seal(const SealRequest& request, const note::Ed25519Signer& signer);

struct DiscloseRequest {
  std::string capture_path;
  std::string sidecar_path;  // empty: SidecarPath(capture_path)
  EvidenceRecord evidence;   // from ResolveEvidence
  std::string out_path;
  crypto::HashBackend backend = crypto::HashBackend::kAuto;
};

struct DiscloseResult {
  EvidenceFacts facts;
  std::vector<uint64_t> indices;  // sealed packet indices disclosed, ascending
  uint64_t proof_hashes = 0;
  uint64_t tiles_rehashed = 0;
  bool used_sidecar = false;  // false: the tree was rebuilt from the capture
  std::vector<std::string> warnings;
};

// Writes the packets `selector` chooses to request.out_path (atomically: a temporary
// file renamed into place). FailedPrecondition if the capture is not the sealed one (or
// changed since); InvalidArgument if nothing is selected or a packet number exceeds the
// sealed count; DataLoss if a packet to disclose differs from what was sealed.
absl::StatusOr<DiscloseResult> Disclose(const DiscloseRequest& request, Selector& selector);

// What a verified disclosure proves.
struct DisclosureReport {
  std::string party;  // the log origin whose key signed the evidence statement
  uint64_t statement_index = 0;
  tlog::Hash statement_leaf_hash{};
  uint64_t checkpoint_size = 0;
  std::string checked_against;  // "log at …" or "the signed checkpoint embedded in …"
  EvidenceFacts facts;
  std::vector<uint64_t> indices;
  std::optional<uint64_t> first_ns, last_ns;  // of the disclosed packets
  std::set<uint16_t> link_types;

  nlohmann::ordered_json ToJson() const;
  std::string ToText() const;
};

// Verifies the disclosure at `path`. `log` (may be null) is the evidence's log, opened
// with `verifier`; without it, the checkpoint embedded in the file is verified with
// `verifier` instead (proof as of disclosure time). Errors name what failed:
// FailedPrecondition for a key or log that is not the disclosure's, Unauthenticated for
// a bad signature, a statement not in the log, or packets that do not lead to the
// sealed root, DataLoss for a packet that was modified, reordered, added or removed.
absl::StatusOr<DisclosureReport> VerifyDisclosure(const std::string& path,
                                                  const note::Verifier& verifier, EvidenceLog* log);
// The same for a disclosure already read (ReadDisclosure, ParseDisclosureBytes).
absl::StatusOr<DisclosureReport> VerifyDisclosure(const Disclosure& disclosure,
                                                  const note::Verifier& verifier, EvidenceLog* log);

}  // namespace accord::seal

#endif  // ACCORD_SEAL_SEAL_H_
