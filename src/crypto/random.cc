#include "src/crypto/random.h"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>

#include "src/crypto/sodium_init.h"

namespace accord::crypto {

namespace internal {

// sodium_init() is itself idempotent and thread-safe, but it takes a lock on every call;
// the function-local static makes every call after the first a plain load.
void EnsureSodium() {
  static const bool initialised = [] {
    if (sodium_init() < 0) {
      std::fprintf(stderr, "accord: libsodium failed to initialise (no entropy source?)\n");
      std::abort();
    }
    return true;
  }();
  (void)initialised;
}

}  // namespace internal

void RandomBytes(std::span<uint8_t> out) {
  if (out.empty()) return;  // randombytes_buf's buffer must not be null
  internal::EnsureSodium();
  randombytes_buf(out.data(), out.size());
}

void Wipe(std::span<uint8_t> secret) {
  if (!secret.empty()) sodium_memzero(secret.data(), secret.size());
}

void Wipe(std::string& secret) {
  if (!secret.empty()) sodium_memzero(secret.data(), secret.size());
}

}  // namespace accord::crypto
