// `accord drill`: several parties' nodes on 127.0.0.1, each with its own data folder,
// keys and copy of a generated party directory, every node witnessing and monitoring
// the others — then a scenario played through their APIs, printed as a timeline, and a
// verification report. The demo, the exercise and the end-to-end test in one.
//
// Scenarios:
//   grid        an attack on party A's power-grid operator through a server in party
//               B: A seals its sensor capture and publishes the incident, the evidence
//               and a request to B; B's monitor picks the request up; B seals its own
//               capture of the server and discloses the matching packets, answering in
//               its log; A discloses its packets and publishes an attribution claim
//               citing both pieces of evidence; party C, which took part in nothing,
//               verifies the claim from the logs, the witnesses' cosignatures and the
//               disclosures alone.
//   split-view  B's operator forks B's log and shows party C the fork; the other
//               parties' witnesses and monitors catch it, an `equivocation` statement
//               is published and every honest node marks B's log compromised.
//   deadline    A sends B an emergency request that B leaves unanswered past its
//               acknowledgement deadline: both A's and B's case views flag it overdue;
//               B's late acknowledgement is accepted and shown as met late.
//   pickup      A sends statements to B at a steady pace; the report gives the time
//               from submission to pickup by B's monitor (median, p99).
#ifndef ACCORD_DRILL_DRILL_H_
#define ACCORD_DRILL_DRILL_H_

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "src/node/api.h"

namespace accord::drill {

struct Event {
  absl::Duration at;  // since the drill started
  std::string party;  // "A", "B", … or "" for the drill itself
  std::string what;
  bool ok = true;
};

struct DrillOptions {
  int parties = 3;
  std::string scenario = "grid";
  // Empty: a new temporary folder, removed when the drill ends unless `keep`. A named
  // folder must be empty or absent, and is always kept: accord never deletes what it
  // did not create.
  std::filesystem::path dir;
  bool keep = false;  // keep the temporary folder (and, in the CLI, the nodes running)
  absl::Duration poll_interval = absl::Milliseconds(200);
  int pickup_count = 200;   // statements sent by the pickup scenario
  int witness_quorum = -1;  // the directory's; -1: every other party (parties - 1)
  // The deadline scenario shortens the acknowledgement period of emergency requests to
  // this, so that a missed deadline shows within the drill.
  absl::Duration deadline_ack = absl::Seconds(2);
  uint64_t seed = 20261127;
  std::function<void(const Event&)> on_event;  // the timeline, as it happens
};

class Drill {
 public:
  static const std::vector<std::string>& Scenarios();

  // Creates keys and data folders, writes the directory, starts every node and waits
  // until each one's first checkpoint carries its witnesses' cosignatures.
  static absl::StatusOr<std::unique_ptr<Drill>> Start(const DrillOptions& options);
  ~Drill();  // stops the nodes; removes the temporary folder it made, unless keep

  // Plays the scenario. The report's "passed" says whether every step verified; a
  // failed step is recorded (and the scenario stops), not returned as an error.
  nlohmann::ordered_json Play();

  // Party letter, name and node URL, for --keep.
  struct NodeInfo {
    std::string letter, name, origin, url, data;
  };
  std::vector<NodeInfo> Nodes() const;
  const std::filesystem::path& dir() const;

  // The running node of party `letter` ("A", …), or null (tests drive the harness
  // directly: stop a node, restart it, read its monitor).
  node::NodeServer* Server(std::string_view letter);
  // Stops party `letter`'s node, or starts it again on the same port and data.
  absl::Status StopNode(std::string_view letter);
  absl::Status RestartNode(std::string_view letter);

  struct Impl;

 private:
  explicit Drill(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace accord::drill

#endif  // ACCORD_DRILL_DRILL_H_
