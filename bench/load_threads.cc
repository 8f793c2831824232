// accord_load's "threads" driver: one blocking thread per in-flight request, all sharing
// one http::Client, so the keep-alive pool holds one connection per thread.
#include <thread>

#include "bench/load.h"
#include "src/http/client.h"

namespace accord::bench {

absl::StatusOr<LoadResult> RunThreaded(const LoadOptions& options,
                                       const std::vector<std::string>& envelopes) {
  http::ClientOptions co;
  co.max_idle_connections = static_cast<size_t>(options.connections);
  co.request_timeout = absl::Seconds(60);
  co.user_agent = "accord_load";
  auto client = http::Client::Create(options.url, co);
  if (!client.ok()) return client.status();

  const auto start = Clock::now();
  Dispenser dispenser(envelopes.size(),
                      start + std::chrono::nanoseconds(absl::ToInt64Nanoseconds(options.duration)));
  std::vector<Tally> tallies(options.connections);
  std::vector<std::thread> workers;
  for (int w = 0; w < options.connections; ++w) {
    workers.emplace_back([&, w] {
      Tally& tally = tallies[w];
      for (int64_t i; (i = dispenser.Next()) >= 0;) {
        const auto t0 = Clock::now();
        auto r = (*client)->Post("/v1/statements", envelopes[i]);
        const auto took = Clock::now() - t0;
        if (!r.ok()) {
          Record(tally, i, 0, std::string(r.status().message()), took, options.receipt_every);
        } else {
          Record(tally, i, r->status, r->body, took, options.receipt_every);
        }
      }
    });
  }
  for (auto& t : workers) t.join();
  LoadResult result;
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  result.sent = dispenser.handed_out();
  for (auto& t : tallies) result.tally.Merge(std::move(t));
  return result;
}

}  // namespace accord::bench
