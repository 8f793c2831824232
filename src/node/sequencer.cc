#include "src/node/sequencer.h"

#include <cstdio>
#include <cstring>
#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "src/node/intake.h"
#include "src/tlog/hash.h"
#include "src/util/encoding.h"

namespace accord::node {
using crypto::DigestHash;

absl::Status StorageFailure(const absl::Status& cause) {
  // The store's messages end with the system's or SQLite's words ("No space left on
  // device", "database or disk is full"); what comes before names files.
  std::string reason(cause.message());
  if (const size_t colon = reason.rfind(": "); colon != std::string::npos) {
    reason.erase(0, colon + 2);
  }
  if (reason.find('/') != std::string::npos) reason.clear();
  const std::string why = reason.empty() ? "" : absl::StrCat(" (", reason, ")");
  if (absl::IsResourceExhausted(cause)) {
    return WithProblemName(
        absl::ResourceExhaustedError(absl::StrCat(
            "the node's disk is full", why,
            ": the statement was not acknowledged, and none will be until the operator frees "
            "space and restarts the node")),
        kProblemInsufficientStorage);
  }
  return WithProblemName(
      absl::UnavailableError(absl::StrCat(
          "the node cannot write its log or index", why,
          ": the statement was not acknowledged, and none will be until the operator repairs "
          "the storage and restarts the node")),
      kProblemStorageFailure);
}

Sequencer::Sequencer(log::Log& log, store::StatementIndex& index, SequencerOptions options,
                     BatchObserver observer, std::optional<SharedLog> shared)
    : log_(log),
      index_(index),
      options_(options),
      observer_(std::move(observer)),
      shared_(std::move(shared)) {
  thread_ = std::thread([this] { Run(); });
}

Sequencer::~Sequencer() { Stop(); }

void Sequencer::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

absl::Status Sequencer::Submit(std::string entry, store::IndexedStatement meta, SubmitDone done) {
  absl::MutexLock lock(&mu_);
  if (!failure_.ok()) return StorageFailure(failure_);
  if (stopping_) return absl::UnavailableError("the node is shutting down");
  if (queue_.size() >= options_.max_pending) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the sequencer queue is full (", options_.max_pending, " pending)"));
  }
  ++stats_.submitted;
  queue_.push_back(Pending{std::move(entry), std::move(meta), std::move(done), absl::Now()});
  return absl::OkStatus();
}

SequencerStats Sequencer::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

absl::Status Sequencer::failure() const {
  absl::MutexLock lock(&mu_);
  return failure_;
}

void Sequencer::Run() {
  std::deque<Pending> batch;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      const absl::Condition work(
          +[](Sequencer* s)
               ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) { return s->stopping_ || !s->queue_.empty(); },
          this);
      if (!shared_) {
        mu_.Await(work);
      } else if (!mu_.AwaitWithTimeout(work, shared_->refresh_interval)) {
        // Idle: take up what the other front ends appended, so that reads and refs here
        // see it.
        mu_.Unlock();
        Refresh();
        mu_.Lock();
        continue;
      }
      if (!stopping_) {
        // Batch: wait until it is full or the oldest submission has waited max_delay.
        const absl::Time deadline = queue_.front().queued + options_.max_delay;
        mu_.AwaitWithDeadline(absl::Condition(
                                  +[](Sequencer* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) {
                                    return s->stopping_ ||
                                           s->queue_.size() >= s->options_.max_batch;
                                  },
                                  this),
                              deadline);
      }
      if (stopping_) {
        batch.swap(queue_);
        break;
      }
      const size_t n = std::min(queue_.size(), options_.max_batch);
      for (size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    Integrate(batch);
    batch.clear();
  }
  // Stopped by Stop(), or by a storage failure while the node keeps running (what was
  // queued behind the failed batch is told why).
  const absl::Status failed = failure();
  FailAll(batch, failed.ok() ? absl::UnavailableError("the node is shutting down")
                             : StorageFailure(failed));
}

absl::Status Sequencer::EnterFailure(const absl::Status& cause) {
  {
    absl::MutexLock lock(&mu_);
    if (failure_.ok()) {
      failure_ = cause;
      std::fprintf(stderr, "accord: the log stopped accepting statements: %s\n",
                   cause.ToString().c_str());
    }
    stopping_ = true;
  }
  return StorageFailure(cause);
}

void Sequencer::FailAll(std::deque<Pending>& batch, const absl::Status& status) {
  {
    absl::MutexLock lock(&mu_);
    stats_.failed += batch.size();
  }
  for (auto& p : batch) p.done(status);
}

void Sequencer::Refresh() {
  std::deque<Pending> none;
  const uint64_t from = log_.size();
  if (recover_) {
    if (!log_.Recover().ok()) return;
    recover_ = false;
  }
  auto grew = log_.Refresh();
  if (!grew.ok()) {
    FailTransiently(none, grew.status());
    return;
  }
  if (auto s = TakeUpOthers(none, from); !s.ok()) FailTransiently(none, s.status());
}

absl::StatusOr<bool> Sequencer::TakeUpOthers(std::deque<Pending>& batch, uint64_t from) {
  // What this writer's log took up: [from, now). The shared index may hold more (other
  // front ends index what they append), but who may sign here changes only with what
  // this log has taken up.
  const uint64_t now = log_.size();
  if (now <= from) return false;
  if (auto s = CatchUpIndex(log_, index_, shared_->describe, /*shared=*/true); !s.ok()) return s;
  store::IndexQuery q;
  q.kind = std::string(statement::KindName(statement::Kind::kOfficer));
  if (from > 0) q.after = from - 1;
  q.limit = 1;
  auto officers = index_.Query(q);
  if (!officers.ok()) return officers.status();
  if (officers->statements.empty() || officers->statements.front().index >= now) return false;
  const auto drop = [this, &batch] {
    std::deque<Pending> queued;
    {
      absl::MutexLock lock(&mu_);
      queued.swap(queue_);
    }
    const absl::Status why = absl::UnavailableError(
        "who may sign for this party changed on another of its front ends while the "
        "statement waited: it was not logged; submit it again");
    FailAll(batch, why);
    FailAll(queued, why);
    batch.clear();
  };
  if (shared_->officers_changed) {
    shared_->officers_changed(drop);
  } else {
    drop();
  }
  return true;
}

void Sequencer::FailTransiently(std::deque<Pending>& batch, const absl::Status& cause) {
  if (!recover_) {  // once per outage
    std::fprintf(stderr, "accord: the shared log failed (the next batch recovers): %s\n",
                 cause.ToString().c_str());
  }
  recover_ = true;
  FailAll(batch, WithProblemName(absl::UnavailableError(absl::StrCat(
                                     "the node cannot write its shared log (", cause.message(),
                                     "): the statement was not acknowledged; submit it again")),
                                 kProblemStorageFailure));
  batch.clear();
}

void Sequencer::Integrate(std::deque<Pending>& batch) {
  if (shared_ && recover_) {
    const uint64_t from = log_.size();
    if (absl::Status s = log_.Recover(); !s.ok()) return FailTransiently(batch, s);
    recover_ = false;
    auto officers = TakeUpOthers(batch, from);
    if (!officers.ok()) return FailTransiently(batch, officers.status());
    if (*officers) return;  // refused whole, see TakeUpOthers
  }
  for (int attempt = 1;; ++attempt) {
    if (!IntegrateOnce(batch, attempt)) return;
  }
}

bool Sequencer::IntegrateOnce(std::deque<Pending>& batch, int attempt) {
  const absl::Time started = batch.front().queued;
  // Drop duplicates — the same statement (StatementDigest), however spelled or signed —
  // of an entry already in the log, or of one earlier in this batch; each is answered
  // with the original's index and leaf hash. The index is complete up to the log's size
  // (this thread is its only writer).
  std::vector<size_t> fresh;                                // positions in `batch` to append
  std::vector<int64_t> duplicate_of(batch.size(), -1);      // batch position, or -(log index)-2
  std::vector<crypto::Digest> original_leaf(batch.size());  // of a duplicate of a log entry
  std::unordered_map<crypto::Digest, size_t, DigestHash> seen;
  for (size_t i = 0; i < batch.size(); ++i) {
    const crypto::Digest& digest = batch[i].meta.digest;
    if (auto it = seen.find(digest); it != seen.end()) {
      duplicate_of[i] = static_cast<int64_t>(it->second);
      continue;
    }
    auto found = index_.FindByDigest(digest);
    absl::StatusOr<std::optional<store::IndexedStatement>> original;
    if (found.ok() && found->has_value()) original = index_.Get(**found);
    if (!found.ok() || (found->has_value() && !original.ok())) {
      const absl::Status cause = found.ok() ? original.status() : found.status();
      if (shared_) {
        FailTransiently(batch, cause);
      } else {
        FailAll(batch, EnterFailure(cause));
      }
      return false;
    }
    if (found->has_value()) {
      duplicate_of[i] = -static_cast<int64_t>(**found) - 2;
      if (original->has_value()) original_leaf[i] = (*original)->leaf_hash;
      continue;
    }
    seen.emplace(digest, i);
    fresh.push_back(i);
  }

  log::AppendResult result;
  if (!fresh.empty()) {
    std::vector<std::span<const uint8_t>> views;
    views.reserve(fresh.size());
    for (size_t i : fresh) views.push_back(util::AsBytes(batch[i].entry));
    const uint64_t view = log_.size();
    auto appended = shared_ ? log_.TryAppend(views) : log_.Append(views);
    if (shared_ && log::IsLostRace(appended.status())) {
      // Another front end committed first: index what it appended, then judge the batch
      // again where it now goes (duplicates of the others' entries, who may sign).
      auto officers = TakeUpOthers(batch, view);
      if (!officers.ok()) {
        FailTransiently(batch, officers.status());
        return false;
      }
      if (*officers) return false;  // refused whole, see TakeUpOthers
      if (attempt >= log::Log::kMaxCommitAttempts) {
        FailAll(batch, WithProblemName(
                           absl::UnavailableError(absl::StrCat(
                               "other front ends of this party committed first ", attempt,
                               " times in a row: the statement was not logged; submit it again")),
                           kProblemStorageFailure));
        return false;
      }
      return true;  // again
    }
    absl::Status s = appended.status();
    if (appended.ok()) {
      result = *std::move(appended);
      std::vector<store::IndexedStatement> metas;
      metas.reserve(fresh.size());
      for (size_t k = 0; k < fresh.size(); ++k) {
        batch[fresh[k]].meta.index = result.first_index + k;
        metas.push_back(batch[fresh[k]].meta);
      }
      s = index_.Add(metas);
      if (!s.ok()) s = absl::Status(s.code(), absl::StrCat("statement index: ", s.message()));
    }
    if (!s.ok()) {
      if (shared_) {
        FailTransiently(batch, s);
      } else {
        FailAll(batch, EnterFailure(s));
      }
      return false;
    }
  } else {
    result.size = log_.size();
    result.checkpoint = log_.signed_checkpoint();
  }
  if (observer_ && !fresh.empty()) observer_(fresh.size(), absl::Now() - started);

  uint64_t duplicates = 0;
  for (size_t i = 0; i < batch.size(); ++i) duplicates += duplicate_of[i] == -1 ? 0 : 1;
  {
    // Counted before anyone is acknowledged: whoever holds a receipt sees it in stats().
    absl::MutexLock lock(&mu_);
    stats_.appended += fresh.size();
    stats_.duplicates += duplicates;
    ++stats_.batches;
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    Receipt r;
    r.leaf_hash = batch[i].meta.leaf_hash;
    r.tree_size = result.size;
    r.checkpoint = result.checkpoint;
    if (duplicate_of[i] == -1) {
      r.index = batch[i].meta.index;
    } else if (duplicate_of[i] >= 0) {
      r.duplicate = true;
      r.index = batch[duplicate_of[i]].meta.index;
      r.leaf_hash = batch[duplicate_of[i]].meta.leaf_hash;
    } else {
      r.duplicate = true;
      r.index = static_cast<uint64_t>(-(duplicate_of[i] + 2));
      r.leaf_hash = original_leaf[i];
    }
    batch[i].done(std::move(r));
  }
  return false;  // done
}

absl::Status CatchUpIndex(const log::Log& log, store::StatementIndex& index,
                          const DescribeEntry& describe, bool shared) {
  auto indexed = index.IndexedSize();
  if (!indexed.ok()) return indexed.status();
  const uint64_t size = log.size();
  if (*indexed > size && shared) return absl::OkStatus();
  if (*indexed > size) {
    return absl::FailedPreconditionError(
        absl::StrCat("the statement index holds ", *indexed, " statements but the log only ", size,
                     ": the index belongs to another log; move it aside to rebuild it"));
  }
  constexpr uint64_t kChunk = 4096;
  for (uint64_t begin = *indexed; begin < size; begin += kChunk) {
    const uint64_t end = std::min(size, begin + kChunk);
    auto entries = log.ReadEntries(begin, end);
    if (!entries.ok()) return entries.status();
    std::vector<store::IndexedStatement> metas;
    metas.reserve(entries->size());
    for (uint64_t i = begin; i < end; ++i) {
      const std::string& entry = (*entries)[i - begin];
      auto meta = describe(i, entry);
      if (!meta.ok()) return meta.status();
      meta->index = i;
      meta->leaf_hash = tlog::LeafHash(util::AsBytes(entry));
      metas.push_back(*std::move(meta));
    }
    if (auto s = index.Add(metas); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace accord::node
