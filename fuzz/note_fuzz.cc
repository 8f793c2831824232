// Fuzzes C2SP signed notes, checkpoints, cosignatures and verifier keys (src/note): the
// bytes are read as a signed note (Parse, Open with the fixed keys, OpenCheckpoint), as
// a note text (ParseCheckpoint; then signed and cosigned here with the fixed keys and
// opened again), and as a verifier or private key string.
//
// Invariants beyond "no crash": a parsed note re-serialises to the input (minus repeated
// identical lines); whatever Open verified verifies again; a parsed checkpoint formats
// back to its text byte for byte; any valid text signed with a fixed key opens to that
// text with that signature, and a valid checkpoint cosigned by a fixed witness opens with
// the cosignature's timestamp; a parsed key formats back to the same key.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "fuzz/fuzz_support.h"
#include "src/note/checkpoint.h"
#include "src/note/cosignature.h"
#include "src/note/keys.h"
#include "src/note/note.h"
#include "src/note/text.h"

namespace accord::fuzz {
namespace {

void CheckParsedNote(std::string_view msg) {
  auto parsed = note::Parse(msg);
  if (!parsed.ok()) {
    ACCORD_FUZZ_CHECK(note::IsMalformedNote(parsed.status()), parsed.status().ToString());
    return;
  }
  ACCORD_FUZZ_CHECK(note::ValidateText(parsed->text).ok(), "Parse accepted an invalid text");
  ACCORD_FUZZ_CHECK(parsed->signatures.empty());
  ACCORD_FUZZ_CHECK(!parsed->unverified.empty());
  std::string again = parsed->text + "\n";
  for (const note::Signature& sig : parsed->unverified) {
    ACCORD_FUZZ_CHECK(note::IsValidKeyName(sig.name));
    ACCORD_FUZZ_CHECK(!sig.signature.empty());
    again += note::FormatSignatureLine(sig);
  }
  // Repeated byte-identical lines are reported once; otherwise the note is its input.
  const std::string_view block = msg.substr(parsed->text.size() + 1);
  const size_t lines = static_cast<size_t>(std::count(block.begin(), block.end(), '\n'));
  if (lines == parsed->unverified.size()) {
    ACCORD_FUZZ_CHECK(again == msg, "a parsed note does not re-serialise to its input");
  }
  // Sign with no new signers re-emits the note.
  auto reemitted = note::Sign(*parsed, {});
  ACCORD_FUZZ_CHECK(reemitted.ok(), reemitted.status().ToString());
  ACCORD_FUZZ_CHECK(*reemitted == again);
}

void CheckOpenedNote(std::string_view msg) {
  const Keys& k = FixedKeys();
  const note::Verifier* known[] = {k.log_verifier.get(), k.log_witness_verifier.get(),
                                   k.peer_witness_verifier.get()};
  auto opened = note::Open(msg, known);
  const bool parses = note::Parse(msg).ok();
  if (!opened.ok()) {
    const absl::Status& s = opened.status();
    ACCORD_FUZZ_CHECK(note::IsMalformedNote(s) != parses,
                      "Open and Parse disagree: ", s.ToString());
    ACCORD_FUZZ_CHECK(
        note::IsMalformedNote(s) || note::IsInvalidSignature(s) || note::IsUnverifiedNote(s),
        "undocumented error ", s.ToString());
    return;
  }
  ACCORD_FUZZ_CHECK(parses, "Open accepted what Parse refuses");
  ACCORD_FUZZ_CHECK(!opened->signatures.empty());
  for (const note::Signature& sig : opened->signatures) {
    const note::Verifier* v = nullptr;
    for (const note::Verifier* candidate : known) {
      if (candidate->Name() == sig.name && candidate->KeyHash() == sig.key_hash) v = candidate;
    }
    ACCORD_FUZZ_CHECK(v != nullptr, "a verified signature by an unknown key");
    ACCORD_FUZZ_CHECK(v->Verify(opened->text, sig.signature), "a verified signature fails");
  }
  auto cp = note::OpenCheckpoint(msg, kLogOrigin, *k.log_verifier, known);
  if (cp.ok()) {
    ACCORD_FUZZ_CHECK(cp->checkpoint.origin == kLogOrigin);
    ACCORD_FUZZ_CHECK(note::FormatCheckpoint(cp->checkpoint) == cp->note.text);
    for (const note::Signature& sig : cp->note.signatures) {
      if (sig.name == k.log_witness.Name() || sig.name == k.peer_witness.Name()) {
        ACCORD_FUZZ_CHECK(note::CosignatureTimestamp(sig).ok());
      }
    }
  }
}

// The input as a note text: signed here, it must open to itself.
void CheckText(std::string_view text) {
  const Keys& k = FixedKeys();
  auto cp = note::ParseCheckpoint(text);
  if (cp.ok()) {
    ACCORD_FUZZ_CHECK(note::ValidateCheckpoint(*cp).ok(),
                      "ParseCheckpoint accepted what ValidateCheckpoint refuses");
    ACCORD_FUZZ_CHECK(note::FormatCheckpoint(*cp) == text, "a checkpoint does not round-trip");
  }
  if (!note::ValidateText(text).ok()) {
    ACCORD_FUZZ_CHECK(!cp.ok(), "ParseCheckpoint accepted an invalid note text");
    return;
  }
  const note::Signer* signers[] = {&k.log};
  auto signed_note = note::Sign(text, signers);
  if (!signed_note.ok()) {
    ACCORD_FUZZ_CHECK(text.size() + 200 > note::kMaxNoteSize, signed_note.status().ToString());
    return;
  }
  const note::Verifier* known[] = {k.log_verifier.get()};
  auto opened = note::Open(*signed_note, known);
  ACCORD_FUZZ_CHECK(opened.ok(), "a note signed here does not open: ", opened.status().ToString());
  ACCORD_FUZZ_CHECK(opened->text == text, "the opened text differs from the signed one");
  ACCORD_FUZZ_CHECK(opened->signatures.size() == 1 && opened->unverified.empty());
  if (!cp.ok()) return;

  constexpr uint64_t kTime = 1'700'000'000;
  auto line = note::Cosign(text, k.log_witness, kTime);
  ACCORD_FUZZ_CHECK(line.ok(), line.status().ToString());
  const std::string cosigned = *signed_note + *line;
  const note::Verifier* cosigners[] = {k.log_witness_verifier.get()};
  auto opened_cp = note::OpenCheckpoint(cosigned, cp->origin, *k.log_verifier, cosigners);
  if (cosigned.size() > note::kMaxNoteSize) return;
  ACCORD_FUZZ_CHECK(opened_cp.ok(), "a checkpoint signed and cosigned here does not open: ",
                    opened_cp.status().ToString());
  ACCORD_FUZZ_CHECK(opened_cp->checkpoint == *cp);
  ACCORD_FUZZ_CHECK(opened_cp->note.signatures.size() == 2);
  auto t = note::CosignatureTimestamp(opened_cp->note.signatures[1]);
  ACCORD_FUZZ_CHECK(t.ok() && *t == kTime);
  auto verified = k.log_witness_verifier->VerifyCosignature(
      opened_cp->note.text, opened_cp->note.signatures[1].signature);
  ACCORD_FUZZ_CHECK(verified.ok() && *verified == kTime);
}

void CheckKeys(std::string_view text) {
  auto vkey = note::ParseVerifierKey(text);
  if (vkey.ok()) {
    auto formatted = note::FormatVerifierKey(vkey->name, vkey->type, vkey->public_key);
    ACCORD_FUZZ_CHECK(formatted.ok(), formatted.status().ToString());
    // The hash may be written in either case; accord writes lower case.
    const size_t plus = vkey->name.size();
    ACCORD_FUZZ_CHECK(formatted->size() == text.size() &&
                          formatted->substr(0, plus) == text.substr(0, plus) &&
                          absl::AsciiStrToLower(std::string(formatted->substr(plus, 10))) ==
                              absl::AsciiStrToLower(std::string(text.substr(plus, 10))) &&
                          formatted->substr(plus + 10) == text.substr(plus + 10),
                      "a verifier key does not round-trip: ", *formatted);
  }
  auto verifier = note::NewVerifier(text);
  ACCORD_FUZZ_CHECK(vkey.ok() || !verifier.ok(), "NewVerifier accepted a malformed key");
  auto skey = note::ParsePrivateKey(text);
  if (skey.ok()) {
    auto signer = note::NewSigner(text);
    auto cosigner = note::NewCosignatureSigner(text);
    if (signer.ok()) ACCORD_FUZZ_CHECK(signer->Name() == skey->name);
    if (cosigner.ok()) ACCORD_FUZZ_CHECK(cosigner->Name() == skey->name);
  }
}

}  // namespace
}  // namespace accord::fuzz

namespace accord::fuzz {

int FuzzOne(const uint8_t* data, size_t size) {
  const std::string_view input = AsString(data, size);
  CheckParsedNote(input);
  CheckOpenedNote(input);
  CheckText(input);
  CheckKeys(input);
  return 0;
}

}  // namespace accord::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return accord::fuzz::FuzzOne(data, size);
}
