// The operating system's CSPRNG and the wiping of secrets, through libsodium.
//
// libsodium is initialised once, on first use of any of src/crypto, from any thread; if
// it cannot be (no usable entropy source) the process aborts, as nothing secure can be
// done without a CSPRNG.
#ifndef ACCORD_CRYPTO_RANDOM_H_
#define ACCORD_CRYPTO_RANDOM_H_

#include <cstdint>
#include <span>
#include <string>

namespace accord::crypto {

// Fills `out` with cryptographically secure random bytes (randombytes_buf). Thread-safe.
void RandomBytes(std::span<uint8_t> out);

// Overwrites `secret` with zeros in a way the compiler may not elide (sodium_memzero):
// for key material and plaintexts once they are no longer needed.
void Wipe(std::span<uint8_t> secret);
void Wipe(std::string& secret);

}  // namespace accord::crypto

#endif  // ACCORD_CRYPTO_RANDOM_H_
