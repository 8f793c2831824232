// accord_load: drives a running node's POST /v1/statements with pre-signed statements
// and reports acknowledged statements/s against the Ed25519 ceiling (bench/load.h).
//
//   accord_load --node http://127.0.0.1:PORT --data DIR [--duration 15] [--json]
//
// DIR is the node's data folder (its party key signs the statements). Exits non-zero
// only if the run could not be made or a sampled receipt does not verify: figures
// never fail it.
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/load.h"
#include "src/http/client.h"
#include "src/node/client.h"
#include "src/note/checkpoint.h"
#include "src/store/durable_file.h"
#include "src/util/encoding.h"
#include "src/util/strings.h"

namespace accord::bench {
namespace {

using nlohmann::json;

struct Args {
  std::string node, data, key, driver = "async", json_out;
  size_t count = 200'000;
  double duration = 15;
  int connections = 128, threads = 1;
  int ceiling_threads = 2;
  int node_pid = 0;
  double ceiling_seconds = 1.5;
  size_t receipt_every = 64;
  uint64_t first = 0;
  bool json = false;
  bool ceiling_only = false;
};

// The log's size now, from its signed checkpoint (checked with `key`).
absl::StatusOr<uint64_t> LogSize(const std::string& url, const note::Verifier& key) {
  auto client = node::NodeClient::Create(url);
  if (!client.ok()) return client.status();
  auto text = (*client)->Get("/checkpoint");
  if (!text.ok()) return text.status();
  auto cp = note::OpenCheckpoint(*text, key.Name(), key);
  if (!cp.ok()) return cp.status();
  return cp->checkpoint.size;
}

struct Report {
  json doc;
  bool receipts_ok = true;
};

Report Summarise(const Args& a, const Ceiling& ceiling, LoadResult& r,
                 const std::vector<std::string>& envelopes, const note::Verifier& key,
                 uint64_t size_before, uint64_t size_after) {
  auto& lat = r.tally.latency_us;
  std::sort(lat.begin(), lat.end());
  const uint64_t created = r.tally.outcomes["201"];
  uint64_t answered = 0;
  for (const auto& [k, v] : r.tally.outcomes) answered += v;
  const double ack_per_sec = created / r.seconds;

  Report rep;
  size_t verified = 0;
  std::string first_fault;
  for (const auto& [i, body] : r.tally.receipts) {
    auto doc = node::ParseReceipt(body);
    absl::Status s = doc.ok() ? node::VerifyReceipt(*doc, envelopes[i], key) : doc.status();
    if (s.ok()) {
      ++verified;
    } else if (first_fault.empty()) {
      first_fault = absl::StrCat("envelope ", i, ": ", s.message());
    }
  }
  rep.receipts_ok = verified == r.tally.receipts.size();
  json errors = json::object();
  for (const auto& [k, v] : r.tally.outcomes) {
    if (k != "201" && k != "200") errors[k] = v;
  }
  rep.doc = {
      {"driver", a.driver},
      {"connections", a.connections},
      {"driver_threads", a.driver == "async" ? a.threads : a.connections},
      {"seconds", r.seconds},
      {"sent", r.sent},
      {"answered", answered},
      {"acknowledged", created},
      {"duplicates", r.tally.outcomes["200"]},
      {"errors", errors},
      {"ack_per_sec", ack_per_sec},
      {"latency_ms",
       {{"p50", PercentileMs(lat, 50)},
        {"p90", PercentileMs(lat, 90)},
        {"p99", PercentileMs(lat, 99)},
        {"max", lat.empty() ? 0.0 : lat.back() / 1000.0}}},
      {"ceiling",
       {{"threads", a.ceiling_threads},
        {"ed25519_verify_per_sec", ceiling.verify_per_sec},
        {"intake_per_sec", ceiling.intake_per_sec},
        {"pae_bytes", ceiling.pae_bytes}}},
      {"ratio_to_verify_ceiling", ack_per_sec / ceiling.verify_per_sec},
      {"ratio_to_intake_ceiling", ack_per_sec / ceiling.intake_per_sec},
      {"receipts", {{"sampled", r.tally.receipts.size()}, {"verified", verified}}},
      {"log_size", {{"before", size_before}, {"after", size_after}}},
  };
  if (!first_fault.empty()) rep.doc["receipts"]["first_fault"] = first_fault;
  return rep;
}

void PrintHuman(const json& d) {
  const auto& l = d["latency_ms"];
  const auto& c = d["ceiling"];
  std::printf("accord_load: %s driver, %d connections, %.1f s\n",
              d["driver"].get<std::string>().c_str(), d["connections"].get<int>(),
              d["seconds"].get<double>());
  std::printf("  acknowledged   %llu new statements (%llu duplicates), %.0f/s\n",
              d["acknowledged"].get<unsigned long long>(),
              d["duplicates"].get<unsigned long long>(), d["ack_per_sec"].get<double>());
  std::printf("  latency        p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  max %.1f ms\n",
              l["p50"].get<double>(), l["p90"].get<double>(), l["p99"].get<double>(),
              l["max"].get<double>());
  std::printf("  errors         %s\n", d["errors"].empty() ? "none" : d["errors"].dump().c_str());
  std::printf(
      "  ceiling        %.0f Ed25519 verifies/s on %d threads (%zu-byte PAE; higher of %.0f "
      "before and %.0f after)\n",
      c["ed25519_verify_per_sec"].get<double>(), c["threads"].get<int>(),
      c["pae_bytes"].get<size_t>(), c["verify_per_sec_before_after"][0].get<double>(),
      c["verify_per_sec_before_after"][1].get<double>());
  std::printf("                 %.0f intake checks/s (parse + schema + verify, no HTTP)\n",
              c["intake_per_sec"].get<double>());
  std::printf("  ratio          %.1f%% of the verify ceiling, %.1f%% of the intake ceiling\n",
              100 * d["ratio_to_verify_ceiling"].get<double>(),
              100 * d["ratio_to_intake_ceiling"].get<double>());
  std::printf("  receipts       %zu of %zu sampled verified (checkpoint signature, inclusion)\n",
              d["receipts"]["verified"].get<size_t>(), d["receipts"]["sampled"].get<size_t>());
  if (d.contains("cpu") && d["cpu"].contains("node_us_per_ack")) {
    const auto& u = d["cpu"];
    std::printf(
        "  cpu            node %.0f µs/statement (Ed25519 verify alone: %.0f µs), load generator "
        "%.0f µs;\n                 the node waited for a core %.0f%% of its runnable time; "
        "%.0f/s if CPU-bound on %.0f cores\n",
        u["node_us_per_ack"].get<double>(), u["verify_us_per_ack"].get<double>(),
        u["load_us_per_ack"].get<double>(), 100 * u["node_runqueue_share"].get<double>(),
        u["cpu_bound_ack_per_sec"].get<double>(), u["cores"].get<double>());
  }
  std::printf("  log            %llu → %llu entries\n",
              d["log_size"]["before"].get<unsigned long long>(),
              d["log_size"]["after"].get<unsigned long long>());
}

// The party key: from the node's data folder, or a fresh one for --ceiling-only.
absl::StatusOr<note::Ed25519Signer> PartyKey(const Args& a) {
  std::string text;
  if (a.ceiling_only && a.data.empty() && a.key.empty()) {
    auto pair = note::GenerateKey("load.accord.localhost/log");
    if (!pair.ok()) return pair.status();
    text = pair->private_key;
  } else {
    auto file = store::ReadWholeFile(a.key.empty() ? a.data + "/party.key" : a.key);
    if (!file.ok()) return file.status();
    text = *std::move(file);
  }
  return note::NewSigner(util::StripWhitespace(text));
}

absl::Status Run(Args& a) {
  auto signer = PartyKey(a);
  if (!signer.ok()) return signer.status();
  auto verifier = note::NewVerifier(signer->VerifierKeyString());
  if (!verifier.ok()) return verifier.status();
  if (a.first == 0) a.first = std::random_device()() | (uint64_t{std::random_device()()} << 20);

  const auto t0 = Clock::now();
  const auto envelopes = SignIncidents(*signer, a.count, a.first, 2);
  const double sign_secs = std::chrono::duration<double>(Clock::now() - t0).count();
  if (!a.json) {
    std::fprintf(stderr, "accord_load: signed %zu envelopes (%zu bytes each) in %.1f s\n",
                 envelopes.size(), envelopes[0].size(), sign_secs);
  }
  auto ceiling =
      MeasureCeiling(envelopes, **verifier, a.ceiling_threads, absl::Seconds(a.ceiling_seconds));
  if (!ceiling.ok()) return ceiling.status();
  if (a.ceiling_only) {
    json c = {{"threads", a.ceiling_threads},
              {"ed25519_verify_per_sec", ceiling->verify_per_sec},
              {"intake_per_sec", ceiling->intake_per_sec},
              {"pae_bytes", ceiling->pae_bytes}};
    std::printf("%s\n", a.json ? c.dump(2).c_str()
                               : absl::StrFormat("ceiling: %.0f Ed25519 verifies/s, %.0f intake "
                                                 "checks/s on %d threads (%zu-byte PAE)",
                                                 ceiling->verify_per_sec, ceiling->intake_per_sec,
                                                 a.ceiling_threads, ceiling->pae_bytes)
                                     .c_str());
    return absl::OkStatus();
  }

  auto before = LogSize(a.node, **verifier);
  if (!before.ok()) return before.status();
  LoadOptions o;
  o.url = a.node;
  o.connections = a.connections;
  o.threads = a.threads;
  o.duration = absl::Seconds(a.duration);
  o.receipt_every = a.receipt_every;
  // CPU spent by the node and by this program during the load: unlike rates, CPU time
  // per statement hardly changes when other programs compete for the cores.
  auto node_cpu0 = a.node_pid > 0 ? ReadProcessCpu(a.node_pid) : absl::StatusOr<ProcessCpu>();
  auto self_cpu0 = ReadProcessCpu(0);
  auto result = a.driver == "threads" ? RunThreaded(o, envelopes) : RunAsync(o, envelopes);
  if (!result.ok()) return result.status();
  const auto node_cpu1 = a.node_pid > 0 ? ReadProcessCpu(a.node_pid) : node_cpu0;
  const auto self_cpu1 = ReadProcessCpu(0);
  auto after = LogSize(a.node, **verifier);
  if (!after.ok()) return after.status();
  auto again =
      MeasureCeiling(envelopes, **verifier, a.ceiling_threads, absl::Seconds(a.ceiling_seconds));
  if (!again.ok()) return again.status();
  const Ceiling first = *ceiling;
  ceiling->verify_per_sec = std::max(first.verify_per_sec, again->verify_per_sec);
  ceiling->intake_per_sec = std::max(first.intake_per_sec, again->intake_per_sec);

  Report rep = Summarise(a, *ceiling, *result, envelopes, **verifier, *before, *after);
  rep.doc["envelope_bytes"] = envelopes[0].size();
  rep.doc["ceiling"]["verify_per_sec_before_after"] = {first.verify_per_sec, again->verify_per_sec};
  rep.doc["ceiling"]["intake_per_sec_before_after"] = {first.intake_per_sec, again->intake_per_sec};
  if (const double acks = rep.doc["acknowledged"].get<double>();
      acks > 0 && self_cpu0.ok() && self_cpu1.ok()) {
    json cpu = {{"load_us_per_ack", 1e6 * (self_cpu1->on_cpu_sec - self_cpu0->on_cpu_sec) / acks}};
    if (a.node_pid > 0 && node_cpu0.ok() && node_cpu1.ok()) {
      const double node_us = 1e6 * (node_cpu1->on_cpu_sec - node_cpu0->on_cpu_sec) / acks;
      const double cores = std::thread::hardware_concurrency();
      cpu["node_us_per_ack"] = node_us;
      cpu["node_runqueue_share"] =
          (node_cpu1->runqueue_sec - node_cpu0->runqueue_sec) /
          std::max(1e-9, node_cpu1->on_cpu_sec - node_cpu0->on_cpu_sec + node_cpu1->runqueue_sec -
                             node_cpu0->runqueue_sec);
      cpu["cores"] = cores;
      // What the node would do with every core to itself and the load generator.
      cpu["cpu_bound_ack_per_sec"] = cores * 1e6 / (node_us + cpu["load_us_per_ack"].get<double>());
      cpu["verify_us_per_ack"] = a.ceiling_threads * 1e6 / ceiling->verify_per_sec;
    }
    rep.doc["cpu"] = cpu;
  }
  if (!a.json_out.empty()) {
    if (FILE* f = std::fopen(a.json_out.c_str(), "w")) {
      std::fprintf(f, "%s\n", rep.doc.dump(2).c_str());
      std::fclose(f);
    } else {
      return absl::InternalError(absl::StrCat("cannot write ", a.json_out));
    }
  }
  if (a.json) {
    std::printf("%s\n", rep.doc.dump(2).c_str());
  } else {
    PrintHuman(rep.doc);
  }
  if (!rep.receipts_ok) {
    return absl::DataLossError(absl::StrCat("a sampled receipt does not verify: ",
                                            rep.doc["receipts"].value("first_fault", "")));
  }
  return absl::OkStatus();
}

}  // namespace
}  // namespace accord::bench

int main(int argc, char** argv) {
  accord::bench::Args a;
  CLI::App app{"Load generator for an accord node's POST /v1/statements (bench/README.md)"};
  app.add_option("--node", a.node, "Node URL, e.g. http://127.0.0.1:7380");
  app.add_flag("--ceiling-only", a.ceiling_only,
               "Only measure the ceiling (no node needed; --count envelopes)");
  app.add_option("--data", a.data, "The node's data folder (its party.key signs)");
  app.add_option("--key", a.key, "Party key file (default: DATA/party.key)");
  app.add_option("--count", a.count, "Envelopes to pre-sign (the run's upper bound)")
      ->capture_default_str();
  app.add_option("--duration", a.duration, "Seconds to send for")->capture_default_str();
  app.add_option("--connections", a.connections, "Requests in flight")->capture_default_str();
  app.add_option("--driver", a.driver, "async (Asio) or threads (http::Client)")
      ->check(CLI::IsMember({"async", "threads"}))
      ->capture_default_str();
  app.add_option("--threads", a.threads, "I/O threads of the async driver")->capture_default_str();
  app.add_option("--ceiling-threads", a.ceiling_threads, "Threads for the ceiling")
      ->capture_default_str();
  app.add_option("--ceiling-seconds", a.ceiling_seconds, "Seconds per ceiling measurement")
      ->capture_default_str();
  app.add_option("--receipt-every", a.receipt_every, "Verify every N-th receipt")
      ->capture_default_str();
  app.add_option("--node-pid", a.node_pid,
                 "The node's process id: report its CPU time per acknowledged statement");
  app.add_option("--first", a.first, "Number of the first statement (default: random)");
  app.add_flag("--json", a.json, "Print the result as JSON");
  app.add_option("--json-out", a.json_out, "Also write the result as JSON to this file");
  CLI11_PARSE(app, argc, argv);
  if (!a.ceiling_only && (a.node.empty() || (a.data.empty() && a.key.empty()))) {
    std::fprintf(stderr, "accord_load: --node and --data (or --key) are required\n");
    return 2;
  }
  if (a.count == 0 || a.connections < 1) {
    std::fprintf(stderr, "accord_load: --count and --connections must be positive\n");
    return 2;
  }
  if (absl::Status s = accord::bench::Run(a); !s.ok()) {
    std::fprintf(stderr, "accord_load: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  return 0;
}
