// MonitorState in SQLite (WAL). Statements are reset as soon as their rows are read, so
// no read transaction stays open and the WAL can be checkpointed (see
// src/store/sqlite_index.cc for the growth that otherwise follows).
#include <sqlite3.h>

#include <cstring>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "src/store/monitor_state.h"
#include "src/store/sqlite_util.h"

namespace accord::store {
namespace {

constexpr const char* kMonitorSchema = R"sql(
CREATE TABLE IF NOT EXISTS peers(
  origin TEXT PRIMARY KEY,
  checkpoint TEXT NOT NULL,
  range BLOB NOT NULL,
  statements INTEGER NOT NULL,
  invalid_entries INTEGER NOT NULL,
  inbox INTEGER NOT NULL,
  witnessed_size INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS officers(
  origin TEXT NOT NULL,
  idx INTEGER NOT NULL,
  envelope TEXT NOT NULL,
  PRIMARY KEY(origin, idx));
CREATE TABLE IF NOT EXISTS inbox(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  origin TEXT NOT NULL,
  idx INTEGER NOT NULL,
  leaf_hash BLOB NOT NULL,
  kind TEXT NOT NULL,
  issued INTEGER NOT NULL,
  picked_up_ms INTEGER NOT NULL,
  addressed INTEGER NOT NULL,
  cites_us INTEGER NOT NULL,
  envelope TEXT NOT NULL,
  logged_after_ms INTEGER NOT NULL DEFAULT 0,
  UNIQUE(origin, idx));
CREATE INDEX IF NOT EXISTS inbox_kind ON inbox(kind, seq);
CREATE TABLE IF NOT EXISTS entries(
  origin TEXT NOT NULL,
  idx INTEGER NOT NULL,
  leaf_hash BLOB NOT NULL,
  kind TEXT NOT NULL,
  PRIMARY KEY(origin, idx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS verdicts(
  origin TEXT PRIMARY KEY,
  from_size INTEGER NOT NULL,
  by TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS equivocations(
  key TEXT PRIMARY KEY,
  origin TEXT NOT NULL,
  payload TEXT NOT NULL);
)sql";

using sqlite::BindInt;
using sqlite::BindText;
using sqlite::ColumnInt;
using sqlite::Db;
using sqlite::Stmt;
constexpr std::string_view kMonitorStore = "monitor store";

absl::Status MonitorError(sqlite3* db, std::string_view what) {
  return sqlite::Error(db, kMonitorStore, what);
}
void BindBlob(sqlite3_stmt* s, int i, std::string_view v) {
  sqlite::BindBlob(s, i, std::span(reinterpret_cast<const uint8_t*>(v.data()), v.size()));
}

// Adds `column` (INTEGER NOT NULL DEFAULT 0) to `table` unless it is there.
absl::Status AddColumnIfMissing(sqlite3* db, const char* table, const char* column) {
  auto has = sqlite::Prepare(
      db,
      absl::StrCat("SELECT 1 FROM pragma_table_info('", table, "') WHERE name = '", column, "'"),
      kMonitorStore);
  if (!has.ok()) return has.status();
  const int rc = sqlite3_step(has->get());
  if (rc == SQLITE_ROW) return absl::OkStatus();
  if (rc != SQLITE_DONE) return MonitorError(db, absl::StrCat("read the columns of ", table));
  const std::string alter =
      absl::StrCat("ALTER TABLE ", table, " ADD COLUMN ", column, " INTEGER NOT NULL DEFAULT 0");
  return sqlite::Exec(db, alter.c_str(), kMonitorStore);
}

class SqliteMonitorState final : public MonitorState {
 public:
  explicit SqliteMonitorState(Db db) : db_(std::move(db)) {}

  absl::Status Exec(const char* sql) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return sqlite::Exec(db_.get(), sql, kMonitorStore);
  }
  absl::StatusOr<Stmt> Prepare(std::string_view sql) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return sqlite::Prepare(db_.get(), sql, kMonitorStore);
  }
  absl::Status Done(sqlite3_stmt* s, std::string_view what) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return MonitorError(db_.get(), what);
    sqlite3_reset(s);
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<PeerRecord>> LoadPeers() override {
    absl::MutexLock lock(&mu_);
    auto st =
        Prepare("SELECT origin, checkpoint, range, statements, invalid_entries, inbox FROM peers");
    if (!st.ok()) return st.status();
    std::vector<PeerRecord> out;
    int rc;
    while ((rc = sqlite3_step(st->get())) == SQLITE_ROW) {
      PeerRecord p;
      p.origin = sqlite::ColumnBytes(st->get(), 0);
      p.checkpoint = sqlite::ColumnBytes(st->get(), 1);
      auto range = tlog::CompactRange::Deserialize(sqlite::ColumnBytes(st->get(), 2));
      if (!range.ok()) {
        return absl::DataLossError(
            absl::StrCat("monitor store: peer ", p.origin, ": ", range.status().message()));
      }
      p.range = *std::move(range);
      p.statements = ColumnInt(st->get(), 3);
      p.invalid_entries = ColumnInt(st->get(), 4);
      p.inbox = ColumnInt(st->get(), 5);
      p.witnessed_size = ColumnInt(st->get(), 6);
      out.push_back(std::move(p));
    }
    if (rc != SQLITE_DONE) return MonitorError(db_.get(), "read peers");
    return out;
  }

  absl::StatusOr<std::vector<OfficerRecord>> LoadOfficers() override {
    absl::MutexLock lock(&mu_);
    auto st = Prepare("SELECT origin, idx, envelope FROM officers ORDER BY origin, idx");
    if (!st.ok()) return st.status();
    std::vector<OfficerRecord> out;
    int rc;
    while ((rc = sqlite3_step(st->get())) == SQLITE_ROW) {
      out.push_back({sqlite::ColumnBytes(st->get(), 0), ColumnInt(st->get(), 1),
                     sqlite::ColumnBytes(st->get(), 2)});
    }
    if (rc != SQLITE_DONE) return MonitorError(db_.get(), "read officers");
    return out;
  }

  absl::StatusOr<std::vector<Verdict>> LoadVerdicts() override {
    absl::MutexLock lock(&mu_);
    auto st = Prepare("SELECT origin, from_size, by FROM verdicts");
    if (!st.ok()) return st.status();
    std::vector<Verdict> out;
    int rc;
    while ((rc = sqlite3_step(st->get())) == SQLITE_ROW) {
      out.push_back({sqlite::ColumnBytes(st->get(), 0), ColumnInt(st->get(), 1),
                     sqlite::ColumnBytes(st->get(), 2)});
    }
    if (rc != SQLITE_DONE) return MonitorError(db_.get(), "read verdicts");
    return out;
  }

  absl::Status InsertVerdict(const Verdict& v) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto st = Prepare(
        "INSERT INTO verdicts(origin, from_size, by) VALUES(?1, ?2, ?3) ON CONFLICT(origin) "
        "DO UPDATE SET from_size = min(from_size, excluded.from_size)");
    if (!st.ok()) return st.status();
    BindText(st->get(), 1, v.origin);
    BindInt(st->get(), 2, v.from);
    BindText(st->get(), 3, v.by);
    return Done(st->get(), "insert verdict");
  }

  absl::StatusOr<std::vector<InboxItem>> Commit(const PeerCommit& c) override {
    absl::MutexLock lock(&mu_);
    if (auto s = Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
    absl::Cleanup rollback = [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS { (void)Exec("ROLLBACK"); };
    auto peer = Prepare(
        "INSERT OR REPLACE INTO peers(origin, checkpoint, range, statements, invalid_entries, "
        "inbox, witnessed_size) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!peer.ok()) return peer.status();
    BindText(peer->get(), 1, c.peer.origin);
    BindText(peer->get(), 2, c.peer.checkpoint);
    BindBlob(peer->get(), 3, c.peer.range.Serialize());
    BindInt(peer->get(), 4, c.peer.statements);
    BindInt(peer->get(), 5, c.peer.invalid_entries);
    BindInt(peer->get(), 6, c.peer.inbox);
    BindInt(peer->get(), 7, c.peer.witnessed_size);
    if (auto s = Done(peer->get(), "write peer"); !s.ok()) return s;

    auto officer =
        Prepare("INSERT OR IGNORE INTO officers(origin, idx, envelope) VALUES(?1, ?2, ?3)");
    if (!officer.ok()) return officer.status();
    for (const OfficerRecord& o : c.officers) {
      BindText(officer->get(), 1, o.origin);
      BindInt(officer->get(), 2, o.index);
      BindText(officer->get(), 3, o.envelope);
      if (auto s = Done(officer->get(), "insert officer"); !s.ok()) return s;
    }
    for (const Verdict& v : c.verdicts) {
      if (auto s = InsertVerdict(v); !s.ok()) return s;
    }
    if (!c.entries.empty()) {
      auto entry = Prepare(
          "INSERT OR IGNORE INTO entries(origin, idx, leaf_hash, kind) VALUES(?1, ?2, ?3, ?4)");
      if (!entry.ok()) return entry.status();
      for (const EntryRecord& e : c.entries) {
        BindText(entry->get(), 1, e.origin);
        BindInt(entry->get(), 2, e.index);
        sqlite::BindBlob(entry->get(), 3, e.leaf_hash);
        BindText(entry->get(), 4, e.kind);
        if (auto s = Done(entry->get(), "insert entry"); !s.ok()) return s;
      }
    }

    std::vector<InboxItem> stored;
    if (!c.inbox.empty()) {
      auto insert = Prepare(
          "INSERT OR IGNORE INTO inbox(origin, idx, leaf_hash, kind, issued, picked_up_ms, "
          "addressed, cites_us, envelope, logged_after_ms) "
          "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
      if (!insert.ok()) return insert.status();
      const int64_t now_ms = absl::ToUnixMillis(absl::Now());
      for (const InboxItem& item : c.inbox) {
        BindText(insert->get(), 1, item.origin);
        BindInt(insert->get(), 2, item.index);
        sqlite::BindBlob(insert->get(), 3, item.leaf_hash);
        BindText(insert->get(), 4, item.kind);
        sqlite3_bind_int64(insert->get(), 5, item.issued_unix);
        sqlite3_bind_int64(insert->get(), 6, now_ms);
        sqlite3_bind_int(insert->get(), 7, item.addressed);
        sqlite3_bind_int(insert->get(), 8, item.cites_us);
        BindText(insert->get(), 9, item.envelope);
        sqlite3_bind_int64(insert->get(), 10, item.logged_after_unix_ms);
        if (auto s = Done(insert->get(), "insert inbox row"); !s.ok()) return s;
        if (sqlite3_changes(db_.get()) == 1) {
          InboxItem copy = item;
          copy.seq = static_cast<uint64_t>(sqlite3_last_insert_rowid(db_.get()));
          copy.picked_up_unix_ms = now_ms;
          stored.push_back(std::move(copy));
        }
      }
    }
    std::move(rollback).Cancel();
    if (auto s = Exec("COMMIT"); !s.ok()) {
      (void)Exec("ROLLBACK");
      return s;
    }
    return stored;
  }

  absl::Status AddVerdict(const Verdict& verdict) override {
    absl::MutexLock lock(&mu_);
    return InsertVerdict(verdict);
  }

  absl::StatusOr<bool> RecordEquivocation(std::string_view origin, std::string_view key,
                                          std::string_view payload) override {
    absl::MutexLock lock(&mu_);
    auto st =
        Prepare("INSERT OR IGNORE INTO equivocations(key, origin, payload) VALUES(?1, ?2, ?3)");
    if (!st.ok()) return st.status();
    BindText(st->get(), 1, key);
    BindText(st->get(), 2, origin);
    BindText(st->get(), 3, payload);
    if (auto s = Done(st->get(), "record equivocation"); !s.ok()) return s;
    return sqlite3_changes(db_.get()) == 1;
  }

  absl::StatusOr<bool> IsAddressed(std::string_view origin, uint64_t index) override {
    absl::MutexLock lock(&mu_);
    auto st = Prepare("SELECT 1 FROM inbox WHERE origin = ?1 AND idx = ?2 AND addressed != 0");
    if (!st.ok()) return st.status();
    BindText(st->get(), 1, origin);
    BindInt(st->get(), 2, index);
    const int rc = sqlite3_step(st->get());
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return MonitorError(db_.get(), "read inbox row");
    return rc == SQLITE_ROW;
  }

  absl::StatusOr<std::optional<EntryRecord>> FindEntry(std::string_view origin,
                                                       uint64_t index) override {
    absl::MutexLock lock(&mu_);
    auto st = Prepare("SELECT leaf_hash, kind FROM entries WHERE origin = ?1 AND idx = ?2");
    if (!st.ok()) return st.status();
    BindText(st->get(), 1, origin);
    BindInt(st->get(), 2, index);
    const int rc = sqlite3_step(st->get());
    if (rc == SQLITE_DONE) return std::nullopt;
    if (rc != SQLITE_ROW) return MonitorError(db_.get(), "read entry");
    EntryRecord e;
    e.origin = std::string(origin);
    e.index = index;
    const std::string hash = sqlite::ColumnBytes(st->get(), 0);
    if (hash.size() != e.leaf_hash.size()) {
      return absl::DataLossError(absl::StrCat("monitor store: entry ", std::string(origin), " #",
                                              index, " has a leaf hash of ", hash.size(),
                                              " bytes"));
    }
    std::copy(hash.begin(), hash.end(), e.leaf_hash.begin());
    e.kind = sqlite::ColumnBytes(st->get(), 1);
    return e;
  }

  absl::StatusOr<InboxPage> Inbox(const InboxQuery& q) override {
    absl::MutexLock lock(&mu_);
    auto st = Prepare(
        "SELECT seq, origin, idx, leaf_hash, kind, issued, picked_up_ms, addressed, cites_us, "
        "envelope, logged_after_ms FROM inbox WHERE seq > ?1 AND (?2 = '' OR kind = ?2) AND (?3 = "
        "'' OR "
        "origin = ?3) ORDER BY seq LIMIT ?4");
    if (!st.ok()) return st.status();
    const size_t limit = std::max<size_t>(q.limit, 1);
    sqlite3_bind_int64(st->get(), 1, q.after ? static_cast<sqlite3_int64>(*q.after) : -1);
    BindText(st->get(), 2, q.kind);
    BindText(st->get(), 3, q.origin);
    sqlite3_bind_int64(st->get(), 4, static_cast<sqlite3_int64>(limit) + 1);
    InboxPage page;
    int rc;
    while ((rc = sqlite3_step(st->get())) == SQLITE_ROW) {
      if (page.items.size() == limit) {
        page.next = page.items.back().seq;
        break;
      }
      InboxItem item;
      item.seq = ColumnInt(st->get(), 0);
      item.origin = sqlite::ColumnBytes(st->get(), 1);
      item.index = ColumnInt(st->get(), 2);
      if (sqlite3_column_bytes(st->get(), 3) == static_cast<int>(item.leaf_hash.size())) {
        std::memcpy(item.leaf_hash.data(), sqlite3_column_blob(st->get(), 3),
                    item.leaf_hash.size());
      }
      item.kind = sqlite::ColumnBytes(st->get(), 4);
      item.issued_unix = sqlite3_column_int64(st->get(), 5);
      item.picked_up_unix_ms = sqlite3_column_int64(st->get(), 6);
      item.addressed = sqlite3_column_int(st->get(), 7) != 0;
      item.cites_us = sqlite3_column_int(st->get(), 8) != 0;
      item.envelope = sqlite::ColumnBytes(st->get(), 9);
      item.logged_after_unix_ms = sqlite3_column_int64(st->get(), 10);
      page.items.push_back(std::move(item));
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return MonitorError(db_.get(), "read inbox");
    sqlite3_reset(st->get());
    return page;
  }

 private:
  absl::Mutex mu_;
  Db db_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

absl::StatusOr<std::unique_ptr<MonitorState>> OpenSqliteMonitorState(
    const std::filesystem::path& path) {
  auto db = sqlite::Open(path.string(), kMonitorStore, kMonitorSchema);
  if (!db.ok()) return db.status();
  // A state written by an earlier version gains the columns added since (their defaults
  // say "not known": no logged_after for old inbox rows, nothing witnessed yet).
  for (const auto& [table, column] :
       {std::pair{"inbox", "logged_after_ms"}, std::pair{"peers", "witnessed_size"}}) {
    if (absl::Status s = AddColumnIfMissing(db->get(), table, column); !s.ok()) return s;
  }
  auto store = std::make_unique<SqliteMonitorState>(*std::move(db));
  return std::unique_ptr<MonitorState>(std::move(store));
}

}  // namespace accord::store
