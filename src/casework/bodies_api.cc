#include "src/casework/bodies_api.h"

#include <algorithm>
#include <deque>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "src/util/encoding.h"
#include "src/util/json.h"

namespace accord::casework {
namespace {

using http::Request;
using http::Responder;
using http::Response;
using nlohmann::json;

constexpr char kPattern[] = "/v1/bodies/{commitment}";
constexpr size_t kMaxLegalBasis = 16;  // common.v1.json#/definitions/legal_basis
constexpr size_t kMaxTitle = 200;      // common.v1.json#/definitions/title

// With microseconds: two releases of one body to one party within a second are two
// accesses, and must be two statements (identical payloads would be one log entry).
std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", t, absl::UTCTimeZone());
}

// The one answer to every GET that may not read: the same bytes whether or not the
// commitment is known or a body stored, and nothing in it the requester did not send.
Response Denied() {
  return Response::Problem(403, http::problem::kPermissionDenied,
                           "this party may not read this body");
}

// The answer to a request the authenticator did not accept, as RequestAuthenticator's
// contract names the outcomes: refused (401 with its reason), or unable to decide now
// (503 + Retry-After: a full replay cache fails closed). Anything else is the node's own
// fault (500, its message withheld: it may name the directory's internals).
Response NotAuthenticated(const absl::Status& refusal) {
  if (absl::IsUnauthenticated(refusal) || absl::IsUnavailable(refusal))
    return Response::FromStatus(refusal);
  return Response::FromStatus(absl::InternalError("internal error"));
}

// The answer to a failure of the store or the index: their messages name files and
// queries, so none of it reaches the client. A full disk is 507 and a store that cannot
// be written or read (read-only, busy, permissions) 503, with the problem names the
// node's statements use (node/sequencer.h); anything else, damage included, 500.
Response StorageFailure(const absl::Status& s) {
  if (absl::IsResourceExhausted(s)) {
    return Response::Problem(507, "insufficient-storage",
                             "the node's disk is full; nothing was stored or released", nullptr,
                             "Insufficient Storage");
  }
  if (absl::IsUnavailable(s) || absl::IsPermissionDenied(s)) {
    return Response::Problem(503, "storage-failure",
                             "the node cannot use its storage; nothing was stored or released");
  }
  return Response::FromStatus(absl::InternalError("internal error"));
}

// One thread that runs queued store writes in order.
class Writer {
 public:
  Writer() : thread_([this] { Run(); }) {}
  ~Writer() { Stop(); }

  // False if the queue holds `max` tasks or the writer has stopped.
  bool Enqueue(std::function<void()> task, size_t max) {
    absl::MutexLock lock(&mu_);
    if (stopping_ || queue_.size() >= max) return false;
    queue_.push_back(std::move(task));
    return true;
  }
  // Runs what is queued, then stops. Idempotent.
  void Stop() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    // Never the writer thread itself: BodiesApi holds the Impl until it has stopped
    // the writer, so a task never drops the last reference.
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Run() {
    for (;;) {
      std::function<void()> task;
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(
            +[](Writer* w) ABSL_EXCLUSIVE_LOCKS_REQUIRED(w->mu_) {
              return w->stopping_ || !w->queue_.empty();
            },
            this));
        if (queue_.empty()) return;  // stopping, and nothing left
        task = std::move(queue_.front());
        queue_.pop_front();
      }
      task();
    }
  }

  absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

// The copies of a PUT request body, checked; or the response that refuses it.
struct ParsedPut {
  std::vector<SealedCopy> copies;
  std::optional<Response> refusal;
};

ParsedPut ParsePut(std::string_view body) {
  auto bad = [](const std::string& detail) {
    return ParsedPut{{}, Response::Problem(400, http::problem::kInvalidArgument, detail)};
  };
  const json doc = util::ParseJson(body).value_or(json());
  if (!doc.is_object() || doc.size() != 1 || !doc.contains("copies")) {
    return bad("the body must be {\"copies\": [{\"addressee\": …, \"sealed\": …}, …]}");
  }
  const json& list = doc["copies"];
  if (!list.is_array() || list.empty() || list.size() > kMaxCopiesPerPut) {
    return bad(absl::StrCat("copies must be an array of 1 to ", kMaxCopiesPerPut, " copies"));
  }
  ParsedPut out;
  for (size_t i = 0; i < list.size(); ++i) {
    const json& c = list[i];
    const std::string where = absl::StrCat("copies[", i, "]");
    if (!c.is_object() || c.size() != 2 || !c.contains("addressee") || !c.contains("sealed") ||
        !c["addressee"].is_string() || !c["sealed"].is_string()) {
      return bad(absl::StrCat(where, " must be {\"addressee\": string, \"sealed\": string}"));
    }
    const std::string& addressee = c["addressee"].get_ref<const std::string&>();
    if (!IsOrigin(addressee)) return bad(absl::StrCat(where, ".addressee is not a log origin"));
    for (const SealedCopy& earlier : out.copies) {
      if (earlier.addressee == addressee) {
        return bad(absl::StrCat(where, ".addressee is given twice"));
      }
    }
    const std::string& b64 = c["sealed"].get_ref<const std::string&>();
    if (b64.size() / 4 * 3 > kMaxSealedBytes + 2) {
      return ParsedPut{{},
                       Response::Problem(413, http::problem::kBodyTooLarge,
                                         absl::StrCat(where, ": a sealed body is at most ",
                                                      kMaxSealedBytes, " bytes"))};
    }
    auto sealed = util::Base64Decode(b64);
    if (!sealed) return bad(absl::StrCat(where, ".sealed is not canonical base64"));
    if (sealed->size() > kMaxSealedBytes) {
      return ParsedPut{{},
                       Response::Problem(413, http::problem::kBodyTooLarge,
                                         absl::StrCat(where, ": a sealed body is at most ",
                                                      kMaxSealedBytes, " bytes"))};
    }
    if (sealed->size() <= kSealOverheadBytes) {
      return bad(absl::StrCat(where, ".sealed is too short for a sealed box"));
    }
    out.copies.push_back({addressee, std::string(util::AsChars(*sealed))});
  }
  return out;
}

json RefJson(const CommittedStatement& s) {
  json ref = {{"origin", s.origin},
              {"index", s.index},
              {"leaf_hash", util::Base64Encode(std::span<const uint8_t>(s.leaf_hash))}};
  if (s.kind) ref["kind"] = std::string(statement::KindName(*s.kind));
  return ref;
}

}  // namespace

class BodiesApi::Impl : public std::enable_shared_from_this<BodiesApi::Impl> {
 public:
  explicit Impl(BodiesApiOptions options) : o_(std::move(options)) {
    if (o_.metrics != nullptr) {
      requests_ = &o_.metrics->AddCounterFamily(
          "accord_bodies_requests_total",
          "Confidential body requests by route (get, put) and outcome.", {"route", "result"});
    }
  }

  void Get(const Request& req, const Responder& respond);
  void Put(const Request& req, const Responder& respond);
  void Stop() { writer_.Stop(); }

 private:
  void Count(std::string_view route, std::string_view result) {
    if (requests_ != nullptr) {
      requests_->WithLabels({std::string(route), std::string(result)}).Increment();
    }
  }

  const BodiesApiOptions o_;
  http::Family<http::Counter>* requests_ = nullptr;
  Writer writer_;
};

void BodiesApi::Impl::Get(const Request& req, const Responder& respond) {
  const absl::Time when = o_.clock();
  auto who = o_.authenticator->Authenticate(req);
  if (!who.ok()) {
    Count("get", "unauthenticated");
    respond(NotAuthenticated(who.status()));
    return;
  }
  const std::string commitment(req.PathParam("commitment"));
  if (!IsCommitment(commitment)) {
    Count("get", "invalid");
    respond(Response::FromStatus(
        absl::InvalidArgumentError("a commitment is 64 lower-case hex digits")));
    return;
  }
  auto statements = o_.lookup(commitment);
  if (!statements.ok()) {
    Count("get", "error");
    respond(StorageFailure(statements.status()));
    return;
  }
  auto entitled = std::find_if(statements->begin(), statements->end(), [&](const auto& s) {
    return std::find(s.addressees.begin(), s.addressees.end(), *who) != s.addressees.end();
  });
  if (entitled == statements->end()) {
    Count("get", "denied");
    respond(Denied());
    return;
  }
  auto sealed = o_.store->Get(commitment, *who);
  if (!sealed.ok()) {
    Count("get", "error");
    respond(StorageFailure(sealed.status()));
    return;
  }
  if (!sealed->has_value()) {
    Count("get", "absent");
    respond(Response::Problem(404, http::problem::kNotFound,
                              "no copy of this body is stored for this party"));
    return;
  }
  auto ok =
      std::make_shared<Response>(Response::Json(200, {{"commitment", commitment},
                                                      {"addressee", *who},
                                                      {"sealed", util::Base64Encode(**sealed)},
                                                      {"statement", RefJson(*entitled)}}));
  if (*who == o_.origin) {  // the party reading its own copy: no access by another party
    Count("get", "served");
    respond(std::move(*ok));
    return;
  }
  AccessRecord record{o_.origin, *who, commitment, *entitled, when, entitled->legal_basis};
  if (record.legal_basis.empty()) record.legal_basis = {std::string(kDefaultLegalBasis)};
  if (record.legal_basis.size() > kMaxLegalBasis) record.legal_basis.resize(kMaxLegalBasis);
  // Answer only once the record is durable; the copy is never sent without it.
  o_.record_access(record, [self = shared_from_this(), respond, ok](const absl::Status& s) {
    if (!s.ok()) {
      self->Count("get", "unrecorded");
      respond(Response::FromStatus(absl::UnavailableError(
          "the access could not be recorded, so the body was not released; retry later")));
      return;
    }
    self->Count("get", "served");
    respond(std::move(*ok));
  });
}

void BodiesApi::Impl::Put(const Request& req, const Responder& respond) {
  auto who = o_.authenticator->Authenticate(req);
  if (!who.ok()) {
    Count("put", "unauthenticated");
    respond(NotAuthenticated(who.status()));
    return;
  }
  if (*who != o_.origin) {
    Count("put", "denied");
    respond(Response::Problem(403, http::problem::kPermissionDenied,
                              "only this node's own party stores bodies here"));
    return;
  }
  const std::string commitment(req.PathParam("commitment"));
  if (!IsCommitment(commitment)) {
    Count("put", "invalid");
    respond(Response::FromStatus(
        absl::InvalidArgumentError("a commitment is 64 lower-case hex digits")));
    return;
  }
  ParsedPut parsed = ParsePut(req.body);
  if (parsed.refusal) {
    Count("put", parsed.refusal->status == 413 ? "too-large" : "invalid");
    respond(std::move(*parsed.refusal));
    return;
  }
  auto copies = std::make_shared<std::vector<SealedCopy>>(std::move(parsed.copies));
  auto task = [self = shared_from_this(), respond, commitment, copies] {
    absl::Status s = self->o_.store->Put(commitment, *copies);
    if (!s.ok()) {
      self->Count("put", "error");
      respond(StorageFailure(s));
      return;
    }
    json stored = json::array();
    for (const auto& c : *copies) stored.push_back(c.addressee);
    self->Count("put", "stored");
    respond(Response::Json(201, {{"commitment", commitment}, {"stored", stored}}));
  };
  if (!writer_.Enqueue(std::move(task), o_.max_pending_writes)) {
    Count("put", "overloaded");
    respond(Response::FromStatus(absl::UnavailableError("too many bodies waiting to be stored")));
  }
}

std::unique_ptr<BodiesApi> BodiesApi::Register(http::Router& router, BodiesApiOptions options) {
  auto impl = std::make_shared<Impl>(std::move(options));
  router.HandleAsync("GET", kPattern,
                     [impl](const Request& r, const Responder& respond) { impl->Get(r, respond); });
  router.HandleAsync(
      "PUT", kPattern,
      [impl](const Request& r, const Responder& respond) { impl->Put(r, respond); },
      http::RouteOptions{kMaxPutRequestBytes});
  router.Handle("HEAD", kPattern, [](const Request&) {
    Response r = Response::Problem(405, http::problem::kMethodNotAllowed,
                                   "bodies are read only with GET, so that each read is recorded");
    r.headers.Set("Allow", "GET, PUT");
    return r;
  });
  return std::unique_ptr<BodiesApi>(new BodiesApi(std::move(impl)));
}

BodiesApi::~BodiesApi() { Stop(); }

void BodiesApi::Stop() { impl_->Stop(); }

std::string AccessPayload(const AccessRecord& r) {
  const std::string when = Rfc3339(r.when);
  json accessed_by = {{"role", "party, authenticated by an HTTP message signature"}};
  if (r.accessor.size() <= kMaxTitle) accessed_by["id"] = r.accessor;
  std::vector<std::string> basis = r.legal_basis;
  if (basis.empty()) basis.push_back(std::string(kDefaultLegalBasis));
  if (basis.size() > kMaxLegalBasis) basis.resize(kMaxLegalBasis);
  json payload = {
      {"kind", "access"},
      {"issuer", r.issuer},
      {"issued", when},
      {"to", json::array({r.accessor})},
      {"accessed_by", accessed_by},
      {"target",
       {{"description", absl::StrCat("Confidential body sha256:", r.commitment, " of statement ",
                                     r.statement.index, " in ", r.statement.origin)}}},
      {"started", when},
      {"ended", when},
      {"legal_basis", basis},
      {"purpose",
       "Release of the sealed copy of a confidential body to an addressee of the statement "
       "that carries its commitment."},
      {"refs", json::array({RefJson(r.statement)})}};
  return payload.dump();
}

std::string PutBodiesRequest(const std::vector<SealedCopy>& copies) {
  json list = json::array();
  for (const auto& c : copies) {
    list.push_back({{"addressee", c.addressee}, {"sealed", util::Base64Encode(c.sealed)}});
  }
  return json({{"copies", list}}).dump();
}

}  // namespace accord::casework
