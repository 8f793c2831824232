// The monitor (monitor.h): state, threads and queries. One poll of one peer is in
// monitor_poll.cc; its state behind store::MonitorState (src/store/monitor_state.h).
#include "src/federation/monitor.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "src/federation/monitor_peer.h"

namespace accord::federation {

std::shared_ptr<Peer> Monitor::Impl::PeerOf(std::string_view origin) {
  auto it = peers.find(origin);
  if (it != peers.end()) return it->second;
  auto p = std::make_shared<Peer>(std::string(origin));
  p->status.origin = p->origin;
  peers.emplace(p->origin, p);
  return p;
}

absl::StatusOr<std::unique_ptr<Monitor>> Monitor::Open(
    std::unique_ptr<store::MonitorState> state, std::string_view where, std::string self_origin,
    DirectoryWatcher& directory, const statement::Validator& validator, MonitorOptions options) {
  auto records = state->LoadPeers();
  if (!records.ok()) return records.status();
  auto officers = state->LoadOfficers();
  if (!officers.ok()) return officers.status();
  auto verdicts = state->LoadVerdicts();
  if (!verdicts.ok()) return verdicts.status();
  auto impl = std::make_unique<Impl>(std::move(self_origin), directory, validator,
                                     std::move(options), std::move(state));
  absl::Status loaded = impl->Load(*records, *officers, *verdicts, where);
  if (!loaded.ok()) return loaded;
  return std::unique_ptr<Monitor>(new Monitor(std::move(impl)));
}

absl::Status Monitor::Impl::Load(std::vector<PeerRecord>& records,
                                 const std::vector<OfficerRecord>& officers,
                                 const std::vector<Verdict>& verdicts, std::string_view where) {
  absl::MutexLock lock(&mu);
  for (PeerRecord& r : records) {
    std::shared_ptr<Peer> p = PeerOf(r.origin);
    if (!r.checkpoint.empty()) {
      auto n = note::Parse(r.checkpoint);
      auto cp = n.ok() ? note::ParseCheckpoint(n->text) : n.status();
      if (!cp.ok() || cp->size != r.range.size() || cp->root_hash != r.range.Root()) {
        return absl::DataLossError(absl::StrCat("monitor state of ", r.origin, " in ",
                                                std::string(where),
                                                ": the followed checkpoint does not match its "
                                                "compact range"));
      }
      p->followed = *cp;
      p->root = cp->root_hash;
    }
    PeerStatus& st = p->status;
    st.size = r.range.size();
    st.checkpoint = r.checkpoint;
    st.statements = r.statements;
    st.invalid_entries = r.invalid_entries;
    st.inbox = r.inbox;
    st.witnessed_size = r.witnessed_size;
    p->record = std::move(r);
  }
  for (const OfficerRecord& o : officers) PeerOf(o.origin)->officers.push_back(o.envelope);
  for (const Verdict& v : verdicts) {
    PeerStatus& st = PeerOf(v.origin)->status;
    st.compromised_from = v.from;
    st.compromised_by = v.by;
    st.state = "compromised";
  }
  return absl::OkStatus();
}

Monitor::Monitor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Monitor::~Monitor() { Stop(); }

void Monitor::SetEquivocationSink(EquivocationSink sink) { impl_->sink = std::move(sink); }

void Monitor::Start() {
  absl::MutexLock lock(&impl_->mu);
  if (impl_->loop.joinable() || impl_->stopping) return;
  impl_->loop = std::thread([impl = impl_.get()] { impl->Loop(); });
}

void Monitor::Stop() {
  {
    absl::MutexLock lock(&impl_->mu);
    impl_->stopping = true;
  }
  if (impl_->loop.joinable()) impl_->loop.join();
}

// The loop starts one thread per peer, so that a slow peer only delays itself, and
// starts threads for parties that join the directory later.
void Monitor::Impl::Loop() {
  std::map<std::string, std::thread> threads;
  for (;;) {
    std::shared_ptr<const Directory> dir = directory.current();
    for (const Party& party : dir->parties) {
      if (party.origin == self_origin || threads.contains(party.origin)) continue;
      threads.emplace(party.origin, std::thread([this, o = party.origin] { PeerLoop(o); }));
    }
    absl::MutexLock lock(&mu);
    if (mu.AwaitWithTimeout(absl::Condition(&stopping), options.poll_interval)) break;
  }
  for (auto& [origin, t] : threads) t.join();
}

void Monitor::Impl::PeerLoop(const std::string& origin) {
  for (;;) {
    std::shared_ptr<Peer> p;
    absl::Time next;
    {
      absl::MutexLock lock(&mu);
      p = PeerOf(origin);
      next = p->status.next_poll;
      if (mu.AwaitWithDeadline(absl::Condition(&stopping), next)) return;
    }
    if (absl::Status s = PollPeer(*p); !s.ok()) {
      absl::MutexLock lock(&mu);
      p->status.last_error = absl::StrCat("local failure: ", s.message());
      p->status.next_poll = absl::Now() + options.poll_interval;
    }
  }
}

absl::Status Monitor::PollOnce() {
  std::shared_ptr<const Directory> dir = impl_->directory.current();
  std::vector<std::shared_ptr<Peer>> peers;
  {
    absl::MutexLock lock(&impl_->mu);
    for (const Party& party : dir->parties) {
      if (party.origin != impl_->self_origin) peers.push_back(impl_->PeerOf(party.origin));
    }
  }
  std::vector<absl::Status> results(peers.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < peers.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = impl_->PollPeer(*peers[i]); });
  }
  for (std::thread& t : threads) t.join();
  for (const absl::Status& s : results) {
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Monitor::failure() const { return impl_->StoreFailure(); }

void Monitor::Observe(const std::string& origin, std::string signed_checkpoint) {
  if (origin == impl_->self_origin) return;
  std::shared_ptr<const Directory> dir = impl_->directory.current();
  const Party* party = dir->FindByOrigin(origin);
  if (party == nullptr) return;
  auto opened = note::OpenCheckpoint(signed_checkpoint, origin, *party->log_verifier);
  if (!opened.ok()) return;
  const note::Checkpoint& cp = opened->checkpoint;
  std::optional<SplitView> view;
  {
    absl::MutexLock lock(&impl_->mu);
    std::shared_ptr<Peer> p = impl_->PeerOf(origin);
    if (!p->status.checkpoint.empty() && p->status.size == cp.size) {
      if (p->root != cp.root_hash) {
        view = SplitView{origin, p->status.checkpoint, signed_checkpoint, std::nullopt, {}};
      }
    } else if (cp.size > 0 && std::find(p->pending.begin(), p->pending.end(), signed_checkpoint) ==
                                  p->pending.end()) {
      if (p->pending.size() >= 16) p->pending.pop_front();
      p->pending.push_back(std::move(signed_checkpoint));
    }
  }
  if (view) impl_->Report(*dir, *view, cp.size);
}

absl::StatusOr<InboxPage> Monitor::Inbox(const InboxQuery& query) const {
  auto page = impl_->store->Inbox(query);
  if (!page.ok()) return page;
  absl::MutexLock lock(&impl_->mu);
  for (InboxItem& item : page->items) {
    item.witnessed = item.index < impl_->PeerOf(item.origin)->status.witnessed_size;
  }
  return page;
}

std::vector<PeerStatus> Monitor::Peers() const {
  std::shared_ptr<const Directory> dir = impl_->directory.current();
  std::vector<PeerStatus> out;
  absl::MutexLock lock(&impl_->mu);
  for (const Party& party : dir->parties) {
    if (party.origin == impl_->self_origin) continue;
    PeerStatus st = impl_->PeerOf(party.origin)->status;
    st.name = party.name;
    st.url = party.url;
    out.push_back(std::move(st));
  }
  return out;
}

absl::Status Monitor::Resolve(const statement::Ref& ref) const {
  std::shared_ptr<const Directory> dir = impl_->directory.current();
  if (ref.origin == impl_->self_origin || dir->FindByOrigin(ref.origin) == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("\"", ref.origin, "\" is not the log of another party of the directory"));
  }
  uint64_t followed = 0;
  {
    absl::MutexLock lock(&impl_->mu);
    followed = impl_->PeerOf(ref.origin)->status.size;
  }
  auto entry = impl_->store->FindEntry(ref.origin, ref.index);
  if (!entry.ok()) return entry.status();
  if (!entry->has_value()) {
    if (ref.index < followed) {  // checked by a monitor state older than its entry table
      return absl::UnavailableError(absl::StrCat(
          "this party's monitor checked entry ", ref.index, " of ", ref.origin,
          " before it kept a record of entries; it resolves once the monitor state is rebuilt"));
    }
    return absl::UnavailableError(absl::StrCat("this party's monitor has verified ", ref.origin,
                                               " up to ", followed, " entries, not yet entry ",
                                               ref.index));
  }
  return CheckCited(ref, (*entry)->leaf_hash, (*entry)->kind);
}

bool Monitor::WaitFollowed(std::string_view origin, uint64_t size, absl::Duration timeout) const {
  absl::MutexLock lock(&impl_->mu);
  std::shared_ptr<Peer> p = impl_->PeerOf(origin);
  auto followed = [&]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return p->status.size >= size; };
  return impl_->mu.AwaitWithTimeout(absl::Condition(&followed), timeout);
}

}  // namespace accord::federation
