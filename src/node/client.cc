#include "src/node/client.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "src/note/checkpoint.h"
#include "src/statement/statement.h"
#include "src/tlog/proof.h"
#include "src/util/encoding.h"
#include "src/util/json.h"

namespace accord::node {
namespace {

using nlohmann::json;

// An error from a non-2xx answer: http::StatusFromResponse's code and message (status,
// problem detail), plus the problem's pointer and type when it names them.
absl::Status ErrorOf(const http::ClientResponse& r, std::string_view what) {
  const absl::Status base = http::StatusFromResponse(r);
  std::string message = absl::StrCat(std::string(what), ": ", std::string(base.message()));
  const json j = util::ParseJson(r.body).value_or(json());
  if (j.is_object()) {
    if (j.contains("pointer") && j["pointer"].is_string()) {
      absl::StrAppend(&message, " (at ", j["pointer"].get<std::string>(), ")");
    }
    if (j.contains("type") && j["type"].is_string()) {
      absl::StrAppend(&message, " [", j["type"].get<std::string>(), "]");
    }
  }
  return absl::Status(base.ok() ? absl::StatusCode::kInternal : base.code(), message);
}

bool ParseHash(const json& v, tlog::Hash& out) {
  if (!v.is_string()) return false;
  auto b = util::Base64Decode(v.get<std::string>());
  if (!b || b->size() != out.size()) return false;
  std::copy(b->begin(), b->end(), out.begin());
  return true;
}

}  // namespace

absl::StatusOr<ReceiptDoc> ParseReceipt(const std::string& body) {
  ReceiptDoc r;
  auto bad = [](std::string_view f) {
    return absl::InvalidArgumentError(absl::StrCat("malformed receipt: ", std::string(f)));
  };
  auto parsed = util::ParseJson(body);
  if (!parsed.ok()) return bad(std::string(parsed.status().message()));
  r.json = *std::move(parsed);
  const json& j = r.json;
  if (!j.is_object()) return bad("not a JSON object");
  if (!j.contains("index") || !j["index"].is_number_unsigned()) return bad("index");
  if (!j.contains("tree_size") || !j["tree_size"].is_number_unsigned()) return bad("tree_size");
  if (!j.contains("checkpoint") || !j["checkpoint"].is_string()) return bad("checkpoint");
  if (!j.contains("leaf_hash") || !ParseHash(j["leaf_hash"], r.leaf_hash)) return bad("leaf_hash");
  if (!j.contains("inclusion_proof") || !j["inclusion_proof"].is_array() ||
      j["inclusion_proof"].size() > 64) {
    return bad("inclusion_proof");
  }
  r.index = j["index"].get<uint64_t>();
  r.tree_size = j["tree_size"].get<uint64_t>();
  r.checkpoint = j["checkpoint"].get<std::string>();
  // value() would throw on a present "duplicate" of another type (a node's answer is
  // not trusted).
  if (j.contains("duplicate") && !j["duplicate"].is_boolean()) return bad("duplicate");
  r.duplicate = j.value("duplicate", false);
  for (const auto& h : j["inclusion_proof"]) {
    tlog::Hash x;
    if (!ParseHash(h, x)) return bad("inclusion_proof hash");
    r.inclusion_proof.push_back(x);
  }
  return r;
}

absl::StatusOr<std::unique_ptr<NodeClient>> NodeClient::Create(std::string_view url,
                                                               http::ClientOptions options) {
  auto c = http::Client::Create(url, std::move(options));
  if (!c.ok()) return c.status();
  return std::unique_ptr<NodeClient>(new NodeClient(*std::move(c)));
}

absl::StatusOr<ReceiptDoc> NodeClient::Submit(std::string envelope) {
  auto r = client_->Post("/v1/statements", std::move(envelope));
  if (!r.ok()) return r.status();
  if (r->status != 200 && r->status != 201) return ErrorOf(*r, "the node refused the statement");
  return ParseReceipt(r->body);
}

absl::StatusOr<std::string> NodeClient::Get(std::string_view target) {
  auto r = client_->Get(target);
  if (!r.ok()) return r.status();
  if (r->status != 200) return ErrorOf(*r, absl::StrCat("GET ", std::string(target)));
  return std::move(r->body);
}

absl::Status VerifyReceipt(const ReceiptDoc& receipt, std::string_view envelope,
                           const note::Verifier& log_key) {
  bool ours = statement::LeafHashOf(envelope) == receipt.leaf_hash;
  if (!ours) {  // another spelling, or more signatures, than the one logged
    auto parsed = statement::ParseEnvelope(envelope);
    for (size_t i = 0; parsed.ok() && !ours && i < parsed->signatures.size(); ++i) {
      ours = statement::LeafHashOf(statement::LoggedForm(*parsed, parsed->signatures[i])) ==
             receipt.leaf_hash;
    }
  }
  if (!ours) {
    return absl::DataLossError(
        "the receipt's leaf hash is not that of the submitted statement's logged form");
  }
  auto cp = note::OpenCheckpoint(receipt.checkpoint, log_key.Name(), log_key);
  if (!cp.ok()) {
    return absl::Status(cp.status().code(),
                        absl::StrCat("the receipt's checkpoint: ", cp.status().message()));
  }
  if (cp->checkpoint.size != receipt.tree_size) {
    return absl::DataLossError("the receipt's checkpoint is not of its tree size");
  }
  if (auto s = tlog::VerifyInclusion(receipt.index, receipt.tree_size, receipt.leaf_hash,
                                     receipt.inclusion_proof, cp->checkpoint.root_hash);
      !s.ok()) {
    return absl::Status(s.code(), absl::StrCat("the receipt's inclusion proof: ", s.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<HttpLogStorage>> HttpLogStorage::Create(std::string_view url) {
  auto c = http::Client::Create(url);
  if (!c.ok()) return c.status();
  std::string u = (*c)->url().ToString();
  return std::unique_ptr<HttpLogStorage>(new HttpLogStorage(*std::move(c), std::move(u)));
}

absl::StatusOr<std::string> HttpLogStorage::Read(std::string_view path) {
  auto r = client_->Get(absl::StrCat("/", std::string(path)));
  if (!r.ok()) return r.status();
  if (r->status == 404)
    return absl::NotFoundError(absl::StrCat(url_, "/", std::string(path), ": 404"));
  if (r->status != 200) return ErrorOf(*r, absl::StrCat("GET /", std::string(path)));
  return std::move(r->body);
}

absl::Status HttpLogStorage::Commit(std::span<const store::LogObject>,
                                    std::optional<std::string_view>, std::string_view) {
  return absl::UnimplementedError("a log read over HTTP is read-only");
}
absl::Status HttpLogStorage::Stage(std::span<const store::LogObject>) {
  return absl::UnimplementedError("a log read over HTTP is read-only");
}
absl::Status HttpLogStorage::DeletePartials(std::string_view) {
  return absl::UnimplementedError("a log read over HTTP is read-only");
}

}  // namespace accord::node
