// accord's JSON form of Merkle proofs, as `accord log prove` prints them and
// `accord log check-proof` reads them (hashes in standard padded base64, as in C2SP
// checkpoints; `hashes` in RFC 9162 order, leaf end first):
//
//   {"type":"inclusion","index":N,"tree_size":S,"leaf_hash":"…","root_hash":"…",
//    "hashes":["…",…],"checkpoint":"<signed note>"}
//   {"type":"consistency","old_size":M,"new_size":N,"old_root":"…","new_root":"…",
//    "hashes":["…",…],"checkpoint":"<signed note of the new tree>"}
//
// "checkpoint" is optional; when present, a verifier with the log's key can tie the
// proof's root to a signed checkpoint.
#ifndef ACCORD_LOG_PROOF_JSON_H_
#define ACCORD_LOG_PROOF_JSON_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "src/note/note.h"
#include "src/tlog/hash.h"

namespace accord::log {

struct InclusionProofDoc {
  uint64_t index = 0;
  uint64_t tree_size = 0;
  tlog::Hash leaf_hash{};
  tlog::Hash root_hash{};
  std::vector<tlog::Hash> hashes;
  std::string checkpoint;  // optional signed note
};

struct ConsistencyProofDoc {
  uint64_t old_size = 0;
  uint64_t new_size = 0;
  tlog::Hash old_root{};
  tlog::Hash new_root{};
  std::vector<tlog::Hash> hashes;
  std::string checkpoint;  // optional signed note of the new tree
};

using ProofDoc = std::variant<InclusionProofDoc, ConsistencyProofDoc>;

std::string ProofToJson(const ProofDoc& doc);
// InvalidArgument, naming the field, for anything but a well-formed document.
absl::StatusOr<ProofDoc> ParseProofJson(std::string_view json);

// Verifies the proof's hashes. If `verifier` is given, the document must carry a
// checkpoint signed by it whose size and root are those the proof ends at.
absl::Status VerifyProofDoc(const ProofDoc& doc, const note::Verifier* verifier = nullptr);

}  // namespace accord::log

#endif  // ACCORD_LOG_PROOF_JSON_H_
