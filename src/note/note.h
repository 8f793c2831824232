// C2SP signed notes (c2sp.org/signed-note), byte-compatible with Go's
// golang.org/x/mod/sumdb/note: text signed by one or more keys.
//
//   <text, ending in '\n'>
//   <blank line>
//   — <key name> <base64(4-byte big-endian key hash || signature)>\n   (one or more)
//
// The dash is U+2014 (em dash). The text may contain blank lines; the last blank line in
// the note separates it from the signatures. The whole note must be valid UTF-8 without
// control characters other than '\n' (text.h).
//
// Opening a note follows the spec and Go: signatures from unknown keys (name and hash
// not both matching a known verifier) are ignored but reported; a signature from a known
// key that fails to verify rejects the whole note; a note that no known key signed is
// rejected. Repeated signatures by one key are dropped after the first (which alone is
// verified), and byte-identical unknown signature lines are reported once.
//
// Limits, enforced before any signature is verified: at most kMaxSignatures signature
// lines (Go's limit; the spec requires accepting at least 16) and at most kMaxNoteSize
// bytes in all (Go has no size limit; the spec allows either kind of limit).
//
// This part is pure computation: no I/O, no clock. Everything here is thread-safe.
#ifndef ACCORD_NOTE_NOTE_H_
#define ACCORD_NOTE_NOTE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "src/note/keys.h"

namespace accord::note {

inline constexpr size_t kMaxSignatures = 100;
inline constexpr size_t kMaxNoteSize = 1 << 20;

// One signature line of a note.
struct Signature {
  std::string name;
  uint32_t key_hash = 0;
  std::vector<uint8_t> signature;  // the signature bytes after the key hash

  bool operator==(const Signature&) const = default;
};

// "— <name> <base64(key hash || signature)>\n". REQUIRES: IsValidKeyName(sig.name).
std::string FormatSignatureLine(const Signature& sig);

struct Note {
  std::string text;                   // including its final '\n'
  std::vector<Signature> signatures;  // verified, in note order
  std::vector<Signature> unverified;  // from unknown keys, in note order
};

// Checks that `text` can be a note's text: non-empty, ends in '\n', valid UTF-8 without
// control characters other than '\n', and at most kMaxNoteSize bytes. InvalidArgument
// otherwise.
absl::Status ValidateText(std::string_view text);

// Signs `text` with every signer, in order, and returns the signed note.
// InvalidArgument if the text is invalid (ValidateText), `signers` is empty, a signer
// has an invalid name, two signers share a name and key hash, or the result would exceed
// kMaxSignatures or kMaxNoteSize; a signer's own error is returned with context.
absl::StatusOr<std::string> Sign(std::string_view text, absl::Span<const Signer* const> signers);

// Re-signs an opened note, as Go's note.Sign: the result carries `note`'s existing
// signatures (verified, then unverified, in order) except those by a key that one of
// `signers` has (same name and hash), followed by the new signatures. `signers` may be
// empty, which re-emits the note; the result needs at least one signature. Errors as
// above.
absl::StatusOr<std::string> Sign(const Note& note, absl::Span<const Signer* const> signers);

// Splits and checks `msg` without verifying anything: every signature is returned in
// `unverified` and the text MUST NOT be trusted. Useful to read a note before choosing
// its verifiers (for example a checkpoint's origin). Errors: InvalidArgument
// (IsMalformedNote) for any syntax defect or exceeded limit.
absl::StatusOr<Note> Parse(std::string_view msg);

// Opens `msg`, checking its signatures against `known`. Errors, each with its own code:
//  - InvalidArgument (IsMalformedNote): bad characters, no blank line before the
//    signatures, a bad signature line (prefix, key name, base64, fewer than 5 bytes),
//    more than kMaxSignatures signature lines, more than kMaxNoteSize bytes;
//  - PermissionDenied (IsInvalidSignature): a signature whose name and hash match a
//    known verifier fails to verify;
//  - Unauthenticated (IsUnverifiedNote): the note is well formed but no known key
//    signed it ("no known key signed this note");
//  - FailedPrecondition: two entries of `known` share the name and hash of a signature
//    in the note (a broken configuration, as Go's "ambiguous key").
// The verifiers are borrowed for the duration of the call.
absl::StatusOr<Note> Open(std::string_view msg, absl::Span<const Verifier* const> known);

bool IsMalformedNote(const absl::Status& status);
bool IsInvalidSignature(const absl::Status& status);
bool IsUnverifiedNote(const absl::Status& status);

}  // namespace accord::note

#endif  // ACCORD_NOTE_NOTE_H_
