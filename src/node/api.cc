#include "src/node/api.h"

#include <cstdio>
#include <set>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "src/log/proof_json.h"
#include "src/tlog/tile.h"
#include "src/util/encoding.h"

namespace accord::node {

absl::StatusOr<std::optional<uint64_t>> UintParam(std::string_view text, std::string_view name) {
  if (text.empty()) return std::optional<uint64_t>();
  auto v =
      http::ParseDecimal(text, absl::StrCat("parameter \"", std::string(name), "\""), kMaxPosition);
  if (!v.ok()) return v.status();
  return std::optional<uint64_t>(*v);
}

std::string QueryParam(const http::Request& r, std::string_view name) {
  return std::string(r.query.Get(name).value_or(""));
}

namespace {

using http::Request;
using http::Response;
using nlohmann::json;

// A statement envelope is at most a log entry; leave room for nothing else.
constexpr size_t kMaxStatementBody = tlog::kMaxEntrySize;
// Statements a page of GET /v1/statements holds at most (docs/openapi.yaml).
constexpr uint64_t kMaxListLimit = 1000;

std::string B64(const crypto::Digest& d) { return util::Base64Encode(d); }

// What the read routes tell the operator about storage they could not read: each
// distinct cause once on standard error (a client asking again and again for a missing
// tile does not flood the log), at most kMaxCauses of them. Thread-safe.
class ReadFailureLog {
 public:
  void Report(std::string_view what, const absl::Status& cause) {
    std::string line = absl::StrCat(std::string(what), ": ", cause.ToString());
    absl::MutexLock lock(&mu_);
    if (seen_.size() > kMaxCauses || !seen_.insert(line).second) return;
    if (seen_.size() > kMaxCauses) line = "further read failures are not reported";
    std::fprintf(stderr, "accord: reading the log failed: %s\n", line.c_str());
  }

 private:
  static constexpr size_t kMaxCauses = 256;
  absl::Mutex mu_;
  std::set<std::string> seen_ ABSL_GUARDED_BY(mu_);
};

// The answer of a read route when the node's storage cannot deliver what the
// checkpoint covers: the storage's fault, never the client's, so 503 storage-failure
// (as for submissions the storage refuses), whatever the store's status code (a
// missing file is NotFound there, yet no 404: the resource exists). The cause names
// files of the data folder and goes to the operator; the client is told `what` failed
// in the log's terms ("tile/0/000.p/5 is missing from the node's storage").
Response ReadFailure(ReadFailureLog& failures, std::string_view what, const absl::Status& cause) {
  failures.Report(what, cause);
  std::string detail;
  if (absl::IsNotFound(cause)) {
    detail = absl::StrCat(std::string(what), " is missing from the node's storage");
  } else if (absl::IsDataLoss(cause)) {
    detail = absl::StrCat(std::string(what), " is corrupt in the node's storage");
  } else {
    detail = absl::StrCat(std::string(what), " cannot be read: storage failure");
  }
  return Response::Problem(503, kProblemStorageFailure,
                           absl::StrCat(detail, "; the node's operator has been told"));
}

Response Problem(const absl::Status& s) {
  auto name = ProblemName(s);
  if (!name) return Response::FromStatus(s);
  json ext = json::object();
  if (auto pointer = statement::ErrorPointer(s)) ext["pointer"] = *pointer;
  if (*name == kProblemInsufficientStorage) {  // RFC 4918 §11.5, a reason http does not know
    return Response::Problem(507, *name, std::string(s.message()), ext, "Insufficient Storage");
  }
  const int status = *name == kProblemTooLarge ? 413 : http::HttpStatusOf(s.code());
  Response r = Response::Problem(status, *name, std::string(s.message()), ext);
  if (*name == kProblemUnresolvedRef) r.headers.Set("Retry-After", "5");  // a poll or two
  return r;
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
          // %E4Y: four digits whatever the year (statements' years are 1000 to 9999, but
          // absl's %Y writes 999 for 999, which is no RFC 3339).
          {"issued", absl::FormatTime("%E4Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(m.issued_unix),
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

Response HandleGet(Node& node, ReadFailureLog& failures, const Request& req) {
  auto index = http::ParseDecimal(req.PathParam("index"), "statement index", kMaxPosition);
  if (!index.ok()) return Response::FromStatus(index.status());
  const uint64_t size = node.log().size();
  if (*index >= size) {
    return Response::FromStatus(
        absl::NotFoundError(absl::StrCat("no statement ", *index, ": the log has ", size)));
  }
  auto rec = node.Get(*index);
  if (!rec.ok()) {
    // The log holds it but the index has not recorded it yet (the moment between the
    // sequencer's append and its index write): not there yet, no storage failure.
    if (absl::IsNotFound(rec.status()) && node.log().ReadEntry(*index).ok()) {
      return Response::FromStatus(rec.status());
    }
    return ReadFailure(failures, absl::StrCat("statement ", *index), rec.status());
  }
  json j = SummaryJson(rec->meta);
  j["envelope"] = rec->envelope;
  return Response::Json(200, j);
}

Response HandleList(Node& node, ReadFailureLog& failures, const Request& req) {
  store::IndexQuery q;
  q.kind = QueryParam(req, "kind");
  q.issuer = QueryParam(req, "issuer");
  q.addressee = QueryParam(req, "to");
  auto after = req.query.GetUint64("after", kMaxPosition);
  if (!after.ok()) return Response::FromStatus(after.status());
  auto limit = req.query.GetUint64("limit", kMaxListLimit);
  if (!limit.ok()) return Response::FromStatus(limit.status());
  q.after = *after;
  if (*limit) {
    if (**limit < 1) {
      return Response::FromStatus(absl::InvalidArgumentError(absl::StrCat(
          "query parameter \"limit\": not a decimal integer in [1, ", kMaxListLimit, "]")));
    }
    q.limit = **limit;
  }
  if (const std::string ref = QueryParam(req, "ref"); !ref.empty()) {
    const size_t colon = ref.rfind(':');
    auto idx = colon == std::string::npos || colon == 0
                   ? absl::StatusOr<uint64_t>(absl::InvalidArgumentError("no origin"))
                   : http::ParseDecimal(std::string_view(ref).substr(colon + 1), "ref index",
                                        kMaxPosition);
    if (!idx.ok()) {
      return Response::FromStatus(absl::InvalidArgumentError(absl::StrCat(
          "query parameter \"ref\" must be ORIGIN:INDEX, INDEX a decimal integer in [0, ",
          kMaxPosition, "]")));
    }
    q.ref = store::IndexedRef{ref.substr(0, colon), *idx, {}};
  }
  auto page = node.List(q);
  if (!page.ok()) return ReadFailure(failures, "the statement index", page.status());
  json list = json::array();
  for (const auto& m : page->statements) list.push_back(SummaryJson(m));
  json j = {{"statements", list}};
  if (page->next) j["next"] = *page->next;
  return Response::Json(200, j);
}

std::string TreeTile(uint64_t size) { return absl::StrCat("a tile of the tree of size ", size); }

// The tree a proof is asked against: `size` if given, else the current one; OutOfRange
// beyond the current tree.
absl::StatusOr<uint64_t> ProofTreeSize(const std::optional<uint64_t>& size, uint64_t current) {
  const uint64_t n = size.value_or(current);
  if (n > current) {
    return absl::OutOfRangeError(
        absl::StrCat("tree size ", n, " is beyond the log's size ", current));
  }
  return n;
}

Response HandleInclusion(Node& node, ReadFailureLog& failures, const Request& req) {
  auto index = req.query.GetUint64("index", kMaxPosition);
  if (!index.ok()) return Response::FromStatus(index.status());
  auto size = req.query.GetUint64("size", kMaxPosition);
  if (!size.ok()) return Response::FromStatus(size.status());
  if (!*index) return Response::FromStatus(absl::InvalidArgumentError("index is required"));
  const std::string checkpoint = node.log().signed_checkpoint();
  const uint64_t current = node.log().size();
  auto n = ProofTreeSize(*size, current);
  if (!n.ok()) return Response::FromStatus(n.status());
  if (**index >= *n) {
    return Response::FromStatus(absl::InvalidArgumentError(
        absl::StrCat("no inclusion proof for index ", **index, " in a tree of size ", *n)));
  }
  // The request is within the tree: whatever fails from here on is the storage.
  auto proof = node.log().InclusionProof(**index, *n);
  if (!proof.ok()) {
    return ReadFailure(failures,
                       absl::StrCat("a tile of the inclusion proof of ", **index, " in ", *n),
                       proof.status());
  }
  auto entry = node.log().ReadEntry(**index);
  if (!entry.ok()) return ReadFailure(failures, absl::StrCat("entry ", **index), entry.status());
  auto root = node.log().RootHash(*n);
  if (!root.ok()) return ReadFailure(failures, TreeTile(*n), root.status());
  log::InclusionProofDoc doc{**index,
                             *n,
                             tlog::LeafHash(util::AsBytes(*entry)),
                             *root,
                             *std::move(proof),
                             *n == current ? checkpoint : ""};
  return Response::Text(200, log::ProofToJson(doc), http::kJsonContentType);
}

Response HandleConsistency(Node& node, ReadFailureLog& failures, const Request& req) {
  auto from = req.query.GetUint64("from", kMaxPosition);
  if (!from.ok()) return Response::FromStatus(from.status());
  auto to = req.query.GetUint64("to", kMaxPosition);
  if (!to.ok()) return Response::FromStatus(to.status());
  if (!*from) return Response::FromStatus(absl::InvalidArgumentError("from is required"));
  const std::string checkpoint = node.log().signed_checkpoint();
  const uint64_t current = node.log().size();
  auto n = ProofTreeSize(*to, current);
  if (!n.ok()) return Response::FromStatus(n.status());
  if (**from == 0 || **from > *n) {
    return Response::FromStatus(absl::InvalidArgumentError(
        absl::StrCat("no consistency proof from size ", **from, " to size ", *n)));
  }
  auto proof = node.log().ConsistencyProof(**from, *n);
  if (!proof.ok()) {
    return ReadFailure(failures,
                       absl::StrCat("a tile of the consistency proof from ", **from, " to ", *n),
                       proof.status());
  }
  auto old_root = node.log().RootHash(**from);
  if (!old_root.ok()) return ReadFailure(failures, TreeTile(**from), old_root.status());
  auto new_root = node.log().RootHash(*n);
  if (!new_root.ok()) return ReadFailure(failures, TreeTile(*n), new_root.status());
  log::ConsistencyProofDoc doc{
      **from, *n, *old_root, *new_root, *std::move(proof), *n == current ? checkpoint : ""};
  return Response::Text(200, log::ProofToJson(doc), http::kJsonContentType);
}

// C2SP read paths: only tiles and bundles the current checkpoint covers are served, so
// nothing an interrupted append left behind is ever visible. The tiles the current tree
// is made of must be there; a partial tile of an earlier tree may be gone (the log
// deletes a full tile's partials, as C2SP tlog-tiles allows, and readers fall back to
// the full tile), and its absence is a 404.
Response HandleTile(Node& node, ReadFailureLog& failures, const Request& req) {
  const std::string path = absl::StrCat("tile/", std::string(req.PathParam("*")));
  auto id = tlog::ParseTilePath(path);
  if (!id.ok()) return Response::FromStatus(absl::NotFoundError(id.status().message()));
  const uint64_t size = node.log().size();
  const uint64_t row = tlog::LevelWidth(id->level, size);
  if (id->index > row / tlog::kTileWidth || id->index * tlog::kTileWidth + id->width > row) {
    return Response::FromStatus(absl::NotFoundError(
        absl::StrCat(path, " is beyond the log's checkpoint (size ", size, ")")));
  }
  const bool of_current_tree = *id == tlog::TileForTree(id->level, id->index, size);
  auto data = node.log().storage().Read(path);
  if (!data.ok() && absl::IsNotFound(data.status()) && !of_current_tree) {
    return Response::FromStatus(absl::NotFoundError(absl::StrCat(
        path,
        " is a partial tile of an earlier tree that the log no longer keeps; its tile in "
        "the current tree is ",
        tlog::TilePath(tlog::TileForTree(id->level, id->index, size)))));
  }
  if (!data.ok()) return ReadFailure(failures, path, data.status());
  Response r = Response::Text(200, *std::move(data), "application/octet-stream");
  r.headers.Set("Cache-Control",
                id->is_full() ? "public, max-age=31536000, immutable" : "public, max-age=3600");
  return r;
}

}  // namespace

void RegisterApi(http::Router& router, Node& node, http::Registry& registry,
                 const NodeExtension* extension) {
  auto metrics = std::make_shared<Metrics>(registry, node);
  auto failures = std::make_shared<ReadFailureLog>();
  router.HandleAsync(
      "POST", "/v1/statements",
      [&node, metrics](const Request& req, const http::Responder& respond) {
        HandleSubmit(node, *metrics, req, respond);
      },
      http::RouteOptions{kMaxStatementBody});
  router.Handle("GET", "/v1/statements",
                [&node, failures](const Request& r) { return HandleList(node, *failures, r); },
                {.query = {"kind", "issuer", "to", "ref", "after", "limit"}});
  router.Handle("GET", "/v1/statements/{index}",
                [&node, failures](const Request& r) { return HandleGet(node, *failures, r); });
  router.Handle("GET", "/v1/proofs/inclusion",
                [&node, failures](const Request& r) { return HandleInclusion(node, *failures, r); },
                {.query = {"index", "size"}});
  router.Handle(
      "GET", "/v1/proofs/consistency",
      [&node, failures](const Request& r) { return HandleConsistency(node, *failures, r); },
      {.query = {"from", "to"}});
  router.Handle("GET", "/checkpoint", [&node](const Request&) {
    Response r = Response::Text(200, node.published_checkpoint());
    r.headers.Set("Cache-Control", "no-cache, max-age=0");
    return r;
  });
  router.Handle("GET", "/tile/*",
                [&node, failures](const Request& r) { return HandleTile(node, *failures, r); });
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
  options.http.metrics = s->metrics_.get();
  // The address first: a node that cannot listen creates no keys, log or index.
  auto server = http::Server::Create(
      [&]() -> absl::StatusOr<http::Router> {
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
        return router;
      },
      options.http);
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
