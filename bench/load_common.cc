// accord_load's parts that do not touch the network: signing the envelopes, counting
// answers, and measuring the verification ceiling.
#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bench/load.h"
#include "src/crypto/ed25519.h"
#include "src/statement/statement.h"
#include "src/util/encoding.h"

namespace accord::bench {
namespace {

nlohmann::json ExampleIncident() {
  std::ifstream in(std::string(ACCORD_SOURCE_DIR) + "/docs/examples/incident.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

// Runs `body(thread)` on `threads` threads and joins them.
template <typename F>
void OnThreads(int threads, F body) {
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back([&body, t] { body(t); });
  for (auto& th : pool) th.join();
}

// How many times `op(thread, i)` runs in `duration` on `threads` threads, per second.
template <typename F>
double Rate(int threads, absl::Duration duration, F op) {
  std::atomic<uint64_t> total{0};
  const auto start = Clock::now();
  const auto end = start + std::chrono::nanoseconds(absl::ToInt64Nanoseconds(duration));
  OnThreads(threads, [&](int t) {
    uint64_t n = 0;
    while (true) {
      for (int k = 0; k < 32; ++k) op(t, n++);
      if (Clock::now() >= end) break;
    }
    total += n;
  });
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  return static_cast<double>(total.load()) / secs;
}

}  // namespace

std::vector<std::string> SignIncidents(const note::Ed25519Signer& signer, size_t count,
                                       uint64_t first, int threads) {
  const nlohmann::json example = ExampleIncident();
  const std::string title = example.value("title", "incident");
  std::vector<std::string> out(count);
  threads = std::max(1, threads);
  OnThreads(threads, [&](int t) {
    nlohmann::json p = example;
    p["issuer"] = std::string(signer.Name());
    for (size_t i = t; i < count; i += threads) {
      const uint64_t n = first + i;
      // Issued now (inside the node's intake window), and a title that names the statement.
      p["issued"] = absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now(), absl::UTCTimeZone());
      p["title"] = absl::StrCat(title, " (load ", n, ")");
      auto env = statement::Sign(statement::Kind::kIncident, p.dump(), signer);
      if (!env.ok()) {
        std::fprintf(stderr, "accord_load: cannot sign: %s\n",
                     std::string(env.status().message()).c_str());
        std::abort();
      }
      out[i] = *std::move(env);
    }
  });
  return out;
}

void Tally::Merge(Tally&& other) {
  latency_us.insert(latency_us.end(), other.latency_us.begin(), other.latency_us.end());
  for (const auto& [k, v] : other.outcomes) outcomes[k] += v;
  for (auto& r : other.receipts) receipts.push_back(std::move(r));
}

void Record(Tally& tally, size_t envelope, int status, std::string_view body, Clock::duration took,
            size_t receipt_every) {
  if (status == 0) {
    ++tally.outcomes[absl::StrCat("transport: ", std::string(body.substr(0, 80)))];
    return;
  }
  ++tally.outcomes[std::to_string(status)];
  if (status != 200 && status != 201) return;
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(took).count();
  tally.latency_us.push_back(static_cast<uint32_t>(std::min<int64_t>(us, UINT32_MAX)));
  if (status == 201 && receipt_every > 0 && envelope % receipt_every == 0) {
    tally.receipts.emplace_back(envelope, std::string(body));
  }
}

absl::StatusOr<ProcessCpu> ReadProcessCpu(int pid) {
  ProcessCpu cpu;
  if (pid == 0) {  // getrusage counts threads that have ended too; no run-queue time
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    cpu.on_cpu_sec =
        u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
    return cpu;
  }
  const std::filesystem::path tasks = std::filesystem::path("/proc") / std::to_string(pid) / "task";
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator(tasks, ec)) {
    std::ifstream in(task.path() / "schedstat");
    uint64_t run_ns = 0, wait_ns = 0;
    if (in >> run_ns >> wait_ns) {  // a thread that just ended has no file: skipped
      cpu.on_cpu_sec += run_ns / 1e9;
      cpu.runqueue_sec += wait_ns / 1e9;
    }
  }
  if (ec)
    return absl::NotFoundError(absl::StrCat("cannot read ", tasks.string(), ": ", ec.message()));
  return cpu;
}

double PercentileMs(const std::vector<uint32_t>& sorted_us, double p) {
  if (sorted_us.empty()) return 0;
  // Nearest rank: the smallest sample with at least p% of samples at or below it.
  const size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * sorted_us.size()));
  return sorted_us[std::clamp<size_t>(rank, 1, sorted_us.size()) - 1] / 1000.0;
}

absl::StatusOr<Ceiling> MeasureCeiling(const std::vector<std::string>& envelopes,
                                       const note::Verifier& party_key, int threads,
                                       absl::Duration duration) {
  if (envelopes.empty()) return absl::InvalidArgumentError("no envelopes");
  auto env = statement::ParseEnvelope(envelopes[0]);
  if (!env.ok()) return env.status();
  const auto* ed = dynamic_cast<const note::Ed25519Verifier*>(&party_key);
  if (ed == nullptr) return absl::InvalidArgumentError("the party key is not Ed25519");
  const std::string pae = statement::Pae(env->payload_type, env->payload);
  const std::vector<uint8_t> sig = env->signatures.at(0).sig;
  if (!crypto::Ed25519Verify(ed->public_key(), util::AsBytes(pae), sig)) {
    return absl::InternalError("the first envelope's signature does not verify");
  }
  auto validator = statement::Validator::Create();
  if (!validator.ok()) return validator.status();

  Ceiling c;
  c.pae_bytes = pae.size();
  std::atomic<bool> all_ok{true};
  c.verify_per_sec = Rate(threads, duration, [&](int, uint64_t) {
    if (!crypto::Ed25519Verify(ed->public_key(), util::AsBytes(pae), sig)) all_ok = false;
  });
  const size_t n = envelopes.size();
  c.intake_per_sec = Rate(threads, duration, [&](int t, uint64_t i) {
    const std::string& e = envelopes[(i * threads + t) % n];
    auto st = (*validator)->Parse(e);
    if (!st.ok() || !statement::VerifiedBy(st->envelope, party_key)) all_ok = false;
  });
  if (!all_ok) return absl::InternalError("a verification failed while measuring the ceiling");
  return c;
}

}  // namespace accord::bench
