#include "src/node/officers.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "src/util/time.h"

namespace accord::node {
using util::Rfc3339;

absl::StatusOr<OfficerRegistry::Decision> OfficerRegistry::Decide(
    const statement::Statement& officer) const {
  if (officer.kind != statement::Kind::kOfficer) {
    return absl::InvalidArgumentError("not an officer statement");
  }
  const auto& p = officer.payload;
  Decision d;
  const std::string action = p.value("action", "");
  if (action != "authorize" && action != "revoke") {
    return absl::InvalidArgumentError(absl::StrCat("unknown officer action \"", action, "\""));
  }
  d.authorize = action == "authorize";
  auto verifier = note::NewVerifier(p.value("key", ""));
  if (!verifier.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the officer key is not a verifier key: ", verifier.status().message()));
  }
  d.keyid = statement::KeyId(**verifier);
  d.key = std::shared_ptr<const note::Verifier>(*std::move(verifier));
  if (d.authorize && p.contains("valid_until")) {
    const std::optional<absl::Time> parsed =
        p["valid_until"].is_string() ? util::ParseRfc3339(p["valid_until"].get<std::string>())
                                     : std::nullopt;
    if (!parsed) return absl::InvalidArgumentError("valid_until is not an RFC 3339 time");
    const absl::Time until = *parsed;
    if (until <= officer.issued) {
      return absl::InvalidArgumentError(absl::StrCat("valid_until ", Rfc3339(until),
                                                     " is not after the authorisation's issued ",
                                                     Rfc3339(officer.issued)));
    }
    d.valid_until = until;
  }
  return d;
}

absl::Status OfficerRegistry::Check(const statement::Statement& officer) const {
  auto d = Decide(officer);
  if (!d.ok()) return d.status();
  auto it = officers_.find(d->keyid);
  if (it == officers_.end()) return absl::OkStatus();
  const Officer& o = it->second;
  if (o.revoked) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the key ", d->keyid, " was revoked; a revoked key is never ",
        d->authorize ? "authorised again (authorise a new key for the officer)" : "revoked again"));
  }
  if (d->authorize && officer.issued <= o.decided) {
    return absl::FailedPreconditionError(
        absl::StrCat("the key ", d->keyid, " was last decided on by a statement issued ",
                     Rfc3339(o.decided), "; an authorisation issued ", Rfc3339(officer.issued),
                     " is not newer and changes nothing (a renewal must be issued later)"));
  }
  return absl::OkStatus();
}

absl::Status OfficerRegistry::Apply(const statement::Statement& officer) {
  if (absl::Status s = Check(officer); !s.ok()) return s;
  Decision d = *Decide(officer);
  Officer& o = officers_[d.keyid];
  if (!o.key) o.key = d.key;
  o.decided = officer.issued;
  if (!d.authorize) {
    o.revoked = true;
    return absl::OkStatus();
  }
  if (!o.authorised) o.authorised_from = officer.issued;
  o.authorised = true;
  o.valid_until = d.valid_until;
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const note::Verifier>> OfficerRegistry::SignerFor(
    std::string_view keyid, absl::Time issued, std::optional<absl::Time> now) const {
  auto it = officers_.find(keyid);
  if (it == officers_.end() || !it->second.authorised) {
    return absl::NotFoundError(absl::StrCat("the key ", std::string(keyid), " is not authorised"));
  }
  const Officer& o = it->second;
  const std::string key(keyid);
  if (o.revoked) return absl::PermissionDeniedError(absl::StrCat("the key ", key, " was revoked"));
  if (issued < o.authorised_from) {
    return absl::PermissionDeniedError(absl::StrCat("the statement is issued ", Rfc3339(issued),
                                                    ", before the key ", key, " was authorised (",
                                                    Rfc3339(o.authorised_from), ")"));
  }
  if (o.valid_until) {
    if (issued > *o.valid_until || (now && *now > *o.valid_until)) {
      return absl::PermissionDeniedError(absl::StrCat("the authorisation of the key ", key,
                                                      " lapsed at ", Rfc3339(*o.valid_until)));
    }
  }
  return o.key;
}

size_t OfficerRegistry::active() const {
  size_t n = 0;
  for (const auto& [keyid, o] : officers_) n += o.authorised && !o.revoked;
  return n;
}

}  // namespace accord::node
