#include "src/store/pg_util.h"

#include <arpa/inet.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace accord::store::pg {
namespace {

// The migrations, in order: migration N brings the schema from version N-1 to N. They
// are applied once each, in one transaction per run, under an advisory lock, so front
// ends starting together do not race. Never edit a released migration; add one.
//
// One database holds one party: its log (by name, "log"), the checkpoints it keeps by
// name (per space: the witness's, the published one), and the index of its statements.
constexpr const char* kMigrations[] = {
    // 1: the log, checkpoints by name, the statement index.
    R"sql(
CREATE TABLE log_checkpoints(
  log text PRIMARY KEY,
  checkpoint bytea NOT NULL);
CREATE TABLE log_objects(
  log text NOT NULL,
  path text NOT NULL,
  data bytea NOT NULL,
  PRIMARY KEY (log, path));
CREATE TABLE checkpoints(
  space text NOT NULL,
  name bytea NOT NULL,
  value bytea NOT NULL,
  PRIMARY KEY (space, name));
CREATE TABLE statements(
  idx bigint PRIMARY KEY,
  leaf_hash bytea NOT NULL,
  kind text NOT NULL,
  issuer text NOT NULL,
  issued bigint NOT NULL,
  signer text NOT NULL,
  private bytea,
  digest bytea NOT NULL);
CREATE UNIQUE INDEX statements_digest ON statements(digest);
CREATE INDEX statements_private ON statements(private) WHERE private IS NOT NULL;
CREATE INDEX statements_kind ON statements(kind, idx);
CREATE INDEX statements_issuer ON statements(issuer, idx);
CREATE TABLE refs(
  idx bigint NOT NULL,
  pos int NOT NULL,
  origin text NOT NULL,
  ref_index bigint NOT NULL,
  ref_leaf bytea NOT NULL,
  PRIMARY KEY (idx, pos));
CREATE INDEX refs_target ON refs(origin, ref_index, idx);
CREATE TABLE addressees(
  idx bigint NOT NULL,
  pos int NOT NULL,
  party text NOT NULL,
  PRIMARY KEY (idx, pos));
CREATE INDEX addressees_party ON addressees(party, idx);
CREATE TABLE index_size(
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  size bigint NOT NULL);
INSERT INTO index_size(one, size) VALUES (true, 0);
)sql",
    // 2: confidential bodies, by commitment and addressee, each with its SHA-256.
    R"sql(
CREATE TABLE bodies(
  commitment text NOT NULL,
  addressee text NOT NULL,
  sealed bytea NOT NULL,
  sha256 bytea NOT NULL,
  PRIMARY KEY (commitment, addressee));
)sql",
};
static_assert(std::size(kMigrations) == kSchemaVersion);

// pg_advisory_xact_lock key for migrations: "accord" in ASCII.
constexpr int64_t kMigrationLock = 0x6163636f7264;

absl::Status ErrorOf(PGconn* conn, const PGresult* r, std::string_view what) {
  const char* state = r != nullptr ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string message = r != nullptr ? PQresultErrorMessage(r) : "";
  if (message.empty()) message = PQerrorMessage(conn);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  const std::string text = absl::StrCat("PostgreSQL: ", std::string(what), ": ", message);
  const std::string_view s = state != nullptr ? state : "";
  if (PQstatus(conn) != CONNECTION_OK || s.starts_with("08") || s.starts_with("57P") ||
      s == "25006" || s.empty()) {
    return absl::UnavailableError(text);
  }
  if (s.starts_with("53")) return absl::ResourceExhaustedError(text);
  if (s == "40001" || s == "40P01") return absl::AbortedError(text);
  if (s == "23505") return absl::AlreadyExistsError(text);
  return absl::InternalError(text);
}

// The conninfo as people may see it: libpq's parsed options, without the password.
std::string Describe(const std::string& conninfo) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
  if (opts == nullptr) {
    PQfreemem(err);
    return "postgresql (unparsable connection string)";
  }
  std::string out = "postgresql:";
  for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || *o->val == '\0') continue;
    const std::string_view k = o->keyword;
    if (k == "host" || k == "hostaddr" || k == "port" || k == "dbname" || k == "user") {
      absl::StrAppend(&out, " ", std::string(k), "=", o->val);
    }
  }
  PQconninfoFree(opts);
  return out;
}

absl::Status Migrate(Connection& c) {
  if (auto s = c.Run("CREATE TABLE IF NOT EXISTS accord_migrations("
                     "version int PRIMARY KEY, applied timestamptz NOT NULL DEFAULT now())",
                     "create the migrations table");
      !s.ok()) {
    return s;
  }
  auto current = c.Exec("SELECT COALESCE(MAX(version), 0)::int8 FROM accord_migrations", {},
                        "read the schema version");
  if (!current.ok()) return current.status();
  const int64_t version = current->Int(0, 0);
  if (version > kSchemaVersion) {
    return absl::FailedPreconditionError(absl::StrCat("the database's schema is version ", version,
                                                      ", newer than this accord knows (",
                                                      kSchemaVersion, "): run a newer accord"));
  }
  for (int64_t v = version + 1; v <= kSchemaVersion; ++v) {
    if (auto s = c.Run(kMigrations[v - 1], absl::StrCat("migration ", v)); !s.ok()) return s;
    auto done = c.Exec("INSERT INTO accord_migrations(version) VALUES ($1)", {Param::Int(v)},
                       "record the migration");
    if (!done.ok()) return done.status();
  }
  return absl::OkStatus();
}

}  // namespace

int64_t Result::affected() const {
  const char* n = PQcmdTuples(r_.get());
  return n != nullptr && *n != '\0' ? std::strtoll(n, nullptr, 10) : 0;
}

std::string Result::Bytes(int row, int col) const {
  return std::string(PQgetvalue(r_.get(), row, col),
                     static_cast<size_t>(PQgetlength(r_.get(), row, col)));
}

int64_t Result::Int(int row, int col) const {
  const char* v = PQgetvalue(r_.get(), row, col);
  const int n = PQgetlength(r_.get(), row, col);
  if (n == 8) {
    uint32_t hi, lo;
    std::memcpy(&hi, v, 4);
    std::memcpy(&lo, v + 4, 4);
    return static_cast<int64_t>((uint64_t{ntohl(hi)} << 32) | ntohl(lo));
  }
  if (n == 4) {
    uint32_t x;
    std::memcpy(&x, v, 4);
    return static_cast<int32_t>(ntohl(x));
  }
  return 0;
}

bool Result::Bool(int row, int col) const {
  return PQgetlength(r_.get(), row, col) == 1 && PQgetvalue(r_.get(), row, col)[0] != 0;
}

Connection::~Connection() { PQfinish(conn_); }

absl::StatusOr<Result> Connection::Exec(std::string_view sql, const std::vector<Param>& params,
                                        std::string_view what) {
  std::vector<const char*> values(params.size());
  std::vector<int> lengths(params.size()), formats(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    values[i] = params[i].null ? nullptr : params[i].value.data();
    lengths[i] = static_cast<int>(params[i].value.size());
    formats[i] = params[i].binary ? 1 : 0;
  }
  const std::string text(sql);
  Result r(PQexecParams(conn_, text.c_str(), static_cast<int>(params.size()), nullptr,
                        values.data(), lengths.data(), formats.data(), /*resultFormat=*/1));
  const ExecStatusType status = r.get() != nullptr ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return r;
  broken_ = true;  // until the transaction is rolled back (InTransaction clears it)
  return ErrorOf(conn_, r.get(), what);
}

absl::Status Connection::Run(std::string_view sql, std::string_view what) {
  const std::string text(sql);
  Result r(PQexec(conn_, text.c_str()));
  const ExecStatusType status = r.get() != nullptr ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return absl::OkStatus();
  broken_ = true;
  return ErrorOf(conn_, r.get(), what);
}

absl::StatusOr<std::shared_ptr<Pool>> Pool::Open(std::string conninfo) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
  if (opts == nullptr) {
    std::string why = err != nullptr ? err : "unparsable";
    PQfreemem(err);
    while (!why.empty() && why.back() == '\n') why.pop_back();
    return absl::InvalidArgumentError(absl::StrCat("bad PostgreSQL connection string: ", why));
  }
  PQconninfoFree(opts);
  std::string where = Describe(conninfo);
  std::shared_ptr<Pool> pool(new Pool(std::move(conninfo), std::move(where)));
  auto migrated = InTransaction(*pool, "migrate", [](Connection& c) -> absl::Status {
    auto locked = c.Exec("SELECT pg_advisory_xact_lock($1)", {Param::Int(kMigrationLock)},
                         "lock for migration");
    if (!locked.ok()) return locked.status();
    return Migrate(c);
  });
  if (!migrated.ok()) return migrated;
  return pool;
}

absl::StatusOr<Lease> Pool::Acquire() {
  {
    absl::MutexLock lock(&mu_);
    while (!idle_.empty()) {
      std::unique_ptr<Connection> c = std::move(idle_.back());
      idle_.pop_back();
      if (c->healthy()) return Lease(this, std::move(c));
    }
  }
  PGconn* conn = PQconnectdb(conninfo_.c_str());
  if (conn == nullptr) return absl::ResourceExhaustedError("PostgreSQL: out of memory");
  std::unique_ptr<Connection> c(new Connection(conn));
  // Notices ("relation … already exists, skipping") are not for the operator's terminal.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string why = PQerrorMessage(conn);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return absl::UnavailableError(absl::StrCat("cannot connect to ", where_, ": ", why));
  }
  return Lease(this, std::move(c));
}

void Pool::Release(std::unique_ptr<Connection> c) {
  if (!c->healthy()) return;  // closed with it
  absl::MutexLock lock(&mu_);
  if (idle_.size() < 32) idle_.push_back(std::move(c));
}

Lease::~Lease() {
  if (c_ != nullptr && pool_ != nullptr) pool_->Release(std::move(c_));
}

absl::Status InTransaction(Pool& pool, std::string_view what,
                           const std::function<absl::Status(Connection&)>& body) {
  auto lease = pool.Acquire();
  if (!lease.ok()) return lease.status();
  Connection& c = **lease;
  if (auto s = c.Run("BEGIN", what); !s.ok()) return s;
  absl::Status s = body(c);
  if (!s.ok()) {
    // Best effort: a lost connection has rolled back by itself.
    if (PQstatus(c.conn_) == CONNECTION_OK) {
      c.broken_ = false;
      if (!c.Run("ROLLBACK", what).ok()) c.broken_ = true;
    }
    return s;
  }
  return c.Run("COMMIT", what);
}

}  // namespace accord::store::pg
