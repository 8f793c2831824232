#include "src/node/api.h"

#include <charconv>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "src/log/proof_json.h"
#include "src/tlog/tile.h"
#include "src/util/encoding.h"

namespace accord::node {

absl::StatusOr<std::optional<uint64_t>> UintParam(std::string_view text, std::string_view name) {
  if (text.empty()) return std::optional<uint64_t>();
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || (text.size() > 1 && text[0] == '0')) {
    return absl::InvalidArgumentError(
        absl::StrCat("parameter \"", std::string(name), "\" must be a non-negative integer"));
  }
  return std::optional<uint64_t>(v);
}

std::string QueryParam(const http::Request& r, std::string_view name) {
  auto v = r.query.Get(name);
  return v ? std::string(*v) : std::string();
}

namespace {

using http::Request;
using http::Response;
using nlohmann::json;

// A statement envelope is at most a log entry; leave room for nothing else.
constexpr size_t kMaxStatementBody = tlog::kMaxEntrySize;

std::string B64(const crypto::Digest& d) { return util::Base64Encode(d); }

Response Problem(const absl::Status& s) {
  auto name = ProblemName(s);
  if (!name) return Response::FromStatus(s);
  json ext = json::object();
  if (auto pointer = statement::ErrorPointer(s)) ext["pointer"] = *pointer;
  if (*name == kProblemInsufficientStorage) {  // RFC 4918 §11.5, a reason http does not know
    return Response::Problem(507, *name, std::string(s.message()), ext, "Insufficient Storage");
  }
  const int status = *name == kProblemTooLarge ? 413 : http::HttpStatusOf(s.code());
  return Response::Problem(status, *name, std::string(s.message()), ext);
}

json SummaryJson(const store::IndexedStatement& m) {
  json refs = json::array();
  for (const auto& r : m.refs) {
    refs.push_back({{"origin", r.origin}, {"index", r.index}, {"leaf_hash", B64(r.leaf_hash)}});
  }
  return {{"index", m.index},
          {"leaf_hash", B64(m.leaf_hash)},
          {"kind", m.kind},
          {"issuer", m.issuer},
          {"issued", absl::FormatTime(absl::RFC3339_sec, absl::FromUnixSeconds(m.issued_unix),
                                      absl::UTCTimeZone())},
          {"signer", m.signer},
          {"to", m.addressees},
          {"refs", refs}};
}

struct Metrics {
  explicit Metrics(http::Registry& r, Node& node)
      : submissions(r.AddCounterFamily("accord_statements_submitted_total",
                                       "Statement submissions by outcome (appended, duplicate, "
                                       "or the problem that rejected them).",
                                       {"result"})) {
    r.AddGaugeCallback("accord_log_size", "Entries in the log (tree size of the checkpoint).",
                       [&node] { return static_cast<double>(node.log().size()); });
  }
  http::Family<http::Counter>& submissions;
};

void HandleSubmit(Node& node, Metrics& m, const Request& req, const http::Responder& respond) {
  absl::Status s = node.Submit(req.body, [respond, &m](absl::StatusOr<SubmitResult> r) {
    if (!r.ok()) {
      m.submissions.WithLabels({"failed"}).Increment();
      respond(Problem(r.status()));
      return;
    }
    m.submissions.WithLabels({r->receipt.duplicate ? "duplicate" : "appended"}).Increment();
    json proof = json::array();
    for (const auto& h : r->inclusion_proof) proof.push_back(B64(h));
    respond(
        Response::Json(r->receipt.duplicate ? 200 : 201, {{"index", r->receipt.index},
                                                          {"leaf_hash", B64(r->receipt.leaf_hash)},
                                                          {"duplicate", r->receipt.duplicate},
                                                          {"tree_size", r->receipt.tree_size},
                                                          {"checkpoint", r->receipt.checkpoint},
                                                          {"inclusion_proof", proof}}));
  });
  if (!s.ok()) {
    auto name = ProblemName(s);
    m.submissions.WithLabels({name ? *name : "unavailable"}).Increment();
    respond(Problem(s));
  }
}

Response HandleGet(Node& node, const Request& req) {
  auto index = UintParam(req.PathParam("index"), "index");
  if (!index.ok()) return Response::FromStatus(index.status());
  auto rec = node.Get(**index);
  if (!rec.ok()) return Response::FromStatus(rec.status());
  json j = SummaryJson(rec->meta);
  j["envelope"] = rec->envelope;
  return Response::Json(200, j);
}

Response HandleList(Node& node, const Request& req) {
  store::IndexQuery q;
  q.kind = QueryParam(req, "kind");
  q.issuer = QueryParam(req, "issuer");
  q.addressee = QueryParam(req, "to");
  auto after = UintParam(QueryParam(req, "after"), "after");
  auto limit = UintParam(QueryParam(req, "limit"), "limit");
  if (!after.ok()) return Response::FromStatus(after.status());
  if (!limit.ok()) return Response::FromStatus(limit.status());
  q.after = *after;
  if (*limit) {
    if (**limit < 1 || **limit > 1000) {
      return Response::FromStatus(absl::InvalidArgumentError("limit must be 1 to 1000"));
    }
    q.limit = **limit;
  }
  if (const std::string ref = QueryParam(req, "ref"); !ref.empty()) {
    const size_t colon = ref.rfind(':');
    auto idx = colon == std::string::npos
                   ? absl::StatusOr<std::optional<uint64_t>>(absl::InvalidArgumentError("bad ref"))
                   : UintParam(std::string_view(ref).substr(colon + 1), "ref");
    if (!idx.ok() || !*idx || colon == 0) {
      return Response::FromStatus(absl::InvalidArgumentError("ref must be ORIGIN:INDEX"));
    }
    q.ref = store::IndexedRef{ref.substr(0, colon), **idx, {}};
  }
  auto page = node.List(q);
  if (!page.ok()) return Response::FromStatus(page.status());
  json list = json::array();
  for (const auto& m : page->statements) list.push_back(SummaryJson(m));
  json j = {{"statements", list}};
  if (page->next) j["next"] = *page->next;
  return Response::Json(200, j);
}

Response HandleInclusion(Node& node, const Request& req) {
  auto index = UintParam(QueryParam(req, "index"), "index");
  auto size = UintParam(QueryParam(req, "size"), "size");
  if (!index.ok()) return Response::FromStatus(index.status());
  if (!size.ok()) return Response::FromStatus(size.status());
  if (!*index) return Response::FromStatus(absl::InvalidArgumentError("index is required"));
  const std::string checkpoint = node.log().signed_checkpoint();
  const uint64_t current = node.log().size();
  const uint64_t n = size->value_or(current);
  auto proof = node.log().InclusionProof(**index, n);
  if (!proof.ok()) return Response::FromStatus(proof.status());
  auto entry = node.log().ReadEntry(**index);
  auto root = node.log().RootHash(n);
  if (!entry.ok()) return Response::FromStatus(entry.status());
  if (!root.ok()) return Response::FromStatus(root.status());
  log::InclusionProofDoc doc{**index,
                             n,
                             tlog::LeafHash(util::AsBytes(*entry)),
                             *root,
                             *std::move(proof),
                             n == current ? checkpoint : ""};
  return Response::Text(200, log::ProofToJson(doc), http::kJsonContentType);
}

Response HandleConsistency(Node& node, const Request& req) {
  auto from = UintParam(QueryParam(req, "from"), "from");
  auto to = UintParam(QueryParam(req, "to"), "to");
  if (!from.ok()) return Response::FromStatus(from.status());
  if (!to.ok()) return Response::FromStatus(to.status());
  if (!*from) return Response::FromStatus(absl::InvalidArgumentError("from is required"));
  const std::string checkpoint = node.log().signed_checkpoint();
  const uint64_t current = node.log().size();
  const uint64_t n = to->value_or(current);
  auto proof = node.log().ConsistencyProof(**from, n);
  if (!proof.ok()) return Response::FromStatus(proof.status());
  auto old_root = node.log().RootHash(**from);
  auto new_root = node.log().RootHash(n);
  if (!old_root.ok()) return Response::FromStatus(old_root.status());
  if (!new_root.ok()) return Response::FromStatus(new_root.status());
  log::ConsistencyProofDoc doc{
      **from, n, *old_root, *new_root, *std::move(proof), n == current ? checkpoint : ""};
  return Response::Text(200, log::ProofToJson(doc), http::kJsonContentType);
}

// C2SP read paths: only tiles and bundles the current checkpoint covers are served, so
// nothing an interrupted append left behind is ever visible.
Response HandleTile(Node& node, const Request& req) {
  const std::string path = absl::StrCat("tile/", std::string(req.PathParam("*")));
  auto id = tlog::ParseTilePath(path);
  if (!id.ok()) return Response::FromStatus(absl::NotFoundError(id.status().message()));
  const uint64_t size = node.log().size();
  const uint64_t row = tlog::LevelWidth(id->level, size);
  if (id->index > row / tlog::kTileWidth || id->index * tlog::kTileWidth + id->width > row) {
    return Response::FromStatus(absl::NotFoundError(
        absl::StrCat(path, " is beyond the log's checkpoint (size ", size, ")")));
  }
  auto data = node.log().storage().Read(path);
  if (!data.ok()) return Response::FromStatus(data.status());
  Response r = Response::Text(200, *std::move(data), "application/octet-stream");
  r.headers.Set("Cache-Control",
                id->is_full() ? "public, max-age=31536000, immutable" : "public, max-age=3600");
  return r;
}

}  // namespace

void RegisterApi(http::Router& router, Node& node, http::Registry& registry,
                 const NodeExtension* extension) {
  auto metrics = std::make_shared<Metrics>(registry, node);
  router.HandleAsync(
      "POST", "/v1/statements",
      [&node, metrics](const Request& req, const http::Responder& respond) {
        HandleSubmit(node, *metrics, req, respond);
      },
      http::RouteOptions{kMaxStatementBody});
  router.Handle("GET", "/v1/statements", [&node](const Request& r) { return HandleList(node, r); });
  router.Handle("GET", "/v1/statements/{index}",
                [&node](const Request& r) { return HandleGet(node, r); });
  router.Handle("GET", "/v1/proofs/inclusion",
                [&node](const Request& r) { return HandleInclusion(node, r); });
  router.Handle("GET", "/v1/proofs/consistency",
                [&node](const Request& r) { return HandleConsistency(node, r); });
  router.Handle("GET", "/checkpoint", [&node](const Request&) {
    Response r = Response::Text(200, node.published_checkpoint());
    r.headers.Set("Cache-Control", "no-cache, max-age=0");
    return r;
  });
  router.Handle("GET", "/tile/*", [&node](const Request& r) { return HandleTile(node, r); });
  router.Handle("GET", "/vkey", [&node](const Request&) {
    return Response::Text(200, node.verifier_key() + "\n");
  });
  router.Handle("GET", "/healthz", [&node, extension](const Request&) {
    if (absl::Status s = node.health(); !s.ok()) {
      // The node still serves reads, but accepts no statement until it is restarted.
      const absl::Status told = StorageFailure(s);
      return Response::Problem(503, ProblemName(told).value_or("unavailable"),
                               std::string(told.message()),
                               {{"origin", node.origin()}, {"size", node.log().size()}});
    }
    nlohmann::json j = {{"status", "ok"}, {"origin", node.origin()}, {"size", node.log().size()}};
    if (extension != nullptr) {
      bool healthy = true;
      j[extension->name()] = extension->Health(healthy);
      if (!healthy) j["status"] = "degraded";
    }
    return Response::Json(200, j);
  });
  router.Handle("GET", "/metrics", [&registry](const Request&) {
    return Response::Text(200, registry.Render(), http::kPrometheusContentType);
  });
}

absl::StatusOr<std::unique_ptr<NodeServer>> NodeServer::Start(NodeServerOptions options) {
  std::unique_ptr<NodeServer> s(new NodeServer());
  s->metrics_ = std::make_unique<http::Registry>();
  http::Histogram& batch_size =
      s->metrics_->AddHistogram("accord_sequencer_batch_entries", "Statements appended per batch.",
                                http::ExponentialBuckets(1, 4, 7));
  http::Histogram& latency =
      s->metrics_->AddHistogram("accord_sequencer_batch_seconds",
                                "From a batch's first submission to its durable checkpoint.");
  options.node.batch_observer = [&batch_size, &latency](size_t n, absl::Duration d) {
    batch_size.Observe(static_cast<double>(n));
    latency.Observe(absl::ToDoubleSeconds(d));
  };
  auto node = Node::Open(options.node);
  if (!node.ok()) return node.status();
  s->node_ = *std::move(node);
  http::Router router;
  if (options.extension) {
    auto extension = options.extension(*s->node_, router, *s->metrics_);
    if (!extension.ok()) return extension.status();
    s->extension_ = *std::move(extension);
  }
  RegisterApi(router, *s->node_, *s->metrics_, s->extension_.get());
  options.http.metrics = s->metrics_.get();
  auto server = http::Server::Create(std::move(router), options.http);
  if (!server.ok()) return server.status();
  s->server_ = *std::move(server);
  s->server_->Start();
  return s;
}

NodeServer::~NodeServer() { Stop(); }

void NodeServer::Stop() {
  if (server_) server_->Stop();
  if (extension_) extension_->Stop();
  if (node_) node_->Stop();
}

std::string NodeServer::url() const { return absl::StrCat("http://", server_->address()); }

}  // namespace accord::node
