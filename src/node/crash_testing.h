// Shared by the crash campaigns of node_crash_test (crash_test.cc, frontends_test.cc):
// Go's verifier run on a log folder.
#ifndef ACCORD_NODE_CRASH_TESTING_H_
#define ACCORD_NODE_CRASH_TESTING_H_

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "src/store/durable_file.h"

namespace accord::node::testing {

// Go's verifier (interop/go/accord-interop verify-log, x/mod's tlog: an implementation no
// one here wrote) on the log folder `log`: the checkpoint's signature, every tile and
// bundle against it, sampled proofs. `after` says when, for the failure message.
inline void GoVerifies(const std::filesystem::path& log, const std::string& vkey,
                       const std::string& after) {
#ifdef ACCORD_GO_INTEROP
  ASSERT_TRUE(std::filesystem::exists(ACCORD_GO_INTEROP))
      << ACCORD_GO_INTEROP << " is not built (target accord-interop)";
  const auto out = log.parent_path() / "go-verify.out";
  const std::string cmd = absl::StrCat("'", ACCORD_GO_INTEROP, "' verify-log '", log.string(),
                                       "' '", vkey, "' --samples 4 >'", out.string(), "' 2>&1");
  const int status = std::system(cmd.c_str());
  ASSERT_EQ(status, 0) << "Go rejected the log " << after << ": "
                       << store::ReadWholeFile(out).value_or("(no output)");
#else
  (void)log, (void)vkey, (void)after;
#endif
}

inline constexpr bool kGoVerifies =
#ifdef ACCORD_GO_INTEROP
    true;
#else
    false;
#endif

}  // namespace accord::node::testing

#endif  // ACCORD_NODE_CRASH_TESTING_H_
