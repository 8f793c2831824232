// The tsan build's check of itself (CTest tsan_selftest_*): with src/util/tsan_absl.cc,
// state guarded by an absl::Mutex — through Lock, Await and a condition abseil evaluates
// in another thread — is not reported, and a deliberate race still is. Without the
// first, every abseil-guarded field would be noise; without the second, the stage
// would pass whatever the code did.
#include <cstdio>
#include <cstring>
#include <thread>

#include "absl/synchronization/mutex.h"

namespace {

absl::Mutex mu;
int guarded ABSL_GUARDED_BY(mu) = 0;
bool ready ABSL_GUARDED_BY(mu) = false;
int unguarded = 0;

}  // namespace

int main(int argc, char** argv) {
  const bool race = argc > 1 && std::strcmp(argv[1], "--race") == 0;
  std::thread worker([race] {
    {
      absl::MutexLock lock(&mu);
      ++guarded;
      ready = true;
    }
    if (race) ++unguarded;
  });
  {
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(&ready));
    ++guarded;
  }
  if (race) ++unguarded;
  worker.join();
  absl::MutexLock lock(&mu);
  std::printf("guarded=%d\n", guarded);
  return guarded == 2 ? 0 : 1;
}
