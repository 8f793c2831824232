// Test helper: runs a program as a child process and reads the first line it prints,
// as integration tests do with `accord serve`.
#ifndef ACCORD_NODE_PROCESS_H_
#define ACCORD_NODE_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace accord::node::testing {

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

}  // namespace accord::node::testing

#endif  // ACCORD_NODE_PROCESS_H_
