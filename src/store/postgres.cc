// The PostgreSQL backends (see postgres.h). SQL only; the connection handling is
// pg_util's.
#include "src/store/postgres.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "src/crypto/sha256.h"
#include "src/store/pg_util.h"

namespace accord::store {
namespace {

using pg::Connection;
using pg::Param;

std::string_view AsText(const crypto::Digest& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}
crypto::Digest AsDigest(const std::string& bytes) {
  crypto::Digest d{};
  if (bytes.size() == d.size()) std::memcpy(d.data(), bytes.data(), d.size());
  return d;
}

class PgLogStorage final : public LogStorage {
 public:
  PgLogStorage(std::shared_ptr<pg::Pool> pool, std::string name)
      : pool_(std::move(pool)), name_(std::move(name)) {}

  absl::StatusOr<std::string> Read(std::string_view path) override {
    auto lease = pool_->Acquire();
    if (!lease.ok()) return lease.status();
    const bool checkpoint = path == kCheckpointPath;
    auto r = checkpoint
                 ? (*lease)->Exec("SELECT checkpoint FROM log_checkpoints WHERE log = $1",
                                  {Param::Text(name_)}, "read the checkpoint")
                 : (*lease)->Exec("SELECT data FROM log_objects WHERE log = $1 AND path = $2",
                                  {Param::Text(name_), Param::Text(path)}, "read a log object");
    if (!r.ok()) return r.status();
    if (r->rows() == 0) {
      return absl::NotFoundError(absl::StrCat(Describe(), ": no ", std::string(path)));
    }
    return r->Bytes(0, 0);
  }

  absl::Status Commit(std::span<const LogObject> objects, std::optional<std::string_view> expected,
                      std::string_view checkpoint) override {
    return pg::InTransaction(*pool_, "commit", [&](Connection& c) -> absl::Status {
      if (!expected) {
        auto locked = c.Exec("SELECT pg_advisory_xact_lock(hashtext($1))", {Param::Text(name_)},
                             "lock for creation");
        if (!locked.ok()) return locked.status();
        auto created = c.Exec(
            "INSERT INTO log_checkpoints(log, checkpoint) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            {Param::Text(name_), Param::Bytes(checkpoint)}, "create the log");
        if (!created.ok()) return created.status();
        if (created->affected() != 1) {
          return absl::FailedPreconditionError(
              absl::StrCat(Describe(), " already holds a log: another writer created it first"));
        }
      } else {
        // The row lock is the exclusion: a second front end's commit waits here until
        // this transaction ends, then sees what it stored.
        auto stored = c.Exec("SELECT checkpoint FROM log_checkpoints WHERE log = $1 FOR UPDATE",
                             {Param::Text(name_)}, "lock the checkpoint");
        if (!stored.ok()) return stored.status();
        if (stored->rows() == 0) {
          return absl::NotFoundError(absl::StrCat("no log in ", Describe()));
        }
        if (stored->Bytes(0, 0) != *expected) {
          return absl::FailedPreconditionError(absl::StrCat(
              "the checkpoint of ", Describe(), " moved on: another writer committed first"));
        }
      }
      for (const LogObject& o : objects) {
        auto put = c.Exec(
            "INSERT INTO log_objects(log, path, data) VALUES ($1, $2, $3) "
            "ON CONFLICT (log, path) DO UPDATE SET data = excluded.data",
            {Param::Text(name_), Param::Text(o.path), Param::Bytes(o.data)}, "write a log object");
        if (!put.ok()) return put.status();
      }
      if (expected) {
        auto swapped =
            c.Exec("UPDATE log_checkpoints SET checkpoint = $2 WHERE log = $1",
                   {Param::Text(name_), Param::Bytes(checkpoint)}, "replace the checkpoint");
        if (!swapped.ok()) return swapped.status();
      }
      return absl::OkStatus();
    });
  }

  absl::Status Stage(std::span<const LogObject> objects) override {
    return pg::InTransaction(*pool_, "stage", [&](Connection& c) -> absl::Status {
      // Shares the commit's exclusion: a creator's INSERT of the checkpoint row waits for
      // this lock, and this sees a row that was committed.
      auto locked = c.Exec("SELECT pg_advisory_xact_lock(hashtext($1))", {Param::Text(name_)},
                           "lock for staging");
      if (!locked.ok()) return locked.status();
      auto stored = c.Exec("SELECT 1 FROM log_checkpoints WHERE log = $1", {Param::Text(name_)},
                           "look for a checkpoint");
      if (!stored.ok()) return stored.status();
      if (stored->rows() > 0) {
        return absl::FailedPreconditionError(absl::StrCat(Describe(), " already holds a log"));
      }
      for (const LogObject& o : objects) {
        auto put = c.Exec(
            "INSERT INTO log_objects(log, path, data) VALUES ($1, $2, $3) "
            "ON CONFLICT (log, path) DO UPDATE SET data = excluded.data",
            {Param::Text(name_), Param::Text(o.path), Param::Bytes(o.data)}, "stage a log object");
        if (!put.ok()) return put.status();
      }
      return absl::OkStatus();
    });
  }

  absl::Status DeletePartials(std::string_view full_tile_path) override {
    auto lease = pool_->Acquire();
    if (!lease.ok()) return lease.status();
    auto r = (*lease)->Exec(
        "DELETE FROM log_objects WHERE log = $1 AND starts_with(path, $2)",
        {Param::Text(name_), Param::Text(absl::StrCat(std::string(full_tile_path), ".p/"))},
        "delete partial tiles");
    return r.ok() ? absl::OkStatus() : r.status();
  }

  std::string Describe() const override { return absl::StrCat(pool_->where(), " log ", name_); }

 private:
  const std::shared_ptr<pg::Pool> pool_;
  const std::string name_;
};

class PgCheckpointStore final : public CheckpointStore {
 public:
  PgCheckpointStore(std::shared_ptr<pg::Pool> pool, std::string space)
      : pool_(std::move(pool)), space_(std::move(space)) {}

  absl::StatusOr<std::string> Get(std::string_view name) override {
    auto lease = pool_->Acquire();
    if (!lease.ok()) return lease.status();
    auto r = (*lease)->Exec("SELECT value FROM checkpoints WHERE space = $1 AND name = $2",
                            {Param::Text(space_), Param::Bytes(name)}, "read a checkpoint");
    if (!r.ok()) return r.status();
    if (r->rows() == 0) {
      return absl::NotFoundError(absl::StrCat(Describe(), ": nothing stored under that name"));
    }
    return r->Bytes(0, 0);
  }

  absl::Status CompareAndSwap(std::string_view name, std::optional<std::string_view> expected,
                              std::string_view value) override {
    auto lease = pool_->Acquire();
    if (!lease.ok()) return lease.status();
    // One statement each way: atomic by itself, no transaction needed.
    auto r = expected ? (*lease)->Exec(
                            "UPDATE checkpoints SET value = $4 "
                            "WHERE space = $1 AND name = $2 AND value = $3",
                            {Param::Text(space_), Param::Bytes(name), Param::Bytes(*expected),
                             Param::Bytes(value)},
                            "replace a checkpoint")
                      : (*lease)->Exec(
                            "INSERT INTO checkpoints(space, name, value) VALUES ($1, $2, $3) "
                            "ON CONFLICT DO NOTHING",
                            {Param::Text(space_), Param::Bytes(name), Param::Bytes(value)},
                            "store a checkpoint");
    if (!r.ok()) return r.status();
    if (r->affected() != 1) {
      return absl::FailedPreconditionError(
          absl::StrCat(Describe(), ": another writer changed the checkpoint first"));
    }
    return absl::OkStatus();
  }

  std::string Describe() const override {
    return absl::StrCat(pool_->where(), " checkpoints ", space_);
  }

 private:
  const std::shared_ptr<pg::Pool> pool_;
  const std::string space_;
};

constexpr const char* kStatementColumns =
    "s.idx, s.leaf_hash, s.kind, s.issuer, s.issued, s.signer, s.private, s.digest";

class PgStatementIndex final : public StatementIndex {
 public:
  explicit PgStatementIndex(std::shared_ptr<pg::Pool> pool) : pool_(std::move(pool)) {}

  absl::Status Add(std::span<const IndexedStatement> batch) override {
    if (batch.empty()) return absl::OkStatus();
    for (size_t i = 1; i < batch.size(); ++i) {
      if (batch[i].index != batch[0].index + i) {
        return absl::InvalidArgumentError("statement index: batch indices are not consecutive");
      }
    }
    return pg::InTransaction(*pool_, "index", [&](Connection& c) -> absl::Status {
      auto size_row = c.Exec("SELECT size FROM index_size FOR UPDATE", {}, "lock the index's size");
      if (!size_row.ok()) return size_row.status();
      const auto size = static_cast<uint64_t>(size_row->Int(0, 0));
      if (batch.front().index > size) {
        return absl::InvalidArgumentError(absl::StrCat(
            "statement index: batch starts at ", batch.front().index, ", index holds ", size));
      }
      for (const IndexedStatement& st : batch) {
        if (st.index < size) {
          // Indexed by another front end first: it must be the same entry.
          auto held = c.Exec("SELECT leaf_hash FROM statements WHERE idx = $1",
                             {Param::Int(static_cast<int64_t>(st.index))}, "compare");
          if (!held.ok()) return held.status();
          if (held->rows() == 1 && held->Bytes(0, 0) != AsText(st.leaf_hash)) {
            return absl::DataLossError(absl::StrCat("statement index: entry ", st.index,
                                                    " is indexed with another leaf hash"));
          }
          continue;
        }
        if (auto s = Insert(c, st); !s.ok()) return s;
      }
      const uint64_t end = std::max(size, batch.back().index + 1);
      auto grown = c.Exec("UPDATE index_size SET size = $1",
                          {Param::Int(static_cast<int64_t>(end))}, "grow the index");
      return grown.ok() ? absl::OkStatus() : grown.status();
    });
  }

  absl::StatusOr<uint64_t> IndexedSize() override {
    auto lease = pool_->Acquire();
    if (!lease.ok()) return lease.status();
    auto r = (*lease)->Exec("SELECT size FROM index_size", {}, "read the index's size");
    if (!r.ok()) return r.status();
    return static_cast<uint64_t>(r->Int(0, 0));
  }

  absl::StatusOr<std::optional<uint64_t>> FindByDigest(const crypto::Digest& digest) override {
    auto lease = pool_->Acquire();
    if (!lease.ok()) return lease.status();
    auto r = (*lease)->Exec("SELECT idx FROM statements WHERE digest = $1",
                            {Param::Bytes(AsText(digest))}, "find by digest");
    if (!r.ok()) return r.status();
    if (r->rows() == 0) return std::optional<uint64_t>();
    return std::optional<uint64_t>(static_cast<uint64_t>(r->Int(0, 0)));
  }

  absl::StatusOr<std::optional<IndexedStatement>> Get(uint64_t index) override {
    auto rows =
        Select(absl::StrCat("SELECT ", kStatementColumns, " FROM statements s WHERE idx = $1"),
               {Param::Int(static_cast<int64_t>(index))});
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return std::optional<IndexedStatement>();
    return std::optional<IndexedStatement>(std::move(rows->front()));
  }

  absl::StatusOr<IndexPage> Query(const IndexQuery& q) override {
    const size_t limit = std::clamp<size_t>(q.limit, 1, 1000);
    std::vector<Param> params = {Param::Int(q.after ? static_cast<int64_t>(*q.after) : -1)};
    std::string sql =
        absl::StrCat("SELECT ", kStatementColumns, " FROM statements s WHERE idx > $1");
    const auto add = [&](Param p) {
      params.push_back(std::move(p));
      return absl::StrCat("$", params.size());
    };
    if (!q.kind.empty()) absl::StrAppend(&sql, " AND kind = ", add(Param::Text(q.kind)));
    if (!q.issuer.empty()) absl::StrAppend(&sql, " AND issuer = ", add(Param::Text(q.issuer)));
    if (!q.addressee.empty()) {
      absl::StrAppend(&sql,
                      " AND EXISTS (SELECT 1 FROM addressees a WHERE a.idx = s.idx AND a.party = ",
                      add(Param::Text(q.addressee)), ")");
    }
    if (q.ref) {
      const std::string origin = add(Param::Text(q.ref->origin));
      absl::StrAppend(
          &sql, " AND EXISTS (SELECT 1 FROM refs r WHERE r.idx = s.idx AND r.origin = ", origin,
          " AND r.ref_index = ", add(Param::Int(static_cast<int64_t>(q.ref->index))), ")");
    }
    if (q.commitment) {
      absl::StrAppend(&sql, " AND private = ", add(Param::Bytes(AsText(*q.commitment))));
    }
    absl::StrAppend(&sql, " ORDER BY idx LIMIT ", add(Param::Int(static_cast<int64_t>(limit + 1))));
    auto rows = Select(sql, params);
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
  static absl::Status Insert(Connection& c, const IndexedStatement& st) {
    const auto idx = static_cast<int64_t>(st.index);
    // ON CONFLICT: the digest is already indexed at an earlier index (see postgres.h).
    auto r = c.Exec(
        "INSERT INTO statements(idx, leaf_hash, kind, issuer, issued, signer, private, digest) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (digest) DO NOTHING",
        {Param::Int(idx), Param::Bytes(AsText(st.leaf_hash)), Param::Text(st.kind),
         Param::Text(st.issuer), Param::Int(st.issued_unix), Param::Text(st.signer),
         st.private_commitment ? Param::Bytes(AsText(*st.private_commitment)) : Param::Null(),
         Param::Bytes(AsText(st.digest))},
        "insert a statement");
    if (!r.ok()) return r.status();
    if (r->affected() == 0) return absl::OkStatus();
    for (size_t i = 0; i < st.refs.size(); ++i) {
      const IndexedRef& ref = st.refs[i];
      auto rr = c.Exec(
          "INSERT INTO refs(idx, pos, origin, ref_index, ref_leaf) VALUES ($1, $2, $3, $4, $5)",
          {Param::Int(idx), Param::Int(static_cast<int64_t>(i)), Param::Text(ref.origin),
           Param::Int(static_cast<int64_t>(ref.index)), Param::Bytes(AsText(ref.leaf_hash))},
          "insert a ref");
      if (!rr.ok()) return rr.status();
    }
    for (size_t i = 0; i < st.addressees.size(); ++i) {
      auto ra = c.Exec(
          "INSERT INTO addressees(idx, pos, party) VALUES ($1, $2, $3)",
          {Param::Int(idx), Param::Int(static_cast<int64_t>(i)), Param::Text(st.addressees[i])},
          "insert an addressee");
      if (!ra.ok()) return ra.status();
    }
    return absl::OkStatus();
  }

  // Statement rows, each with its refs and addressees, read in one transaction (a
  // REPEATABLE READ snapshot, so a concurrent Add is seen whole or not at all).
  absl::StatusOr<std::vector<IndexedStatement>> Select(const std::string& sql,
                                                       const std::vector<Param>& params) {
    std::vector<IndexedStatement> out;
    absl::Status s = pg::InTransaction(*pool_, "query", [&](Connection& c) -> absl::Status {
      if (auto snap = c.Run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", "snapshot");
          !snap.ok()) {
        return snap;
      }
      auto r = c.Exec(sql, params, "query statements");
      if (!r.ok()) return r.status();
      for (int i = 0; i < r->rows(); ++i) {
        IndexedStatement st;
        st.index = static_cast<uint64_t>(r->Int(i, 0));
        st.leaf_hash = AsDigest(r->Bytes(i, 1));
        st.kind = r->Bytes(i, 2);
        st.issuer = r->Bytes(i, 3);
        st.issued_unix = r->Int(i, 4);
        st.signer = r->Bytes(i, 5);
        if (!r->IsNull(i, 6)) st.private_commitment = AsDigest(r->Bytes(i, 6));
        st.digest = AsDigest(r->Bytes(i, 7));
        out.push_back(std::move(st));
      }
      if (out.empty()) return absl::OkStatus();
      // Refs and addressees of every row, two queries for the page.
      const std::string first = std::to_string(out.front().index);
      const std::string last = std::to_string(out.back().index);
      auto refs = c.Exec(
          "SELECT idx, origin, ref_index, ref_leaf FROM refs WHERE idx BETWEEN $1 AND $2 "
          "ORDER BY idx, pos",
          {Param::Text(first), Param::Text(last)}, "query refs");
      if (!refs.ok()) return refs.status();
      auto addressees =
          c.Exec("SELECT idx, party FROM addressees WHERE idx BETWEEN $1 AND $2 ORDER BY idx, pos",
                 {Param::Text(first), Param::Text(last)}, "query addressees");
      if (!addressees.ok()) return addressees.status();
      size_t at = 0;
      const auto row_of = [&](uint64_t idx) -> IndexedStatement* {
        while (at < out.size() && out[at].index < idx) ++at;
        return at < out.size() && out[at].index == idx ? &out[at] : nullptr;
      };
      for (int i = 0; i < refs->rows(); ++i) {
        if (IndexedStatement* st = row_of(static_cast<uint64_t>(refs->Int(i, 0)))) {
          st->refs.push_back({refs->Bytes(i, 1), static_cast<uint64_t>(refs->Int(i, 2)),
                              AsDigest(refs->Bytes(i, 3))});
        }
      }
      at = 0;
      for (int i = 0; i < addressees->rows(); ++i) {
        if (IndexedStatement* st = row_of(static_cast<uint64_t>(addressees->Int(i, 0)))) {
          st->addressees.push_back(addressees->Bytes(i, 1));
        }
      }
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    return out;
  }

  const std::shared_ptr<pg::Pool> pool_;
};

class PgBodyStorage final : public BodyStorage {
 public:
  explicit PgBodyStorage(std::shared_ptr<pg::Pool> pool) : pool_(std::move(pool)) {}

  absl::Status Put(std::string_view commitment, std::span<const BodyCopy> copies) override {
    if (!IsHexDigest(commitment)) {
      return absl::InvalidArgumentError("a commitment is 64 lower-case hex digits");
    }
    return pg::InTransaction(*pool_, "store a body", [&](Connection& c) -> absl::Status {
      for (const BodyCopy& copy : copies) {
        const crypto::Digest digest = crypto::Sha256(copy.sealed);
        auto r = c.Exec(
            "INSERT INTO bodies(commitment, addressee, sealed, sha256) VALUES ($1, $2, $3, $4) "
            "ON CONFLICT (commitment, addressee) DO UPDATE "
            "SET sealed = excluded.sealed, sha256 = excluded.sha256",
            {Param::Text(commitment), Param::Text(copy.addressee), Param::Bytes(copy.sealed),
             Param::Bytes(AsText(digest))},
            "store a sealed copy");
        if (!r.ok()) return r.status();
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::optional<std::string>> Get(std::string_view commitment,
                                                 std::string_view addressee) override {
    if (!IsHexDigest(commitment)) {
      return absl::InvalidArgumentError("a commitment is 64 lower-case hex digits");
    }
    auto lease = pool_->Acquire();
    if (!lease.ok()) return lease.status();
    auto r =
        (*lease)->Exec("SELECT sealed, sha256 FROM bodies WHERE commitment = $1 AND addressee = $2",
                       {Param::Text(commitment), Param::Text(addressee)}, "read a sealed copy");
    if (!r.ok()) return r.status();
    if (r->rows() == 0) return std::optional<std::string>();
    std::string sealed = r->Bytes(0, 0);
    if (AsText(crypto::Sha256(sealed)) != r->Bytes(0, 1)) {
      return absl::DataLossError(absl::StrCat(pool_->where(), ": damaged sealed body of ",
                                              std::string(commitment), " (digest mismatch)"));
    }
    return std::optional<std::string>(std::move(sealed));
  }

  absl::StatusOr<std::vector<std::string>> Addressees(std::string_view commitment) override {
    if (!IsHexDigest(commitment)) {
      return absl::InvalidArgumentError("a commitment is 64 lower-case hex digits");
    }
    return Column("SELECT addressee FROM bodies WHERE commitment = $1 ORDER BY addressee",
                  {Param::Text(commitment)});
  }

  absl::StatusOr<std::vector<std::string>> Commitments() override {
    return Column("SELECT DISTINCT commitment FROM bodies ORDER BY commitment", {});
  }

  std::string Describe() const override { return absl::StrCat(pool_->where(), " bodies"); }

 private:
  absl::StatusOr<std::vector<std::string>> Column(const char* sql,
                                                  const std::vector<Param>& params) {
    auto lease = pool_->Acquire();
    if (!lease.ok()) return lease.status();
    auto r = (*lease)->Exec(sql, params, "list bodies");
    if (!r.ok()) return r.status();
    std::vector<std::string> out;
    for (int i = 0; i < r->rows(); ++i) out.push_back(r->Bytes(i, 0));
    return out;
  }

  const std::shared_ptr<pg::Pool> pool_;
};

}  // namespace

std::unique_ptr<BodyStorage> PostgresDatabase::Bodies() {
  return std::make_unique<PgBodyStorage>(pool_);
}

absl::StatusOr<std::shared_ptr<PostgresDatabase>> PostgresDatabase::Connect(std::string conninfo) {
  auto pool = pg::Pool::Open(std::move(conninfo));
  if (!pool.ok()) return pool.status();
  return std::shared_ptr<PostgresDatabase>(new PostgresDatabase(*std::move(pool)));
}

const std::string& PostgresDatabase::where() const { return pool_->where(); }

std::unique_ptr<LogStorage> PostgresDatabase::Log(std::string name) {
  return std::make_unique<PgLogStorage>(pool_, std::move(name));
}

std::unique_ptr<CheckpointStore> PostgresDatabase::Checkpoints(std::string space) {
  return std::make_unique<PgCheckpointStore>(pool_, std::move(space));
}

std::unique_ptr<StatementIndex> PostgresDatabase::Index() {
  return std::make_unique<PgStatementIndex>(pool_);
}

}  // namespace accord::store
