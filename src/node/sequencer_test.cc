#include "src/node/sequencer.h"

#include <gtest/gtest.h>

#include <future>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "src/crypto/sha256.h"
#include "src/node/intake.h"
#include "src/note/keys.h"
#include "src/tlog/hash.h"
#include "src/util/encoding.h"

namespace accord::node {
namespace {

store::IndexedStatement Meta(const std::string& entry) {
  store::IndexedStatement m;
  m.leaf_hash = tlog::LeafHash(util::AsBytes(entry));
  m.digest = crypto::Sha256(util::AsBytes(entry));  // the statement's identity, in the test
  m.kind = "incident";
  m.issuer = "seq.example/log";
  m.signer = "seq.example/log+00000000";
  return m;
}

class SequencerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = *note::GenerateKey("seq.example/log");
    auto storage = std::make_unique<store::MemoryLogStorage>();
    memory_ = storage.get();
    log_ = *log::Log::Create(std::move(storage), *note::NewSigner(key.private_key));
    index_ = *store::OpenSqliteIndex(":memory:");
  }
  // Submits and waits for the receipt.
  absl::StatusOr<Receipt> SubmitAndWait(Sequencer& seq, const std::string& entry) {
    std::promise<absl::StatusOr<Receipt>> p;
    auto f = p.get_future();
    absl::Status s = seq.Submit(entry, Meta(entry),
                                [&](absl::StatusOr<Receipt> r) { p.set_value(std::move(r)); });
    if (!s.ok()) return s;
    return f.get();
  }
  store::MemoryLogStorage* memory_;
  std::unique_ptr<log::Log> log_;
  std::unique_ptr<store::StatementIndex> index_;
};

TEST_F(SequencerTest, ConcurrentSubmissionsAreAllAcknowledgedOnceDurable) {
  std::vector<size_t> batch_sizes;
  absl::Mutex mu;
  Sequencer seq(*log_, *index_, {}, [&](size_t n, absl::Duration) {
    absl::MutexLock lock(&mu);
    batch_sizes.push_back(n);
  });
  constexpr int kThreads = 8, kEach = 300;
  std::vector<std::thread> threads;
  std::vector<std::vector<Receipt>> receipts(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::promise<absl::StatusOr<Receipt>>> promises(kEach);
      for (int i = 0; i < kEach; ++i) {
        std::string e = absl::StrCat("t", t, "-", i);
        ASSERT_TRUE(seq.Submit(e, Meta(e),
                               [&promises, i](absl::StatusOr<Receipt> r) {
                                 promises[i].set_value(std::move(r));
                               })
                        .ok());
      }
      for (auto& p : promises) {
        auto r = p.get_future().get();
        ASSERT_TRUE(r.ok()) << r.status();
        receipts[t].push_back(*r);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<uint64_t> indices;
  for (const auto& rs : receipts) {
    for (const auto& r : rs) {
      EXPECT_FALSE(r.duplicate);
      EXPECT_LT(r.index, r.tree_size);
      // Acknowledged means durable: the entry is in the committed log.
      EXPECT_EQ(tlog::LeafHash(util::AsBytes(*log_->ReadEntry(r.index))), r.leaf_hash);
      indices.insert(r.index);
    }
  }
  EXPECT_EQ(indices.size(), size_t{kThreads * kEach});
  EXPECT_EQ(log_->size(), uint64_t{kThreads * kEach});
  EXPECT_EQ(*index_->IndexedSize(), uint64_t{kThreads * kEach});
  EXPECT_LT(batch_sizes.size(), size_t{kThreads * kEach});  // batching happened
  EXPECT_EQ(seq.stats().appended, uint64_t{kThreads * kEach});
}

TEST_F(SequencerTest, DuplicatesGetTheOriginalIndex) {
  Sequencer seq(*log_, *index_);
  auto first = SubmitAndWait(seq, "same");
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->duplicate);
  auto again = SubmitAndWait(seq, "same");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->index, first->index);
  // Two copies in one batch: one append.
  std::promise<Receipt> a, b;
  ASSERT_TRUE(seq.Submit("twin", Meta("twin"), [&](auto r) { a.set_value(*r); }).ok());
  ASSERT_TRUE(seq.Submit("twin", Meta("twin"), [&](auto r) { b.set_value(*r); }).ok());
  Receipt ra = a.get_future().get(), rb = b.get_future().get();
  EXPECT_EQ(ra.index, rb.index);
  EXPECT_NE(ra.duplicate, rb.duplicate);
  EXPECT_EQ(log_->size(), 2u);
}

TEST_F(SequencerTest, BatchesFlushWhenFullWithoutWaitingForTheDeadline) {
  std::vector<size_t> sizes;
  absl::Mutex mu;
  SequencerOptions opts;
  opts.max_batch = 10;
  opts.max_delay = absl::Seconds(30);  // only size can flush quickly
  Sequencer seq(*log_, *index_, opts, [&](size_t n, absl::Duration) {
    absl::MutexLock lock(&mu);
    sizes.push_back(n);
  });
  std::vector<std::promise<void>> done(20);
  for (int i = 0; i < 20; ++i) {
    std::string e = absl::StrCat("b", i);
    ASSERT_TRUE(seq.Submit(e, Meta(e), [&, i](auto) { done[i].set_value(); }).ok());
  }
  for (auto& d : done) d.get_future().get();
  absl::MutexLock lock(&mu);
  EXPECT_EQ(sizes, (std::vector<size_t>{10, 10}));
}

TEST_F(SequencerTest, FullQueueFailsFast) {
  SequencerOptions opts;
  opts.max_pending = 0;
  Sequencer seq(*log_, *index_, opts);
  EXPECT_TRUE(absl::IsResourceExhausted(seq.Submit("x", Meta("x"), [](auto) {})));
}

TEST_F(SequencerTest, StorageFailureFailsTheBatchAndStopsTheSequencer) {
  Sequencer seq(*log_, *index_);
  ASSERT_TRUE(SubmitAndWait(seq, "ok").ok());
  memory_->FailAfter(0, store::MemoryLogStorage::FailMode::kFailAndDontPersist);
  auto failed = SubmitAndWait(seq, "doomed");
  EXPECT_FALSE(failed.ok());
  auto later = SubmitAndWait(seq, "later");
  EXPECT_TRUE(absl::IsUnavailable(later.status())) << later.status();
  EXPECT_EQ(ProblemName(later.status()), kProblemStorageFailure) << later.status();
  EXPECT_FALSE(seq.failure().ok());
}

// An index whose next Add blocks until released and then fails as a full disk does.
class FullIndex final : public store::StatementIndex {
 public:
  explicit FullIndex(store::StatementIndex& base) : base_(base) {}
  absl::Status Add(std::span<const store::IndexedStatement> batch) override {
    entered_.Notify();
    release_.WaitForNotification();
    return absl::ResourceExhaustedError("index.sqlite: INSERT: database or disk is full");
  }
  absl::StatusOr<uint64_t> IndexedSize() override { return base_.IndexedSize(); }
  absl::StatusOr<std::optional<uint64_t>> FindByDigest(const crypto::Digest& d) override {
    return base_.FindByDigest(d);
  }
  absl::StatusOr<std::optional<store::IndexedStatement>> Get(uint64_t i) override {
    return base_.Get(i);
  }
  absl::StatusOr<store::IndexPage> Query(const store::IndexQuery& q) override {
    return base_.Query(q);
  }
  absl::Notification entered_, release_;

 private:
  store::StatementIndex& base_;
};

// What was queued behind the failing batch is told about the storage, not that the node
// is shutting down (it keeps serving reads), and so is everything submitted later.
TEST_F(SequencerTest, StorageFailureTellsEveryWaitingSubmissionWhy) {
  FullIndex index(*index_);
  SequencerOptions opts;
  opts.max_batch = 1;
  Sequencer seq(*log_, index, opts);
  std::vector<std::promise<absl::Status>> done(3);
  for (int i = 0; i < 3; ++i) {
    const std::string e = absl::StrCat("e", i);
    ASSERT_TRUE(seq.Submit(e, Meta(e), [&, i](auto r) { done[i].set_value(r.status()); }).ok());
    if (i == 0) index.entered_.WaitForNotification();  // the first batch is being indexed
  }
  index.release_.Notify();
  for (auto& d : done) {
    absl::Status s = d.get_future().get();
    EXPECT_TRUE(absl::IsResourceExhausted(s)) << s;
    EXPECT_EQ(ProblemName(s), kProblemInsufficientStorage) << s;
    EXPECT_FALSE(absl::StrContains(s.message(), "index.sqlite")) << s;  // no file names
    EXPECT_TRUE(absl::StrContains(s.message(), "database or disk is full")) << s;
  }
  absl::Status later = seq.Submit("late", Meta("late"), [](auto) {});
  EXPECT_EQ(ProblemName(later), kProblemInsufficientStorage) << later;
  EXPECT_TRUE(absl::StrContains(seq.failure().message(), "index.sqlite"));  // the operator's
}

TEST_F(SequencerTest, StorageFailuresOtherThanAFullDiskAreStorageFailures) {
  absl::Status ro = StorageFailure(absl::PermissionDeniedError(
      "cannot commit to /srv/a/log: cannot create /srv/a/log/tile/.x: Read-only file system"));
  EXPECT_TRUE(absl::IsUnavailable(ro));
  EXPECT_EQ(ProblemName(ro), kProblemStorageFailure);
  EXPECT_TRUE(absl::StrContains(ro.message(), "(Read-only file system)")) << ro;
  EXPECT_FALSE(absl::StrContains(ro.message(), "/srv")) << ro;
  absl::Status opaque = StorageFailure(absl::InternalError("/srv/a/log/x"));
  EXPECT_EQ(ProblemName(opaque), kProblemStorageFailure);
  EXPECT_FALSE(absl::StrContains(opaque.message(), "/srv")) << opaque;
}

TEST_F(SequencerTest, StopFailsWhatIsQueued) {
  SequencerOptions opts;
  opts.max_batch = 1000;
  opts.max_delay = absl::Hours(1);
  auto seq = std::make_unique<Sequencer>(*log_, *index_, opts);
  std::promise<absl::Status> p;
  ASSERT_TRUE(seq->Submit("q", Meta("q"), [&](auto r) { p.set_value(r.status()); }).ok());
  seq->Stop();
  EXPECT_TRUE(absl::IsUnavailable(p.get_future().get()));
  EXPECT_TRUE(absl::IsUnavailable(seq->Submit("r", Meta("r"), [](auto) {})));
}

TEST_F(SequencerTest, CatchUpIndexesWhatTheLogHasAndTheIndexLacks) {
  std::vector<std::string> entries = {"a", "b", "c"};
  std::vector<std::span<const uint8_t>> views;
  for (const auto& e : entries) views.push_back(util::AsBytes(e));
  ASSERT_TRUE(log_->Append(views).ok());
  auto describe = [](uint64_t, std::string_view e) -> absl::StatusOr<store::IndexedStatement> {
    return Meta(std::string(e));
  };
  ASSERT_TRUE(CatchUpIndex(*log_, *index_, describe).ok());
  EXPECT_EQ(*index_->IndexedSize(), 3u);
  EXPECT_EQ(**index_->FindByDigest(crypto::Sha256(util::AsBytes(std::string("c")))), 2u);
  ASSERT_TRUE(CatchUpIndex(*log_, *index_, describe).ok());  // nothing to do
  // A duplicate of a caught-up entry is recognised.
  Sequencer seq(*log_, *index_);
  auto r = SubmitAndWait(seq, "b");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->duplicate);
  EXPECT_EQ(r->index, 1u);
  // An index ahead of its log is refused.
  auto other = *store::OpenSqliteIndex(":memory:");
  std::vector<store::IndexedStatement> many;
  for (uint64_t i = 0; i < 5; ++i) {
    many.push_back(Meta(absl::StrCat("z", i)));
    many.back().index = i;
  }
  ASSERT_TRUE(other->Add(many).ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(CatchUpIndex(*log_, *other, describe)));
}

// Two front ends of one party, each a Log and a Sequencer on one shared storage and one
// index: every submission through either is acknowledged once, at an index no other
// got, and the index ends complete, each entry under the leaf hash the log holds.
TEST_F(SequencerTest, TwoSequencersOfASharedLogTakeTurnsAndIndexEverything) {
  auto key = *note::GenerateKey("seq.example/log");
  store::MemoryLogStorage shared;
  auto a = *log::Log::Create(shared.Share(), *note::NewSigner(key.private_key));
  auto b = *log::Log::OpenForAppend(shared.Share(), *note::NewSigner(key.private_key));
  SharedLog how;
  how.describe = [](uint64_t, std::string_view e) -> absl::StatusOr<store::IndexedStatement> {
    return Meta(std::string(e));
  };
  how.refresh_interval = absl::Milliseconds(20);
  Sequencer sa(*a, *index_, {}, nullptr, how), sb(*b, *index_, {}, nullptr, how);
  constexpr int kEach = 60;
  std::vector<std::thread> threads;
  absl::Mutex mu;
  std::set<uint64_t> indices;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach / 2; ++i) {
        auto r = SubmitAndWait(t % 2 ? sb : sa, absl::StrCat("t", t, "-", i));
        ASSERT_TRUE(r.ok()) << r.status();
        EXPECT_FALSE(r->duplicate);
        absl::MutexLock lock(&mu);
        EXPECT_TRUE(indices.insert(r->index).second) << "index " << r->index << " given twice";
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(indices.size(), size_t{2 * kEach});
  ASSERT_TRUE(a->Refresh().ok());
  EXPECT_EQ(a->size(), uint64_t{2 * kEach});
  EXPECT_EQ(*index_->IndexedSize(), uint64_t{2 * kEach});
  auto entries = *a->ReadEntries(0, 2 * kEach);
  for (uint64_t i = 0; i < entries.size(); ++i) {
    auto meta = *index_->Get(i);
    ASSERT_TRUE(meta.has_value()) << i;
    EXPECT_EQ(meta->leaf_hash, tlog::LeafHash(util::AsBytes(entries[i]))) << i;
  }
  // A duplicate of what the other front end logged is answered as one, with its index.
  auto dup = SubmitAndWait(sb, "t0-0");
  ASSERT_TRUE(dup.ok());
  EXPECT_TRUE(dup->duplicate);
}

// An officer decision another front end logged while a batch waited: the batch is not
// logged after it under the old idea of who may sign; the node rebuilds that first, and
// the waiting submissions are refused, retryably.
TEST_F(SequencerTest, AnOfficerDecisionFromAnotherWriterRefusesWhatWasPending) {
  // The other front end may or may not have indexed its decision yet (its sequencer
  // indexes after its commit): either way this one must notice it.
  for (const bool indexed_by_the_other : {false, true}) {
    SCOPED_TRACE(indexed_by_the_other ? "already indexed" : "not yet indexed");
    auto index = *store::OpenSqliteIndex(":memory:");
    auto key = *note::GenerateKey("seq.example/log");
    store::MemoryLogStorage shared;
    auto a = *log::Log::Create(shared.Share(), *note::NewSigner(key.private_key));
    auto b = *log::Log::OpenForAppend(shared.Share(), *note::NewSigner(key.private_key));
    int rebuilt = 0;
    SharedLog how;
    how.describe = [](uint64_t, std::string_view e) -> absl::StatusOr<store::IndexedStatement> {
      store::IndexedStatement m = Meta(std::string(e));
      if (e.starts_with("officer")) m.kind = "officer";
      return m;
    };
    how.officers_changed = [&](const std::function<void()>& drop_pending) {
      ++rebuilt;
      drop_pending();
    };
    how.refresh_interval = absl::Hours(1);  // no idle catch-up: the race decides
    Sequencer sa(*a, *index, {}, nullptr, how);
    const std::string decision = "officer: revoke a key";
    const std::span<const uint8_t> views[] = {util::AsBytes(decision)};
    ASSERT_TRUE(b->Append(views).ok());  // the other front end, behind a's back
    if (indexed_by_the_other) {
      std::vector<store::IndexedStatement> meta = {*how.describe(0, decision)};
      ASSERT_TRUE(index->Add(meta).ok());
    }
    auto r = SubmitAndWait(sa, "signed by the revoked key");
    EXPECT_TRUE(absl::IsUnavailable(r.status())) << r.status();
    EXPECT_TRUE(absl::StrContains(r.status().message(), "who may sign")) << r.status();
    EXPECT_EQ(rebuilt, 1);
    EXPECT_EQ(*index->IndexedSize(), 1u);  // the decision, indexed; nothing after it
    EXPECT_EQ((*index->Get(0))->kind, "officer");
    // Submitted again, now judged after the decision, it is logged.
    auto again = SubmitAndWait(sa, "signed by another key");
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(again->index, 1u);
    EXPECT_EQ(rebuilt, 1);  // its own entries change nothing
  }
}

}  // namespace
}  // namespace accord::node
