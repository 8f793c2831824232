// RFC 9421 HTTP Message Signatures (Ed25519) and RFC 9530 Content-Digest; see signature.h.
// The fields are RFC 8941 Dictionaries, parsed and serialised by structured_fields.h.
#include "src/http/signature.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <variant>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "src/crypto/sha256.h"
#include "src/http/structured_fields.h"
#include "src/util/encoding.h"

namespace accord::http {
namespace {

absl::Status Unauthenticated(std::string_view why) {
  return absl::UnauthenticatedError(absl::StrCat("http signature: ", std::string(why)));
}

// Parses one of the signature fields, bounded since the bytes come from anyone.
absl::StatusOr<sf::Dictionary> ParseField(std::string_view field, std::string_view value) {
  if (value.size() > kMaxSignatureFieldBytes) {
    return Unauthenticated(
        absl::StrCat(std::string(field), " longer than ", kMaxSignatureFieldBytes, " bytes"));
  }
  auto parsed = sf::ParseDictionary(value, field);
  if (!parsed.ok()) return Unauthenticated(std::string(parsed.status().message()));
  return parsed;
}

// The bytes of a member that is a Byte Sequence without parameters, or null.
const std::vector<uint8_t>* ByteSequenceOf(const sf::DictionaryMember& m) {
  const auto* item = std::get_if<sf::Item>(&m.value);
  if (item == nullptr || item->bare.type != sf::BareItem::Type::kByteSequence ||
      !item->params.empty()) {
    return nullptr;
  }
  return &item->bare.bytes;
}

// A Dictionary of one member, as accord sends each of its fields.
sf::Dictionary OneMember(std::string_view key, std::variant<sf::Item, sf::InnerList> value) {
  sf::Dictionary d;
  d.push_back({std::string(key), std::move(value)});
  return d;
}

// --- Components ----------------------------------------------------------------------

bool IsFieldName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return IsTokenChar(c) && !(c >= 'A' && c <= 'Z');
  });
}

// Field values and derived values must not hold CR, LF, NUL or other controls (HTAB
// aside): a line break would let a value forge further lines of the signature base.
bool IsSafeValue(std::string_view v) {
  return std::all_of(v.begin(), v.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u == '\t' || (u >= 0x20 && u != 0x7f);
  });
}

std::string_view TrimOws(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

absl::StatusOr<std::string> DerivedValue(const RequestComponents& r, std::string_view name) {
  const size_t q = r.target.find('?');
  const std::string_view target = r.target;
  std::string_view path = target.substr(0, q);
  if (name == "@method") return r.method;
  if (name == "@target-uri") return absl::StrCat(r.scheme, "://", r.authority, r.target);
  if (name == "@authority") return r.authority;
  if (name == "@scheme") return r.scheme;
  if (name == "@request-target") return r.target;
  if (name == "@path") return path.empty() ? std::string("/") : std::string(path);
  if (name == "@query") {
    return q == std::string_view::npos ? std::string("?") : std::string(target.substr(q));
  }
  if (name == "@query-param" || name == "@status" || name == "@signature-params") {
    return absl::InvalidArgumentError(
        absl::StrCat("component \"", std::string(name), "\" is not supported in requests here"));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown derived component \"", std::string(name), "\""));
}

absl::StatusOr<std::string> ComponentValue(const RequestComponents& r, std::string_view name) {
  if (!name.empty() && name[0] == '@') {
    auto value = DerivedValue(r, name);
    if (value.ok() && !IsSafeValue(*value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("component \"", std::string(name), "\" holds control characters"));
    }
    return value;
  }
  if (!IsFieldName(name)) {
    return absl::InvalidArgumentError(
        absl::StrCat("component ", sf::SerializeString(name), " is not a lower-case field name"));
  }
  const std::vector<std::string_view> lines = r.headers.GetAll(name);
  if (lines.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("covered field \"", std::string(name), "\" is absent"));
  }
  std::string value;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!IsSafeValue(lines[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("field \"", std::string(name), "\" holds control characters"));
    }
    if (i > 0) value += ", ";
    value += TrimOws(lines[i]);
  }
  return value;
}

absl::Status ValidateParams(const SignatureParams& p) {
  if (p.components.size() > kMaxCoveredComponents) {
    return absl::InvalidArgumentError(
        absl::StrCat("more than ", kMaxCoveredComponents, " covered components"));
  }
  for (const auto* s : {&p.keyid, &p.alg, &p.nonce, &p.tag}) {
    if (*s && !sf::IsValidString(**s)) {
      return absl::InvalidArgumentError("a signature parameter is not printable ASCII");
    }
  }
  for (const std::string& c : p.components) {
    if (!sf::IsValidString(c))
      return absl::InvalidArgumentError("a component name is not printable");
  }
  return absl::OkStatus();
}

// Converts the parsed Signature-Input member into SignatureParams, refusing what accord
// does not understand rather than ignoring it.
absl::StatusOr<SignatureParams> ToSignatureParams(const sf::DictionaryMember& m) {
  const auto* list = std::get_if<sf::InnerList>(&m.value);
  if (list == nullptr) return Unauthenticated("Signature-Input member is not an inner list");
  if (list->items.size() > kMaxCoveredComponents) {
    return Unauthenticated(absl::StrCat("more than ", kMaxCoveredComponents, " components"));
  }
  SignatureParams p;
  for (const sf::Item& item : list->items) {
    if (item.bare.type != sf::BareItem::Type::kString) {
      return Unauthenticated("a covered component is not a string");
    }
    if (!item.params.empty()) {
      return Unauthenticated(absl::StrCat(
          "component parameters (on ", sf::SerializeString(item.bare.text), ") are not supported"));
    }
    p.components.push_back(item.bare.text);
  }
  for (const auto& [name, value] : list->params) {
    const bool is_int = value.type == sf::BareItem::Type::kInteger;
    const bool is_str = value.type == sf::BareItem::Type::kString;
    if (name == "created" || name == "expires") {
      if (!is_int || value.integer < 0) {
        return Unauthenticated(absl::StrCat(name, " is not a non-negative integer"));
      }
      (name == "created" ? p.created : p.expires) = value.integer;
    } else if (name == "keyid" || name == "alg" || name == "nonce" || name == "tag") {
      if (!is_str) return Unauthenticated(absl::StrCat(name, " is not a string"));
      (name == "keyid"   ? p.keyid
       : name == "alg"   ? p.alg
       : name == "nonce" ? p.nonce
                         : p.tag) = value.text;
    } else {
      return Unauthenticated(absl::StrCat("unknown signature parameter \"", name, "\""));
    }
    p.order.push_back(name);
  }
  return p;
}

// The inner list that SignatureParams::Serialize prints.
sf::InnerList ToInnerList(const SignatureParams& p) {
  sf::InnerList list;
  list.items.reserve(p.components.size());
  for (const std::string& c : p.components) list.items.push_back({sf::BareItem::String(c), {}});
  static const std::vector<std::string> kDefaultOrder = {"created", "expires", "keyid",
                                                         "alg",     "nonce",   "tag"};
  for (const std::string& name : p.order.empty() ? kDefaultOrder : p.order) {
    const std::optional<int64_t>* integer = name == "created"   ? &p.created
                                            : name == "expires" ? &p.expires
                                                                : nullptr;
    if (integer != nullptr) {
      if (integer->has_value()) list.params.emplace_back(name, sf::BareItem::Integer(**integer));
      continue;
    }
    const std::optional<std::string>* text = name == "keyid"   ? &p.keyid
                                             : name == "alg"   ? &p.alg
                                             : name == "nonce" ? &p.nonce
                                             : name == "tag"   ? &p.tag
                                                               : nullptr;
    if (text != nullptr && text->has_value()) {
      list.params.emplace_back(name, sf::BareItem::String(**text));
    }
  }
  return list;
}

std::string JoinFieldLines(const std::vector<std::string_view>& lines) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += ", ";
    out += lines[i];
  }
  return out;
}

}  // namespace

// --- Content-Digest ------------------------------------------------------------------

std::string ContentDigestSha256(std::string_view body) {
  const crypto::Digest d = crypto::Sha256(body);
  return sf::SerializeDictionary(OneMember("sha-256", sf::Item{sf::BareItem::ByteSequence(d), {}}));
}

absl::Status CheckContentDigest(std::string_view field_value, std::string_view body) {
  auto members = ParseField("Content-Digest", field_value);
  if (!members.ok()) return members.status();
  const sf::DictionaryMember* m = sf::FindMember(*members, "sha-256");
  if (m == nullptr) return Unauthenticated("Content-Digest has no sha-256 member");
  const std::vector<uint8_t>* bytes = ByteSequenceOf(*m);
  if (bytes == nullptr) return Unauthenticated("Content-Digest sha-256 is not a byte sequence");
  const crypto::Digest d = crypto::Sha256(body);
  if (!std::equal(d.begin(), d.end(), bytes->begin(), bytes->end())) {
    return Unauthenticated("Content-Digest does not match the body");
  }
  return absl::OkStatus();
}

// --- Components and the signature base -----------------------------------------------

std::string NormalizeAuthority(std::string_view scheme, std::string_view authority) {
  std::string out = absl::AsciiStrToLower(std::string(authority));
  const size_t colon = out.rfind(':');
  const size_t bracket = out.rfind(']');
  if (colon != std::string::npos && (bracket == std::string::npos || bracket < colon)) {
    const std::string_view port = std::string_view(out).substr(colon + 1);
    const bool is_default = port.empty() || (EqualsIgnoreCase(scheme, "http") && port == "80") ||
                            (EqualsIgnoreCase(scheme, "https") && port == "443");
    if (is_default) out.resize(colon);
  }
  return out;
}

absl::StatusOr<RequestComponents> ComponentsOf(const Request& request, std::string_view scheme) {
  RequestComponents r;
  r.method = request.method;
  r.scheme = absl::AsciiStrToLower(std::string(scheme));
  r.headers = request.headers;
  const std::string_view target = request.target;
  if (!target.empty() && target[0] == '/') {
    const std::vector<std::string_view> hosts = request.headers.GetAll("Host");
    if (hosts.size() != 1) return Unauthenticated("the request needs exactly one Host field");
    r.authority = NormalizeAuthority(r.scheme, TrimOws(hosts[0]));
    r.target = std::string(target);
    return r;
  }
  const size_t sep = target.find("://");
  if (sep == std::string_view::npos) {
    return Unauthenticated("request target is neither origin- nor absolute-form");
  }
  const std::string_view rest = target.substr(sep + 3);
  const size_t path = rest.find_first_of("/?");
  r.authority = NormalizeAuthority(r.scheme, rest.substr(0, path));
  r.target = path == std::string_view::npos ? "/" : std::string(rest.substr(path));
  if (r.target[0] == '?') r.target.insert(0, "/");
  return r;
}

RequestComponents ComponentsOf(const Url& url, const ClientRequest& request) {
  RequestComponents r;
  r.method = request.method;
  r.scheme = "http";
  r.authority = NormalizeAuthority("http", url.HostPort());
  r.target = url.prefix + request.target;
  r.headers = request.headers;
  return r;
}

std::string SignatureParams::Serialize() const {
  return sf::SerializeInnerList(ToInnerList(*this));
}

absl::StatusOr<std::string> SignatureBase(const RequestComponents& request,
                                          const SignatureParams& params) {
  if (absl::Status s = ValidateParams(params); !s.ok()) return s;
  std::string base;
  std::vector<std::string_view> seen;
  for (const std::string& name : params.components) {
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("component ", sf::SerializeString(name), " is covered twice"));
    }
    seen.push_back(name);
    auto value = ComponentValue(request, name);
    if (!value.ok()) return value.status();
    absl::StrAppend(&base, sf::SerializeString(name), ": ", *value, "\n");
  }
  absl::StrAppend(&base, "\"@signature-params\": ", params.Serialize());
  return base;
}

absl::StatusOr<SignatureFields> SignComponents(const RequestComponents& request,
                                               const SignatureParams& params,
                                               std::string_view label,
                                               const crypto::Ed25519PrivateKey& key) {
  if (!sf::IsValidKey(label)) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad signature label ", sf::SerializeString(label)));
  }
  auto base = SignatureBase(request, params);
  if (!base.ok()) return base.status();
  const crypto::Ed25519Signature sig = key.Sign(util::AsBytes(*base));
  SignatureFields out;
  out.signature_input = sf::SerializeDictionary(OneMember(label, ToInnerList(params)));
  out.signature =
      sf::SerializeDictionary(OneMember(label, sf::Item{sf::BareItem::ByteSequence(sig), {}}));
  return out;
}

absl::StatusOr<ParsedSignature> ParseSignature(std::string_view signature_input,
                                               std::string_view signature, std::string_view label) {
  auto inputs = ParseField("Signature-Input", signature_input);
  if (!inputs.ok()) return inputs.status();
  auto sigs = ParseField("Signature", signature);
  if (!sigs.ok()) return sigs.status();
  const sf::DictionaryMember* input = sf::FindMember(*inputs, label);
  const sf::DictionaryMember* sig = sf::FindMember(*sigs, label);
  if (input == nullptr || sig == nullptr) {
    return Unauthenticated(absl::StrCat("no signature labelled ", sf::SerializeString(label),
                                        " in ",
                                        input == nullptr ? "Signature-Input" : "Signature"));
  }
  auto params = ToSignatureParams(*input);
  if (!params.ok()) return params.status();
  const std::vector<uint8_t>* bytes = ByteSequenceOf(*sig);
  if (bytes == nullptr) return Unauthenticated("Signature member is not a byte sequence");
  return ParsedSignature{*std::move(params), *bytes};
}

// --- Signer --------------------------------------------------------------------------

RequestSigner::RequestSigner(std::string keyid, const crypto::Ed25519PrivateKey& key,
                             SignOptions options)
    : keyid_(std::move(keyid)), key_(key), options_(std::move(options)) {}

absl::Status RequestSigner::Sign(const Url& url, ClientRequest& request) const {
  request.headers.Remove("Signature-Input");
  request.headers.Remove("Signature");
  SignatureParams params;
  params.components = {"@method", "@authority", "@path", "@query"};
  if (!request.body.empty()) {
    request.headers.Set("Content-Digest", ContentDigestSha256(request.body));
    params.components.push_back("content-digest");
  }
  for (const std::string& field : options_.covered_fields) params.components.push_back(field);
  const int64_t now = absl::ToUnixSeconds(options_.now());
  params.created = now;
  params.expires = now + absl::ToInt64Seconds(options_.validity);
  params.keyid = keyid_;
  params.alg = std::string(kSignatureAlgEd25519);
  std::array<uint8_t, 16> nonce;
  crypto::RandomBytes(nonce);
  params.nonce = util::Base64Encode(nonce);
  if (!options_.tag.empty()) params.tag = options_.tag;
  auto fields = SignComponents(ComponentsOf(url, request), params, options_.label, key_);
  if (!fields.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot sign request: ", fields.status().message()));
  }
  request.headers.Set("Signature-Input", std::move(fields->signature_input));
  request.headers.Set("Signature", std::move(fields->signature));
  return absl::OkStatus();
}

// --- Replay cache --------------------------------------------------------------------

absl::Status MemoryNonceCache::Record(std::string_view keyid, std::string_view nonce,
                                      absl::Time expiry, absl::Time now) {
  // keyid and nonce are printable ASCII (sf-strings), so "\n" separates them unambiguously.
  std::string key = absl::StrCat(std::string(keyid), "\n", std::string(nonce));
  absl::MutexLock lock(&mu_);
  Expire(now);
  if (expiry_.find(key) != expiry_.end()) {
    return absl::AlreadyExistsError("nonce already used");
  }
  if (expiry <= now) return absl::OkStatus();  // nothing left to remember
  if (expiry_.size() >= capacity_) {
    return absl::ResourceExhaustedError(
        absl::StrCat("replay cache full (", capacity_, " unexpired nonces)"));
  }
  by_expiry_.emplace(expiry, key);
  expiry_.emplace(std::move(key), expiry);
  return absl::OkStatus();
}

void MemoryNonceCache::Expire(absl::Time now) {
  while (!by_expiry_.empty() && by_expiry_.begin()->first <= now) {
    expiry_.erase(by_expiry_.begin()->second);
    by_expiry_.erase(by_expiry_.begin());
  }
}

size_t MemoryNonceCache::size() const {
  absl::MutexLock lock(&mu_);
  return expiry_.size();
}

// --- Verifier ------------------------------------------------------------------------

RequestVerifier::RequestVerifier(KeyLookup lookup, NonceCache* nonces, VerifyOptions options)
    : lookup_(std::move(lookup)), nonces_(nonces), options_(std::move(options)) {
  if (options_.require_nonce && nonces_ == nullptr) {
    std::fprintf(stderr, "RequestVerifier: require_nonce needs a NonceCache\n");
    std::abort();
  }
}

absl::StatusOr<VerifiedSignature> RequestVerifier::Verify(const Request& request) const {
  auto components = ComponentsOf(request);
  if (!components.ok()) return components.status();
  return Verify(*components, request.body);
}

absl::Status RequestVerifier::CheckPolicy(const SignatureParams& p, std::string_view body) const {
  if (!p.keyid || p.keyid->empty()) return Unauthenticated("no keyid");
  if (p.alg && *p.alg != kSignatureAlgEd25519) {
    return Unauthenticated(
        absl::StrCat("alg ", sf::SerializeString(*p.alg), " is not \"ed25519\""));
  }
  if (options_.require_alg && !p.alg) return Unauthenticated("no alg");
  if (options_.required_tag && p.tag != options_.required_tag) {
    return Unauthenticated(
        absl::StrCat("tag is not ", sf::SerializeString(*options_.required_tag)));
  }
  if (options_.require_nonce && (!p.nonce || p.nonce->empty())) {
    return Unauthenticated("no nonce");
  }
  if (!p.created) return Unauthenticated("no created");
  if (options_.require_expires && !p.expires) return Unauthenticated("no expires");
  const auto covers = [&](std::string_view c) {
    return std::find(p.components.begin(), p.components.end(), c) != p.components.end();
  };
  for (const std::string& required : options_.required_components) {
    const bool in_uri = required == "@authority" || required == "@path" || required == "@query" ||
                        required == "@scheme";
    if (!covers(required) && !(in_uri && covers("@target-uri"))) {
      return Unauthenticated(absl::StrCat("component \"", required, "\" is not covered"));
    }
  }
  if (options_.require_content_digest && !body.empty() && !covers("content-digest")) {
    return Unauthenticated("a request with a body must cover \"content-digest\"");
  }
  return absl::OkStatus();
}

// absl::Time arithmetic saturates, so any max_age or skew (even infinite) is safe here.
absl::Status RequestVerifier::CheckTimes(const SignatureParams& p, absl::Time now) const {
  const absl::Time created = absl::FromUnixSeconds(*p.created);
  const auto seconds = [](absl::Duration d) { return absl::ToInt64Seconds(d); };
  if (created > now + options_.clock_skew) {
    return Unauthenticated(absl::StrCat("created is ", seconds(created - now), " s in the future"));
  }
  if (created < now - options_.max_age - options_.clock_skew) {
    return Unauthenticated(absl::StrCat("created ", seconds(now - created),
                                        " s ago, more than the ", seconds(options_.max_age),
                                        " s allowed"));
  }
  if (p.expires) {
    const absl::Time expires = absl::FromUnixSeconds(*p.expires);
    if (expires < created) return Unauthenticated("expires is before created");
    if (now > expires + options_.clock_skew) {
      return Unauthenticated(absl::StrCat("expired ", seconds(now - expires), " s ago"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<VerifiedSignature> RequestVerifier::Verify(const RequestComponents& request,
                                                          std::string_view body) const {
  const std::vector<std::string_view> inputs = request.headers.GetAll("Signature-Input");
  const std::vector<std::string_view> sigs = request.headers.GetAll("Signature");
  if (inputs.empty() || sigs.empty()) {
    return Unauthenticated(absl::StrCat("no ", inputs.empty() ? "Signature-Input" : "Signature",
                                        " field: this request must be signed (RFC 9421)"));
  }
  auto parsed = ParseSignature(JoinFieldLines(inputs), JoinFieldLines(sigs), options_.label);
  if (!parsed.ok()) return parsed.status();
  const SignatureParams& p = parsed->params;
  if (absl::Status s = CheckPolicy(p, body); !s.ok()) return s;
  const absl::Time now = options_.now();
  if (absl::Status s = CheckTimes(p, now); !s.ok()) return s;
  if (std::find(p.components.begin(), p.components.end(), "content-digest") != p.components.end()) {
    const std::vector<std::string_view> digests = request.headers.GetAll("Content-Digest");
    if (digests.empty()) return Unauthenticated("covered Content-Digest is absent");
    if (absl::Status s = CheckContentDigest(JoinFieldLines(digests), body); !s.ok()) return s;
  }
  auto key = lookup_(*p.keyid);
  if (absl::IsNotFound(key.status())) {
    return Unauthenticated(absl::StrCat("unknown keyid ", sf::SerializeString(*p.keyid)));
  }
  if (!key.ok()) return key.status();
  auto base = SignatureBase(request, p);
  if (!base.ok()) return Unauthenticated(std::string(base.status().message()));
  if (!crypto::Ed25519Verify(*key, util::AsBytes(*base), parsed->signature)) {
    return Unauthenticated(
        absl::StrCat("signature does not verify under keyid ", sf::SerializeString(*p.keyid)));
  }
  if (p.nonce && nonces_ != nullptr) {
    // Kept until the signature would be refused for its age or expiry anyway.
    absl::Time until = absl::FromUnixSeconds(*p.created) + options_.max_age;
    if (p.expires) until = std::min(until, absl::FromUnixSeconds(*p.expires));
    until += options_.clock_skew + absl::Seconds(1);
    const absl::Status s = nonces_->Record(*p.keyid, *p.nonce, until, now);
    if (absl::IsAlreadyExists(s)) return Unauthenticated("nonce already used: a replayed request");
    if (absl::IsResourceExhausted(s)) {
      return absl::UnavailableError(absl::StrCat("http signature: ", s.message()));
    }
    if (!s.ok()) return s;
  }
  return VerifiedSignature{*p.keyid, p};
}

}  // namespace accord::http
