// Private to src/store: the pieces its PostgreSQL backends share — a pool of libpq
// connections to one database, statements with typed parameters, results read by
// column, errors mapped to absl codes, and the versioned migrations. No other part
// includes this or libpq-fe.h (scripts/tidy checks it).
#ifndef ACCORD_STORE_PG_UTIL_H_
#define ACCORD_STORE_PG_UTIL_H_

#include <libpq-fe.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace accord::store::pg {

class Connection;
class Pool;
absl::Status InTransaction(Pool& pool, std::string_view what,
                           const std::function<absl::Status(Connection&)>& body);

// A parameter: text (numbers, names) or binary (bytea), or NULL.
struct Param {
  static Param Text(std::string_view v) { return {std::string(v), false, false}; }
  static Param Int(int64_t v) { return {std::to_string(v), false, false}; }
  static Param Bytes(std::string_view v) { return {std::string(v), true, false}; }
  static Param Null() { return {{}, false, true}; }
  std::string value;
  bool binary = false;
  bool null = false;
};

// A query's rows, every column in binary format.
class Result {
 public:
  explicit Result(PGresult* r) : r_(r) {}
  int rows() const { return PQntuples(r_.get()); }
  // Rows changed by INSERT / UPDATE / DELETE.
  int64_t affected() const;
  bool IsNull(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  std::string Bytes(int row, int col) const;
  int64_t Int(int row, int col) const;  // int8 or int4 column
  bool Bool(int row, int col) const;
  const PGresult* get() const { return r_.get(); }

 private:
  struct Clear {
    void operator()(PGresult* r) const { PQclear(r); }
  };
  std::unique_ptr<PGresult, Clear> r_;
};

// One connection, leased from a Pool to one thread at a time.
class Connection {
 public:
  ~Connection();
  // Runs `sql` with `params` ($1, $2, …). Errors: "<what>: <server message>" with
  //  - Unavailable: the connection is gone, the server shuts down or is not yet ready,
  //    or is a read-only standby (class 08, 57P0x, 25006) — try again, maybe elsewhere;
  //  - ResourceExhausted: disk full, out of memory (53xxx);
  //  - Aborted: serialization failure or deadlock (40001, 40P01): retry the transaction;
  //  - AlreadyExists: a unique constraint (23505);
  //  - Internal otherwise.
  // Never FailedPrecondition: the backends reserve it for a lost compare-and-swap.
  absl::StatusOr<Result> Exec(std::string_view sql, const std::vector<Param>& params,
                              std::string_view what);
  // Runs one or more statements without parameters (the simple query protocol).
  absl::Status Run(std::string_view sql, std::string_view what);
  bool healthy() const { return PQstatus(conn_) == CONNECTION_OK && !broken_; }

 private:
  friend class Pool;
  friend absl::Status InTransaction(Pool& pool, std::string_view what,
                                    const std::function<absl::Status(Connection&)>& body);
  explicit Connection(PGconn* c) : conn_(c) {}
  PGconn* conn_;
  bool broken_ = false;  // an error left it in an unknown state (inside a transaction)
};

// A leased connection: back to the pool when destroyed, or closed if no longer healthy.
class Lease {
 public:
  Lease(Pool* pool, std::unique_ptr<Connection> c) : pool_(pool), c_(std::move(c)) {}
  Lease(Lease&&) = default;
  ~Lease();
  Connection* operator->() { return c_.get(); }
  Connection& operator*() { return *c_; }

 private:
  Pool* pool_;
  std::unique_ptr<Connection> c_;
};

// Connections to one database (libpq conninfo or postgresql:// URI). A list of hosts
// with target_session_attrs=read-write lets libpq find the primary after a failover;
// a new connection is made whenever no healthy one is idle. Thread-safe.
class Pool {
 public:
  // Connects once (Unavailable, with libpq's reason, if it cannot) and migrates the
  // schema to the newest version this accord knows.
  static absl::StatusOr<std::shared_ptr<Pool>> Open(std::string conninfo);
  absl::StatusOr<Lease> Acquire();
  // The conninfo without a password, for messages.
  const std::string& where() const { return where_; }

 private:
  friend class Lease;
  Pool(std::string conninfo, std::string where)
      : conninfo_(std::move(conninfo)), where_(std::move(where)) {}
  void Release(std::unique_ptr<Connection> c);
  const std::string conninfo_, where_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_ ABSL_GUARDED_BY(mu_);
};

// Runs `body` in a transaction (BEGIN … COMMIT) on a leased connection; ROLLBACK if it
// fails. A failed COMMIT is reported as it came (Unavailable when the connection was
// lost: the outcome is then uncertain).
absl::Status InTransaction(Pool& pool, std::string_view what,
                           const std::function<absl::Status(Connection&)>& body);

// The newest schema version this build knows (migrations 1..kSchemaVersion).
inline constexpr int kSchemaVersion = 2;

}  // namespace accord::store::pg

#endif  // ACCORD_STORE_PG_UTIL_H_
