// One poll of one peer (monitor.h): fetch its checkpoint, read the new entry bundles in
// one pass, check the compact range against the checkpoint, check each statement, commit;
// on a mismatch, find out from hash tiles whether the log forked; cross-check checkpoints
// seen elsewhere against the followed history.
#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "src/federation/monitor_peer.h"
#include "src/tlog/proof.h"
#include "src/tlog/tile.h"

namespace accord::federation {
namespace {

constexpr size_t kMaxPending = 16;
constexpr size_t kMaxConsistent = 1024;

bool IsTransport(const absl::Status& s) {
  return s.code() == absl::StatusCode::kUnavailable ||
         s.code() == absl::StatusCode::kDeadlineExceeded;
}

// The size of a signed checkpoint whose signature was checked elsewhere.
uint64_t SizeOf(std::string_view signed_note) {
  auto n = note::Parse(signed_note);
  if (!n.ok()) return 0;
  auto cp = note::ParseCheckpoint(n->text);
  return cp.ok() ? cp->size : 0;
}

}  // namespace

absl::StatusOr<std::string> PeerTiles::Get(std::string_view target_view) {
  const std::string target(target_view);
  auto r = client_.Get(target);
  if (!r.ok()) {
    return absl::Status(r.status().code(),
                        absl::StrCat("GET ", target, ": ", r.status().message()));
  }
  if (r->status == 404) return absl::NotFoundError(absl::StrCat("GET ", target, ": 404"));
  if (r->status != 200) {
    absl::Status s = http::StatusFromResponse(*r);
    return absl::Status(s.ok() ? absl::StatusCode::kInternal : s.code(),
                        absl::StrCat("GET ", target, ": ", r->status, " ", s.message()));
  }
  return std::move(r->body);
}

absl::StatusOr<std::string> PeerTiles::ReadTile(const tlog::TileId& id) {
  return Get(absl::StrCat("/", tlog::TilePath(id)));
}

absl::StatusOr<std::vector<std::span<const uint8_t>>> PeerTiles::Bundle(uint64_t index,
                                                                        uint32_t width,
                                                                        std::string& data) {
  tlog::TileId id{tlog::TileId::kEntriesLevel, index, width};
  auto got = ReadTile(id);
  uint32_t have = width;
  if (!got.ok() && got.status().code() == absl::StatusCode::kNotFound && !id.is_full()) {
    id.width = tlog::kTileWidth;
    have = tlog::kTileWidth;
    got = ReadTile(id);
  }
  if (!got.ok()) return got.status();
  data = *std::move(got);
  auto entries = tlog::DecodeEntryBundle(data, have);
  if (!entries.ok()) {
    return absl::DataLossError(absl::StrCat(tlog::TilePath(id), ": ", entries.status().message()));
  }
  entries->resize(width);
  return entries;
}

absl::Duration Monitor::Impl::Backoff(int failures) const {
  absl::Duration d = options.poll_interval;
  for (int i = 1; i < failures && d < options.max_backoff; ++i) d *= 2;
  return std::min(d, options.max_backoff);
}

void Monitor::Impl::Fail(Peer& p, std::string_view state, const absl::Status& why) {
  absl::MutexLock lock(&mu);
  PeerStatus& st = p.status;
  st.state = st.compromised_from ? "compromised" : std::string(state);
  st.last_error = std::string(why.message());
  ++st.consecutive_failures;
  st.next_poll = absl::Now() + Backoff(st.consecutive_failures);
}

void Monitor::Impl::Finish(Peer& p, std::string_view state, std::string error) {
  absl::MutexLock lock(&mu);
  PeerStatus& st = p.status;
  st.state = st.compromised_from      ? "compromised"
             : state != "ok"          ? std::string(state)
             : st.invalid_entries > 0 ? "invalid"
                                      : "ok";
  st.last_error = std::move(error);
  st.consecutive_failures = 0;
  st.last_success = absl::Now();
  st.next_poll = st.last_success + options.poll_interval;
}

void Monitor::Impl::RebuildIntake(Peer& p) {
  p.intake.reset();
  p.intake_key.clear();
}

absl::Status Monitor::Impl::Prepare(Peer& p, const Party& party) {
  if (!p.client || p.client_url != party.url) {
    http::ClientOptions o;
    o.connect_timeout = options.timeout;
    o.request_timeout = options.timeout;
    o.max_idle_connections = 2;
    auto c = http::Client::Create(party.url, o);
    if (!c.ok()) return c.status();
    p.client = *std::move(c);
    p.client_url = party.url;
  }
  if (!p.intake || p.intake_key != party.log_key) {
    auto key = note::NewVerifier(party.log_key);
    if (!key.ok()) return key.status();
    p.intake = std::make_unique<node::Intake>(*std::move(key), validator);
    p.intake_key = party.log_key;
    for (const std::string& envelope : p.officers) {
      auto s = validator.Parse(envelope);
      if (s.ok()) (void)p.intake->Apply(*s);
    }
  }
  if (!p.hasher) p.hasher = std::make_unique<tlog::TreeHasher>();
  return absl::OkStatus();
}

absl::Status Monitor::Impl::StoreFailed(const absl::Status& s) {
  absl::MutexLock lock(&mu);
  if (store_failure.ok()) {
    store_failure = s;
    std::fprintf(stderr,
                 "accord: monitor: cannot write its state (%s); it stops following the peers "
                 "until the node restarts\n",
                 s.ToString().c_str());
  }
  return store_failure;
}

absl::Status Monitor::Impl::StoreFailure() const {
  absl::MutexLock lock(&mu);
  return store_failure;
}

absl::Status Monitor::Impl::PollPeer(Peer& p) {
  absl::MutexLock poll(&p.poll_mu);
  {
    absl::MutexLock lock(&mu);
    p.status.next_poll = absl::Now() + options.poll_interval;
    if (!store_failure.ok()) return store_failure;
  }
  std::shared_ptr<const Directory> dir = directory.current();
  const Party* party = dir->FindByOrigin(p.origin);
  if (party == nullptr || p.origin == self_origin) return absl::OkStatus();
  if (absl::Status s = Prepare(p, *party); !s.ok()) {
    Fail(p, "unreachable", s);
    return absl::OkStatus();
  }
  PeerTiles tiles(*p.client);
  p.fetching_at = absl::Now();
  auto text = tiles.Get("/checkpoint");
  if (!text.ok()) {
    Fail(p, "unreachable", text.status());
    return absl::OkStatus();
  }
  auto opened = note::OpenCheckpoint(*text, p.origin, *party->log_verifier);
  if (!opened.ok()) {
    Fail(p, "invalid",
         absl::Status(opened.status().code(),
                      absl::StrCat("checkpoint: ", opened.status().message())));
    return absl::OkStatus();
  }
  std::vector<std::string> cross;
  {
    absl::MutexLock lock(&mu);
    cross.assign(p.pending.begin(), p.pending.end());
    p.pending.clear();
  }
  if (options.witness_latest) {
    if (std::optional<std::string> w = options.witness_latest(p.origin)) cross.push_back(*w);
  }
  std::string state = "ok";
  std::string error;
  std::vector<std::string> witnesses = CosigningWitnesses(*dir, p.origin, *text);
  const note::Checkpoint& cp = opened->checkpoint;
  // Followed whatever its cosignatures (see monitor.h): the quorum marks what is witnessed.
  const bool witnessed = witnesses.size() >= dir->witness_quorum;
  if (!witnessed) {
    state = "awaiting-witnesses";
    error = absl::StrCat("checkpoint of size ", cp.size, " has ", witnesses.size(), " of the ",
                         dir->witness_quorum, " cosignatures needed");
  }
  if (cp.size <= p.record.range.size()) {
    const bool same = cp.size == p.record.range.size() && cp.root_hash == p.followed.root_hash;
    if (same) p.absent_at = p.fetching_at;
    if (same && witnessed && p.record.witnessed_size < cp.size) {
      // The followed checkpoint, now with its quorum.
      if (absl::Status s = RecordWitnessed(p, *text, cp.size, std::move(witnesses)); !s.ok()) {
        return s;  // a local failure (the store)
      }
    }
    cross.push_back(*text);
  } else {
    if (absl::Status s = Advance(p, *dir, tiles, *text, cp, std::move(witnesses), state, error);
        !s.ok()) {
      return s;  // a local failure (the store)
    }
    if (state == "unreachable" || state == "invalid-data") return absl::OkStatus();  // Fail()ed
  }
  for (const std::string& c : cross) CrossCheck(p, *dir, *party, tiles, c);
  Finish(p, state, std::move(error));
  return absl::OkStatus();
}

absl::Status Monitor::Impl::Advance(Peer& p, const Directory& dir, PeerTiles& tiles,
                                    const std::string& text, const note::Checkpoint& cp,
                                    std::vector<std::string> witnesses, std::string& state,
                                    std::string& error) {
  const uint64_t old_size = p.record.range.size();
  tlog::CompactRange range = p.record.range;
  PeerCommit commit;
  commit.peer = p.record;
  commit.peer.origin = p.origin;
  std::string first_invalid;
  uint64_t bundles = 0;
  std::vector<tlog::Hash> leaves;
  absl::Status fetch_error;
  for (uint64_t b = old_size / tlog::kTileWidth; b * tlog::kTileWidth < cp.size; ++b) {
    const uint32_t width =
        static_cast<uint32_t>(std::min<uint64_t>(tlog::kTileWidth, cp.size - b * tlog::kTileWidth));
    std::string data;
    auto entries = tiles.Bundle(b, width, data);
    ++bundles;
    if (!entries.ok()) {
      fetch_error = entries.status();
      break;
    }
    const size_t start = b == old_size / tlog::kTileWidth ? old_size % tlog::kTileWidth : 0;
    std::span<const std::span<const uint8_t>> fresh = std::span(*entries).subspan(start);
    leaves.resize(fresh.size());
    p.hasher->LeafHashes(fresh, leaves);
    range.Append(leaves);
    for (size_t i = 0; i < fresh.size(); ++i) {
      CheckEntry(p, dir, b * tlog::kTileWidth + start + i, fresh[i], leaves[i], commit,
                 first_invalid);
    }
  }
  {
    absl::MutexLock lock(&mu);
    p.status.bundles_fetched += bundles;
  }
  if (!fetch_error.ok()) {
    RebuildIntake(p);
    Fail(p, IsTransport(fetch_error) ? "unreachable" : "invalid", fetch_error);
    state = IsTransport(fetch_error) ? "unreachable" : "invalid-data";
    return absl::OkStatus();
  }
  if (range.Root() != cp.root_hash) {
    RebuildIntake(p);
    Diagnose(p, dir, tiles, text, cp, state);
    return absl::OkStatus();
  }
  commit.peer.checkpoint = text;
  commit.peer.range = range;
  if (witnesses.size() >= dir.witness_quorum) commit.peer.witnessed_size = cp.size;
  auto stored = store->Commit(commit);
  if (!stored.ok()) {
    RebuildIntake(p);
    return StoreFailed(stored.status());
  }
  p.record = commit.peer;
  p.followed = cp;
  p.absent_at = p.fetching_at;
  for (const OfficerRecord& o : commit.officers) p.officers.push_back(o.envelope);
  {
    absl::MutexLock lock(&mu);
    PeerStatus& st = p.status;
    st.size = cp.size;
    st.checkpoint = text;
    st.cosignatures = witnesses.size();
    st.witnesses = std::move(witnesses);
    st.statements = p.record.statements;
    st.invalid_entries = p.record.invalid_entries;
    st.inbox = p.record.inbox;
    st.witnessed_size = p.record.witnessed_size;
    p.root = cp.root_hash;
  }
  if (!first_invalid.empty()) {
    state = "invalid";
    error = first_invalid;
  }
  for (const Verdict& v : commit.verdicts) MarkCompromised(v.origin, v.from, v.by);
  return absl::OkStatus();
}

absl::Status Monitor::Impl::RecordWitnessed(Peer& p, const std::string& text, uint64_t size,
                                            std::vector<std::string> witnesses) {
  PeerCommit commit;
  commit.peer = p.record;
  commit.peer.origin = p.origin;
  commit.peer.checkpoint = text;
  commit.peer.witnessed_size = size;
  if (auto stored = store->Commit(commit); !stored.ok()) return StoreFailed(stored.status());
  p.record = commit.peer;
  absl::MutexLock lock(&mu);
  p.status.checkpoint = text;
  p.status.cosignatures = witnesses.size();
  p.status.witnesses = std::move(witnesses);
  p.status.witnessed_size = size;
  return absl::OkStatus();
}

absl::Status Monitor::Impl::CheckRefs(const Peer& p, uint64_t index, const statement::Statement& s,
                                      const PeerCommit& commit) const {
  for (const statement::Ref& r : s.refs) {
    std::optional<EntryRecord> cited;
    if (r.origin == p.origin) {
      // Into the peer's own log: an earlier entry, verified in this poll or before.
      if (r.index >= index) {
        return absl::InvalidArgumentError(
            absl::StrCat("it cites entry ", r.index, " of its own log, which is not before it"));
      }
      // commit.entries holds this poll's entries in index order.
      auto it = std::lower_bound(commit.entries.begin(), commit.entries.end(), r.index,
                                 [](const EntryRecord& e, uint64_t i) { return e.index < i; });
      if (it != commit.entries.end() && it->index == r.index) cited = *it;
    }
    if (!cited && r.origin != self_origin) {
      // A local read failure leaves the ref unchecked rather than the peer accused.
      auto found = store->FindEntry(r.origin, r.index);
      if (found.ok()) cited = *std::move(found);
    }
    // Not recorded: a log this monitor has not verified that far (the issuer's node
    // resolved it), or an entry checked before the monitor kept its entry table.
    if (!cited) continue;
    if (absl::Status c = statement::CheckCited(r, cited->leaf_hash, cited->kind); !c.ok()) return c;
  }
  return absl::OkStatus();
}

void Monitor::Impl::CheckEntry(Peer& p, const Directory& dir, uint64_t index,
                               std::span<const uint8_t> entry, const tlog::Hash& leaf,
                               PeerCommit& commit, std::string& first_invalid) {
  const std::string_view text(reinterpret_cast<const char*>(entry.data()), entry.size());
  PeerRecord& rec = commit.peer;
  auto accepted = p.intake->Verify(text);
  if (accepted.ok()) {
    if (absl::Status cited = CheckRefs(p, index, accepted->statement, commit); !cited.ok()) {
      accepted = cited;
    }
  }
  if (!accepted.ok()) {
    commit.entries.push_back({p.origin, index, leaf, ""});  // cited, it is a bad ref
    ++rec.invalid_entries;
    if (first_invalid.empty()) {
      first_invalid = absl::StrCat("entry ", index, " is not a valid statement of ", p.origin, ": ",
                                   accepted.status().message());
    }
    return;
  }
  ++rec.statements;
  const statement::Statement& s = accepted->statement;
  commit.entries.push_back({p.origin, index, leaf, std::string(statement::KindName(s.kind))});
  if (s.kind == statement::Kind::kOfficer && p.intake->Apply(s).ok()) {
    commit.officers.push_back({p.origin, index, std::string(text)});
  }
  if (s.kind == statement::Kind::kEquivocation) {
    auto view = SplitViewOf(s);
    const Party* accused = view.ok() ? dir.FindByOrigin(view->origin) : nullptr;
    if (accused != nullptr && accused->origin != self_origin &&
        VerifySplitView(*view, *accused->log_verifier).ok()) {
      commit.verdicts.push_back({view->origin, std::min(SizeOf(view->first), SizeOf(view->second)),
                                 absl::StrCat(p.origin, "/", index)});
    }
  }
  const bool addressed =
      std::find(s.addressees.begin(), s.addressees.end(), self_origin) != s.addressees.end();
  const bool cites_us = std::any_of(s.refs.begin(), s.refs.end(), [&](const statement::Ref& r) {
    return r.origin == self_origin;
  });
  // A response to a request addressed to this party, in this poll (commit.inbox: this
  // peer's items in index order) or before.
  const auto addressed_request = [&](const statement::Ref& r) {
    if (r.kind != statement::Kind::kRequest) return false;
    if (r.origin == p.origin) {
      auto it = std::lower_bound(commit.inbox.begin(), commit.inbox.end(), r.index,
                                 [](const InboxItem& i, uint64_t n) { return i.index < n; });
      if (it != commit.inbox.end() && it->index == r.index) return it->addressed;
    }
    auto known = store->IsAddressed(r.origin, r.index);
    return known.ok() && *known;
  };
  const bool answers_ours = s.kind == statement::Kind::kResponse &&
                            std::any_of(s.refs.begin(), s.refs.end(), addressed_request);
  if (!addressed && !cites_us && !answers_ours) return;
  InboxItem item;
  item.origin = p.origin;
  item.index = index;
  item.leaf_hash = leaf;
  item.kind = std::string(statement::KindName(s.kind));
  item.issued_unix = absl::ToUnixSeconds(s.issued);
  if (p.absent_at != absl::InfinitePast())
    item.logged_after_unix_ms = absl::ToUnixMillis(p.absent_at);
  item.addressed = addressed;
  item.cites_us = cites_us;
  item.envelope = std::string(text);
  commit.inbox.push_back(std::move(item));
  ++rec.inbox;
}

void Monitor::Impl::Diagnose(Peer& p, const Directory& dir, PeerTiles& tiles,
                             const std::string& text, const note::Checkpoint& cp,
                             std::string& state) {
  const uint64_t old_size = p.record.range.size();
  auto bad_entries = [&] {
    Fail(p, "invalid",
         absl::DataLossError(absl::StrCat("the entry bundles up to size ", cp.size,
                                          " do not hash to the checkpoint's root")));
    state = "invalid-data";
  };
  if (old_size == 0) return bad_entries();
  tlog::TileHashReader reader(cp.size, tiles);
  auto old_root = tlog::RootHash(old_size, reader);
  absl::StatusOr<std::vector<tlog::Hash>> proof =
      old_root.ok() ? tlog::ConsistencyProof(old_size, cp.size, reader) : old_root.status();
  if (!proof.ok()) {
    Fail(p, IsTransport(proof.status()) ? "unreachable" : "invalid", proof.status());
    state = "invalid-data";
    return;
  }
  if (!tlog::VerifyConsistency(old_size, cp.size, *old_root, cp.root_hash, *proof).ok()) {
    Fail(p, "invalid",
         absl::DataLossError(absl::StrCat("the hash tiles do not give the root of the checkpoint "
                                          "of size ",
                                          cp.size)));
    state = "invalid-data";
    return;
  }
  if (*old_root == p.followed.root_hash) return bad_entries();
  // The new checkpoint's history gives the followed size another root: a split view.
  if (p.reported_against != p.record.checkpoint) {
    SplitView view{p.origin, p.record.checkpoint, text, *old_root, *std::move(proof)};
    Report(dir, view, old_size);
    p.reported_against = p.record.checkpoint;
  }
  state = "compromised";
}

void Monitor::Impl::KeepPending(Peer& p, std::string text) {
  absl::MutexLock lock(&mu);
  if (std::find(p.pending.begin(), p.pending.end(), text) != p.pending.end()) return;
  if (p.pending.size() == kMaxPending) p.pending.pop_front();
  p.pending.push_back(std::move(text));
}

void Monitor::Impl::CrossCheck(Peer& p, const Directory& dir, const Party& party, PeerTiles& tiles,
                               const std::string& text) {
  auto opened = note::OpenCheckpoint(text, p.origin, *party.log_verifier);
  if (!opened.ok()) return;
  const note::Checkpoint& cp = opened->checkpoint;
  const uint64_t followed = p.record.range.size();
  if (cp.size == 0) return;
  if (p.record.checkpoint.empty() || cp.size > followed) return KeepPending(p, text);
  if (cp.size == followed) {
    if (cp.root_hash != p.followed.root_hash) {
      Report(dir, SplitView{p.origin, p.record.checkpoint, text, std::nullopt, {}}, cp.size);
    }
    return;
  }
  if (p.consistent.contains({cp.size, cp.root_hash})) return;
  tlog::TileHashReader reader(followed, tiles);
  auto root = tlog::RootHash(cp.size, reader);
  absl::StatusOr<std::vector<tlog::Hash>> proof =
      root.ok() ? tlog::ConsistencyProof(cp.size, followed, reader) : root.status();
  if (!proof.ok() ||
      !tlog::VerifyConsistency(cp.size, followed, *root, p.followed.root_hash, *proof).ok()) {
    return KeepPending(p, text);  // the peer's tiles are missing or bad: try again later
  }
  if (*root != cp.root_hash) {
    Report(dir, SplitView{p.origin, text, p.record.checkpoint, *root, *std::move(proof)}, cp.size);
    return;
  }
  if (p.consistent.size() >= kMaxConsistent) p.consistent.clear();
  p.consistent.insert({cp.size, cp.root_hash});
}

void Monitor::Impl::MarkCompromised(const std::string& origin, uint64_t from,
                                    const std::string& by) {
  absl::MutexLock lock(&mu);
  PeerStatus& st = PeerOf(origin)->status;
  if (!st.compromised_from || from < *st.compromised_from) st.compromised_from = from;
  if (st.compromised_by.empty()) st.compromised_by = by;
  st.state = "compromised";
}

void Monitor::Impl::Report(const Directory& dir, const SplitView& view, uint64_t from) {
  auto a = note::Parse(view.first), b = note::Parse(view.second);
  std::string ka = a.ok() ? a->text : view.first, kb = b.ok() ? b->text : view.second;
  if (kb < ka) std::swap(ka, kb);
  const std::string key = absl::StrCat(ka, "\n", kb);
  std::vector<std::string> to;
  for (const Party& party : dir.parties) {
    if (party.origin != self_origin) to.push_back(party.origin);
  }
  const std::string payload =
      EquivocationPayload(view, self_origin, to, absl::Now(),
                          absl::StrCat("Found by the monitor of ", self_origin, ": the log ",
                                       view.origin, " signed both checkpoints."));
  MarkCompromised(view.origin, from, "self");  // in memory at once, whatever the disk says
  // A failed write is recorded as the monitor's sticky failure (StoreFailed), which the
  // next PollOnce returns: nothing here to hand it to.
  if (absl::Status s = store->AddVerdict({view.origin, from, "self"}); !s.ok()) {
    (void)StoreFailed(s);
    return;
  }
  auto fresh = store->RecordEquivocation(view.origin, key, payload);
  if (!fresh.ok()) {
    (void)StoreFailed(fresh.status());
    return;
  }
  if (*fresh && sink) sink(EquivocationFound{view.origin, payload});
}

}  // namespace accord::federation
