#include "src/casework/cases.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

#include "absl/strings/str_cat.h"
#include "src/util/encoding.h"
#include "src/util/time.h"

namespace accord::casework {
namespace {

using Key = std::pair<std::string, uint64_t>;  // (origin, index)

using util::Rfc3339;

std::string Position(const KnownStatement& s) { return absl::StrCat(s.origin, "#", s.index); }

// What a statement says, in a line.
std::string Gist(const statement::Statement& s) {
  const auto& p = s.payload;
  for (const char* member : {"title", "summary", "attribution", "note"}) {
    if (p.contains(member) && p[member].is_string()) return p[member].get<std::string>();
  }
  if (s.kind == statement::Kind::kEvidence) return "sealed evidence";
  if (s.kind == statement::Kind::kAccess) return "record of access to a confidential body";
  return std::string(statement::KindName(s.kind));
}

size_t Find(std::vector<size_t>& parent, size_t i) {
  while (parent[i] != i) i = parent[i] = parent[parent[i]];
  return i;
}

}  // namespace

std::vector<Case> BuildCases(std::vector<KnownStatement> statements, absl::Time now,
                             const CaseworkOptions& options) {
  std::stable_sort(statements.begin(), statements.end(), [](const auto& a, const auto& b) {
    return a.statement.issued < b.statement.issued;
  });
  std::map<Key, size_t> at;
  for (size_t i = 0; i < statements.size(); ++i)
    at[{statements[i].origin, statements[i].index}] = i;
  std::vector<size_t> parent(statements.size());
  std::iota(parent.begin(), parent.end(), size_t{0});
  for (size_t i = 0; i < statements.size(); ++i) {
    for (const statement::Ref& r : statements[i].statement.refs) {
      auto it = at.find({r.origin, r.index});
      if (it == at.end() || statements[it->second].leaf_hash != r.leaf_hash) continue;
      parent[Find(parent, i)] = Find(parent, it->second);
    }
  }
  // Access and equivocation records join a case only through their refs; a lone one is
  // no case.
  std::map<size_t, std::vector<size_t>> groups;
  for (size_t i = 0; i < statements.size(); ++i) groups[Find(parent, i)].push_back(i);

  std::vector<Case> cases;
  for (auto& [root, members] : groups) {
    bool substantive = false;
    for (size_t i : members) {
      const auto kind = statements[i].statement.kind;
      substantive = substantive || kind == statement::Kind::kIncident ||
                    kind == statement::Kind::kRequest || kind == statement::Kind::kClaim;
    }
    if (!substantive) continue;
    Case c;
    for (size_t i : members) c.items.push_back(statements[i]);  // already in issue order
    const KnownStatement* first = &c.items.front();
    for (const auto& s : c.items) {
      if (s.statement.kind == statement::Kind::kIncident) {
        first = &s;
        break;
      }
    }
    c.id = util::HexEncode(first->leaf_hash);
    c.title = Gist(first->statement);
    std::set<std::string> parties;
    for (const auto& s : c.items) {
      parties.insert(s.statement.issuer);
      for (const auto& a : s.statement.addressees) parties.insert(a);
    }
    c.parties.assign(parties.begin(), parties.end());
    for (size_t i = 0; i < c.items.size(); ++i) {
      const auto& req = c.items[i];
      if (req.statement.kind != statement::Kind::kRequest) continue;
      std::vector<statement::Statement> responses;
      for (const auto& s : c.items) {
        if (s.statement.kind != statement::Kind::kResponse) continue;
        for (const auto& r : s.statement.refs) {
          if (r.kind == statement::Kind::kRequest && r.origin == req.origin &&
              r.index == req.index && r.leaf_hash == req.leaf_hash) {
            responses.push_back(s.statement);
            break;
          }
        }
      }
      RequestProgress progress{i,
                               Evaluate(req.statement, responses, now, options, req.logged_after)};
      c.overdue = c.overdue || progress.state.overdue;
      for (const Track& t : progress.state.tracks) {
        if (!t.awaited.empty())
          c.awaiting.push_back(absl::StrCat(t.party, ": ", t.awaited, " for ", Position(req)));
      }
      c.requests.push_back(std::move(progress));
    }
    cases.push_back(std::move(c));
  }
  std::sort(cases.begin(), cases.end(), [](const Case& a, const Case& b) {
    return a.items.front().statement.issued > b.items.front().statement.issued;
  });
  return cases;
}

nlohmann::json CaseJson(const Case& c, bool detail) {
  size_t open = 0;
  for (const auto& r : c.requests) open += r.state.closed ? 0 : 1;
  nlohmann::json j = {{"id", c.id},
                      {"title", c.title},
                      {"parties", c.parties},
                      {"statements", c.items.size()},
                      {"requests", c.requests.size()},
                      {"open_requests", open},
                      {"overdue", c.overdue},
                      {"awaiting", c.awaiting},
                      {"started", Rfc3339(c.items.front().statement.issued)},
                      {"last", Rfc3339(c.items.back().statement.issued)}};
  if (!detail) return j;
  nlohmann::json items = nlohmann::json::array();
  for (const auto& s : c.items) {
    nlohmann::json item = {{"origin", s.origin},
                           {"index", s.index},
                           {"leaf_hash", util::Base64Encode(s.leaf_hash)},
                           {"kind", std::string(statement::KindName(s.statement.kind))},
                           {"issuer", s.statement.issuer},
                           {"issued", Rfc3339(s.statement.issued)},
                           {"to", s.statement.addressees},
                           {"gist", Gist(s.statement)}};
    for (const char* member : {"request_type", "status", "urgency"}) {
      if (s.statement.payload.contains(member)) item[member] = s.statement.payload[member];
    }
    items.push_back(std::move(item));
  }
  nlohmann::json requests = nlohmann::json::array();
  for (const auto& r : c.requests) {
    const auto& req = c.items[r.item];
    nlohmann::json tracks = nlohmann::json::array();
    for (const Track& t : r.state.tracks) {
      nlohmann::json track = {
          {"party", t.party}, {"phase", std::string(PhaseName(t.phase))}, {"awaited", t.awaited}};
      if (t.preserved_until) track["preserved_until"] = Rfc3339(*t.preserved_until);
      tracks.push_back(std::move(track));
    }
    nlohmann::json deadlines = nlohmann::json::array();
    for (const Deadline& d : r.state.deadlines) {
      nlohmann::json dl = {{"kind", std::string(DeadlineKindName(d.kind))},
                           {"party", d.party},
                           {"due", Rfc3339(d.due)},
                           {"citation", d.citation},
                           {"overdue", d.overdue},
                           {"passed", d.passed}};
      if (d.met) dl["met"] = Rfc3339(*d.met);
      deadlines.push_back(std::move(dl));
    }
    requests.push_back({{"origin", req.origin},
                        {"index", req.index},
                        {"request_type", std::string(RequestTypeName(r.state.type))},
                        {"requester", r.state.requester},
                        {"state", r.state.state},
                        {"closed", r.state.closed},
                        {"overdue", r.state.overdue},
                        {"clock_start", Rfc3339(r.state.clock_start)},
                        {"backdated", r.state.backdated},
                        {"tracks", std::move(tracks)},
                        {"deadlines", std::move(deadlines)}});
  }
  j["items"] = std::move(items);
  j["procedures"] = std::move(requests);
  return j;
}

}  // namespace accord::casework
