#include "src/party/party.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "src/casework/confidential.h"
#include "src/casework/procedure_state.h"
#include "src/node/intake.h"
#include "src/note/keys.h"
#include "src/store/backends.h"
#include "src/store/durable_file.h"
#include "src/store/folder_lock.h"
#include "src/util/encoding.h"

namespace accord::party {
namespace fs = std::filesystem;
using casework::AccessPayload;
using casework::AccessRecord;
using casework::BodiesApi;
using casework::BodiesApiOptions;
using casework::BodyStore;
using casework::Case;
using casework::CommittedStatement;
using casework::KnownStatement;
using statement::Kind;

namespace {

constexpr std::string_view kProblemProcedure = "procedure-violation";

absl::Status Refuse(absl::Status s) {
  return node::WithProblemName(std::move(s), kProblemProcedure);
}

// The "request" member of a response: which request it answers.
absl::StatusOr<statement::Ref> RequestRef(const statement::Statement& response) {
  for (const statement::Ref& r : response.refs) {
    if (r.kind == Kind::kRequest && response.payload.contains("request") &&
        response.payload["request"].value("origin", "") == r.origin &&
        response.payload["request"].value("index", uint64_t{0}) == r.index)
      return r;
  }
  return absl::InvalidArgumentError("the response names no request");
}

// Every statement of `node`'s log matching `q`, with its envelope, in log order.
absl::Status ForEachInLog(
    const node::Node& node, store::IndexQuery q,
    const std::function<void(const store::IndexedStatement&, const std::string& envelope)>& f) {
  q.limit = 1000;
  while (true) {
    auto page = node.List(q);
    if (!page.ok()) return page.status();
    for (const auto& m : page->statements) {
      auto record = node.Get(m.index);
      if (!record.ok()) return record.status();
      f(m, record->envelope);
    }
    if (!page->next) return absl::OkStatus();
    q.after = page->next;
  }
}

// Every inbox item matching `q`, oldest first; `f` returns false to stop.
absl::Status ForEachInInbox(const federation::Monitor& monitor, federation::InboxQuery q,
                            const std::function<bool(const federation::InboxItem&)>& f) {
  q.limit = 1000;
  while (true) {
    auto page = monitor.Inbox(q);
    if (!page.ok()) return page.status();
    for (const auto& item : page->items) {
      if (!f(item)) return absl::OkStatus();
    }
    if (!page->next) return absl::OkStatus();
    q.after = page->next;
  }
}

}  // namespace

// RFC 9421 signatures under the directory's log keys: keyid = statement::KeyId.
class PartyExtension::Authenticator final : public casework::RequestAuthenticator {
 public:
  Authenticator(federation::DirectoryWatcher& directory, http::NonceCache& nonces)
      : directory_(directory),
        verifier_([this](std::string_view keyid) { return Lookup(keyid); }, &nonces) {}

  absl::StatusOr<std::string> Authenticate(const http::Request& request) const override {
    auto verified = verifier_.Verify(request);
    if (!verified.ok()) return verified.status();
    auto d = directory_.current();
    for (const auto& p : d->parties) {
      if (statement::KeyId(*p.log_verifier) == verified->keyid) return p.origin;
    }
    return absl::UnauthenticatedError("the signing party left the directory");
  }

 private:
  absl::StatusOr<crypto::Ed25519PublicKey> Lookup(std::string_view keyid) const {
    auto d = directory_.current();
    for (const auto& p : d->parties) {
      if (statement::KeyId(*p.log_verifier) != keyid) continue;
      auto key = note::ParseVerifierKey(p.log_key);
      if (!key.ok() || key->public_key.size() != crypto::kEd25519PublicKeySize)
        return absl::InternalError("a directory log key is not an Ed25519 key");
      crypto::Ed25519PublicKey out;
      std::copy(key->public_key.begin(), key->public_key.end(), out.begin());
      return out;
    }
    return absl::NotFoundError("unknown keyid");
  }

  federation::DirectoryWatcher& directory_;
  http::RequestVerifier verifier_;
};

node::ExtensionFactory PartyExtension::Factory(fs::path data_dir,
                                               federation::FederationOptions federation,
                                               BodiesProvider bodies,
                                               casework::CaseworkOptions casework) {
  return [data_dir = std::move(data_dir), federation = std::move(federation),
          bodies = std::move(bodies), casework](
             node::Node& node, http::Router& router,
             http::Registry& metrics) -> absl::StatusOr<std::unique_ptr<node::NodeExtension>> {
    auto storage = bodies();
    if (!storage.ok()) return storage.status();
    auto p = Attach(node, router, metrics, data_dir, federation, *std::move(storage), casework);
    if (!p.ok()) return p.status();
    return std::unique_ptr<node::NodeExtension>(*std::move(p));
  };
}

absl::StatusOr<std::unique_ptr<PartyExtension>> PartyExtension::Attach(
    node::Node& node, http::Router& router, http::Registry& metrics, const fs::path& data_dir,
    const federation::FederationOptions& federation, std::unique_ptr<store::BodyStorage> bodies,
    casework::CaseworkOptions casework) {
  if (bodies == nullptr) return absl::InvalidArgumentError("a party needs its body storage");
  std::unique_ptr<PartyExtension> p(new PartyExtension());
  p->node_ = &node;
  p->options_ = casework;
  auto f = federation::Federation::Attach(node, router, metrics, federation);
  if (!f.ok()) return f.status();
  p->federation_ = *std::move(f);

  auto box = LoadOrCreateBoxKey(KeyFiles::In(data_dir).box_key, /*create=*/true);
  if (!box.ok()) return box.status();
  p->nonces_ = std::make_unique<http::MemoryNonceCache>();
  p->authenticator_ = std::make_unique<Authenticator>(p->federation_->directory(), *p->nonces_);
  p->bodies_ = std::make_unique<BodyStore>(std::move(bodies));

  BodiesApiOptions o;
  o.origin = node.origin();
  o.store = p->bodies_.get();
  o.authenticator = p->authenticator_.get();
  o.metrics = &metrics;
  node::Node* n = &node;
  o.lookup = [n](std::string_view commitment) -> absl::StatusOr<std::vector<CommittedStatement>> {
    auto digest = util::HexDecode(commitment);
    if (!digest || digest->size() != crypto::kSha256Size)
      return absl::InvalidArgumentError("not a commitment");
    store::IndexQuery q;
    q.commitment.emplace();
    std::copy(digest->begin(), digest->end(), q.commitment->begin());
    auto page = n->List(q);
    if (!page.ok()) return page.status();
    std::vector<CommittedStatement> out;
    for (const auto& m : page->statements) {
      CommittedStatement c;
      c.origin = n->origin();
      c.index = m.index;
      c.leaf_hash = m.leaf_hash;
      c.kind = statement::ParseKind(m.kind);
      c.addressees = m.addressees;
      auto record = n->Get(m.index);
      if (record.ok()) {
        auto st = n->validator().Parse(record->envelope);
        if (st.ok() && st->payload.contains("legal_basis") && st->payload["legal_basis"].is_array())
          for (const auto& b : st->payload["legal_basis"])
            if (b.is_string()) c.legal_basis.push_back(b.get<std::string>());
      }
      out.push_back(std::move(c));
    }
    return out;
  };
  o.record_access = [n](const AccessRecord& record, const std::function<void(absl::Status)>& done) {
    absl::Status s =
        n->SignAndSubmit(Kind::kAccess, AccessPayload(record),
                         [done](const absl::StatusOr<node::SubmitResult>& r) { done(r.status()); });
    if (!s.ok()) done(s);
  };
  p->bodies_api_ = BodiesApi::Register(router, std::move(o));

  PartyExtension* self = p.get();
  router.Handle("GET", "/v1/cases", [self](const http::Request&) {
    auto cases = self->Cases();
    if (!cases.ok()) return http::Response::FromStatus(cases.status());
    nlohmann::json list = nlohmann::json::array();
    for (const Case& c : *cases) list.push_back(casework::CaseJson(c, /*detail=*/false));
    return http::Response::Json(200, {{"cases", std::move(list)}});
  });
  router.Handle("GET", "/v1/cases/{id}", [self](const http::Request& r) {
    auto cases = self->Cases();
    if (!cases.ok()) return http::Response::FromStatus(cases.status());
    const std::string id(r.PathParam("id"));
    for (const Case& c : *cases) {
      if (c.id == id) return http::Response::Json(200, casework::CaseJson(c, /*detail=*/true));
    }
    return http::Response::FromStatus(absl::NotFoundError("no such case"));
  });
  node.SetSubmitCheck([self](const statement::Statement& s) { return self->CheckSubmission(s); });
  node.SetRefResolver(
      [self](const statement::Ref& ref) { return self->federation_->monitor().Resolve(ref); });
  return p;
}

PartyExtension::~PartyExtension() { Stop(); }

void PartyExtension::Stop() {
  if (bodies_api_) bodies_api_->Stop();
  if (federation_) federation_->Stop();
}

nlohmann::json PartyExtension::Health(bool& healthy) const { return federation_->Health(healthy); }

absl::StatusOr<std::vector<Case>> PartyExtension::Cases() const {
  std::vector<KnownStatement> known;
  // This party's log, then what the monitor picked up from the peers.
  if (absl::Status s =
          ForEachInLog(*node_, {},
                       [&](const store::IndexedStatement& m, const std::string& e) {
                         auto st = node_->validator().Parse(e);
                         if (st.ok())
                           known.push_back({node_->origin(), m.index, m.leaf_hash, *std::move(st)});
                       });
      !s.ok())
    return s;
  if (absl::Status s = ForEachInInbox(federation_->monitor(), {},
                                      [&](const federation::InboxItem& item) {
                                        auto st = node_->validator().Parse(item.envelope);
                                        if (st.ok()) {
                                          std::optional<absl::Time> logged_after;
                                          if (item.logged_after_unix_ms != 0) {
                                            logged_after =
                                                absl::FromUnixMillis(item.logged_after_unix_ms);
                                          }
                                          known.push_back({item.origin, item.index, item.leaf_hash,
                                                           *std::move(st), logged_after});
                                        }
                                        return true;
                                      });
      !s.ok())
    return s;
  return casework::BuildCases(std::move(known), absl::Now(), options_);
}

absl::StatusOr<statement::Statement> PartyExtension::FindRequest(const statement::Ref& ref) const {
  std::string envelope;
  if (ref.origin == node_->origin()) {
    auto record = node_->Get(ref.index);
    if (!record.ok()) return record.status();
    envelope = record->envelope;
  } else {
    // The monitor's inbox holds every statement of a peer addressed to this party.
    federation::InboxQuery q;
    q.origin = ref.origin;
    q.kind = "request";
    bool found = false;
    if (absl::Status s = ForEachInInbox(federation_->monitor(), q,
                                        [&](const federation::InboxItem& item) {
                                          if (item.index != ref.index) return true;
                                          envelope = item.envelope;
                                          found = true;
                                          return false;
                                        });
        !s.ok())
      return s;
    if (!found) {
      return absl::FailedPreconditionError(absl::StrCat(
          "request ", ref.origin, " #", ref.index,
          " is not among the requests this party's monitor has received from that log"));
    }
  }
  if (statement::LeafHashOf(envelope) != ref.leaf_hash) {
    return absl::InvalidArgumentError(absl::StrCat("the leaf hash given for request ", ref.origin,
                                                   " #", ref.index, " is not that statement's"));
  }
  auto st = node_->validator().Parse(envelope);
  if (!st.ok()) return st.status();
  if (st->kind != Kind::kRequest) {
    return absl::InvalidArgumentError(
        absl::StrCat(ref.origin, " #", ref.index, " is not a request"));
  }
  return st;
}

absl::StatusOr<std::vector<statement::Statement>> PartyExtension::EarlierResponses(
    const statement::Statement& request, const statement::Ref& ref) const {
  std::vector<statement::Statement> out;
  auto keep = [&](std::string_view envelope) {
    auto st = node_->validator().Parse(envelope);
    if (!st.ok() || st->kind != Kind::kResponse) return;
    auto r = RequestRef(*st);
    if (r.ok() && r->origin == ref.origin && r->index == ref.index) out.push_back(*std::move(st));
  };
  // This party's own answers (and, if it is the requester, its withdrawals).
  store::IndexQuery q;
  q.kind = "response";
  q.ref = store::IndexedRef{ref.origin, ref.index, {}};
  if (absl::Status s = ForEachInLog(
          *node_, q, [&](const store::IndexedStatement&, const std::string& e) { keep(e); });
      !s.ok())
    return s;
  // The requester's withdrawal, if this party is an addressee.
  if (request.issuer != node_->origin()) {
    federation::InboxQuery iq;
    iq.origin = request.issuer;
    iq.kind = "response";
    if (absl::Status s = ForEachInInbox(federation_->monitor(), iq,
                                        [&](const federation::InboxItem& item) {
                                          keep(item.envelope);
                                          return true;
                                        });
        !s.ok())
      return s;
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.issued < b.issued; });
  return out;
}

absl::Status PartyExtension::CheckSubmission(const statement::Statement& s) const {
  if (s.kind == Kind::kRequest) {
    if (absl::Status st = casework::CheckRequest(s, options_); !st.ok()) return Refuse(st);
    // A request goes to parties that follow this log: one to anyone else would never
    // reach its addressee, and its deadlines would run against no one.
    std::shared_ptr<const federation::Directory> dir = federation_->directory().current();
    for (size_t i = 0; i < s.addressees.size(); ++i) {
      const std::string& to = s.addressees[i];
      if (to == node_->origin() || dir->FindByOrigin(to) == nullptr) {
        return Refuse(absl::InvalidArgumentError(absl::StrCat(
            "/payload/to/", i, ": \"", to, "\" is ",
            to == node_->origin() ? "this party itself" : "not a party of the directory",
            "; a request is addressed to other parties of the directory")));
      }
    }
    return absl::OkStatus();
  }
  if (s.kind != Kind::kResponse) return absl::OkStatus();
  auto ref = RequestRef(s);
  if (!ref.ok()) return Refuse(ref.status());
  auto request = FindRequest(*ref);
  if (!request.ok()) return Refuse(request.status());
  auto earlier = EarlierResponses(*request, *ref);
  if (!earlier.ok()) return earlier.status();
  if (absl::Status st = casework::CheckResponse(*request, *earlier, s, absl::Now(), options_);
      !st.ok())
    return Refuse(st);
  return absl::OkStatus();
}

absl::StatusOr<PartyKeys> LoadOrCreateKeys(const fs::path& data_dir, std::string_view origin) {
  if (absl::Status s = store::MakeDirsDurably(data_dir); !s.ok()) return s;
  auto lock = store::FolderLock::Acquire(data_dir);
  if (!lock.ok() && !absl::IsFailedPrecondition(lock.status())) return lock.status();
  const bool create = lock.ok();  // else a node holds the folder: read what it has
  auto in_use = [&](absl::Status s) {
    if (create || !absl::IsNotFound(s)) return s;
    return absl::FailedPreconditionError(
        absl::StrCat(s.message(), "; ", lock.status().message(),
                     ": a missing key is created only while no node runs on the folder"));
  };
  const KeyFiles files = KeyFiles::In(data_dir);
  auto log = LoadOrCreatePartyKey(files.party_key, origin, create);
  if (!log.ok()) return in_use(log.status());
  auto witness =
      LoadOrCreateWitnessKey(files.witness_key, federation::WitnessNameFor(log->Name()), create);
  if (!witness.ok()) return in_use(witness.status());
  auto box = LoadOrCreateBoxKey(files.box_key, create);
  if (!box.ok()) return in_use(box.status());
  return PartyKeys{*std::move(log), *std::move(witness), *std::move(box)};
}

federation::Party DirectoryEntry(const PartyKeys& keys, std::string name, std::string url,
                                 federation::Contact contact) {
  federation::Party p;
  p.name = std::move(name);
  p.origin = std::string(keys.log.Name());
  p.log_key = keys.log.VerifierKeyString();
  p.url = std::move(url);
  p.witness_key = keys.witness.VerifierKeyString();
  p.witness_url = p.url;
  p.box_key = crypto::FormatBoxPublicKey(keys.box.public_key());
  p.contact = std::move(contact);
  return p;
}

absl::StatusOr<std::unique_ptr<node::NodeServer>> StartParty(PartyOptions options) {
  node::NodeServerOptions o;
  o.node = std::move(options.node);
  const fs::path data_dir = o.node.data_dir;
  // The keys are read (or created) by the node once it holds the folder's lock, and only
  // after the address is bound: a node that cannot start creates nothing.
  const bool own_key = options.key_file.empty();
  const fs::path key_path = own_key ? KeyFiles::In(data_dir).party_key : options.key_file;
  o.node.key = [key_path, own_key, name = std::move(options.name)] {
    return LoadOrCreatePartyKey(key_path, name, own_key);
  };
  // The backends, opened once, under the node's lock: the node takes the log and the
  // index, the federation (attached after the node has opened) the rest.
  auto backends = std::make_shared<store::Backends>();
  const bool federated = options.federation.has_value();
  o.node.stores = [backends, data_dir, federated,
                   where = std::move(options.store)]() -> absl::StatusOr<node::NodeStores> {
    auto opened = store::OpenBackends(where, data_dir, federated);
    if (!opened.ok()) return opened.status();
    *backends = *std::move(opened);
    return node::NodeStores{std::move(backends->log), std::move(backends->index), backends->shared};
  };
  o.http = std::move(options.http);
  if (options.federation) {
    federation::FederationOptions f = *std::move(options.federation);
    const bool own_witness = options.witness_key_file.empty();
    const fs::path witness_path =
        own_witness ? KeyFiles::In(data_dir).witness_key : options.witness_key_file;
    f.witness_key = [witness_path, own_witness](std::string_view name) {
      return LoadOrCreateWitnessKey(witness_path, name, own_witness);
    };
    f.stores = [backends]() -> absl::StatusOr<federation::FederationStores> {
      if (backends->witness == nullptr || backends->published == nullptr ||
          backends->monitor == nullptr)
        return absl::FailedPreconditionError("the federation's stores were not opened");
      return federation::FederationStores{std::move(backends->witness),
                                          std::move(backends->published),
                                          std::move(backends->monitor), backends->monitor_where};
    };
    o.extension = PartyExtension::Factory(
        data_dir, std::move(f),
        [backends]() -> absl::StatusOr<std::unique_ptr<store::BodyStorage>> {
          if (backends->bodies == nullptr)
            return absl::FailedPreconditionError("the body storage was not opened");
          return std::move(backends->bodies);
        },
        options.casework);
  } else if (!options.witness_key_file.empty()) {
    return absl::InvalidArgumentError("a witness key needs a directory to witness for");
  }
  return node::NodeServer::Start(std::move(o));
}

}  // namespace accord::party
