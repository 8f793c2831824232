#include "src/note/note.h"

#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "src/note/text.h"
#include "src/util/encoding.h"

namespace accord::note {
namespace {

// U+2014 EM DASH and a space: how every signature line starts.
constexpr std::string_view kSigPrefix = "\xE2\x80\x94 ";

absl::Status Malformed(absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("malformed note: ", why));
}

std::string KeyId(std::string_view name, uint32_t hash) {
  return absl::StrFormat("%s+%08x", name, hash);
}

// Parses one signature line (without its '\n'), as Go's note.Open does.
absl::StatusOr<Signature> ParseSignatureLine(std::string_view line, size_t index) {
  if (line.substr(0, kSigPrefix.size()) != kSigPrefix) {
    return Malformed(absl::StrCat("signature line ", index, " does not start with \"— \""));
  }
  line.remove_prefix(kSigPrefix.size());
  size_t space = line.find(' ');
  std::string_view name = line.substr(0, space);
  std::string_view b64 =
      space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
  if (!IsValidKeyName(name)) {
    return Malformed(absl::StrCat("signature line ", index, " has an invalid key name"));
  }
  auto raw = util::Base64Decode(b64);
  if (b64.empty() || !raw) {
    return Malformed(
        absl::StrCat("signature line ", index, " (", std::string(name), ") is not base64"));
  }
  if (raw->size() < 5) {
    return Malformed(absl::StrCat("signature line ", index, " (", std::string(name), ") is ",
                                  raw->size(), " bytes, need a 4-byte key hash and a signature"));
  }
  Signature sig;
  sig.name = std::string(name);
  sig.key_hash = (uint32_t{(*raw)[0]} << 24) | (uint32_t{(*raw)[1]} << 16) |
                 (uint32_t{(*raw)[2]} << 8) | (*raw)[3];
  sig.signature.assign(raw->begin() + 4, raw->end());
  return sig;
}

}  // namespace

std::string FormatSignatureLine(const Signature& sig) {
  std::vector<uint8_t> raw;
  raw.reserve(4 + sig.signature.size());
  for (int shift = 24; shift >= 0; shift -= 8) raw.push_back(uint8_t(sig.key_hash >> shift));
  raw.insert(raw.end(), sig.signature.begin(), sig.signature.end());
  std::string line(kSigPrefix);
  line += sig.name;
  line += ' ';
  line += util::Base64Encode(raw);
  line += '\n';
  return line;
}

absl::Status ValidateText(std::string_view text) {
  if (text.empty() || text.back() != '\n') {
    return absl::InvalidArgumentError("note text must be non-empty and end in a newline");
  }
  if (text.size() > kMaxNoteSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("note text is ", text.size(), " bytes, over the limit of ", kMaxNoteSize));
  }
  if (absl::Status s = CheckNoteCharacters(text); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("note text: ", s.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Sign(std::string_view text, absl::Span<const Signer* const> signers) {
  if (signers.empty()) return absl::InvalidArgumentError("cannot sign a note with no signers");
  Note note;
  note.text = std::string(text);
  return Sign(note, signers);
}

absl::StatusOr<std::string> Sign(const Note& note, absl::Span<const Signer* const> signers) {
  if (absl::Status s = ValidateText(note.text); !s.ok()) return s;
  std::set<std::pair<std::string, uint32_t>> have;
  std::string new_lines;
  for (const Signer* signer : signers) {
    const std::string name(signer->Name());
    if (!IsValidKeyName(name)) {
      return absl::InvalidArgumentError(absl::StrCat("invalid signer name \"", name, "\""));
    }
    if (!have.emplace(name, signer->KeyHash()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("two signers for key ", KeyId(name, signer->KeyHash())));
    }
    auto sig = signer->Sign(note.text);
    if (!sig.ok()) {
      return absl::Status(sig.status().code(),
                          absl::StrCat("signing note as ", KeyId(name, signer->KeyHash()), ": ",
                                       sig.status().message()));
    }
    new_lines += FormatSignatureLine({name, signer->KeyHash(), *std::move(sig)});
  }
  std::string out = note.text + "\n";
  size_t count = signers.size();
  for (const auto* list : {&note.signatures, &note.unverified}) {
    for (const Signature& sig : *list) {
      if (!IsValidKeyName(sig.name) || sig.signature.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("existing signature by \"", sig.name, "\" is malformed"));
      }
      if (have.count({sig.name, sig.key_hash})) continue;
      out += FormatSignatureLine(sig);
      ++count;
    }
  }
  out += new_lines;
  if (count == 0) return absl::InvalidArgumentError("a signed note needs at least one signature");
  if (count > kMaxSignatures || out.size() > kMaxNoteSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("signed note would have ", count, " signatures and ", out.size(),
                     " bytes, over the limits of ", kMaxSignatures, " and ", kMaxNoteSize));
  }
  return out;
}

absl::StatusOr<Note> Parse(std::string_view msg) {
  if (msg.size() > kMaxNoteSize) {
    return Malformed(absl::StrCat(msg.size(), " bytes, over the limit of ", kMaxNoteSize));
  }
  if (absl::Status s = CheckNoteCharacters(msg); !s.ok()) return Malformed(s.message());
  const size_t split = msg.rfind("\n\n");
  if (split == std::string_view::npos) return Malformed("no blank line before the signatures");
  Note note;
  note.text = std::string(msg.substr(0, split + 1));
  std::string_view sigs = msg.substr(split + 2);
  if (sigs.empty() || sigs.back() != '\n') {
    return Malformed("signature block is empty or does not end in a newline");
  }
  std::set<std::string_view> seen_lines;
  for (size_t index = 0; !sigs.empty(); ++index) {
    const size_t eol = sigs.find('\n');  // found: sigs ends in '\n'
    std::string_view line = sigs.substr(0, eol);
    sigs.remove_prefix(eol + 1);
    if (index >= kMaxSignatures) {
      return Malformed(absl::StrCat("more than ", kMaxSignatures, " signatures"));
    }
    auto sig = ParseSignatureLine(line, index);
    if (!sig.ok()) return sig.status();
    if (!seen_lines.insert(line).second) continue;  // byte-identical repeat
    note.unverified.push_back(*std::move(sig));
  }
  return note;
}

absl::StatusOr<Note> Open(std::string_view msg, absl::Span<const Verifier* const> known) {
  auto parsed = Parse(msg);
  if (!parsed.ok()) return parsed.status();
  Note note;
  note.text = std::move(parsed->text);
  std::set<std::pair<std::string_view, uint32_t>> seen_keys;
  const size_t total = parsed->unverified.size();
  for (Signature& sig : parsed->unverified) {
    const Verifier* verifier = nullptr;
    int matches = 0;
    for (const Verifier* v : known) {
      if (v->Name() == sig.name && v->KeyHash() == sig.key_hash) {
        verifier = v;
        ++matches;
      }
    }
    if (matches == 0) {
      note.unverified.push_back(std::move(sig));
      continue;
    }
    if (matches > 1) {
      return absl::FailedPreconditionError(absl::StrCat(
          "ambiguous key ", KeyId(sig.name, sig.key_hash), ": ", matches, " known verifiers"));
    }
    // Only the first signature by a key counts (and is checked), as in Go.
    if (!seen_keys.emplace(verifier->Name(), sig.key_hash).second) continue;
    if (!verifier->Verify(note.text, sig.signature)) {
      return absl::PermissionDeniedError(
          absl::StrCat("invalid signature for key ", KeyId(sig.name, sig.key_hash)));
    }
    note.signatures.push_back(std::move(sig));
  }
  if (note.signatures.empty()) {
    return absl::UnauthenticatedError(absl::StrCat("no known key signed this note (", total,
                                                   " signatures, all from unknown keys)"));
  }
  return note;
}

bool IsMalformedNote(const absl::Status& status) { return absl::IsInvalidArgument(status); }
bool IsInvalidSignature(const absl::Status& status) { return absl::IsPermissionDenied(status); }
bool IsUnverifiedNote(const absl::Status& status) { return absl::IsUnauthenticated(status); }

}  // namespace accord::note
