// What every libFuzzer target in fuzz/ shares with the others and with the seed corpus
// generator (make_corpus.cc): fixed keys, so that seeds signed by the generator verify
// in the targets and the fuzzer gets past signature checks; an invariant check that
// stops the run with a reproducer; and small helpers over the input bytes.
//
// The keys are derived from constant seeds. They sign nothing outside fuzzing: anyone
// can recompute them, which is the point (a seed corpus checked into the tree must stay
// valid for every build).
#ifndef ACCORD_FUZZ_FUZZ_SUPPORT_H_
#define ACCORD_FUZZ_FUZZ_SUPPORT_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "src/crypto/ed25519.h"
#include "src/note/cosignature.h"
#include "src/note/keys.h"
#include "src/tlog/hash.h"
#include "src/tlog/proof.h"

namespace accord::fuzz {

// Reports a broken invariant and stops the process with __builtin_trap(), which libFuzzer
// reports as a crash and saves the input as crash-<sha1>.
[[noreturn]] void Fail(std::string_view what);

// ACCORD_FUZZ_CHECK(condition, message...): Fail with the location, the condition and
// the message pieces (anything absl::StrCat takes) unless `condition` holds.
#define ACCORD_FUZZ_CHECK(condition, ...)                                              \
  do {                                                                                 \
    if (!(condition)) {                                                                \
      ::accord::fuzz::Fail(absl::StrCat(__FILE__, ":", __LINE__, ": ",                 \
                                        #condition __VA_OPT__(, ": ", ) __VA_ARGS__)); \
    }                                                                                  \
  } while (0)

inline std::string_view AsString(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Splits `input` at every `separator`: "a<sep>b" → {"a", "b"}; at most `max_parts` parts
// (the last keeps the rest).
std::vector<std::string_view> Split(std::string_view input, std::string_view separator,
                                    size_t max_parts);

// Origins (= note key names) of the fixed keys.
inline constexpr std::string_view kLogOrigin = "log.fuzz.example";
inline constexpr std::string_view kPeerOrigin = "peer.fuzz.example";
inline constexpr std::string_view kSelfOrigin = "self.fuzz.example";
inline constexpr std::string_view kLogWitnessName = "log.fuzz.example/witness";
inline constexpr std::string_view kPeerWitnessName = "peer.fuzz.example/witness";
inline constexpr std::string_view kSelfWitnessName = "self.fuzz.example/witness";

// The fixed keys. Built once; thread-safe.
struct Keys {
  // Log keys (signed-note type 0x01) of three parties and their key strings.
  note::Ed25519Signer log, peer, self;
  std::unique_ptr<note::Verifier> log_verifier, peer_verifier, self_verifier;
  // Witness keys (cosignature/v1, type 0x04).
  note::CosignatureV1Signer log_witness, peer_witness, self_witness;
  std::unique_ptr<note::CosignatureV1Verifier> log_witness_verifier, peer_witness_verifier,
      self_witness_verifier;
  // An RFC 9421 request-signing key; its keyid is statement::KeyId of `log`'s verifier.
  crypto::Ed25519PrivateKey http;
  std::string http_keyid;
  // A 32-byte X25519 secret for confidential bodies (casework::BoxKeyPair::FromSecret).
  std::vector<uint8_t> box_secret;
};
const Keys& FixedKeys();

// The deterministic 32-byte seed number `n` (all bytes n).
crypto::Ed25519Seed FixedSeed(uint8_t n);

// A HashReader over a tree held as its leaf hashes (for making and checking proofs):
// computes each node from the leaves, so it is slow and meant for small trees.
class MemoryTree final : public tlog::HashReader {
 public:
  explicit MemoryTree(std::vector<tlog::Hash> leaves) : leaves_(std::move(leaves)) {}
  absl::StatusOr<tlog::Hash> ReadNode(int level, uint64_t index) override;
  // MTH(D[0:size]) computed directly from RFC 6962's definition.
  tlog::Hash Root(uint64_t size) const;
  uint64_t size() const { return leaves_.size(); }

 private:
  tlog::Hash Mth(uint64_t begin, uint64_t end) const;
  std::vector<tlog::Hash> leaves_;
};

// The leaf hashes of entries "entry 0", "entry 1", … (the generator's trees).
std::vector<tlog::Hash> FixedLeaves(uint64_t count);

// The capture the disclosure seeds were sealed from: a small pcapng with two interfaces
// (Ethernet and raw IP) and 300 packets, so it has a full 256-packet tile and a tail.
std::string SealedCapture();

}  // namespace accord::fuzz

#endif  // ACCORD_FUZZ_FUZZ_SUPPORT_H_
