// Private to src/crypto: libsodium's one-time initialisation (random.h says why it
// aborts if that fails).
#ifndef ACCORD_CRYPTO_SODIUM_INIT_H_
#define ACCORD_CRYPTO_SODIUM_INIT_H_

namespace accord::crypto::internal {

// Initialises libsodium on the first call; a plain load afterwards. Thread-safe.
void EnsureSodium();

}  // namespace accord::crypto::internal

#endif  // ACCORD_CRYPTO_SODIUM_INIT_H_
