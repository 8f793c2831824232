// main() for the benchmarks: runs them, then the Go x/mod baseline (--go=PATH to the
// accord-interop binary), and prints a summary of throughputs and ratios.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace accord::bench {
extern std::map<std::string, std::string>& Roots();
}

namespace {

// Keeps items/s and counters of every run while printing as usual.
class Capture : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      if (r.error_occurred) continue;
      auto& m = results[r.benchmark_name()];
      for (const auto& [k, c] : r.counters) m[k] = c.value;
      labels[r.benchmark_name()] = r.report_label;
    }
  }
  // The first run whose name starts with `prefix`.
  double Get(const std::string& prefix, const std::string& counter = "items_per_second") const {
    for (const auto& [name, m] : results) {
      if (name.rfind(prefix, 0) == 0 && m.count(counter)) return m.at(counter);
    }
    return 0;
  }
  std::map<std::string, std::map<std::string, double>> results;
  std::map<std::string, std::string> labels;
};

struct GoResult {
  double per_sec = 0;
  std::string root;
};

GoResult RunGo(const std::string& go, int64_t entries, int64_t batch) {
  const std::string cmd = go + " bench-append --entries " + std::to_string(entries) + " --batch " +
                          std::to_string(batch);
  GoResult out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  std::string text;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) text.append(buf, n);
  if (pclose(p) != 0) return out;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return out;
  out.per_sec = j.value("entries_per_sec", 0.0);
  out.root = j.value("root_hash", "");
  return out;
}

std::string Rate(double v) {
  char buf[64];
  if (v >= 1e6)
    std::snprintf(buf, sizeof buf, "%7.2fM/s", v / 1e6);
  else if (v >= 1e3)
    std::snprintf(buf, sizeof buf, "%7.1fk/s", v / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%7.0f/s ", v);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  std::string go;
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--go=", 0) == 0)
      go = a.substr(5);
    else
      args.push_back(argv[i]);
  }
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 1;
  Capture capture;
  benchmark::RunSpecifiedBenchmarks(&capture);

  std::printf("\n== summary (items per second; ratios against baselines run here, now) ==\n");
  constexpr int64_t kEntries = 1 << 20;
  for (int64_t batch : {1, 64, 1024}) {
    const int64_t entries = batch == 1 ? kEntries / 4 : kEntries;
    const std::string args_s = "/" + std::to_string(batch) + "/" + std::to_string(entries);
    const double mb = capture.Get("BM_AppendMemory/ipsec_mb" + args_s);
    const double os = capture.Get("BM_AppendMemory/openssl" + args_s);
    std::printf("append in memory, batch %4lld: accord %s (ipsec-mb) %s (openssl)",
                (long long)batch, Rate(mb).c_str(), Rate(os).c_str());
    if (!go.empty()) {
      GoResult g = RunGo(go, entries, batch);
      const auto& roots = accord::bench::Roots();
      auto it = roots.find("append/" + std::to_string(batch) + "/" + std::to_string(entries));
      const bool same = it != roots.end() && it->second == g.root;
      std::printf("  Go x/mod %s  ratio %.2fx (openssl %.2fx)%s", Rate(g.per_sec).c_str(),
                  g.per_sec > 0 ? std::max(mb, os) / g.per_sec : 0.0,
                  g.per_sec > 0 ? os / g.per_sec : 0.0, same ? "  roots equal" : "  ROOTS DIFFER");
    }
    std::printf("\n");
  }
  for (const char* mode : {"syncfs", "fsync_each"}) {
    for (auto [batch, entries] :
         {std::pair<int64_t, int64_t>{1, 2048}, {64, 65536}, {1024, kEntries}}) {
      const std::string name = std::string("BM_AppendFolder/") + mode + "/" +
                               std::to_string(batch) + "/" + std::to_string(entries);
      std::printf(
          "append into a folder (%-10s), durable per batch of %4lld: %s, %2.0f%% of the time "
          "syncing\n",
          mode, (long long)batch, Rate(capture.Get(name)).c_str(),
          100 * capture.Get(name, "fsync_share"));
    }
  }
  std::printf("inclusion proof, 1M-entry log:   generate %s  verify %s\n",
              Rate(capture.Get("BM_InclusionProof")).c_str(),
              Rate(capture.Get("BM_InclusionVerify")).c_str());
  std::printf("consistency proof, 1M-entry log: generate %s  verify %s\n",
              Rate(capture.Get("BM_ConsistencyProof")).c_str(),
              Rate(capture.Get("BM_ConsistencyVerify")).c_str());
  std::printf("checkpoint:                      sign     %s  verify %s\n",
              Rate(capture.Get("BM_CheckpointSign")).c_str(),
              Rate(capture.Get("BM_CheckpointVerify")).c_str());
  std::printf("sha256, 256-byte messages:       ipsec-mb %s  openssl %s  ratio %.2fx\n",
              Rate(capture.Get("BM_Sha256/ipsec_mb")).c_str(),
              Rate(capture.Get("BM_Sha256/openssl")).c_str(),
              capture.Get("BM_Sha256/openssl") > 0
                  ? capture.Get("BM_Sha256/ipsec_mb") / capture.Get("BM_Sha256/openssl")
                  : 0.0);
  benchmark::Shutdown();
  return 0;
}
