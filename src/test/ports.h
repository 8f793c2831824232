// Free TCP ports on 127.0.0.1 for integration tests whose servers must know each other's
// URLs before they start (tests run in parallel; STYLE.md: random free ports).
#ifndef ACCORD_TEST_PORTS_H_
#define ACCORD_TEST_PORTS_H_

#include <cstdint>
#include <vector>

namespace accord::test {

// `n` distinct ports (http::ReserveLoopbackPorts); aborts the test program if none can
// be bound, which only a broken machine does.
std::vector<uint16_t> FreePorts(int n);
inline uint16_t FreePort() { return FreePorts(1)[0]; }

}  // namespace accord::test

#endif  // ACCORD_TEST_PORTS_H_
