#include "src/test/ports.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "src/http/server.h"

namespace accord::test {

std::vector<uint16_t> FreePorts(int n) {
  auto ports = http::ReserveLoopbackPorts(n);
  if (!ports.ok()) {
    std::fprintf(stderr, "FreePorts: %s\n", std::string(ports.status().message()).c_str());
    std::abort();
  }
  return *std::move(ports);
}

}  // namespace accord::test
