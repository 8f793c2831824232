// The StatementIndex contract against every backend (SQLite, and PostgreSQL on a real
// server the test starts), then what only the SQLite file promises.
#include "src/store/statement_index.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <fstream>
#include <random>

#include "src/store/postgres.h"
#include "src/test/postgres.h"

namespace accord::store {
namespace {
namespace fs = std::filesystem;

crypto::Digest H(uint64_t i) { return crypto::Sha256(std::to_string(i)); }

IndexedStatement Make(uint64_t i) {
  IndexedStatement s;
  s.index = i;
  s.leaf_hash = H(i);
  s.digest = crypto::Sha256("statement " + std::to_string(i));
  s.kind = i % 3 == 0 ? "incident" : i % 3 == 1 ? "evidence" : "request";
  s.issuer = "a.example/log";
  s.issued_unix = 1700000000 + static_cast<int64_t>(i);
  s.signer = "a.example/log+01020304";
  if (i % 3 == 2) {
    s.refs.push_back({"a.example/log", i - 1, H(i - 1)});
    s.refs.push_back({"b.example/log", 7, H(7)});
    s.addressees = {"b.example/log"};
    s.private_commitment = crypto::Sha256("body " + std::to_string(i));
  }
  return s;
}

class IndexTest : public ::testing::TestWithParam<std::string> {
 protected:
  virtual std::string Backend() const { return GetParam(); }
  void SetUp() override {
    if (Backend() == "postgres") {
      auto conninfo = test::SharedPostgres().CreateDatabase();
      ASSERT_TRUE(conninfo.ok()) << conninfo.status();
      auto db = PostgresDatabase::Connect(*conninfo);
      ASSERT_TRUE(db.ok()) << db.status();
      db_ = *std::move(db);
      index_ = db_->Index();
      return;
    }
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("accord-index-" + std::to_string(rd()) + ".sqlite");
    auto idx = OpenSqliteIndex(path_);
    ASSERT_TRUE(idx.ok()) << idx.status();
    index_ = *std::move(idx);
  }
  void TearDown() override {
    index_.reset();
    if (!path_.empty()) {
      for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path_.string() + suffix);
    }
  }
  void AddRange(uint64_t from, uint64_t to) {
    std::vector<IndexedStatement> batch;
    for (uint64_t i = from; i < to; ++i) batch.push_back(Make(i));
    ASSERT_TRUE(index_->Add(batch).ok());
  }
  fs::path path_;
  std::shared_ptr<PostgresDatabase> db_;
  std::unique_ptr<StatementIndex> index_;
};
INSTANTIATE_TEST_SUITE_P(Backends, IndexTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

// What only the SQLite file promises.
class SqliteIndexTest : public IndexTest {
  std::string Backend() const override { return "sqlite"; }
};

TEST_P(IndexTest, AddsInOrderAndFindsByLeafHash) {
  EXPECT_EQ(*index_->IndexedSize(), 0u);
  AddRange(0, 10);
  AddRange(10, 30);
  EXPECT_EQ(*index_->IndexedSize(), 30u);
  EXPECT_EQ(**index_->FindByDigest(Make(17).digest), 17u);
  EXPECT_FALSE(index_->FindByDigest(Make(99).digest)->has_value());
  EXPECT_FALSE(index_->FindByDigest(H(17))->has_value());  // a leaf hash is no digest
  auto got = *index_->Get(5);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->refs.size(), 2u);
  EXPECT_EQ(got->refs[1].origin, "b.example/log");
  EXPECT_EQ(got->addressees, std::vector<std::string>{"b.example/log"});
  EXPECT_FALSE(index_->Get(30)->has_value());
}

TEST_P(IndexTest, RefusesGapsAcceptsRepeatsOfWhatItHolds) {
  AddRange(0, 5);
  std::vector<IndexedStatement> gap = {Make(6)};
  EXPECT_TRUE(absl::IsInvalidArgument(index_->Add(gap)));
  std::vector<IndexedStatement> broken = {Make(5), Make(7)};
  EXPECT_TRUE(absl::IsInvalidArgument(index_->Add(broken)));
  EXPECT_EQ(*index_->IndexedSize(), 5u);  // rolled back whole
  // Entries already held, added again (another front end indexed them first) with new
  // ones after them: the held ones are skipped, the new ones indexed.
  std::vector<IndexedStatement> overlap = {Make(3), Make(4), Make(5), Make(6)};
  ASSERT_TRUE(index_->Add(overlap).ok());
  EXPECT_EQ(*index_->IndexedSize(), 7u);
  EXPECT_EQ(**index_->FindByDigest(Make(6).digest), 6u);
  // ... but not if what is held there is another entry.
  IndexedStatement other = Make(4);
  other.leaf_hash = H(1000);
  std::vector<IndexedStatement> conflicting = {other};
  EXPECT_TRUE(absl::IsDataLoss(index_->Add(conflicting)));
}

// The log may hold one statement twice (two front ends accepted it at once): the second
// copy is not indexed, and the digest keeps pointing at the first.
TEST_P(IndexTest, ARepeatedStatementKeepsItsFirstIndex) {
  AddRange(0, 3);
  IndexedStatement again = Make(1);
  again.index = 3;
  again.leaf_hash = H(3);
  std::vector<IndexedStatement> batch = {again, Make(4)};
  ASSERT_TRUE(index_->Add(batch).ok());
  EXPECT_EQ(*index_->IndexedSize(), 5u);
  EXPECT_EQ(**index_->FindByDigest(Make(1).digest), 1u);
  EXPECT_FALSE(index_->Get(3)->has_value());
  EXPECT_TRUE(index_->Get(4)->has_value());
}

TEST_P(IndexTest, QueriesPageThroughWithCursors) {
  AddRange(0, 250);
  IndexQuery q;
  q.kind = "request";
  q.limit = 40;
  std::vector<uint64_t> seen;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = index_->Query(q);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& s : page->statements) {
      EXPECT_EQ(s.kind, "request");
      seen.push_back(s.index);
    }
    if (!page->next) break;
    q.after = page->next;
  }
  EXPECT_EQ(seen.size(), 83u);  // 2, 5, …, 248
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));

  IndexQuery by_ref;
  by_ref.ref = IndexedRef{"a.example/log", 4, {}};
  auto cites = *index_->Query(by_ref);
  ASSERT_EQ(cites.statements.size(), 1u);
  EXPECT_EQ(cites.statements[0].index, 5u);

  IndexQuery to_b;
  to_b.addressee = "b.example/log";
  to_b.issuer = "a.example/log";
  to_b.limit = 1000;
  EXPECT_EQ(index_->Query(to_b)->statements.size(), 83u);
  IndexQuery none;
  none.issuer = "c.example/log";
  EXPECT_TRUE(index_->Query(none)->statements.empty());
}

TEST_F(SqliteIndexTest, SurvivesReopen) {
  AddRange(0, 12);
  index_.reset();
  auto reopened = OpenSqliteIndex(path_);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(*(*reopened)->IndexedSize(), 12u);
  index_ = *std::move(reopened);
}

TEST_P(IndexTest, FindsStatementsByTheirPrivateCommitment) {
  AddRange(0, 9);
  IndexQuery q;
  q.commitment = crypto::Sha256("body 5");
  auto page = index_->Query(q);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->statements.size(), 1u);
  EXPECT_EQ(page->statements[0].index, 5u);
  EXPECT_EQ(page->statements[0].private_commitment, crypto::Sha256("body 5"));
  EXPECT_EQ(page->statements[0].addressees, std::vector<std::string>{"b.example/log"});
  q.commitment = crypto::Sha256("body 4");  // statement 4 has none
  EXPECT_TRUE(index_->Query(q)->statements.empty());
  EXPECT_FALSE((*index_->Get(4))->private_commitment.has_value());
}

// The index is derived from the log: a database of an older schema is dropped on open
// and the node re-indexes from the log.
TEST_F(SqliteIndexTest, AnOlderSchemaIsRebuilt) {
  AddRange(0, 6);
  index_.reset();
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 1", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  auto reopened = OpenSqliteIndex(path_);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ(*(*reopened)->IndexedSize(), 0u);
  index_ = *std::move(reopened);
  AddRange(0, 3);
  EXPECT_EQ(*index_->IndexedSize(), 3u);
}

// Reads must not pin a read transaction: the WAL is checkpointed back into the database
// and stays small however many statements are added (it once grew without bound).
TEST_F(SqliteIndexTest, WalStaysBoundedUnderInterleavedReadsAndWrites) {
  for (uint64_t batch = 0; batch < 400; ++batch) {
    AddRange(batch * 100, (batch + 1) * 100);
    ASSERT_TRUE(index_->FindByDigest(Make(batch * 100).digest)->has_value());
    ASSERT_EQ(*index_->IndexedSize(), (batch + 1) * 100);
  }
  const auto wal = fs::file_size(path_.string() + "-wal");
  EXPECT_LT(wal, 8u << 20) << "WAL of " << wal << " bytes: checkpoints are blocked";
  EXPECT_GT(fs::file_size(path_), 1u << 20);  // the rows reached the database itself
}

TEST(SqliteIndex, UnopenablePathIsAClearError) {
  auto idx = OpenSqliteIndex("/nonexistent-dir/x/index.sqlite");
  EXPECT_FALSE(idx.ok());
  EXPECT_NE(idx.status().message().find("/nonexistent-dir"), std::string::npos) << idx.status();
  // A file SQLite opens lazily and refuses on first use (not a database) is named too.
  const fs::path junk =
      fs::temp_directory_path() / ("accord-index-junk-" + std::to_string(::getpid()));
  std::ofstream(junk) << std::string(4096, 'j');
  auto not_a_db = OpenSqliteIndex(junk);
  fs::remove(junk);
  ASSERT_FALSE(not_a_db.ok());
  EXPECT_NE(not_a_db.status().message().find(junk.string()), std::string::npos)
      << not_a_db.status();
}

}  // namespace
}  // namespace accord::store
