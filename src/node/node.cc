#include "src/node/node.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "src/store/durable_file.h"
#include "src/store/folder_lock.h"
#include "src/util/time.h"

namespace accord::node {

absl::StatusOr<std::unique_ptr<Node>> Node::Open(const NodeOptions& options) {
  if (auto s = store::MakeDirsDurably(options.data_dir); !s.ok()) return s;
  // A folder the node could read but not write would start, serve, and refuse every
  // statement: refuse to start instead, saying why.
  if (auto s = store::CheckWritableFolder(options.data_dir); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat("the data folder cannot be written: ", s.message()));
  }
  std::unique_ptr<Node> node(new Node());
  // One node per data folder: a second would write the same log, index and state.
  auto lock = store::FolderLock::Acquire(options.data_dir);
  if (!lock.ok()) return lock.status();
  node->lock_ = *std::move(lock);
  node->max_statement_age_ = options.max_statement_age;
  if (!options.key)
    return absl::InvalidArgumentError("a node needs its party key (NodeOptions::key)");
  auto signer = options.key();
  if (!signer.ok()) return signer.status();
  node->vkey_ = signer->VerifierKeyString();
  node->signer_ = *signer;
  auto verifier = note::NewVerifier(node->vkey_);
  if (!verifier.ok()) return verifier.status();

  auto validator = statement::Validator::Create();
  if (!validator.ok()) return validator.status();
  node->validator_ = *std::move(validator);

  if (!options.stores)
    return absl::InvalidArgumentError("a node needs its stores (NodeOptions::stores)");
  auto stores = options.stores();
  if (!stores.ok()) return stores.status();
  if (stores->log == nullptr || stores->index == nullptr)
    return absl::InvalidArgumentError("a node needs its log and its index");
  auto log = log::Log::OpenOrCreate(std::move(stores->log), *signer);
  if (!log.ok()) return log.status();
  node->log_ = *std::move(log);
  node->index_ = std::move(stores->index);
  node->intake_ = std::make_unique<Intake>(*std::move(verifier), *node->validator_);
  Intake& intake = *node->intake_;
  if (auto s = CatchUpIndex(
          *node->log_, *node->index_,
          [&](uint64_t, std::string_view e) { return intake.Describe(e); }, stores->shared);
      !s.ok()) {
    return absl::Status(s.code(), absl::StrCat("cannot index the log: ", s.message()));
  }
  if (auto s = node->LoadOfficers(); !s.ok()) return s;
  Node* self = node.get();
  BatchObserver observer = [self, user = options.batch_observer](size_t n, absl::Duration d) {
    if (user) user(n, d);
    absl::MutexLock lock(&self->listeners_mu_);
    for (const auto& listener : self->listeners_) listener();
  };
  std::optional<SharedLog> shared;
  if (stores->shared) {
    shared.emplace();
    shared->describe = [self](uint64_t, std::string_view e) { return self->intake_->Describe(e); };
    shared->officers_changed = [self](const std::function<void()>& drop_pending) {
      absl::MutexLock order(&self->order_mu_);
      self->intake_->ResetOfficers();
      if (absl::Status s = self->LoadOfficers(); !s.ok()) {
        std::fprintf(stderr, "accord: cannot reload the officer decisions: %s\n",
                     s.ToString().c_str());
      }
      drop_pending();
    };
  }
  node->sequencer_ = std::make_unique<Sequencer>(*node->log_, *node->index_, options.sequencer,
                                                 observer, std::move(shared));
  return node;
}

absl::Status Node::LoadOfficers() {
  // Up to what this node's log holds: a shared index may already hold more (other front
  // ends index what they append), which applies here once this log has taken it up.
  const uint64_t size = log_->size();
  store::IndexQuery q;
  q.kind = std::string(statement::KindName(statement::Kind::kOfficer));
  q.limit = 1000;
  while (true) {
    auto page = index_->Query(q);
    if (!page.ok()) return page.status();
    for (const auto& m : page->statements) {
      if (m.index >= size) return absl::OkStatus();
      auto entry = log_->ReadEntry(m.index);
      if (!entry.ok()) return entry.status();
      auto st = validator_->Parse(*entry);
      if (!st.ok()) return st.status();
      // A decision that changes nothing (a replayed or stale one) is ignored, as every
      // verifier replaying the log ignores it (OfficerRegistry).
      (void)intake_->Apply(*st);
    }
    if (!page->next) return absl::OkStatus();
    q.after = page->next;
  }
}

Node::~Node() { Stop(); }

void Node::Stop() {
  if (sequencer_) sequencer_->Stop();
}

absl::Status Node::Submit(std::string envelope, SubmitCallback done) {
  if (envelope.size() > tlog::kMaxEntrySize) {
    return WithProblemName(
        absl::InvalidArgumentError(
            absl::StrCat("a statement is at most 65535 bytes; this one has ", envelope.size())),
        kProblemTooLarge);
  }
  // A statement already in the log is answered with the original's receipt, whatever
  // has changed since (its signer revoked, its time out of the intake window): a retry
  // must get the answer the first attempt got, and nothing is appended. The sequencer
  // makes that answer (it also catches duplicates still in its queue).
  if (auto parsed = statement::ParseEnvelope(envelope); parsed.ok()) {
    const crypto::Digest digest = statement::StatementDigest(*parsed);
    auto known = index_->FindByDigest(digest);
    if (known.ok() && known->has_value()) {
      store::IndexedStatement meta;
      meta.digest = digest;
      return sequencer_->Submit(std::move(envelope), std::move(meta), Answer(std::move(done)));
    }
  }
  // Signatures are verified in parallel, without the order lock...
  auto accepted = intake_->Admit(envelope, absl::Now());
  if (!accepted.ok()) return accepted.status();
  if (absl::Status s = CheckAgainstLog(accepted->statement); !s.ok()) return s;
  if (submit_check_) {
    if (absl::Status s = submit_check_(accepted->statement); !s.ok()) return s;
  }
  // ...and the statement takes its position under it. An officer decision queued in
  // between (rare) may have changed who can sign: then it is judged again, at the
  // position it now gets. An officer decision applies from its own position on, whether
  // or not its batch is durable yet: if that batch fails, the sequencer stops and the
  // node restarts from what the log holds.
  absl::MutexLock order(&order_mu_);
  if (accepted->officers_version != intake_->officers_version()) {
    accepted = intake_->Admit(envelope, absl::Now());
    if (!accepted.ok()) return accepted.status();
  }
  std::optional<statement::Statement> decision;
  if (accepted->statement.kind == statement::Kind::kOfficer) decision = accepted->statement;
  absl::Status queued = sequencer_->Submit(std::move(accepted->entry), std::move(accepted->meta),
                                           Answer(std::move(done)));
  if (queued.ok() && decision) (void)intake_->Apply(*decision);
  return queued;
}

SubmitDone Node::Answer(SubmitCallback done) {
  return [this, done = std::move(done)](absl::StatusOr<Receipt> r) {
    if (!r.ok()) return done(r.status());
    auto proof = log_->InclusionProof(r->index, r->tree_size);
    if (!proof.ok()) return done(proof.status());
    done(SubmitResult{*std::move(r), *std::move(proof)});
  };
}

absl::Status Node::CheckAgainstLog(const statement::Statement& s) const {
  // Clocks differ, but not by this much: a statement is logged around when it is issued,
  // so that `issued` is a time the other parties can hold the issuer to.
  const absl::Time now = absl::Now();
  if (s.issued > now + kMaxFutureSkew) {
    return WithProblemName(absl::InvalidArgumentError(absl::StrCat(
                               "issued ", util::Rfc3339(s.issued), " lies more than ",
                               absl::FormatDuration(kMaxFutureSkew),
                               " in the future of the node's clock (", util::Rfc3339(now), ")")),
                           kProblemFutureDated);
  }
  if (s.issued < now - max_statement_age_) {
    return WithProblemName(
        absl::InvalidArgumentError(
            absl::StrCat("issued ", util::Rfc3339(s.issued), " lies more than ",
                         absl::FormatDuration(max_statement_age_), " before the node's clock (",
                         util::Rfc3339(now), "): sign statements when you submit them")),
        kProblemBackdated);
  }
  for (const statement::Ref& ref : s.refs) {
    if (absl::Status r = ResolveRef(ref); !r.ok()) return r;
  }
  return absl::OkStatus();
}

absl::Status Node::ResolveRef(const statement::Ref& ref) const {
  const auto refuse = [&](const absl::Status& why) {
    return WithProblemName(absl::InvalidArgumentError(
                               absl::StrCat("a ref does not cite what it says: ", why.message())),
                           kProblemBadRef);
  };
  const auto unresolved = [&](absl::string_view why) {
    return WithProblemName(
        absl::FailedPreconditionError(absl::StrCat("a ref cannot be resolved yet: ", why)),
        kProblemUnresolvedRef);
  };
  if (ref.origin == origin()) {
    // Into this log: a committed entry, as the index records it.
    const uint64_t size = log_->size();
    if (ref.index >= size) {
      return refuse(absl::InvalidArgumentError(absl::StrCat(
          ref.origin, " #", ref.index, " does not exist: the log has ", size, " entries")));
    }
    auto meta = index_->Get(ref.index);
    if (!meta.ok()) return meta.status();
    if (!meta->has_value()) {
      return unresolved(absl::StrCat(ref.origin, " #", ref.index, " is not indexed yet"));
    }
    if (absl::Status c = statement::CheckCited(ref, (*meta)->leaf_hash, (*meta)->kind); !c.ok()) {
      return refuse(c);
    }
    return absl::OkStatus();
  }
  if (!ref_resolver_) {
    return unresolved(
        absl::StrCat("this node follows no other party's log (it has no directory), "
                     "so it cannot check a ref into ",
                     ref.origin));
  }
  absl::Status r = ref_resolver_(ref);
  if (r.ok()) return r;
  if (absl::IsInvalidArgument(r) || absl::IsNotFound(r)) return refuse(r);
  if (absl::IsUnavailable(r)) return unresolved(r.message());
  return r;
}

absl::Status Node::SignAndSubmit(statement::Kind kind, std::string_view payload_json,
                                 SubmitCallback done) {
  auto envelope = statement::Sign(kind, payload_json, *signer_);
  if (!envelope.ok()) return envelope.status();
  return Submit(*std::move(envelope), std::move(done));
}

void Node::AddCommitListener(std::function<void()> listener) {
  absl::MutexLock lock(&listeners_mu_);
  listeners_.push_back(std::move(listener));
}

void Node::SetCheckpointPublisher(std::function<std::string()> publisher) {
  publisher_ = std::move(publisher);
}

std::string Node::published_checkpoint() const {
  return publisher_ ? publisher_() : log_->signed_checkpoint();
}

absl::StatusOr<StatementRecord> Node::Get(uint64_t index) const {
  auto meta = index_->Get(index);
  if (!meta.ok()) return meta.status();
  if (!meta->has_value()) {
    return absl::NotFoundError(
        absl::StrCat("no statement ", index, " (the log has ", log_->size(), ")"));
  }
  auto entry = log_->ReadEntry(index);
  if (!entry.ok()) return entry.status();
  return StatementRecord{**std::move(meta), *std::move(entry)};
}

absl::StatusOr<store::IndexPage> Node::List(const store::IndexQuery& query) const {
  return index_->Query(query);
}

}  // namespace accord::node
