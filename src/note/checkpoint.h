// C2SP transparency log checkpoints (c2sp.org/tlog-checkpoint): the signed-note text
// that commits a log to its Merkle tree head.
//
//   <origin>\n              non-empty; the log's identity (conventionally its key name)
//   <tree size>\n           ASCII decimal, no sign, no leading zeros ("0" when empty)
//   <root hash>\n           base64 of the 32-byte RFC 6962 root at that size
//   <extension line>\n ...  optional, each non-empty, opaque
//
// Parsing is strict so that a checkpoint has exactly one text: canonical base64, sizes
// that fit in 64 bits, and the same characters a signed note allows (text.h).
#ifndef ACCORD_NOTE_CHECKPOINT_H_
#define ACCORD_NOTE_CHECKPOINT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "src/crypto/sha256.h"
#include "src/note/keys.h"
#include "src/note/note.h"

namespace accord::note {

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  crypto::Digest root_hash{};
  std::vector<std::string> extensions;

  bool operator==(const Checkpoint&) const = default;
};

// OK if `cp` can be formatted: the origin and every extension line non-empty and free of
// '\n', and all of them valid UTF-8 without control characters. InvalidArgument
// otherwise, naming the field.
absl::Status ValidateCheckpoint(const Checkpoint& cp);

// The checkpoint's note text, ending in '\n'.
// REQUIRES: ValidateCheckpoint(cp).ok(); violating it is a programming error and aborts.
std::string FormatCheckpoint(const Checkpoint& cp);

// Parses a checkpoint note text (as Open returns it). InvalidArgument naming the line
// and the fault otherwise.
absl::StatusOr<Checkpoint> ParseCheckpoint(std::string_view text);

// Formats and signs `cp`. InvalidArgument if it fails ValidateCheckpoint; the signer's
// own errors are returned as they come.
absl::StatusOr<std::string> SignCheckpoint(const Checkpoint& cp, const Signer& signer);

struct OpenedCheckpoint {
  Checkpoint checkpoint;
  Note note;  // all signatures: the log's, verified cosignatures, unknown ones
};

// Opens a signed checkpoint from the log whose origin is `origin` and whose key is
// `log_verifier`, also verifying signatures by `cosigners` (witness verifiers, see
// cosignature.h) if present. Errors:
//  - those of Open (malformed note, invalid signature from any known key, no known key);
//  - Unauthenticated (IsUnverifiedNote) if the log's key did not sign it, even when a
//    cosigner did;
//  - InvalidArgument if the text is not a checkpoint or its origin is not `origin`.
// Which cosigners must have signed is the caller's policy: inspect `note.signatures`.
absl::StatusOr<OpenedCheckpoint> OpenCheckpoint(std::string_view signed_note,
                                                std::string_view origin,
                                                const Verifier& log_verifier,
                                                absl::Span<const Verifier* const> cosigners = {});

}  // namespace accord::note

#endif  // ACCORD_NOTE_CHECKPOINT_H_
