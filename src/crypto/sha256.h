// SHA-256 (FIPS 180-4), the one hash accord uses: Merkle leaves and nodes (RFC 6962),
// signed-note key hashes (C2SP signed-note), file and blob digests.
//
// Two shapes:
//  - Sha256(bytes) and Sha256Stream for one message at a time (OpenSSL, with the
//    EVP_MD fetched once and a per-thread context reused, ~2x a per-call EVP_sha256()).
//  - BatchHasher for many independent messages at once, which is how the Merkle tree
//    hashes a batch's leaves and then each level's nodes. Its kIpsecMb backend runs
//    Intel's multi-buffer SHA-256 (8 or 16 messages per instruction stream with AVX2 or
//    AVX-512); kOpenSsl hashes one message after another. Both give identical digests.
//
// Only this part includes OpenSSL or libipsec-mb.
#ifndef ACCORD_CRYPTO_SHA256_H_
#define ACCORD_CRYPTO_SHA256_H_

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace accord::crypto {

inline constexpr size_t kSha256Size = 32;
using Digest = std::array<uint8_t, kSha256Size>;

// For hash maps keyed by a digest: its first bytes are already uniformly distributed.
struct DigestHash {
  size_t operator()(const Digest& d) const {
    size_t h;
    std::memcpy(&h, d.data(), sizeof h);
    return h;
  }
};

// Thread-safe.
Digest Sha256(std::span<const uint8_t> data);
Digest Sha256(std::string_view data);

// Incremental SHA-256 for data that arrives in pieces (files, streams).
// Not thread-safe; one object per message. Reset() starts a new message.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;

  void Update(std::span<const uint8_t> data);
  void Update(std::string_view data);
  // Returns the digest of everything since construction or the last Reset(), then resets.
  Digest Final();
  void Reset();

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

enum class HashBackend {
  kAuto,     // kIpsecMb where the library is present and the CPU has AVX2, else kOpenSsl
  kOpenSsl,  // portable: one message at a time through OpenSSL
  kIpsecMb,  // Intel IPsec multi-buffer library, job API (IMB_AUTH_SHA_256)
};

// Hashes batches of independent messages. Not thread-safe: each thread owns its own
// hasher (the multi-buffer manager holds lanes of in-flight jobs).
class BatchHasher {
 public:
  virtual ~BatchHasher() = default;

  // Computes out[i] = SHA-256(messages[i]) for every i.
  // REQUIRES: out.size() == messages.size(); no message overlaps any output digest.
  virtual void HashMany(std::span<const std::span<const uint8_t>> messages,
                        std::span<Digest> out) = 0;

  // The backend actually in use ("ipsec-mb/avx512", "openssl", …), for reports.
  virtual std::string_view Name() const = 0;
};

// Returns a hasher for `backend`. kAuto never fails. kIpsecMb fails with Unavailable
// when accord was built without libipsec-mb or the CPU lacks the instructions it needs.
absl::StatusOr<std::unique_ptr<BatchHasher>> NewBatchHasher(
    HashBackend backend = HashBackend::kAuto);

}  // namespace accord::crypto

#endif  // ACCORD_CRYPTO_SHA256_H_
