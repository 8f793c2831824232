// A party's node without its transport: the log, the statement index, intake and the
// sequencer, composed over the stores it is given (NodeOptions::stores; the composition
// root, src/party, opens them). The HTTP API (api.h) and the CLI call this.
//
// The node's data folder holds DIR/.lock, held by the node while it runs
// (store::FolderLock): one writer. The embedded backend keeps the rest there too
// (src/store/backends.h: DIR/log/, DIR/index.sqlite, …), and the keys beside them
// (src/party/keys.h).
#ifndef ACCORD_NODE_NODE_H_
#define ACCORD_NODE_NODE_H_

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "src/log/log.h"
#include "src/node/intake.h"
#include "src/node/sequencer.h"
#include "src/statement/statement.h"
#include "src/store/folder_lock.h"
#include "src/store/statement_index.h"

namespace accord::node {

// What a node keeps (src/store/backends.h has the whole bundle).
struct NodeStores {
  std::unique_ptr<store::LogStorage> log;
  std::unique_ptr<store::StatementIndex> index;
  // Other front ends of this party append to the same log and index (a database
  // backend): the sequencer then takes up their entries (SharedLog).
  bool shared = false;
};

struct NodeOptions {
  std::filesystem::path data_dir;
  // The party key: called once, while the node holds the data folder's lock (the
  // composition root, src/party, reads or creates DIR/party.key here). Required.
  std::function<absl::StatusOr<note::Ed25519Signer>()> key;
  // The log and the statement index: called once, after `key`, while the node holds the
  // data folder's lock (the composition root opens its store::Backends here). Required.
  std::function<absl::StatusOr<NodeStores>()> stores;
  SequencerOptions sequencer;
  BatchObserver batch_observer;  // metrics hook
  // The intake window: a statement whose `issued` lies more than this before the node's
  // clock is refused as backdated (more than kMaxFutureSkew after it, as future-dated).
  // What the other parties rely on when they start a procedure's clock from `issued`
  // (casework::CaseworkOptions::max_statement_age).
  absl::Duration max_statement_age = kDefaultMaxStatementAge;
};

struct SubmitResult {
  Receipt receipt;
  std::vector<tlog::Hash> inclusion_proof;  // of receipt.index in receipt.tree_size
};
using SubmitCallback = std::function<void(absl::StatusOr<SubmitResult>)>;

struct StatementRecord {
  store::IndexedStatement meta;
  std::string envelope;  // verbatim, as logged
};

class Node {
 public:
  // Opens (creating what is missing) the node in options.data_dir: takes the folder's
  // lock, then the key (options.key), the log and the index; re-indexes entries the
  // index lacks; loads the authorised officers. The node is the folder's only writer
  // while it lives: FailedPrecondition, naming the other process, if another node (or
  // `accord log append` on DIR/log) holds it.
  static absl::StatusOr<std::unique_ptr<Node>> Open(const NodeOptions& options);
  ~Node();

  // Checks `envelope` (Intake::Admit) and queues its logged form. On a check failure
  // returns the error and never calls `done`; otherwise `done` is called once, after the
  // statement is durable (or with the failure), on the sequencer's thread. A statement
  // the log already holds (the same StatementDigest, however spelled or signed) is
  // answered with the original's receipt (duplicate), without being checked again.
  // Thread-safe.
  absl::Status Submit(std::string envelope, SubmitCallback done);

  absl::StatusOr<StatementRecord> Get(uint64_t index) const;
  absl::StatusOr<store::IndexPage> List(const store::IndexQuery& query) const;

  log::Log& log() { return *log_; }
  const log::Log& log() const { return *log_; }
  const std::string& origin() const { return intake_->origin(); }
  const std::string& verifier_key() const { return vkey_; }
  const statement::Validator& validator() const { return *validator_; }
  SequencerStats stats() const { return sequencer_->stats(); }
  // OK while the node accepts statements.
  absl::Status health() const { return sequencer_->failure(); }
  // Stops the sequencer; queued submissions fail with Unavailable.
  void Stop();

  // Signs `payload_json` (a statement of `kind` issued by this party) with the party key
  // and submits it, as Submit. For statements the node itself makes (equivocation).
  absl::Status SignAndSubmit(statement::Kind kind, std::string_view payload_json,
                             SubmitCallback done);

  // Called after every committed batch, on the sequencer's thread: must not block.
  // Thread-safe; listeners stay until the node is destroyed.
  void AddCommitListener(std::function<void()> listener);

  // An extra check of every submission that passed intake (casework: the procedure's
  // state machine), before it is queued: a non-OK status refuses the submission with that
  // status (attach a problem name with WithProblemName). Set before serving.
  using SubmitCheck = std::function<absl::Status(const statement::Statement&)>;
  void SetSubmitCheck(SubmitCheck check) { submit_check_ = std::move(check); }
  // How refs into other parties' logs are resolved (the monitor: federation::Monitor::
  // Resolve's contract). Without one, such refs are refused as unresolved. Set before
  // the node serves.
  using RefResolver = std::function<absl::Status(const statement::Ref&)>;
  void SetRefResolver(RefResolver resolver) { ref_resolver_ = std::move(resolver); }

  // What GET /checkpoint serves: by default the log's latest signed checkpoint; a
  // publisher (federation: the latest checkpoint with its witnesses' cosignatures)
  // replaces it. Set before serving.
  void SetCheckpointPublisher(std::function<std::string()> publisher);
  std::string published_checkpoint() const;

 private:
  Node() = default;
  // What the validator cannot know: `issued` is not implausibly far in the future.
  absl::Status CheckAgainstLog(const statement::Statement& s) const;
  // bad-ref or unresolved-ref (see intake.h) unless `ref` cites what it says.
  absl::Status ResolveRef(const statement::Ref& ref) const;
  // The sequencer's answer to a submission, as `done` wants it (with its inclusion proof).
  SubmitDone Answer(SubmitCallback done);
  // Applies every officer decision in the log, in log order, to the intake.
  absl::Status LoadOfficers();

  std::unique_ptr<store::FolderLock> lock_;  // first: released after everything else
  std::optional<note::Ed25519Signer> signer_;
  std::function<std::string()> publisher_;
  SubmitCheck submit_check_;
  RefResolver ref_resolver_;
  absl::Duration max_statement_age_ = kDefaultMaxStatementAge;
  // Held while a submission takes its place in the sequencer's queue (= its position in
  // the log) and, for an officer statement, while its decision is applied there: so each
  // statement is judged by the officer decisions before it in the log, and by no other.
  absl::Mutex order_mu_;
  mutable absl::Mutex listeners_mu_;
  std::vector<std::function<void()>> listeners_ ABSL_GUARDED_BY(listeners_mu_);
  std::string vkey_;
  std::unique_ptr<statement::Validator> validator_;
  std::unique_ptr<log::Log> log_;
  std::unique_ptr<store::StatementIndex> index_;
  std::unique_ptr<Intake> intake_;
  std::unique_ptr<Sequencer> sequencer_;
};

}  // namespace accord::node

#endif  // ACCORD_NODE_NODE_H_
