// The PostgreSQL backend: a party's log, the checkpoints it keeps by name and its
// statement index in one PostgreSQL database, so that several `accord serve` front ends
// of one party share one log. Each role keeps its header's contract; what PostgreSQL
// adds or changes is said here.
//
//  - One database per party. The schema is versioned (table accord_migrations) and
//    migrated forward when a backend opens it, under an advisory lock; a database of a
//    newer version than this accord knows is refused.
//  - Log commit: one transaction — the checkpoint row locked (SELECT … FOR UPDATE) and
//    compared, every object upserted, the checkpoint updated, COMMIT. So the tiles and
//    the checkpoint are atomic together, and a front end that lost the race wrote
//    nothing. Durable on return as far as the server's synchronous_commit promises
//    (on, the default: flushed; with a synchronous standby and remote_apply or on: on
//    the standby too).
//  - A failed commit whose COMMIT got no answer (the connection was cut) is uncertain:
//    Unavailable, and the log's writer takes it up from what is stored.
//  - Errors: Unavailable when the server cannot be reached or is a read-only standby,
//    ResourceExhausted when it is out of disk; messages name the database, never a
//    password.
//  - libpq's multi-host connection strings (host=a,b target_session_attrs=read-write)
//    find the new primary after a failover; every operation takes a healthy connection
//    from the pool or makes one.
#ifndef ACCORD_STORE_POSTGRES_H_
#define ACCORD_STORE_POSTGRES_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "src/store/body_storage.h"
#include "src/store/checkpoint_store.h"
#include "src/store/log_storage.h"
#include "src/store/statement_index.h"

namespace accord::store {

namespace pg {
class Pool;
}

// A migrated database: connections to it, shared by the backends made from it.
class PostgresDatabase {
 public:
  // `conninfo` is a libpq connection string or a postgresql:// URI. InvalidArgument if
  // it does not parse; Unavailable (libpq's reason) if the server cannot be reached.
  static absl::StatusOr<std::shared_ptr<PostgresDatabase>> Connect(std::string conninfo);
  // The database as people may see it (host, port, dbname, user; never the password).
  const std::string& where() const;

  // The log named `name` (a party has one, "log").
  std::unique_ptr<LogStorage> Log(std::string name = "log");
  // Checkpoints by name in `space` ("witness", "published").
  std::unique_ptr<CheckpointStore> Checkpoints(std::string space);
  // The statement index. Add accepts a batch that starts below IndexedSize() (another
  // front end indexed those entries first): the prefix already held is skipped, after
  // checking that its leaf hashes agree (DataLoss if not). A statement whose digest is
  // already indexed under an earlier index (two front ends accepted it at once, so the
  // log holds it twice) is not indexed again: FindByDigest answers with the first.
  std::unique_ptr<StatementIndex> Index();
  // Confidential bodies (one Put is one transaction).
  std::unique_ptr<BodyStorage> Bodies();

  pg::Pool& pool() { return *pool_; }

 private:
  explicit PostgresDatabase(std::shared_ptr<pg::Pool> pool) : pool_(std::move(pool)) {}
  std::shared_ptr<pg::Pool> pool_;
};

}  // namespace accord::store

#endif  // ACCORD_STORE_POSTGRES_H_
