// Private to src/store: small shared pieces for its SQLite backends (the statement index,
// the monitor's state) — owning handles, errors mapped to absl codes, typed binds and
// reads. No other part includes this or sqlite3.h (scripts/tidy checks it).
#ifndef ACCORD_STORE_SQLITE_UTIL_H_
#define ACCORD_STORE_SQLITE_UTIL_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace accord::store::sqlite {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// The database's last error as a status: "<store>: <what>: <sqlite message>", with
// ResourceExhausted for a full disk, Unavailable for busy/locked, DataLoss for a
// corrupt file, PermissionDenied for read-only or unopenable files, Internal otherwise.
absl::Status Error(sqlite3* db, std::string_view store, std::string_view what);

// Opens (creating) `path` in WAL mode with synchronous=NORMAL and a 5 s busy timeout,
// then runs `schema`. Unavailable naming the store and path if it cannot be opened.
absl::StatusOr<Db> Open(const std::string& path, std::string_view store, const char* schema);

absl::Status Exec(sqlite3* db, const char* sql, std::string_view store);
absl::StatusOr<Stmt> Prepare(sqlite3* db, std::string_view sql, std::string_view store);

void BindText(sqlite3_stmt* s, int i, std::string_view v);
void BindBlob(sqlite3_stmt* s, int i, std::span<const uint8_t> v);
void BindInt(sqlite3_stmt* s, int i, uint64_t v);
// Text or blob column bytes; "" for NULL.
std::string ColumnBytes(sqlite3_stmt* s, int i);
uint64_t ColumnInt(sqlite3_stmt* s, int i);

}  // namespace accord::store::sqlite

#endif  // ACCORD_STORE_SQLITE_UTIL_H_
