// A node's part in the federation, composed: the party directory, the witness it runs
// for its peers (POST /add-checkpoint), the witnessing of its own checkpoints (what
// GET /checkpoint serves), and the monitor of its peers' logs (GET /v1/inbox,
// GET /v1/peers), wired together:
//  - every validly signed checkpoint the witness sees is cross-checked by the monitor,
//    and the monitor also compares what it follows with what the witness cosigned;
//  - a split view the monitor proves is published as an `equivocation` statement in
//    this party's log, signed by the party key and addressed to every other party;
//  - every committed batch wakes the witnessing.
//
// What it keeps (FederationStores) it is given; it opens no file but the directory.
#ifndef ACCORD_FEDERATION_FEDERATION_H_
#define ACCORD_FEDERATION_FEDERATION_H_

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "src/federation/directory.h"
#include "src/federation/monitor.h"
#include "src/federation/witness.h"
#include "src/federation/witnessing.h"
#include "src/node/api.h"
#include "src/store/checkpoint_store.h"
#include "src/store/monitor_state.h"

namespace accord::federation {

// What the federation keeps. The composition root (src/party) opens them; the
// embedded backend keeps them in the node's data folder.
struct FederationStores {
  // The witness's latest cosigned checkpoint of each log it witnesses, by origin.
  std::unique_ptr<store::CheckpointStore> witness;
  // The checkpoint the node publishes with its witnesses' cosignatures.
  std::unique_ptr<store::CheckpointStore> published;
  // The monitor's state, and where it lives (for messages).
  std::unique_ptr<store::MonitorState> monitor;
  std::string monitor_where;
};

struct FederationOptions {
  std::filesystem::path directory_file;
  // The stores, opened once when the federation attaches (the node then holds its data
  // folder). Required.
  std::function<absl::StatusOr<FederationStores>()> stores;
  // The witness key (type 0x04), given the name WitnessNameFor derives from the node's
  // origin; called once when the federation attaches (the composition root, src/party,
  // reads or creates DATA/witness.key here). Required.
  std::function<absl::StatusOr<note::CosignatureV1Signer>(std::string_view name)> witness_key;
  absl::Duration poll_interval = absl::Seconds(1);
  absl::Duration request_timeout = absl::Seconds(5);
};

// The witness name a node derives from its log origin.
std::string WitnessNameFor(std::string_view origin);

class Federation final : public node::NodeExtension {
 public:
  // Called by the node's extension (party::PartyExtension). Checks that the directory
  // lists this node's origin with its log key (a node whose peers cannot verify it is a
  // misconfiguration: FailedPrecondition), opens the parts over options.stores and
  // registers their routes. Threads start here.
  static absl::StatusOr<std::unique_ptr<Federation>> Attach(node::Node& node, http::Router& router,
                                                            http::Registry& metrics,
                                                            const FederationOptions& options);
  ~Federation() override;

  void Stop() override;
  std::string name() const override { return "federation"; }
  nlohmann::json Health(bool& healthy) const override;

  DirectoryWatcher& directory() { return *directory_; }
  Witness& witness() { return *witness_; }
  Witnessing& witnessing() { return *witnessing_; }
  Monitor& monitor() { return *monitor_; }
  // GET /v1/peers: the directory, every peer as the monitor sees it, every witness of
  // this log as the witnessing sees it.
  nlohmann::json PeersJson() const;

 private:
  Federation() = default;

  node::Node* node_ = nullptr;
  std::unique_ptr<DirectoryWatcher> directory_;
  std::unique_ptr<Witness> witness_;
  std::unique_ptr<Witnessing> witnessing_;
  std::unique_ptr<Monitor> monitor_;
};

}  // namespace accord::federation

#endif  // ACCORD_FEDERATION_FEDERATION_H_
