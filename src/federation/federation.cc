#include "src/federation/federation.h"

#include <cstdio>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "src/util/encoding.h"
#include "src/util/strings.h"

namespace accord::federation {
namespace {

using http::Request;
using http::Response;
using nlohmann::json;

std::string TimeJson(absl::Time t) {
  if (t == absl::InfinitePast()) return "";
  return absl::FormatTime(absl::RFC3339_full, t, absl::UTCTimeZone());
}

json PeerJson(const PeerStatus& p) {
  json j = {{"origin", p.origin},
            {"name", p.name},
            {"url", p.url},
            {"state", p.state},
            {"size", p.size},
            {"checkpoint", p.checkpoint},
            {"cosignatures", p.cosignatures},
            {"witnessed_size", p.witnessed_size},
            {"witnesses", p.witnesses},
            {"statements", p.statements},
            {"invalid_entries", p.invalid_entries},
            {"inbox", p.inbox},
            {"last_success", TimeJson(p.last_success)},
            {"last_error", p.last_error},
            {"consecutive_failures", p.consecutive_failures}};
  if (p.compromised_from) {
    j["compromised"] = {{"from_size", *p.compromised_from}, {"by", p.compromised_by}};
  }
  return j;
}

json WitnessJson(const WitnessStatus& w) {
  return {{"name", w.name},
          {"url", w.url},
          {"cosigned_size", w.cosigned_size},
          {"last_success", TimeJson(w.last_success)},
          {"last_error", w.last_error},
          {"consecutive_failures", w.consecutive_failures}};
}

json InboxItemJson(const InboxItem& item) {
  json j = {{"seq", item.seq},
            {"origin", item.origin},
            {"index", item.index},
            {"leaf_hash", util::Base64Encode(item.leaf_hash)},
            {"kind", item.kind},
            {"issued", TimeJson(absl::FromUnixSeconds(item.issued_unix))},
            {"picked_up", TimeJson(absl::FromUnixMillis(item.picked_up_unix_ms))},
            {"logged_after", item.logged_after_unix_ms != 0
                                 ? json(TimeJson(absl::FromUnixMillis(item.logged_after_unix_ms)))
                                 : json(nullptr)},
            {"addressed", item.addressed},
            {"cites_us", item.cites_us},
            // Covered by a checkpoint with the directory's witness quorum; until then the
            // log's signature alone vouches for it (see federation/monitor.h).
            {"witnessed", item.witnessed},
            // Dated earlier than a node's intake window allows before the time by which
            // this monitor knows it was not yet logged: the issuer's `issued` is not to be
            // relied on (procedures run from that time instead; casework::StartOfClock).
            {"backdated",
             item.logged_after_unix_ms != 0 && absl::FromUnixSeconds(item.issued_unix) <
                                                   absl::FromUnixMillis(item.logged_after_unix_ms) -
                                                       node::kDefaultMaxStatementAge},
            {"envelope", item.envelope}};
  return j;
}

Response HandleInbox(const Monitor& monitor, const Request& req) {
  InboxQuery q;
  q.kind = node::QueryParam(req, "kind");
  q.origin = node::QueryParam(req, "origin");
  auto after = node::UintParam(node::QueryParam(req, "after"), "after");
  auto limit = node::UintParam(node::QueryParam(req, "limit"), "limit");
  if (!after.ok()) return Response::FromStatus(after.status());
  if (!limit.ok()) return Response::FromStatus(limit.status());
  q.after = *after;
  if (*limit) {
    if (**limit < 1 || **limit > 1000)
      return Response::FromStatus(absl::InvalidArgumentError("limit must be 1 to 1000"));
    q.limit = **limit;
  }
  auto page = monitor.Inbox(q);
  if (!page.ok()) return Response::FromStatus(page.status());
  json items = json::array();
  for (const InboxItem& item : page->items) items.push_back(InboxItemJson(item));
  json j = {{"items", std::move(items)}};
  if (page->next) j["next"] = *page->next;
  return Response::Json(200, j);
}

}  // namespace

std::string WitnessNameFor(std::string_view origin) {
  std::string_view base = origin;
  if (base.ends_with("/log")) base.remove_suffix(4);
  return absl::StrCat(std::string(base), "/witness");
}

absl::StatusOr<std::unique_ptr<Federation>> Federation::Attach(node::Node& node,
                                                               http::Router& router,
                                                               http::Registry& metrics,
                                                               const FederationOptions& options) {
  std::unique_ptr<Federation> f(new Federation());
  f->node_ = &node;
  auto directory = DirectoryWatcher::Open(options.directory_file);
  if (!directory.ok()) return directory.status();
  f->directory_ = *std::move(directory);
  {
    auto d = f->directory_->current();
    const Party* self = d->FindByOrigin(node.origin());
    if (self == nullptr) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the directory ", options.directory_file.string(), " does not list this node's log ",
          node.origin(), ": its peers could neither verify nor witness it"));
    }
    if (util::StripWhitespace(self->log_key) != util::StripWhitespace(node.verifier_key())) {
      return absl::FailedPreconditionError(
          absl::StrCat("the directory lists ", node.origin(), " with the key ", self->log_key,
                       ", but this node's key is ", node.verifier_key()));
    }
  }

  if (!options.witness_key || !options.stores)
    return absl::InvalidArgumentError("a federation needs its witness key and its stores");
  auto signer = options.witness_key(WitnessNameFor(node.origin()));
  if (!signer.ok()) return signer.status();
  auto stores = options.stores();
  if (!stores.ok()) return stores.status();
  auto witness =
      Witness::Open(std::move(stores->witness), *std::move(signer), node.origin(), *f->directory_);
  if (!witness.ok()) return witness.status();
  f->witness_ = *std::move(witness);

  WitnessingOptions wo;
  wo.timeout = options.request_timeout;
  auto witnessing = Witnessing::Start(node.log(), *f->directory_, std::move(stores->published), wo);
  if (!witnessing.ok()) return witnessing.status();
  f->witnessing_ = *std::move(witnessing);

  MonitorOptions mo;
  mo.poll_interval = options.poll_interval;
  mo.timeout = options.request_timeout;
  Witness* w = f->witness_.get();
  mo.witness_latest = [w](std::string_view origin) { return w->Latest(origin); };
  if (stores->monitor == nullptr) return absl::InvalidArgumentError("no monitor state");
  auto monitor = Monitor::Open(std::move(stores->monitor), stores->monitor_where, node.origin(),
                               *f->directory_, node.validator(), mo);
  if (!monitor.ok()) return monitor.status();
  f->monitor_ = *std::move(monitor);

  // Wiring.
  Monitor* m = f->monitor_.get();
  Witnessing* ws = f->witnessing_.get();
  f->witness_->SetObservationSink(
      [m](const Observation& o) { m->Observe(o.origin, o.checkpoint); });
  node::Node* n = &node;
  f->monitor_->SetEquivocationSink([n](const EquivocationFound& found) {
    std::fprintf(stderr, "accord: split view of %s proven; publishing an equivocation statement\n",
                 found.origin.c_str());
    absl::Status s = n->SignAndSubmit(
        statement::Kind::kEquivocation, found.payload_json,
        [origin = found.origin](absl::StatusOr<node::SubmitResult> r) {
          if (r.ok()) {
            std::fprintf(stderr, "accord: equivocation of %s published at index %llu\n",
                         origin.c_str(), static_cast<unsigned long long>(r->receipt.index));
          } else {
            std::fprintf(stderr, "accord: publishing the equivocation of %s failed: %s\n",
                         origin.c_str(), std::string(r.status().message()).c_str());
          }
        });
    if (!s.ok()) {
      std::fprintf(stderr, "accord: the equivocation statement about %s was refused: %s\n",
                   found.origin.c_str(), std::string(s.message()).c_str());
    }
  });
  node.AddCommitListener([ws] { ws->Notify(); });
  node.SetCheckpointPublisher([ws] { return ws->published(); });

  RegisterWitnessRoutes(router, *f->witness_, metrics);
  router.Handle("GET", "/v1/inbox", [m](const Request& r) { return HandleInbox(*m, r); },
                {.query = {"kind", "origin", "after", "limit"}});
  Federation* self = f.get();
  router.Handle("GET", "/v1/peers",
                [self](const Request&) { return Response::Json(200, self->PeersJson()); });
  f->monitor_->Start();
  return f;
}

Federation::~Federation() { Stop(); }

void Federation::Stop() {
  if (monitor_) monitor_->Stop();
  if (witnessing_) witnessing_->Stop();
}

json Federation::PeersJson() const {
  auto d = directory_->current();
  json peers = json::array();
  for (const PeerStatus& p : monitor_->Peers()) peers.push_back(PeerJson(p));
  json witnesses = json::array();
  for (const WitnessStatus& w : witnessing_->status()) witnesses.push_back(WitnessJson(w));
  const absl::Status error = directory_->last_error();
  return {{"origin", node_->origin()},
          {"witness", {{"name", witness_->name()}, {"key", witness_->verifier_key()}}},
          {"directory",
           {{"parties", d->parties.size()},
            {"witness_quorum", d->witness_quorum},
            {"generation", directory_->generation()},
            {"error", error.ok() ? "" : std::string(error.message())}}},
          {"checkpoint", witnessing_->published()},
          {"peers", std::move(peers)},
          {"witnesses", std::move(witnesses)}};
}

json Federation::Health(bool& healthy) const {
  json peers = json::object();
  for (const PeerStatus& p : monitor_->Peers()) {
    peers[p.origin] = {{"state", p.state}, {"size", p.size}, {"last_error", p.last_error}};
    if (p.state != "ok") healthy = false;
  }
  json witnesses = json::object();
  for (const WitnessStatus& w : witnessing_->status()) {
    witnesses[w.name] = {{"cosigned_size", w.cosigned_size}, {"last_error", w.last_error}};
    if (!w.last_error.empty()) healthy = false;
  }
  const absl::Status error = directory_->last_error();
  if (!error.ok()) healthy = false;
  const absl::Status monitor_error = monitor_->failure();
  if (!monitor_error.ok()) healthy = false;
  return {{"peers", std::move(peers)},
          {"witnesses", std::move(witnesses)},
          {"directory_error", error.ok() ? "" : std::string(error.message())},
          {"monitor_error", monitor_error.ok() ? "" : std::string(monitor_error.message())}};
}

}  // namespace accord::federation
