#include "src/note/checkpoint.h"

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
#include "src/note/text.h"
#include "src/util/encoding.h"

namespace accord::note {
namespace {

absl::Status CheckLine(const std::string& what, std::string_view line) {
  if (line.empty()) return absl::InvalidArgumentError(absl::StrCat(what, " is empty"));
  if (line.find('\n') != std::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(what, " contains a newline"));
  }
  if (absl::Status s = CheckNoteCharacters(line); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": ", s.message()));
  }
  return absl::OkStatus();
}

// ASCII decimal without sign or leading zeros, fitting in 64 bits.
bool ParseTreeSize(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 20 || (s.size() > 1 && s[0] == '0')) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

absl::Status BadCheckpoint(absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("malformed checkpoint: ", why));
}

}  // namespace

absl::Status ValidateCheckpoint(const Checkpoint& cp) {
  if (absl::Status s = CheckLine("checkpoint origin", cp.origin); !s.ok()) return s;
  for (size_t i = 0; i < cp.extensions.size(); ++i) {
    if (absl::Status s = CheckLine(absl::StrCat("checkpoint extension line ", i), cp.extensions[i]);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

std::string FormatCheckpoint(const Checkpoint& cp) {
  if (absl::Status s = ValidateCheckpoint(cp); !s.ok()) {
    std::fprintf(stderr, "accord: FormatCheckpoint given an invalid checkpoint: %s\n",
                 std::string(s.message()).c_str());
    std::abort();
  }
  std::string out =
      absl::StrCat(cp.origin, "\n", cp.size, "\n", util::Base64Encode(cp.root_hash), "\n");
  for (const std::string& ext : cp.extensions) absl::StrAppend(&out, ext, "\n");
  return out;
}

absl::StatusOr<Checkpoint> ParseCheckpoint(std::string_view text) {
  if (text.empty() || text.back() != '\n') return BadCheckpoint("does not end in a newline");
  if (absl::Status s = CheckNoteCharacters(text); !s.ok()) return BadCheckpoint(s.message());
  std::vector<std::string_view> lines;
  for (std::string_view rest = text.substr(0, text.size() - 1);;) {
    const size_t eol = rest.find('\n');
    lines.push_back(rest.substr(0, eol));
    if (eol == std::string_view::npos) break;
    rest.remove_prefix(eol + 1);
  }
  if (lines.size() < 3) {
    return BadCheckpoint(absl::StrCat(lines.size(), " lines, need origin, size and root hash"));
  }
  Checkpoint cp;
  if (lines[0].empty()) return BadCheckpoint("origin (line 1) is empty");
  cp.origin = std::string(lines[0]);
  if (!ParseTreeSize(lines[1], &cp.size)) {
    return BadCheckpoint(absl::StrCat("tree size (line 2) \"", std::string(lines[1]),
                                      "\" is not a decimal without sign or leading zeros "
                                      "below 2^64"));
  }
  auto root = util::Base64Decode(lines[2]);
  if (!root || root->size() != cp.root_hash.size()) {
    return BadCheckpoint(absl::StrCat("root hash (line 3) \"", std::string(lines[2]),
                                      "\" is not base64 of 32 bytes"));
  }
  std::copy(root->begin(), root->end(), cp.root_hash.begin());
  for (size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) return BadCheckpoint(absl::StrCat("extension line ", i + 1, " is empty"));
    cp.extensions.emplace_back(lines[i]);
  }
  return cp;
}

absl::StatusOr<std::string> SignCheckpoint(const Checkpoint& cp, const Signer& signer) {
  if (absl::Status s = ValidateCheckpoint(cp); !s.ok()) return s;
  const Signer* signers[] = {&signer};
  return Sign(FormatCheckpoint(cp), signers);
}

absl::StatusOr<OpenedCheckpoint> OpenCheckpoint(std::string_view signed_note,
                                                std::string_view origin,
                                                const Verifier& log_verifier,
                                                absl::Span<const Verifier* const> cosigners) {
  std::vector<const Verifier*> known = {&log_verifier};
  known.insert(known.end(), cosigners.begin(), cosigners.end());
  auto note = Open(signed_note, known);
  if (!note.ok()) return note.status();
  bool log_signed = false;
  for (const Signature& sig : note->signatures) {
    log_signed |= sig.name == log_verifier.Name() && sig.key_hash == log_verifier.KeyHash();
  }
  if (!log_signed) {
    return absl::UnauthenticatedError(absl::StrCat("checkpoint is not signed by the log key \"",
                                                   std::string(log_verifier.Name()), "\""));
  }
  auto cp = ParseCheckpoint(note->text);
  if (!cp.ok()) return cp.status();
  if (cp->origin != origin) {
    return absl::InvalidArgumentError(absl::StrCat("checkpoint origin is \"", cp->origin,
                                                   "\", want \"", std::string(origin), "\""));
  }
  return OpenedCheckpoint{*std::move(cp), *std::move(note)};
}

}  // namespace accord::note
