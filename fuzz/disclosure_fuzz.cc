// Fuzzes disclosure files (src/seal/disclosure.cc): a pcapng whose Custom Blocks
// (0x40000BAD, accord's PEN and magic) carry the evidence, packets and proof records,
// read with seal::ParseDisclosureBytes; and, when it reads, the whole verification
// (seal::VerifyDisclosure: the evidence statement under the fixed log key, its inclusion
// in the embedded signed checkpoint, every packet against the sealed root through the
// multi-leaf proof). The seed corpus holds disclosures of fuzz_support's SealedCapture()
// signed with that key, so mutations reach every step.
//
// Invariants: the records come in order (packets listed as often as found); and the
// soundness of verification: a disclosure that verifies discloses only packets of the
// capture the fixed key sealed, each at its sealed position. Anything else verifying
// would be a forgery.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/strings/str_cat.h"
#include "fuzz/fuzz_support.h"
#include "src/seal/capture.h"
#include "src/seal/disclosure.h"
#include "src/seal/leaf.h"
#include "src/seal/seal.h"
#include "src/util/encoding.h"

namespace accord::fuzz {
namespace {

// The leaf hashes of SealedCapture(), in sealed order.
const std::vector<tlog::Hash>& SealedLeaves() {
  static const std::vector<tlog::Hash>* leaves = [] {
    auto* out = new std::vector<tlog::Hash>;
    const std::string capture = SealedCapture();
    auto n = seal::ParseCaptureBytes(util::AsBytes(capture), [&](const seal::Packet& p) {
      out->push_back(seal::PacketLeafHash(
          seal::PacketFields{p.time_ns, p.link_type, p.original_length, p.data}));
      return true;
    });
    if (!n.ok()) Fail(absl::StrCat("the sealed capture does not parse: ", n.status().ToString()));
    return out;
  }();
  return *leaves;
}

}  // namespace
}  // namespace accord::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)accord::fuzz::FixedKeys();
  (void)accord::fuzz::SealedLeaves();
  return 0;
}

namespace accord::fuzz {

int FuzzOne(const uint8_t* data, size_t size) {
  auto d = seal::ParseDisclosureBytes(std::span<const uint8_t>(data, size));
  if (!d.ok()) {
    ACCORD_FUZZ_CHECK(absl::IsDataLoss(d.status()) || absl::IsInvalidArgument(d.status()),
                      d.status().ToString());
    return 0;
  }
  ACCORD_FUZZ_CHECK(d->indices.size() == d->listed_leaves.size());
  auto report = seal::VerifyDisclosure(*d, *FixedKeys().log_verifier, nullptr);
  if (!report.ok()) return 0;

  // Verified: every packet must be the sealed one at its listed position.
  const auto& sealed = SealedLeaves();
  ACCORD_FUZZ_CHECK(report->party == kLogOrigin);
  ACCORD_FUZZ_CHECK(report->facts.packets == sealed.size(), "verified against a tree of ",
                    report->facts.packets, " packets, not the sealed ", sealed.size());
  ACCORD_FUZZ_CHECK(d->packets.size() == d->indices.size() && !d->indices.empty());
  for (size_t k = 0; k < d->packets.size(); ++k) {
    const uint64_t index = d->indices[k];
    ACCORD_FUZZ_CHECK(index < sealed.size(), "verified packet number ", index, " of ",
                      sealed.size());
    ACCORD_FUZZ_CHECK(d->packets[k].leaf == sealed[index], "packet ", k,
                      " verified as sealed packet ", index, " but is not it: a forgery");
  }
  (void)report->ToJson();
  (void)report->ToText();
  return 0;
}

}  // namespace accord::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return accord::fuzz::FuzzOne(data, size);
}
