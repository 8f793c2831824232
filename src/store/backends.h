// Every durable thing a party's node keeps, by role: one bundle, opened once by the
// composition root (src/party), whose parts it hands to the node and the federation.
// Each role has its own contract in its own header; none of the parts that use them sees
// a path, a SQLite handle or a connection.
//
// The embedded backend keeps the bundle in a data folder (the layout earlier versions
// wrote, so existing folders open unchanged):
//   DIR/log/                 the C2SP log (PosixLogStorage): tiles, bundles, checkpoint
//   DIR/index.sqlite         the statement index (derived from the log)
//   DIR/witness/             the witness's latest cosigned checkpoint per log
//   DIR/checkpoint.witnessed the checkpoint published with its witnesses' cosignatures
//   DIR/federation.sqlite    the monitor's state
//   DIR/bodies/              confidential bodies (FolderBodyStorage)
// Its writers are kept to one by the data folder's lock (store::FolderLock), which the
// node takes before it opens the bundle.
//
// The PostgreSQL backend (postgres.h) keeps the log, the index, the witness's state,
// the published checkpoint and the bodies in one database that several front ends of the party
// share; each front end's data folder keeps its keys, its lock and (for now) its own monitor state,
// DIR/federation.sqlite, which each front end derives from the peers' logs.
#ifndef ACCORD_STORE_BACKENDS_H_
#define ACCORD_STORE_BACKENDS_H_

#include <filesystem>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "src/store/body_storage.h"
#include "src/store/checkpoint_store.h"
#include "src/store/log_storage.h"
#include "src/store/monitor_state.h"
#include "src/store/statement_index.h"

namespace accord::store {

struct Backends {
  std::unique_ptr<LogStorage> log;        // the party's log
  std::unique_ptr<StatementIndex> index;  // what the log holds, indexed
  // Federated nodes only (null otherwise):
  std::unique_ptr<CheckpointStore> witness;    // by origin of each witnessed log
  std::unique_ptr<CheckpointStore> published;  // the published checkpoint
  std::unique_ptr<MonitorState> monitor;       // the monitor of the peers' logs
  std::string monitor_where;                   // where `monitor` lives, for messages
  std::unique_ptr<BodyStorage> bodies;         // confidential bodies (casework)
  // The log and index have other writers (front ends sharing a database).
  bool shared = false;
};

// The embedded backend in `data_dir` (created where missing): the log and the index, and
// with `federated` the federation's stores too. Refuses (PermissionDenied,
// ResourceExhausted, as store::CheckWritableFolder) a log folder that exists but cannot
// be written, so that a node does not start only to refuse every statement. Errors name
// the file.
absl::StatusOr<Backends> OpenEmbeddedBackends(const std::filesystem::path& data_dir,
                                              bool federated);

// The PostgreSQL backend at `conninfo` (a libpq connection string or postgresql:// URI),
// with the front end's own parts in `data_dir`. Errors as PostgresDatabase::Connect.
absl::StatusOr<Backends> OpenPostgresBackends(std::string conninfo,
                                              const std::filesystem::path& data_dir,
                                              bool federated);

// `store` as `accord serve --store` takes it: "" or "embedded" for the data folder,
// anything else a PostgreSQL connection string.
absl::StatusOr<Backends> OpenBackends(std::string_view store, const std::filesystem::path& data_dir,
                                      bool federated);

}  // namespace accord::store

#endif  // ACCORD_STORE_BACKENDS_H_
