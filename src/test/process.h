// Child processes for integration tests: runs a program (`accord serve`, a tool the
// test checks against) with its stdout on a pipe, reads the lines it prints, and finds
// programs on the system.
#ifndef ACCORD_TEST_PROCESS_H_
#define ACCORD_TEST_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace accord::test {

// The absolute path of `name` in /usr/bin, /bin, /usr/sbin or /sbin; empty if none.
std::string FindProgram(std::string_view name);

class ChildProcess {
 public:
  // Starts `argv` (argv[0] a path) with stdout on a pipe and stderr inherited.
  static absl::StatusOr<ChildProcess> Start(const std::vector<std::string>& argv);
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&&) = delete;
  ~ChildProcess();  // kills (SIGKILL) and reaps if still running

  // The next line of its stdout, waiting up to `timeout`.
  absl::StatusOr<std::string> ReadLine(absl::Duration timeout);
  // Sends `signal` and reaps; returns the wait status.
  int Kill(int signal);
  pid_t pid() const { return pid_; }

 private:
  ChildProcess(pid_t pid, int out) : pid_(pid), out_(out) {}
  pid_t pid_ = -1;
  int out_ = -1;
  std::string buffer_;
};

}  // namespace accord::test

#endif  // ACCORD_TEST_PROCESS_H_
