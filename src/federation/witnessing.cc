// Getting the log's checkpoints cosigned by the directory's witnesses, as a client of
// c2sp.org/tlog-witness add-checkpoint.
#include "src/federation/witnessing.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "src/federation/witness.h"
#include "src/http/client.h"
#include "src/note/checkpoint.h"
#include "src/note/note.h"

namespace accord::federation {

// A witness of another party. The identity fields are fixed at creation; the rest is
// guarded by Witnessing::mu_. At most one request is in flight per peer (`busy`), on
// `thread`.
struct Witnessing::Peer {
  std::string name, url;
  std::shared_ptr<const note::CosignatureV1Verifier> verifier;
  std::unique_ptr<http::Client> client;  // null: the URL is unusable (status says why)

  bool busy = false;
  std::thread thread;
  std::string cosigned_text;  // the checkpoint text `cosignature` signs
  std::string cosignature;    // its signature line
  absl::Time retry_at = absl::InfinitePast();
  absl::Duration backoff = absl::ZeroDuration();
  // Skipped until the log is larger than this (the witness claims a size beyond the
  // log's, or another checkpoint at the log's size).
  std::optional<uint64_t> blocked_until_size;
  WitnessStatus status;
};

// One submission: the log's checkpoint and the size the witness is believed to hold.
struct Witnessing::Job {
  std::string signed_checkpoint;
  std::string text;
  uint64_t size = 0;
  uint64_t old_size = 0;
};

namespace {

struct Outcome {
  enum Kind { kCosigned, kFailed, kBlocked } kind = kFailed;
  std::string error;
  std::string cosignature;               // kCosigned
  std::optional<uint64_t> learned_size;  // from a 409, or the size cosigned
};

Outcome Failed(std::string error, std::optional<uint64_t> learned = std::nullopt) {
  return {Outcome::kFailed, std::move(error), "", learned};
}

std::optional<uint64_t> ParseSizeAnswer(const http::ClientResponse& r) {
  auto type = r.headers.Get("Content-Type");
  if (!type || !type->starts_with(kTreeSizeContentType)) return std::nullopt;
  std::string_view body = r.body;
  if (!body.ends_with('\n')) return std::nullopt;
  body.remove_suffix(1);
  return ParseTreeSize(body);
}

// The first valid cosignature by `verifier` over `text` among the signature lines of
// `answer`; other keys' lines are ignored.
absl::StatusOr<std::string> FindCosignature(std::string_view text,
                                            const std::string& signed_checkpoint,
                                            std::string_view answer,
                                            const note::CosignatureV1Verifier& verifier) {
  auto n = note::Parse(signed_checkpoint + std::string(answer));
  if (!n.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("malformed add-checkpoint answer: ", n.status().message()));
  }
  for (const note::Signature& sig : n->unverified) {
    if (sig.name == verifier.Name() && sig.key_hash == verifier.KeyHash() &&
        verifier.Verify(text, sig.signature)) {
      return note::FormatSignatureLine(sig);
    }
  }
  return absl::PermissionDeniedError("the answer holds no valid cosignature by this witness");
}

}  // namespace

absl::StatusOr<std::unique_ptr<Witnessing>> Witnessing::Start(
    log::Log& log, DirectoryWatcher& directory, std::unique_ptr<store::CheckpointStore> state,
    WitnessingOptions options) {
  if (state == nullptr) return absl::InvalidArgumentError("a witnessing needs its state");
  std::unique_ptr<Witnessing> w(new Witnessing(log, directory, std::move(state), options));
  std::string published = log.signed_checkpoint();
  auto stored = w->state_->Get(kPublishedCheckpointName);
  if (!stored.ok() && !absl::IsNotFound(stored.status())) return stored.status();
  if (stored.ok()) {
    w->stored_ = *stored;
    // Only if it is a checkpoint this log has passed through.
    auto n = note::Parse(*stored);
    auto cp = n.ok() ? note::ParseCheckpoint(n->text) : n.status();
    if (cp.ok() && cp->origin == log.origin() && cp->size <= log.size()) {
      auto root = log.RootHash(cp->size);
      if (root.ok() && *root == cp->root_hash) published = *std::move(stored);
    }
  }
  auto n = note::Parse(published);
  auto cp = n.ok() ? note::ParseCheckpoint(n->text) : n.status();
  if (!cp.ok()) return cp.status();
  {
    absl::MutexLock lock(&w->mu_);
    w->published_ = std::move(published);
    w->published_size_ = cp->size;
  }
  w->thread_ = std::thread([p = w.get()] { p->Run(); });
  return w;
}

Witnessing::Witnessing(log::Log& log, DirectoryWatcher& directory,
                       std::unique_ptr<store::CheckpointStore> state, WitnessingOptions options)
    : log_(log), directory_(directory), state_(std::move(state)), options_(options) {}

Witnessing::~Witnessing() { Stop(); }

void Witnessing::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
    changed_.SignalAll();
  }
  if (thread_.joinable()) thread_.join();
  // Requests in flight end within their timeouts.
  std::vector<std::shared_ptr<Peer>> peers;
  {
    absl::MutexLock lock(&mu_);
    for (auto& [name, peer] : peers_) peers.push_back(peer);
    peers.insert(peers.end(), retired_.begin(), retired_.end());
  }
  for (auto& peer : peers) {
    if (peer->thread.joinable()) peer->thread.join();
  }
}

void Witnessing::Notify() {
  absl::MutexLock lock(&mu_);
  notified_ = true;
  changed_.SignalAll();
}

std::string Witnessing::published() const {
  absl::MutexLock lock(&mu_);
  return published_;
}

std::vector<WitnessStatus> Witnessing::status() const {
  absl::MutexLock lock(&mu_);
  std::vector<WitnessStatus> out;
  for (const auto& [name, peer] : peers_) out.push_back(peer->status);
  return out;
}

bool Witnessing::WaitPublished(uint64_t size, absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  absl::MutexLock lock(&mu_);
  while (published_size_ < size) {
    if (changed_.WaitWithDeadline(&mu_, deadline) && published_size_ < size) return false;
  }
  return true;
}

uint64_t Witnessing::rounds() const {
  absl::MutexLock lock(&mu_);
  return rounds_;
}

bool Witnessing::WaitRounds(uint64_t n, absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  absl::MutexLock lock(&mu_);
  while (rounds_ < n) {
    if (changed_.WaitWithDeadline(&mu_, deadline) && rounds_ < n) return false;
  }
  return true;
}

void Witnessing::Run() {
  while (true) {
    const absl::Time next = Round();
    absl::MutexLock lock(&mu_);
    ++rounds_;
    changed_.SignalAll();
    while (!stop_ && !notified_) {
      if (changed_.WaitWithDeadline(&mu_, next)) break;  // time for the next round
    }
    if (stop_) return;
    notified_ = false;
  }
}

void Witnessing::UpdatePeers(const Directory& directory) {
  std::map<std::string, std::shared_ptr<Peer>> peers;
  for (const Party& party : directory.parties) {
    if (party.witness_verifier == nullptr || party.origin == log_.origin()) continue;
    const std::string name(party.witness_verifier->Name());
    const std::string& url = party.witness_url.empty() ? party.url : party.witness_url;
    auto it = peers_.find(name);
    if (it != peers_.end() && it->second->url == url &&
        it->second->verifier->KeyHash() == party.witness_verifier->KeyHash()) {
      Peer& kept = *it->second;
      // A new directory is a new chance for a witness skipped as misbehaving.
      kept.blocked_until_size.reset();
      kept.retry_at = absl::InfinitePast();
      peers[name] = it->second;
      peers_.erase(it);
      continue;
    }
    auto peer = std::make_shared<Peer>();
    peer->name = name;
    peer->url = url;
    peer->verifier = party.witness_verifier;
    peer->status.name = name;
    peer->status.url = url;
    http::ClientOptions co;
    co.connect_timeout = options_.timeout;
    co.request_timeout = options_.timeout;
    SeedFromPublished(*peer);
    auto client = http::Client::Create(url, co);
    if (client.ok()) {
      peer->client = *std::move(client);
    } else {
      peer->status.last_error = absl::StrCat("unusable witness URL: ", client.status().message());
    }
    peers[name] = std::move(peer);
  }
  for (auto& [name, peer] : peers_) retired_.push_back(peer);  // gone from the directory
  peers_ = std::move(peers);
  std::erase_if(retired_, [](const std::shared_ptr<Peer>& p) {
    if (p->busy) return false;
    if (p->thread.joinable()) p->thread.join();
    return true;
  });
}

// A witness whose cosignature the published checkpoint already carries need not be
// asked again (after a restart, or a directory reload), even while it is down.
void Witnessing::SeedFromPublished(Peer& peer) {
  auto n = note::Parse(published_);
  auto cp = n.ok() ? note::ParseCheckpoint(n->text) : n.status();
  if (!cp.ok()) return;
  for (const note::Signature& sig : n->unverified) {
    if (sig.name == peer.verifier->Name() && sig.key_hash == peer.verifier->KeyHash() &&
        peer.verifier->Verify(n->text, sig.signature)) {
      peer.cosigned_text = n->text;
      peer.cosignature = note::FormatSignatureLine(sig);
      peer.status.cosigned_size = cp->size;
      return;
    }
  }
}

absl::Time Witnessing::Round() {
  const std::string signed_checkpoint = log_.signed_checkpoint();
  auto n = note::Parse(signed_checkpoint);
  auto cp = n.ok() ? note::ParseCheckpoint(n->text) : n.status();
  absl::Time next = absl::Now() + options_.idle_interval;
  if (!cp.ok()) {  // the log signed it: a broken invariant, but not worth a crash
    std::fprintf(stderr, "accord: witnessing: the log's checkpoint does not parse: %s\n",
                 cp.status().ToString().c_str());
    return next;
  }
  const std::string& text = n->text;
  std::shared_ptr<const Directory> directory = directory_.current();
  const uint64_t generation = directory_.generation();

  std::string publish;
  {
    absl::MutexLock lock(&mu_);
    if (!have_peers_ || generation != generation_) {
      UpdatePeers(*directory);
      have_peers_ = true;
      generation_ = generation;
    }
    std::vector<std::shared_ptr<Peer>> launched;
    const absl::Time now = absl::Now();
    for (auto& [name, peer] : peers_) {
      if (peer->busy || peer->cosigned_text == text || peer->client == nullptr) continue;
      if (peer->blocked_until_size) {
        if (cp->size <= *peer->blocked_until_size) continue;
        peer->blocked_until_size.reset();  // the log grew past what it claimed
      }
      if (now < peer->retry_at) continue;
      Launch(peer, Job{signed_checkpoint, text, cp->size, peer->status.cosigned_size});
      launched.push_back(peer);
    }
    // Wait for this round's requests, but never longer than one timeout: a late answer
    // wakes the thread and is published by the next round.
    auto done = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return stop_ ||
             std::none_of(launched.begin(), launched.end(), [](const auto& p) { return p->busy; });
    };
    const absl::Time deadline = now + options_.timeout;
    while (!done()) {
      if (changed_.WaitWithDeadline(&mu_, deadline)) break;
    }
    publish = signed_checkpoint;
    for (auto& [name, peer] : peers_) {
      if (peer->cosigned_text == text) publish += peer->cosignature;
      if (peer->client != nullptr && !peer->blocked_until_size && !peer->busy &&
          peer->cosigned_text != text) {
        next = std::min(next, std::max(peer->retry_at, now));
      }
    }
    if (publish == published_) return next;
  }
  // Durable before anyone can see it, so a restart never serves less than was served.
  if (absl::Status s = state_->CompareAndSwap(kPublishedCheckpointName, stored_, publish);
      !s.ok()) {
    std::fprintf(stderr, "accord: witnessing: cannot persist the published checkpoint: %s\n",
                 s.ToString().c_str());
    // What the store holds is now uncertain (or, if another writer swapped it, not what
    // this one read): read it again before the next try.
    auto now = state_->Get(kPublishedCheckpointName);
    if (now.ok()) {
      stored_ = *std::move(now);
    } else if (absl::IsNotFound(now.status())) {
      stored_.reset();
    }
    return std::min(next, absl::Now() + options_.min_backoff);
  }
  stored_ = publish;
  absl::MutexLock lock(&mu_);
  published_ = std::move(publish);
  published_size_ = cp->size;
  changed_.SignalAll();
  return next;
}

void Witnessing::Launch(const std::shared_ptr<Peer>& peer, Job job) {
  if (peer->thread.joinable()) peer->thread.join();  // its last request has ended
  peer->busy = true;
  peer->thread = std::thread([this, peer, job = std::move(job)] { Submit(peer, job); });
}

// Runs on the peer's thread, without mu_ while it talks to the witness.
void Witnessing::Submit(const std::shared_ptr<Peer>& peer, const Job& job) {
  Outcome outcome = [&]() -> Outcome {
    uint64_t old_size = job.old_size;
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (old_size > job.size) old_size = 0;  // a belief the log has no proof for
      AddCheckpointRequest req{old_size, {}, job.signed_checkpoint};
      if (old_size > 0 && old_size < job.size) {
        auto proof = log_.ConsistencyProof(old_size, job.size);
        if (!proof.ok()) {
          return Failed(absl::StrCat("cannot prove consistency from ", old_size, ": ",
                                     proof.status().message()));
        }
        req.proof = *std::move(proof);
      }
      auto r =
          peer->client->Post("/add-checkpoint", FormatAddCheckpoint(req), http::kTextContentType);
      if (!r.ok()) return Failed(std::string(r.status().message()));
      if (r->status == 200) {
        auto line = FindCosignature(job.text, job.signed_checkpoint, r->body, *peer->verifier);
        if (!line.ok()) return Failed(std::string(line.status().message()));
        return {Outcome::kCosigned, "", *std::move(line), job.size};
      }
      std::optional<uint64_t> size = r->status == 409 ? ParseSizeAnswer(*r) : std::nullopt;
      if (!size) return Failed(http::StatusFromResponse(*r).ToString());
      if (*size > job.size) {
        return {Outcome::kBlocked,
                absl::StrCat("witness claims size ", *size, " > log size ", job.size,
                             ": the log or the witness misbehaves"),
                "", *size};
      }
      if (*size == old_size) {
        if (*size == job.size) {
          return {Outcome::kBlocked,
                  absl::StrCat("witness cosigned another checkpoint of size ", *size,
                               ": the log or the witness misbehaves"),
                  "", *size};
        }
        return Failed(absl::StrCat("409 for old size ", old_size, " yet it claims that size"),
                      *size);
      }
      if (attempt == 1) {
        return Failed(absl::StrCat("409 twice: the witness's size moved to ", *size), *size);
      }
      old_size = *size;  // learned: try again at once with a proof from there
    }
    return Failed("unreachable");
  }();

  absl::MutexLock lock(&mu_);
  Peer& p = *peer;
  p.busy = false;
  if (outcome.learned_size) p.status.cosigned_size = *outcome.learned_size;
  switch (outcome.kind) {
    case Outcome::kCosigned:
      p.cosigned_text = job.text;
      p.cosignature = std::move(outcome.cosignature);
      p.backoff = absl::ZeroDuration();
      p.retry_at = absl::InfinitePast();
      p.status.last_success = absl::Now();
      p.status.last_error.clear();
      p.status.consecutive_failures = 0;
      notified_ = true;  // a late answer still gets published
      break;
    case Outcome::kBlocked:
      p.blocked_until_size = outcome.learned_size;
      p.status.last_error = std::move(outcome.error);
      ++p.status.consecutive_failures;
      break;
    case Outcome::kFailed:
      p.backoff = p.backoff == absl::ZeroDuration() ? options_.min_backoff
                                                    : std::min(p.backoff * 2, options_.max_backoff);
      p.retry_at = absl::Now() + p.backoff;
      p.status.last_error = std::move(outcome.error);
      ++p.status.consecutive_failures;
      break;
  }
  changed_.SignalAll();
}

}  // namespace accord::federation
