// accord_load: a load generator for a node's POST /v1/statements (issue 3, item 8).
//
// It pre-signs envelopes with the party key, drives them over many keep-alive
// connections, and reports acknowledged statements/s and latency percentiles against
// the ceiling a node cannot beat: the Ed25519 verifications/s this machine does on the
// same number of threads (the node verifies every signature). A sample of receipts is
// verified (signed checkpoint, inclusion proof), so the figures count real answers.
//
// Two drivers send the same requests:
//   threads  one OS thread per in-flight request, sharing one http::Client (the
//            project's own client and its connection pool);
//   async    a few threads running Asio, each with many connections: far less CPU per
//            request for the generator, which shares the machine with the node.
#ifndef ACCORD_BENCH_LOAD_H_
#define ACCORD_BENCH_LOAD_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "src/note/keys.h"

namespace accord::bench {

using Clock = std::chrono::steady_clock;

// Pre-signed incident statements, each unique (its "issued" time and title carry the
// statement's number), as the node's party (`signer`) would sign them.
// `first` offsets the numbers so that runs against one log never repeat a statement.
std::vector<std::string> SignIncidents(const note::Ed25519Signer& signer, size_t count,
                                       uint64_t first, int threads);

struct LoadOptions {
  std::string url;          // "http://127.0.0.1:PORT"
  int connections = 128;    // requests in flight
  int threads = 1;          // async driver: I/O threads (connections are spread on them)
  absl::Duration duration;  // stop sending after this long (the count may end it first)
  // Keep the body of every receipt_every-th acknowledged answer for verification.
  size_t receipt_every = 64;
};

// One answered (or failed) request, as a worker saw it.
struct Tally {
  std::vector<uint32_t> latency_us;                      // of every 2xx answer
  std::map<std::string, uint64_t> outcomes;              // "201", "503", "transport: …" → count
  std::vector<std::pair<size_t, std::string>> receipts;  // envelope number, body
  void Merge(Tally&& other);
};

struct LoadResult {
  Tally tally;
  double seconds = 0;  // first request sent → last answer received
  uint64_t sent = 0;
};

// Hands out envelope numbers to workers until the count is used up or the deadline
// has passed. Thread-safe.
class Dispenser {
 public:
  Dispenser(size_t count, Clock::time_point deadline) : count_(count), deadline_(deadline) {}
  // The next envelope number, or -1 when the run is over.
  int64_t Next() {
    if (Clock::now() >= deadline_) return -1;
    const size_t i = next_.fetch_add(1, std::memory_order_relaxed);
    return i < count_ ? static_cast<int64_t>(i) : -1;
  }
  uint64_t handed_out() const { return std::min(next_.load(), count_); }

 private:
  const size_t count_;
  const Clock::time_point deadline_;
  std::atomic<size_t> next_{0};
};

// Records one answer in `tally`.
void Record(Tally& tally, size_t envelope, int status, std::string_view body, Clock::duration took,
            size_t receipt_every);

// Both drivers: POST every envelope (in order, as workers become free) to
// url/v1/statements. Errors are counted, not returned; a driver fails only if it cannot
// start (bad URL).
absl::StatusOr<LoadResult> RunThreaded(const LoadOptions& options,
                                       const std::vector<std::string>& envelopes);
absl::StatusOr<LoadResult> RunAsync(const LoadOptions& options,
                                    const std::vector<std::string>& envelopes);

// What the node cannot beat, measured in this process on `threads` threads for about
// `duration` each.
struct Ceiling {
  double verify_per_sec = 0;  // Ed25519Verify of one envelope's PAE (libsodium)
  double intake_per_sec = 0;  // Validator::Parse (JSON, schema) + VerifiedBy: a node's
                              // whole per-statement check, without HTTP or the log
  size_t pae_bytes = 0;
};
absl::StatusOr<Ceiling> MeasureCeiling(const std::vector<std::string>& envelopes,
                                       const note::Verifier& party_key, int threads,
                                       absl::Duration duration);

// CPU time of a process, summed over its threads (/proc/PID/task/*/schedstat): time on
// a CPU and time runnable but waiting for one. The second says how much other programs
// on a shared machine slowed it down. pid 0 means this process (getrusage: CPU time
// only, ended threads included).
struct ProcessCpu {
  double on_cpu_sec = 0;
  double runqueue_sec = 0;
};
absl::StatusOr<ProcessCpu> ReadProcessCpu(int pid);

// Latency percentiles of sorted samples, in milliseconds.
double PercentileMs(const std::vector<uint32_t>& sorted_us, double p);

}  // namespace accord::bench

#endif  // ACCORD_BENCH_LOAD_H_
