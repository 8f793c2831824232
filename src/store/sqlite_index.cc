// StatementIndex in SQLite (WAL).
#include <sqlite3.h>

#include <cstring>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "src/store/sqlite_util.h"
#include "src/store/statement_index.h"

namespace accord::store {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS statements(
  idx INTEGER PRIMARY KEY,
  leaf_hash BLOB NOT NULL,
  kind TEXT NOT NULL,
  issuer TEXT NOT NULL,
  issued INTEGER NOT NULL,
  signer TEXT NOT NULL,
  private BLOB,
  digest BLOB NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS statements_digest ON statements(digest);
CREATE INDEX IF NOT EXISTS statements_private ON statements(private) WHERE private IS NOT NULL;
CREATE INDEX IF NOT EXISTS statements_kind ON statements(kind, idx);
CREATE INDEX IF NOT EXISTS statements_issuer ON statements(issuer, idx);
CREATE TABLE IF NOT EXISTS refs(
  idx INTEGER NOT NULL,
  origin TEXT NOT NULL,
  ref_index INTEGER NOT NULL,
  ref_leaf BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS refs_target ON refs(origin, ref_index, idx);
CREATE INDEX IF NOT EXISTS refs_idx ON refs(idx);
CREATE TABLE IF NOT EXISTS addressees(idx INTEGER NOT NULL, party TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS addressees_party ON addressees(party, idx);
CREATE INDEX IF NOT EXISTS addressees_idx ON addressees(idx);
CREATE TABLE IF NOT EXISTS indexed(one INTEGER PRIMARY KEY CHECK (one = 1), size INTEGER NOT NULL);
INSERT OR IGNORE INTO indexed(one, size) VALUES (1, 0);
PRAGMA user_version = 4;
)sql";
// The index is derived from the log: a database of another schema version is dropped and
// rebuilt (the node re-indexes every entry the index lacks at start).
constexpr int kSchemaVersion = 4;
constexpr const char* kDropAll = R"sql(
DROP TABLE IF EXISTS statements;
DROP TABLE IF EXISTS refs;
DROP TABLE IF EXISTS addressees;
DROP TABLE IF EXISTS indexed;
)sql";

using sqlite::BindText;
using sqlite::Db;
using sqlite::Stmt;
constexpr std::string_view kStore = "statement index";

absl::Status SqlError(sqlite3* db, std::string_view what) {
  return sqlite::Error(db, kStore, what);
}
absl::Status Exec(sqlite3* db, const char* sql) { return sqlite::Exec(db, sql, kStore); }
absl::StatusOr<Stmt> Prepare(sqlite3* db, std::string_view sql) {
  return sqlite::Prepare(db, sql, kStore);
}
void BindBlob(sqlite3_stmt* s, int i, const crypto::Digest& d) { sqlite::BindBlob(s, i, d); }
std::string ColumnText(sqlite3_stmt* s, int i) { return sqlite::ColumnBytes(s, i); }
crypto::Digest ColumnDigest(sqlite3_stmt* s, int i) {
  crypto::Digest d{};
  if (sqlite3_column_bytes(s, i) == static_cast<int>(d.size())) {
    std::memcpy(d.data(), sqlite3_column_blob(s, i), d.size());
  }
  return d;
}

class SqliteIndex final : public StatementIndex {
 public:
  static absl::StatusOr<std::unique_ptr<StatementIndex>> Open(const std::filesystem::path& path) {
    auto db = sqlite::Open(path.string(), kStore, "SELECT 1");
    if (!db.ok()) return db.status();
    {
      auto version = Prepare(db->get(), "PRAGMA user_version");
      if (!version.ok()) return version.status();
      const int v =
          sqlite3_step(version->get()) == SQLITE_ROW ? sqlite3_column_int(version->get(), 0) : -1;
      version->reset();
      if (v != kSchemaVersion) {
        if (auto s = Exec(db->get(), kDropAll); !s.ok()) return s;
      }
    }
    if (auto s = Exec(db->get(), kSchema); !s.ok()) return s;
    if (auto s = Exec(db->get(), "PRAGMA temp_store=MEMORY"); !s.ok()) return s;
    auto index = std::unique_ptr<SqliteIndex>(new SqliteIndex(*std::move(db)));
    if (auto s = index->PrepareAll(); !s.ok()) return s;
    return std::unique_ptr<StatementIndex>(std::move(index));
  }

  absl::Status Add(std::span<const IndexedStatement> batch) override {
    absl::MutexLock lock(&mu_);
    if (batch.empty()) return absl::OkStatus();
    auto size = SizeLocked();
    if (!size.ok()) return size.status();
    if (batch.front().index > *size) {
      return absl::InvalidArgumentError(absl::StrCat("statement index: batch starts at ",
                                                     batch.front().index, ", index holds ", *size));
    }
    if (auto s = Exec(db_.get(), "BEGIN IMMEDIATE"); !s.ok()) return s;
    for (size_t i = 0; i < batch.size(); ++i) {
      if (batch[i].index != batch.front().index + i) {
        (void)Exec(db_.get(), "ROLLBACK");
        return absl::InvalidArgumentError("statement index: batch indices are not consecutive");
      }
      absl::Status s = batch[i].index < *size ? CompareHeld(batch[i]) : Insert(batch[i]);
      if (!s.ok()) {
        (void)Exec(db_.get(), "ROLLBACK");
        return s;
      }
    }
    // The size is kept apart from the rows: a repeated statement's entry has no row.
    sqlite3_stmt* g = grow_.get();
    sqlite3_reset(g);
    sqlite3_bind_int64(g, 1, static_cast<int64_t>(batch.back().index + 1));
    if (auto s = Step(g, "grow"); !s.ok()) {
      (void)Exec(db_.get(), "ROLLBACK");
      return s;
    }
    return Exec(db_.get(), "COMMIT");
  }

  absl::StatusOr<uint64_t> IndexedSize() override {
    absl::MutexLock lock(&mu_);
    return SizeLocked();
  }

  absl::StatusOr<std::optional<uint64_t>> FindByDigest(const crypto::Digest& digest) override {
    absl::MutexLock lock(&mu_);
    sqlite3_stmt* s = find_digest_.get();
    sqlite3_reset(s);
    BindBlob(s, 1, digest);
    const int rc = sqlite3_step(s);
    // Reset before returning: a statement left on a row holds a read transaction open,
    // and the WAL could then never be checkpointed back into the database.
    const int64_t found = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    sqlite3_reset(s);
    if (rc == SQLITE_DONE) return std::optional<uint64_t>();
    if (rc != SQLITE_ROW) return SqlError(db_.get(), "find by digest");
    return std::optional<uint64_t>(found);
  }

  absl::StatusOr<std::optional<IndexedStatement>> Get(uint64_t index) override {
    absl::MutexLock lock(&mu_);
    auto page = QueryLocked(
        "SELECT idx, leaf_hash, kind, issuer, issued, signer, private, digest FROM statements "
        "WHERE idx = "
        "?1",
        [&](sqlite3_stmt* s) { sqlite3_bind_int64(s, 1, static_cast<int64_t>(index)); }, 1);
    if (!page.ok()) return page.status();
    if (page->empty()) return std::optional<IndexedStatement>();
    return std::optional<IndexedStatement>(std::move(page->front()));
  }

  absl::StatusOr<IndexPage> Query(const IndexQuery& q) override {
    std::string sql =
        "SELECT idx, leaf_hash, kind, issuer, issued, signer, private, digest FROM statements s "
        "WHERE idx "
        "> ?1";
    if (!q.kind.empty()) sql += " AND kind = ?2";
    if (!q.issuer.empty()) sql += " AND issuer = ?3";
    if (!q.addressee.empty()) {
      sql += " AND EXISTS (SELECT 1 FROM addressees a WHERE a.idx = s.idx AND a.party = ?4)";
    }
    if (q.ref) {
      sql +=
          " AND EXISTS (SELECT 1 FROM refs r WHERE r.idx = s.idx AND r.origin = ?5 AND "
          "r.ref_index = ?6)";
    }
    if (q.commitment) sql += " AND private = ?8";
    sql += " ORDER BY idx LIMIT ?7";
    const size_t limit = std::clamp<size_t>(q.limit, 1, 1000);
    absl::MutexLock lock(&mu_);
    auto rows = QueryLocked(
        sql,
        [&](sqlite3_stmt* s) {
          sqlite3_bind_int64(s, 1, q.after ? static_cast<int64_t>(*q.after) : -1);
          if (!q.kind.empty()) BindText(s, 2, q.kind);
          if (!q.issuer.empty()) BindText(s, 3, q.issuer);
          if (!q.addressee.empty()) BindText(s, 4, q.addressee);
          if (q.ref) {
            BindText(s, 5, q.ref->origin);
            sqlite3_bind_int64(s, 6, static_cast<int64_t>(q.ref->index));
          }
          sqlite3_bind_int64(s, 7, static_cast<int64_t>(limit + 1));
          if (q.commitment) BindBlob(s, 8, *q.commitment);
        },
        limit + 1);
    if (!rows.ok()) return rows.status();
    IndexPage page;
    page.statements = *std::move(rows);
    if (page.statements.size() > limit) {
      page.statements.resize(limit);
      page.next = page.statements.back().index;
    }
    return page;
  }

 private:
  explicit SqliteIndex(Db db) : db_(std::move(db)) {}

  absl::Status PrepareAll() ABSL_NO_THREAD_SAFETY_ANALYSIS {
    struct {
      Stmt* stmt;
      const char* sql;
    } all[] = {
        {&insert_statement_,
         "INSERT INTO statements(idx, leaf_hash, kind, issuer, issued, signer, private, digest) "
         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(digest) DO NOTHING"},
        {&leaf_of_, "SELECT leaf_hash FROM statements WHERE idx = ?1"},
        {&insert_ref_,
         "INSERT INTO refs(idx, origin, ref_index, ref_leaf) VALUES (?1, ?2, ?3, ?4)"},
        {&insert_addressee_, "INSERT INTO addressees(idx, party) VALUES (?1, ?2)"},
        {&find_digest_, "SELECT idx FROM statements WHERE digest = ?1"},
        {&size_, "SELECT size FROM indexed"},
        {&grow_, "UPDATE indexed SET size = MAX(size, ?1)"},
        {&refs_of_, "SELECT origin, ref_index, ref_leaf FROM refs WHERE idx = ?1 ORDER BY rowid"},
        {&addressees_of_, "SELECT party FROM addressees WHERE idx = ?1 ORDER BY rowid"},
    };
    for (auto& [stmt, sql] : all) {
      auto s = Prepare(db_.get(), sql);
      if (!s.ok()) return s.status();
      *stmt = *std::move(s);
    }
    return absl::OkStatus();
  }

  absl::StatusOr<uint64_t> SizeLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    sqlite3_stmt* s = size_.get();
    sqlite3_reset(s);
    if (sqlite3_step(s) != SQLITE_ROW) return SqlError(db_.get(), "size");
    const auto size = static_cast<uint64_t>(sqlite3_column_int64(s, 0));
    sqlite3_reset(s);  // end the read transaction (see FindByDigest)
    return size;
  }

  absl::Status Step(sqlite3_stmt* s, std::string_view what) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (sqlite3_step(s) != SQLITE_DONE) return SqlError(db_.get(), what);
    return absl::OkStatus();
  }

  absl::Status Insert(const IndexedStatement& st) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const auto idx = static_cast<int64_t>(st.index);
    sqlite3_stmt* s = insert_statement_.get();
    sqlite3_reset(s);
    sqlite3_bind_int64(s, 1, idx);
    BindBlob(s, 2, st.leaf_hash);
    BindText(s, 3, st.kind);
    BindText(s, 4, st.issuer);
    sqlite3_bind_int64(s, 5, st.issued_unix);
    BindText(s, 6, st.signer);
    if (st.private_commitment) {
      BindBlob(s, 7, *st.private_commitment);
    } else {
      sqlite3_bind_null(s, 7);
    }
    BindBlob(s, 8, st.digest);
    if (auto status = Step(s, "insert statement"); !status.ok()) return status;
    // The digest was indexed at an earlier index (the log holds the statement twice):
    // FindByDigest keeps answering with the first.
    if (sqlite3_changes(db_.get()) == 0) return absl::OkStatus();
    for (const auto& r : st.refs) {
      s = insert_ref_.get();
      sqlite3_reset(s);
      sqlite3_bind_int64(s, 1, idx);
      BindText(s, 2, r.origin);
      sqlite3_bind_int64(s, 3, static_cast<int64_t>(r.index));
      BindBlob(s, 4, r.leaf_hash);
      if (auto status = Step(s, "insert ref"); !status.ok()) return status;
    }
    for (const auto& a : st.addressees) {
      s = insert_addressee_.get();
      sqlite3_reset(s);
      sqlite3_bind_int64(s, 1, idx);
      BindText(s, 2, a);
      if (auto status = Step(s, "insert addressee"); !status.ok()) return status;
    }
    return absl::OkStatus();
  }

  // An entry below the index's size, added again (another front end indexed it first,
  // or a catch-up overlapped): it must be the entry held there.
  absl::Status CompareHeld(const IndexedStatement& st) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    sqlite3_stmt* s = leaf_of_.get();
    sqlite3_reset(s);
    sqlite3_bind_int64(s, 1, static_cast<int64_t>(st.index));
    const int rc = sqlite3_step(s);
    const bool differs = rc == SQLITE_ROW && ColumnDigest(s, 0) != st.leaf_hash;
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return SqlError(db_.get(), "compare");
    if (differs) {
      return absl::DataLossError(
          absl::StrCat("statement index: entry ", st.index, " is indexed with another leaf hash"));
    }
    return absl::OkStatus();
  }

  // Runs a SELECT of statement rows and loads each one's refs and addressees.
  template <typename Bind>
  absl::StatusOr<std::vector<IndexedStatement>> QueryLocked(std::string_view sql, Bind bind,
                                                            size_t reserve)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto stmt = Prepare(db_.get(), sql);
    if (!stmt.ok()) return stmt.status();
    sqlite3_stmt* s = stmt->get();
    bind(s);
    std::vector<IndexedStatement> out;
    out.reserve(std::min<size_t>(reserve, 1001));
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      IndexedStatement st;
      st.index = static_cast<uint64_t>(sqlite3_column_int64(s, 0));
      st.leaf_hash = ColumnDigest(s, 1);
      st.kind = ColumnText(s, 2);
      st.issuer = ColumnText(s, 3);
      st.issued_unix = sqlite3_column_int64(s, 4);
      st.signer = ColumnText(s, 5);
      if (sqlite3_column_type(s, 6) != SQLITE_NULL) st.private_commitment = ColumnDigest(s, 6);
      st.digest = ColumnDigest(s, 7);
      out.push_back(std::move(st));
    }
    if (rc != SQLITE_DONE) return SqlError(db_.get(), "query");
    for (auto& st : out) {
      sqlite3_stmt* r = refs_of_.get();
      sqlite3_reset(r);
      sqlite3_bind_int64(r, 1, static_cast<int64_t>(st.index));
      while ((rc = sqlite3_step(r)) == SQLITE_ROW) {
        st.refs.push_back({ColumnText(r, 0), static_cast<uint64_t>(sqlite3_column_int64(r, 1)),
                           ColumnDigest(r, 2)});
      }
      if (rc != SQLITE_DONE) return SqlError(db_.get(), "refs");
      sqlite3_stmt* a = addressees_of_.get();
      sqlite3_reset(a);
      sqlite3_bind_int64(a, 1, static_cast<int64_t>(st.index));
      while ((rc = sqlite3_step(a)) == SQLITE_ROW) st.addressees.push_back(ColumnText(a, 0));
      if (rc != SQLITE_DONE) return SqlError(db_.get(), "addressees");
    }
    return out;
  }

  absl::Mutex mu_;  // one connection, used by one thread at a time
  Db db_ ABSL_GUARDED_BY(mu_);
  Stmt insert_statement_ ABSL_GUARDED_BY(mu_), insert_ref_ ABSL_GUARDED_BY(mu_),
      insert_addressee_ ABSL_GUARDED_BY(mu_), leaf_of_ ABSL_GUARDED_BY(mu_),
      grow_ ABSL_GUARDED_BY(mu_), find_digest_ ABSL_GUARDED_BY(mu_), size_ ABSL_GUARDED_BY(mu_),
      refs_of_ ABSL_GUARDED_BY(mu_), addressees_of_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

absl::StatusOr<std::unique_ptr<StatementIndex>> OpenSqliteIndex(const std::filesystem::path& path) {
  return SqliteIndex::Open(path);
}

}  // namespace accord::store
