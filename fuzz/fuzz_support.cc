#include "fuzz/fuzz_support.h"

#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "src/seal/pcapng_writer.h"
#include "src/seal/testing.h"
#include "src/statement/statement.h"
#include "src/util/encoding.h"

namespace accord::fuzz {

void Fail(std::string_view what) {
  std::fprintf(stderr, "\naccord fuzz: invariant violated: %.*s\n", static_cast<int>(what.size()),
               what.data());
  std::fflush(stderr);
  __builtin_trap();
}

std::vector<std::string_view> Split(std::string_view input, std::string_view separator,
                                    size_t max_parts) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < max_parts) {
    const size_t at = input.find(separator);
    if (at == std::string_view::npos) break;
    parts.push_back(input.substr(0, at));
    input.remove_prefix(at + separator.size());
  }
  parts.push_back(input);
  return parts;
}

crypto::Ed25519Seed FixedSeed(uint8_t n) {
  crypto::Ed25519Seed seed;
  seed.fill(n);
  return seed;
}

namespace {

note::Ed25519Signer LogSigner(std::string_view name, uint8_t n) {
  return note::Ed25519Signer(std::string(name), crypto::Ed25519PrivateKey::FromSeed(FixedSeed(n)));
}

note::CosignatureV1Signer WitnessSigner(std::string_view name, uint8_t n) {
  return note::CosignatureV1Signer(std::string(name),
                                   crypto::Ed25519PrivateKey::FromSeed(FixedSeed(n)));
}

Keys* MakeKeys() {
  auto* k = new Keys{LogSigner(kLogOrigin, 1),
                     LogSigner(kPeerOrigin, 2),
                     LogSigner(kSelfOrigin, 3),
                     nullptr,
                     nullptr,
                     nullptr,
                     WitnessSigner(kLogWitnessName, 4),
                     WitnessSigner(kPeerWitnessName, 5),
                     WitnessSigner(kSelfWitnessName, 6),
                     nullptr,
                     nullptr,
                     nullptr,
                     crypto::Ed25519PrivateKey::FromSeed(FixedSeed(1)),
                     "",
                     std::vector<uint8_t>(32, 7)};
  k->log_verifier = std::make_unique<note::Ed25519Verifier>(k->log.MakeVerifier());
  k->peer_verifier = std::make_unique<note::Ed25519Verifier>(k->peer.MakeVerifier());
  k->self_verifier = std::make_unique<note::Ed25519Verifier>(k->self.MakeVerifier());
  k->log_witness_verifier =
      std::make_unique<note::CosignatureV1Verifier>(k->log_witness.MakeVerifier());
  k->peer_witness_verifier =
      std::make_unique<note::CosignatureV1Verifier>(k->peer_witness.MakeVerifier());
  k->self_witness_verifier =
      std::make_unique<note::CosignatureV1Verifier>(k->self_witness.MakeVerifier());
  k->http_keyid = statement::KeyId(*k->log_verifier);
  return k;
}

}  // namespace

const Keys& FixedKeys() {
  static const Keys* keys = MakeKeys();
  return *keys;
}

absl::StatusOr<tlog::Hash> MemoryTree::ReadNode(int level, uint64_t index) {
  if (level < 0 || level >= 64) return absl::InvalidArgumentError("bad level");
  const uint64_t begin = index << level;
  const uint64_t end = begin + (uint64_t{1} << level);
  if ((begin >> level) != index || end > leaves_.size()) {
    return absl::NotFoundError(absl::StrCat("no node ", level, "/", index));
  }
  return Mth(begin, end);
}

tlog::Hash MemoryTree::Root(uint64_t size) const {
  return size == 0 ? tlog::EmptyTreeHash() : Mth(0, size);
}

// RFC 6962 §2.1: MTH(D[n]) = HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n])), k the largest
// power of two below n.
tlog::Hash MemoryTree::Mth(uint64_t begin, uint64_t end) const {
  if (end - begin == 1) return leaves_[begin];
  uint64_t k = 1;
  while (k * 2 < end - begin) k *= 2;
  return tlog::NodeHash(Mth(begin, begin + k), Mth(begin + k, end));
}

std::vector<tlog::Hash> FixedLeaves(uint64_t count) {
  std::vector<tlog::Hash> leaves;
  leaves.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    leaves.push_back(tlog::LeafHash(util::AsBytes(absl::StrCat("entry ", i))));
  }
  return leaves;
}

std::string SealedCapture() {
  seal::PcapngEncoder e(false);
  const seal::PcapngOption ns[] = {seal::U8Option(9, 9)};  // if_tsresol: nanoseconds
  std::string out = e.SectionHeader() +
                    e.InterfaceDescription(seal::testing::kLinkEthernet, 0, ns) +
                    e.InterfaceDescription(seal::testing::kLinkRaw, 200);
  for (int i = 0; i < 300; ++i) {
    const bool raw = i % 7 == 3;
    const uint16_t link = raw ? seal::testing::kLinkRaw : seal::testing::kLinkEthernet;
    const auto frame = seal::testing::UdpFrame(
        link, 60 + (i * 37) % 90, static_cast<uint8_t>(i % 9), 2,
        static_cast<uint16_t>(1000 + i % 50), i % 3 ? 443 : 53, static_cast<uint32_t>(i));
    const uint64_t t = 1700000000'000000000ull + uint64_t(i) * 1'000'003ull;
    out += e.EnhancedPacket(raw ? 1 : 0, raw ? t / 1000 : t, static_cast<uint32_t>(frame.size()),
                            frame);
  }
  return out;
}

}  // namespace accord::fuzz
