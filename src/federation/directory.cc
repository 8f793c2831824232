#include "src/federation/directory.h"

#include <algorithm>
#include <set>
#include <system_error>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "src/note/note.h"
#include "src/store/durable_file.h"
#include "src/util/encoding.h"
#include "src/util/json.h"

namespace accord::federation {
namespace {

using Json = nlohmann::json;

absl::Status Bad(std::string_view where, std::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("directory: ", std::string(where), ": ", std::string(what)));
}

// A member that must be a string when present; "" when absent.
absl::StatusOr<std::string> StringMember(const Json& object, std::string_view key,
                                         std::string_view where, bool required) {
  auto it = object.find(std::string(key));
  if (it == object.end()) {
    if (required) return Bad(where, absl::StrCat("\"", std::string(key), "\" is missing"));
    return std::string();
  }
  if (!it->is_string())
    return Bad(where, absl::StrCat("\"", std::string(key), "\" must be a string"));
  std::string value = it->get<std::string>();
  if (required && value.empty())
    return Bad(where, absl::StrCat("\"", std::string(key), "\" is empty"));
  return value;
}

absl::Status CheckMembers(const Json& object, std::string_view where,
                          std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : object.items()) {
    bool known = false;
    for (std::string_view a : allowed) known = known || key == a;
    if (!known) return Bad(where, absl::StrCat("unknown member \"", key, "\""));
  }
  return absl::OkStatus();
}

absl::Status CheckUrl(std::string_view url, std::string_view where, std::string_view field) {
  if (!url.starts_with("http://") && !url.starts_with("https://"))
    return Bad(where, absl::StrCat("\"", std::string(field), "\" must be an http(s) URL"));
  std::string_view rest = url.substr(url.find("//") + 2);
  if (rest.empty() || rest.front() == '/' || rest.front() == ':')
    return Bad(where, absl::StrCat("\"", std::string(field), "\" has no host"));
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return Bad(where, absl::StrCat("\"", std::string(field), "\" contains a space or control"));
  }
  return absl::OkStatus();
}

absl::StatusOr<Party> ParseParty(const Json& j, size_t i) {
  std::string where = absl::StrCat("parties[", i, "]");
  if (!j.is_object()) return Bad(where, "must be an object");
  if (auto st = CheckMembers(j, where,
                             {"name", "origin", "log_key", "url", "witness", "box_key", "contact"});
      !st.ok())
    return st;
  Party p;
  auto origin = StringMember(j, "origin", where, true);
  if (!origin.ok()) return origin.status();
  p.origin = *std::move(origin);
  where = absl::StrCat("party ", p.origin);
  for (auto [field, out] :
       {std::pair{"name", &p.name}, std::pair{"log_key", &p.log_key}, std::pair{"url", &p.url}}) {
    auto v = StringMember(j, field, where, true);
    if (!v.ok()) return v.status();
    *out = *std::move(v);
  }
  if (auto st = CheckUrl(p.url, where, "url"); !st.ok()) return st;

  auto log_verifier = note::NewVerifier(p.log_key);
  if (!log_verifier.ok())
    return Bad(where, absl::StrCat("\"log_key\": ", log_verifier.status().message()));
  if (note::ParseVerifierKey(p.log_key)->type != 0x01)
    return Bad(where, "\"log_key\" must be an Ed25519 note key (type 0x01)");
  if ((*log_verifier)->Name() != p.origin)
    return Bad(where, absl::StrCat("\"log_key\" is named \"", std::string((*log_verifier)->Name()),
                                   "\", not the origin"));
  p.log_verifier = std::shared_ptr<const note::Verifier>(*std::move(log_verifier));

  if (auto it = j.find("witness"); it != j.end() && !it->is_null()) {
    const std::string w = where + ": witness";
    if (!it->is_object()) return Bad(w, "must be an object");
    if (auto st = CheckMembers(*it, w, {"key", "url"}); !st.ok()) return st;
    auto key = StringMember(*it, "key", w, true);
    if (!key.ok()) return key.status();
    auto url = StringMember(*it, "url", w, false);
    if (!url.ok()) return url.status();
    p.witness_key = *std::move(key);
    p.witness_url = url->empty() ? p.url : *std::move(url);
    if (auto st = CheckUrl(p.witness_url, w, "url"); !st.ok()) return st;
    auto verifier = note::NewCosignatureVerifier(p.witness_key);
    if (!verifier.ok())
      return Bad(w, absl::StrCat("\"key\": ", verifier.status().message(),
                                 " (a cosignature/v1 key, type 0x04)"));
    p.witness_verifier = std::shared_ptr<const note::CosignatureV1Verifier>(*std::move(verifier));
  }
  {
    auto box = StringMember(j, "box_key", where, false);
    if (!box.ok()) return box.status();
    p.box_key = *std::move(box);
    if (!p.box_key.empty()) {
      auto bytes = util::Base64Decode(p.box_key);
      if (!bytes || bytes->size() != 32)
        return Bad(where, "\"box_key\" must be the standard base64 of a 32-byte X25519 key");
    }
  }
  if (auto it = j.find("contact"); it != j.end()) {
    const std::string w = where + ": contact";
    if (!it->is_object()) return Bad(w, "must be an object");
    if (auto st = CheckMembers(*it, w, {"team", "email", "phone", "hours"}); !st.ok()) return st;
    for (auto [field, out] :
         {std::pair{"team", &p.contact.team}, std::pair{"email", &p.contact.email},
          std::pair{"phone", &p.contact.phone}, std::pair{"hours", &p.contact.hours}}) {
      auto v = StringMember(*it, field, w, false);
      if (!v.ok()) return v.status();
      *out = *std::move(v);
    }
  }
  return p;
}

}  // namespace

const Party* Directory::FindByOrigin(std::string_view origin) const {
  for (const Party& p : parties) {
    if (p.origin == origin) return &p;
  }
  return nullptr;
}

const Party* Directory::FindByWitness(std::string_view witness_name) const {
  for (const Party& p : parties) {
    if (p.witness_verifier && p.witness_verifier->Name() == witness_name) return &p;
  }
  return nullptr;
}

absl::StatusOr<Directory> ParseDirectory(std::string_view text) {
  auto parsed = util::ParseJson(text);
  if (!parsed.ok()) return Bad("document", std::string(parsed.status().message()));
  const Json j = *std::move(parsed);
  if (!j.is_object()) return Bad("document", "must be a JSON object");
  if (auto st = CheckMembers(j, "document", {"accord_directory", "witness_quorum", "parties"});
      !st.ok())
    return st;
  auto version = j.find("accord_directory");
  if (version == j.end() || !version->is_number_integer() ||
      version->get<int64_t>() != kDirectoryVersion)
    return Bad("document", absl::StrCat("\"accord_directory\" must be ", kDirectoryVersion));
  Directory d;
  if (auto q = j.find("witness_quorum"); q != j.end()) {
    if (!q->is_number_unsigned() || q->get<uint64_t>() > 64)
      return Bad("document", "\"witness_quorum\" must be an integer from 0 to 64");
    d.witness_quorum = q->get<size_t>();
  }
  auto parties = j.find("parties");
  if (parties == j.end() || !parties->is_array() || parties->empty())
    return Bad("document", "\"parties\" must be a non-empty array");
  if (parties->size() > 1024) return Bad("document", "more than 1024 parties");
  std::set<std::string> origins, witnesses;
  for (size_t i = 0; i < parties->size(); ++i) {
    auto p = ParseParty((*parties)[i], i);
    if (!p.ok()) return p.status();
    if (!origins.insert(p->origin).second)
      return Bad(absl::StrCat("party ", p->origin), "origin listed twice");
    if (p->witness_verifier && !witnesses.insert(std::string(p->witness_verifier->Name())).second)
      return Bad(absl::StrCat("party ", p->origin),
                 absl::StrCat("witness name \"", std::string(p->witness_verifier->Name()),
                              "\" used by another party"));
    d.parties.push_back(*std::move(p));
  }
  // A quorum no log can reach would leave every checkpoint unwitnessed for ever: refuse
  // it here, where the directory is read, rather than let the nodes wait.
  const size_t with_witness = witnesses.size();
  for (const Party& p : d.parties) {
    const size_t others = with_witness - (p.witness_verifier ? 1 : 0);
    if (others < d.witness_quorum) {
      return Bad("document",
                 absl::StrCat("\"witness_quorum\" is ", d.witness_quorum, ", but the log of ",
                              p.origin, " can be cosigned by the witnesses of only ", others,
                              " other part", others == 1 ? "y" : "ies",
                              " (a quorum of q needs q + 1 parties with witnesses)"));
    }
  }
  return d;
}

namespace {

Json PartyToJson(const Party& p) {
  Json party = {{"name", p.name}, {"origin", p.origin}, {"log_key", p.log_key}, {"url", p.url}};
  if (!p.witness_key.empty()) {
    party["witness"] = {{"key", p.witness_key}, {"url", p.witness_url}};
  }
  if (!p.box_key.empty()) party["box_key"] = p.box_key;
  Json contact = Json::object();
  if (!p.contact.team.empty()) contact["team"] = p.contact.team;
  if (!p.contact.email.empty()) contact["email"] = p.contact.email;
  if (!p.contact.phone.empty()) contact["phone"] = p.contact.phone;
  if (!p.contact.hours.empty()) contact["hours"] = p.contact.hours;
  if (!contact.empty()) party["contact"] = contact;
  return party;
}

}  // namespace

std::string FormatDirectory(const Directory& directory) {
  Json parties = Json::array();
  for (const Party& p : directory.parties) parties.push_back(PartyToJson(p));
  Json j = {{"accord_directory", kDirectoryVersion},
            {"witness_quorum", directory.witness_quorum},
            {"parties", std::move(parties)}};
  return j.dump(2) + "\n";
}

absl::StatusOr<std::string> FormatEntry(const Party& party) {
  const Json entry = PartyToJson(party);
  const Json alone = {
      {"accord_directory", kDirectoryVersion}, {"witness_quorum", 0}, {"parties", {entry}}};
  if (auto checked = ParseDirectory(alone.dump()); !checked.ok()) return checked.status();
  return entry.dump(2) + "\n";
}

absl::StatusOr<Directory> AssembleDirectory(std::span<const std::string> entries, size_t quorum) {
  Json parties = Json::array();
  for (size_t i = 0; i < entries.size(); ++i) {
    auto entry = util::ParseJson(entries[i]);
    if (!entry.ok())
      return Bad(absl::StrCat("entry ", i + 1), std::string(entry.status().message()));
    if (!entry->is_object()) return Bad(absl::StrCat("entry ", i + 1), "not a JSON object");
    parties.push_back(*std::move(entry));
  }
  const Json doc = {{"accord_directory", kDirectoryVersion},
                    {"witness_quorum", quorum},
                    {"parties", std::move(parties)}};
  return ParseDirectory(doc.dump());
}

absl::StatusOr<Directory> LoadDirectory(const std::filesystem::path& path) {
  auto text = store::ReadWholeFile(path);
  if (!text.ok()) return text.status();
  auto d = ParseDirectory(*text);
  if (!d.ok())
    return absl::Status(d.status().code(), absl::StrCat(path.string(), ": ", d.status().message()));
  return d;
}

std::vector<std::string> CosigningWitnesses(const Directory& directory, std::string_view origin,
                                            std::string_view signed_checkpoint) {
  std::vector<std::string> names;
  auto parsed = note::Parse(signed_checkpoint);
  if (!parsed.ok()) return names;
  for (const note::Signature& sig : parsed->unverified) {
    const Party* party = directory.FindByWitness(sig.name);
    if (party == nullptr || party->origin == origin) continue;
    const auto& verifier = *party->witness_verifier;
    if (sig.key_hash != verifier.KeyHash()) continue;
    if (!verifier.VerifyCosignature(parsed->text, sig.signature).ok()) continue;
    if (std::find(names.begin(), names.end(), sig.name) == names.end()) names.push_back(sig.name);
  }
  return names;
}

size_t CountCosignatures(const Directory& directory, std::string_view origin,
                         std::string_view signed_checkpoint) {
  return CosigningWitnesses(directory, origin, signed_checkpoint).size();
}

absl::StatusOr<std::unique_ptr<DirectoryWatcher>> DirectoryWatcher::Open(
    std::filesystem::path path, absl::Duration check_interval) {
  std::error_code ec;
  auto mtime = std::filesystem::last_write_time(path, ec);
  auto size = ec ? 0 : std::filesystem::file_size(path, ec);
  if (ec) return absl::NotFoundError(absl::StrCat(path.string(), ": ", ec.message()));
  auto directory = LoadDirectory(path);
  if (!directory.ok()) return directory.status();
  std::unique_ptr<DirectoryWatcher> w(new DirectoryWatcher());
  w->path_ = std::move(path);
  w->check_interval_ = check_interval;
  absl::MutexLock lock(&w->mu_);
  w->directory_ = std::make_shared<const Directory>(*std::move(directory));
  w->last_check_ = absl::Now();
  w->mtime_ = mtime;
  w->file_size_ = size;
  w->generation_ = 1;
  return w;
}

std::unique_ptr<DirectoryWatcher> DirectoryWatcher::Fixed(Directory directory) {
  std::unique_ptr<DirectoryWatcher> w(new DirectoryWatcher());
  absl::MutexLock lock(&w->mu_);
  w->directory_ = std::make_shared<const Directory>(std::move(directory));
  w->generation_ = 1;
  return w;
}

std::shared_ptr<const Directory> DirectoryWatcher::current() {
  absl::MutexLock lock(&mu_);
  const absl::Time now = absl::Now();
  if (path_.empty() || now - last_check_ < check_interval_) return directory_;
  last_check_ = now;
  std::error_code ec;
  auto mtime = std::filesystem::last_write_time(path_, ec);
  auto size = ec ? 0 : std::filesystem::file_size(path_, ec);
  if (ec) {
    last_error_ = absl::UnavailableError(
        absl::StrCat(path_.string(), ": ", ec.message(), " (keeping the directory loaded before)"));
    return directory_;
  }
  if (mtime == mtime_ && size == file_size_) return directory_;
  auto directory = LoadDirectory(path_);
  mtime_ = mtime;
  file_size_ = size;
  if (!directory.ok()) {
    last_error_ = absl::Status(
        directory.status().code(),
        absl::StrCat(directory.status().message(), " (keeping the directory loaded before)"));
    return directory_;
  }
  directory_ = std::make_shared<const Directory>(*std::move(directory));
  last_error_ = absl::OkStatus();
  ++generation_;
  return directory_;
}

absl::Status DirectoryWatcher::last_error() const {
  absl::MutexLock lock(&mu_);
  return last_error_;
}

uint64_t DirectoryWatcher::generation() const {
  absl::MutexLock lock(&mu_);
  return generation_;
}

}  // namespace accord::federation
