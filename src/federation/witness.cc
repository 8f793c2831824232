// The C2SP tlog-witness add-checkpoint protocol (c2sp.org/tlog-witness, "add-checkpoint")
// with cosignature/v1 cosignatures (c2sp.org/tlog-cosignature).
#include "src/federation/witness.h"

#include <charconv>
#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "src/http/message.h"
#include "src/note/checkpoint.h"
#include "src/note/note.h"
#include "src/tlog/proof.h"
#include "src/util/encoding.h"

namespace accord::federation {

namespace {

constexpr size_t kMaxProofLines = 63;
constexpr size_t kMaxBodyBytes = 64 * 1024;
constexpr int kWorkers = 2;

// Problem names of the witness's answers (docs/http.md).
constexpr std::string_view kBadRequest = "bad-request";
constexpr std::string_view kBadSignature = "bad-signature";
constexpr std::string_view kUnknownLog = "unknown-log";
constexpr std::string_view kInconsistent = "inconsistent";
constexpr std::string_view kStorageFailure = "storage-failure";

Witness::Answer ProblemAnswer(int status, std::string_view name, std::string_view detail) {
  http::Response r = http::Response::Problem(status, name, detail);
  return {status, std::string(r.headers.Get("Content-Type").value_or(http::kProblemContentType)),
          std::move(r.body)};
}

// A 500 says only "internal error"; the cause goes to the operator's log.
Witness::Answer InternalError(std::string_view origin, const absl::Status& status) {
  std::fprintf(stderr, "accord: witness: %.*s: %s\n", static_cast<int>(origin.size()),
               origin.data(), status.ToString().c_str());
  return ProblemAnswer(500, http::problem::kInternal, "internal error");
}

// The answer for every request about a log whose state could not be written.
Witness::Answer StateFailure(std::string_view origin) {
  return ProblemAnswer(
      503, kStorageFailure,
      absl::StrCat("this witness could not store its state for ", std::string(origin),
                   " and answers nothing for that log until it restarts"));
}

Witness::Answer SizeConflict(uint64_t size) {
  return {409, std::string(kTreeSizeContentType), absl::StrCat(size, "\n")};
}

}  // namespace

std::optional<uint64_t> ParseTreeSize(std::string_view s) {
  if (s.empty() || s.size() > 20 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  uint64_t size = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), size);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return size;
}

// One log's latest cosigned checkpoint. `mu` makes the old-size check and the update of
// the file and of these fields one step.
struct Witness::LogState {
  absl::Mutex mu;
  std::optional<std::string> latest ABSL_GUARDED_BY(mu);  // signed note bytes
  note::Checkpoint checkpoint ABSL_GUARDED_BY(mu);        // parsed `latest`
  // Sticky: the first failed write of this log's state. What is on disk is then
  // unknown (the old checkpoint or the new one), so the witness answers nothing more
  // for this log until a restart reloads the state from disk.
  absl::Status failed ABSL_GUARDED_BY(mu);
};

absl::StatusOr<AddCheckpointRequest> ParseAddCheckpoint(std::string_view body) {
  AddCheckpointRequest req;
  size_t nl = body.find('\n');
  std::optional<uint64_t> old_size;
  if (nl != std::string_view::npos && body.starts_with("old ")) {
    old_size = ParseTreeSize(body.substr(4, nl - 4));
  }
  if (!old_size) {
    return absl::InvalidArgumentError(
        "the first line must be \"old <size>\" (decimal, no leading zeros)");
  }
  req.old_size = *old_size;
  body.remove_prefix(nl + 1);
  while (true) {
    nl = body.find('\n');
    if (nl == std::string_view::npos) {
      return absl::InvalidArgumentError("no empty line before the checkpoint");
    }
    std::string_view line = body.substr(0, nl);
    body.remove_prefix(nl + 1);
    if (line.empty()) break;
    if (req.proof.size() == kMaxProofLines) {
      return absl::InvalidArgumentError(
          absl::StrCat("more than ", kMaxProofLines, " consistency proof lines"));
    }
    auto hash = util::Base64Decode(line);
    if (!hash || hash->size() != tlog::Hash{}.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "consistency proof line ", req.proof.size() + 1, " is not the base64 of a 32-byte hash"));
    }
    tlog::Hash& h = req.proof.emplace_back();
    std::copy(hash->begin(), hash->end(), h.begin());
  }
  if (auto n = note::Parse(body); !n.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the checkpoint is not a signed note: ", n.status().message()));
  }
  req.checkpoint = std::string(body);
  return req;
}

std::string FormatAddCheckpoint(const AddCheckpointRequest& request) {
  std::string out = absl::StrCat("old ", request.old_size, "\n");
  for (const tlog::Hash& h : request.proof) absl::StrAppend(&out, util::Base64Encode(h), "\n");
  absl::StrAppend(&out, "\n", request.checkpoint);
  return out;
}

absl::StatusOr<std::unique_ptr<Witness>> Witness::Open(
    std::unique_ptr<store::CheckpointStore> state, note::CosignatureV1Signer signer,
    std::string self_origin, DirectoryWatcher& directory, WitnessOptions options) {
  if (state == nullptr) return absl::InvalidArgumentError("a witness needs its state");
  return std::unique_ptr<Witness>(new Witness(
      std::move(state), std::move(signer), std::move(self_origin), directory, std::move(options)));
}

Witness::Witness(std::unique_ptr<store::CheckpointStore> state, note::CosignatureV1Signer signer,
                 std::string self_origin, DirectoryWatcher& directory, WitnessOptions options)
    : state_(std::move(state)),
      signer_(std::move(signer)),
      self_origin_(std::move(self_origin)),
      directory_(directory),
      options_(std::move(options)) {
  for (int i = 0; i < kWorkers; ++i) workers_.emplace_back([this] { Work(); });
}

Witness::~Witness() {
  {
    absl::MutexLock lock(&queue_mu_);
    stopping_ = true;
  }
  for (std::thread& t : workers_) t.join();
}

void Witness::Work() {
  while (true) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&queue_mu_);
      queue_mu_.Await(absl::Condition(
          +[](Witness* w) ABSL_EXCLUSIVE_LOCKS_REQUIRED(w->queue_mu_) {
            return w->stopping_ || !w->queue_.empty();
          },
          this));
      if (queue_.empty()) return;  // stopping, and every queued request answered
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

void Witness::AddCheckpointAsync(std::string body, std::function<void(Answer)> done) {
  absl::MutexLock lock(&queue_mu_);
  queue_.push_back(
      [this, body = std::move(body), done = std::move(done)] { done(AddCheckpoint(body)); });
}

std::string_view Witness::name() const { return signer_.Name(); }
std::string Witness::verifier_key() const { return signer_.VerifierKeyString(); }

void Witness::SetObservationSink(ObservationSink sink) { sink_ = std::move(sink); }

uint64_t Witness::Now() const {
  if (options_.clock) return options_.clock();
  return static_cast<uint64_t>(absl::ToUnixSeconds(absl::Now()));
}

absl::StatusOr<std::shared_ptr<Witness::LogState>> Witness::StateOf(
    const std::string& origin) const {
  std::shared_ptr<LogState> state;
  {
    absl::MutexLock lock(&mu_);
    auto [it, inserted] = states_.try_emplace(origin);
    if (!inserted) return it->second;
    state = std::make_shared<LogState>();
    it->second = state;
    // Load while holding the state's own lock so no request sees it half-loaded.
    state->mu.Lock();
  }
  absl::Status status;
  auto bytes = state_->Get(origin);
  if (bytes.ok()) {
    auto n = note::Parse(*bytes);
    auto cp = n.ok() ? note::ParseCheckpoint(n->text) : n.status();
    if (!cp.ok() || cp->origin != origin) {
      status = absl::DataLossError(absl::StrCat("the witness state in ", state_->Describe(),
                                                " for ", origin, " is not a checkpoint of that log",
                                                cp.ok() ? "" : ": ",
                                                cp.ok() ? "" : cp.status().message()));
    } else {
      state->latest = *std::move(bytes);
      state->checkpoint = *std::move(cp);
    }
  } else if (!absl::IsNotFound(bytes.status())) {
    status = bytes.status();
  }
  state->mu.Unlock();
  if (!status.ok()) {
    absl::MutexLock lock(&mu_);
    states_.erase(origin);  // retried by the next request
    return status;
  }
  return state;
}

std::optional<std::string> Witness::Latest(std::string_view origin) const {
  auto state = StateOf(std::string(origin));
  if (!state.ok()) return std::nullopt;
  absl::MutexLock lock(&(*state)->mu);
  return (*state)->latest;
}

Witness::Answer Witness::AddCheckpoint(std::string_view body) {
  auto req = ParseAddCheckpoint(body);
  if (!req.ok()) return ProblemAnswer(400, kBadRequest, std::string(req.status().message()));
  auto unverified = note::Parse(req->checkpoint);
  auto parsed = unverified.ok() ? note::ParseCheckpoint(unverified->text) : unverified.status();
  if (!parsed.ok()) {
    return ProblemAnswer(400, kBadRequest,
                         absl::StrCat("not a checkpoint: ", parsed.status().message()));
  }
  const std::string& origin = parsed->origin;
  std::shared_ptr<const Directory> directory = directory_.current();
  const Party* party = directory->FindByOrigin(origin);
  if (party == nullptr || origin == self_origin_) {
    return ProblemAnswer(404, kUnknownLog,
                         absl::StrCat("this witness does not witness the log ", origin));
  }
  auto opened = note::OpenCheckpoint(req->checkpoint, origin, *party->log_verifier);
  if (!opened.ok()) {
    if (note::IsMalformedNote(opened.status())) {
      return ProblemAnswer(400, kBadRequest, std::string(opened.status().message()));
    }
    return ProblemAnswer(
        403, kBadSignature,
        absl::StrCat("no valid signature by the key of ", origin, ": ", opened.status().message()));
  }
  const note::Checkpoint& cp = opened->checkpoint;

  Observation observation{origin, req->checkpoint, std::nullopt, false};
  Answer answer = [&]() -> Answer {
    if (req->old_size > cp.size) {
      return ProblemAnswer(
          400, kBadRequest,
          absl::StrCat("old size ", req->old_size, " exceeds the checkpoint's size ", cp.size));
    }
    auto state = StateOf(origin);
    if (!state.ok()) return InternalError(origin, state.status());
    LogState& s = **state;
    absl::MutexLock lock(&s.mu);
    if (!s.failed.ok()) return StateFailure(origin);
    observation.last_cosigned = s.latest;
    const uint64_t latest_size = s.latest ? s.checkpoint.size : 0;
    if (req->old_size != latest_size) return SizeConflict(latest_size);
    const bool same_size = s.latest && cp.size == latest_size;
    if (same_size && cp.root_hash != s.checkpoint.root_hash) return SizeConflict(latest_size);
    if (same_size || req->old_size == 0) {
      if (!req->proof.empty()) {
        return ProblemAnswer(422, kInconsistent,
                             "the consistency proof must be empty when the old size is 0 or "
                             "equal to the checkpoint's size");
      }
    } else if (absl::Status v = tlog::VerifyConsistency(
                   latest_size, cp.size, s.checkpoint.root_hash, cp.root_hash, req->proof);
               !v.ok()) {
      return ProblemAnswer(422, kInconsistent,
                           absl::StrCat("no consistency from size ", latest_size, " to ", cp.size,
                                        ": ", v.message()));
    }
    auto line = note::Cosign(opened->note.text, signer_, Now());
    if (!line.ok()) return InternalError(origin, line.status());
    if (!same_size) {
      // Durable before the cosignature leaves: a restart must never roll back. Swapped
      // from what this witness last read, so that a second writer of the same state
      // (which the data folder's lock should make impossible) is found out, not obeyed.
      const std::optional<std::string_view> expected =
          s.latest ? std::optional<std::string_view>(*s.latest) : std::nullopt;
      if (absl::Status w = state_->CompareAndSwap(origin, expected, req->checkpoint); !w.ok()) {
        s.failed = w;
        std::fprintf(stderr, "accord: witness: %s: cannot store the state: %s\n", origin.c_str(),
                     w.ToString().c_str());
        return StateFailure(origin);
      }
      s.latest = req->checkpoint;
      s.checkpoint = cp;
    }
    observation.cosigned = true;
    return {200, std::string(http::kTextContentType), *std::move(line)};
  }();
  if (sink_) sink_(observation);
  return answer;
}

void RegisterWitnessRoutes(http::Router& router, Witness& witness, http::Registry& metrics) {
  auto& requests = metrics.AddCounterFamily(
      "accord_witness_requests_total", "add-checkpoint requests by answer status.", {"status"});
  router.HandleAsync(
      "POST", "/add-checkpoint",
      [&witness, &requests](const http::Request& req, const http::Responder& respond) {
        witness.AddCheckpointAsync(req.body, [&requests, respond](Witness::Answer a) {
          requests.WithLabels({absl::StrCat(a.status)}).Increment();
          http::Response r = http::Response::Text(a.status, std::move(a.body), a.content_type);
          respond(std::move(r));
        });
      },
      http::RouteOptions{kMaxBodyBytes});
}

}  // namespace accord::federation
