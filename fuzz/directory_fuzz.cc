// Fuzzes the party directory (src/federation/directory.cc, federation::ParseDirectory):
// JSON with keys (signed-note vkeys of type 0x01 and 0x04), URLs, box keys and contacts.
// When it parses, the directory is used as a node uses it: looked up by origin and
// witness, formatted (FormatDirectory), and asked to count the cosignatures on a fixed
// checkpoint signed by the fixed log key and cosigned by the fixed witnesses.
//
// Invariants: a parsed directory formats to JSON that parses to the same directory;
// every party is found by its origin and its witness; a cosignature is counted only
// for a witness the directory lists, other than the log's own.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "fuzz/fuzz_support.h"
#include "src/federation/directory.h"
#include "src/note/checkpoint.h"
#include "src/note/cosignature.h"

namespace accord::fuzz {
namespace {

// A checkpoint of the fixed log, cosigned by the log's and the peer's witnesses.
const std::string& CosignedCheckpoint() {
  static const std::string* out = [] {
    const Keys& k = FixedKeys();
    note::Checkpoint cp;
    cp.origin = std::string(kLogOrigin);
    cp.size = 5;
    cp.root_hash.fill(0x5a);
    auto signed_note = note::SignCheckpoint(cp, k.log);
    if (!signed_note.ok()) Fail(signed_note.status().ToString());
    std::string note = *signed_note;
    for (const auto* w : {&k.log_witness, &k.peer_witness}) {
      auto line = note::Cosign(note::FormatCheckpoint(cp), *w, 1'700'000'000);
      if (!line.ok()) Fail(line.status().ToString());
      note += *line;
    }
    return new std::string(note);
  }();
  return *out;
}

bool SameParty(const federation::Party& a, const federation::Party& b) {
  return a.name == b.name && a.origin == b.origin && a.log_key == b.log_key && a.url == b.url &&
         a.witness_key == b.witness_key && a.witness_url == b.witness_url &&
         a.box_key == b.box_key && a.contact.team == b.contact.team &&
         a.contact.email == b.contact.email && a.contact.phone == b.contact.phone &&
         a.contact.hours == b.contact.hours;
}

}  // namespace
}  // namespace accord::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)accord::fuzz::CosignedCheckpoint();
  return 0;
}

namespace accord::fuzz {

int FuzzOne(const uint8_t* data, size_t size) {
  auto d = federation::ParseDirectory(AsString(data, size));
  if (!d.ok()) {
    ACCORD_FUZZ_CHECK(absl::IsInvalidArgument(d.status()), d.status().ToString());
    return 0;
  }
  ACCORD_FUZZ_CHECK(!d->parties.empty());
  for (const federation::Party& p : d->parties) {
    ACCORD_FUZZ_CHECK(p.log_verifier != nullptr && p.log_verifier->Name() == p.origin);
    ACCORD_FUZZ_CHECK(d->FindByOrigin(p.origin) == &p, "party ", p.origin, " not found");
    if (p.witness_verifier) {
      ACCORD_FUZZ_CHECK(d->FindByWitness(p.witness_verifier->Name()) == &p);
    } else {
      ACCORD_FUZZ_CHECK(p.witness_key.empty());
    }
  }
  const std::string formatted = federation::FormatDirectory(*d);
  auto again = federation::ParseDirectory(formatted);
  ACCORD_FUZZ_CHECK(again.ok(), "a formatted directory does not parse: ", again.status().ToString(),
                    "\n", formatted);
  ACCORD_FUZZ_CHECK(again->witness_quorum == d->witness_quorum);
  ACCORD_FUZZ_CHECK(again->parties.size() == d->parties.size());
  for (size_t i = 0; i < d->parties.size(); ++i) {
    ACCORD_FUZZ_CHECK(SameParty(d->parties[i], again->parties[i]), "party ", i,
                      " changes in a round trip");
  }
  ACCORD_FUZZ_CHECK(federation::FormatDirectory(*again) == formatted);

  const std::string& cosigned = CosignedCheckpoint();
  const Keys& k = FixedKeys();
  for (const federation::Party& p : d->parties) {
    const auto names = federation::CosigningWitnesses(*d, p.origin, cosigned);
    ACCORD_FUZZ_CHECK(names.size() == federation::CountCosignatures(*d, p.origin, cosigned));
    for (const std::string& name : names) {
      const federation::Party* w = d->FindByWitness(name);
      ACCORD_FUZZ_CHECK(w != nullptr && w->origin != p.origin, "counted witness ", name);
      ACCORD_FUZZ_CHECK(name == k.log_witness.Name() || name == k.peer_witness.Name());
    }
  }
  return 0;
}

}  // namespace accord::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return accord::fuzz::FuzzOne(data, size);
}
