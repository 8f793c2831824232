#include "src/http/router.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace accord::http {
namespace {

enum SegmentKind { kLiteral = 0, kParam = 1, kRest = 2 };

SegmentKind KindOf(std::string_view segment) {
  if (segment == "*") return kRest;
  if (segment.size() >= 2 && segment.front() == '{' && segment.back() == '}') return kParam;
  return kLiteral;
}

[[noreturn]] void BadPattern(std::string_view pattern, std::string_view why) {
  std::fprintf(stderr, "http::Router: bad route pattern \"%.*s\": %.*s\n",
               static_cast<int>(pattern.size()), pattern.data(), static_cast<int>(why.size()),
               why.data());
  std::abort();
}

std::vector<std::string> SplitPattern(std::string_view pattern) {
  if (pattern.empty() || pattern[0] != '/') BadPattern(pattern, "must start with \"/\"");
  std::vector<std::string> segments;
  size_t pos = 1;
  while (true) {
    const size_t slash = pattern.find('/', pos);
    std::string_view seg =
        pattern.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    const SegmentKind kind = KindOf(seg);
    if (kind == kLiteral && (seg.find_first_of("{}*") != std::string_view::npos)) {
      BadPattern(pattern, "\"{\", \"}\" or \"*\" inside a literal segment");
    }
    if (kind == kParam && seg.size() == 2) BadPattern(pattern, "unnamed parameter");
    if (kind == kRest && slash != std::string_view::npos) BadPattern(pattern, "\"*\" not last");
    if (seg.empty() && slash != std::string_view::npos) BadPattern(pattern, "empty segment");
    segments.emplace_back(seg);
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  return segments;
}

// Splits a decoded path ("/a/b") into its segments ({"a", "b"}); "/" → {""}.
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  size_t pos = 1;
  while (true) {
    const size_t slash = path.find('/', pos);
    out.push_back(
        path.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos));
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  return out;
}

// Whether `route` matches; fills `params` and `rank` (one SegmentKind per segment;
// lexicographically smaller is more specific).
bool Matches(const Router::Route& route, std::string_view path,
             const std::vector<std::string_view>& parts, PathParams* params,
             std::vector<int>* rank) {
  params->clear();
  rank->clear();
  size_t offset = 1;  // position of parts[i] in path
  for (size_t i = 0; i < route.segments.size(); ++i) {
    const std::string& seg = route.segments[i];
    const SegmentKind kind = KindOf(seg);
    rank->push_back(kind);
    if (kind == kRest) {
      if (i >= parts.size() || offset >= path.size()) return false;
      (*params)["*"] = std::string(path.substr(offset));
      return true;
    }
    if (i >= parts.size()) return false;
    if (kind == kLiteral) {
      if (parts[i] != seg) return false;
    } else {
      if (parts[i].empty()) return false;
      (*params)[seg.substr(1, seg.size() - 2)] = std::string(parts[i]);
    }
    offset += parts[i].size() + 1;
  }
  return route.segments.size() == parts.size();
}

}  // namespace

// Responder

class Responder::State {
 public:
  explicit State(std::shared_ptr<Sink> sink) : sink_(std::move(sink)) {}
  ~State() {
    if (!used_.exchange(true)) sink_->Deliver(std::nullopt);
  }
  bool Respond(Response response) {
    if (used_.exchange(true)) return false;
    sink_->Deliver(std::move(response));
    return true;
  }

 private:
  const std::shared_ptr<Sink> sink_;
  std::atomic<bool> used_{false};
};

Responder::Responder(std::shared_ptr<Sink> sink)
    : state_(std::make_shared<State>(std::move(sink))) {}

bool Responder::operator()(Response response) const { return state_->Respond(std::move(response)); }

// Query checks

absl::Status CheckQuery(const RouteOptions& options, const QueryParams& query) {
  // Names and values are UTF-8 (ParseTarget); quote at most 64 bytes of a name.
  const auto quoted = [](std::string_view name) {
    return absl::StrCat("\"", std::string(name.substr(0, 64)), name.size() > 64 ? "…" : "", "\"");
  };
  const std::vector<QueryParams::Param>& params = query.params();
  for (size_t i = 0; i < params.size(); ++i) {
    const std::string& name = params[i].first;
    if (std::find(options.query.begin(), options.query.end(), name) == options.query.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown query parameter ", quoted(name), "; this resource takes ",
                       options.query.empty() ? "none" : absl::StrJoin(options.query, ", ")));
    }
    const size_t times = query.GetAll(name).size();
    if (times > 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("query parameter ", quoted(name), " given ", times, " times"));
    }
    if (params[i].second.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("query parameter ", quoted(name), " is empty"));
    }
  }
  return absl::OkStatus();
}

// Router

void Router::Add(Route route) {
  if (route.method.empty()) BadPattern(route.pattern, "empty method");
  for (const Route& r : routes_) {
    if (r.method == route.method && r.segments.size() == route.segments.size()) {
      bool same = true;
      for (size_t i = 0; i < r.segments.size() && same; ++i) {
        const SegmentKind a = KindOf(r.segments[i]), b = KindOf(route.segments[i]);
        same = a == b && (a != kLiteral || r.segments[i] == route.segments[i]);
      }
      if (same) BadPattern(route.pattern, "registered twice for this method");
    }
  }
  routes_.push_back(std::move(route));
}

void Router::Handle(std::string_view method, std::string_view pattern, Handler handler,
                    RouteOptions options) {
  Route r{
      std::string(method), std::string(pattern), SplitPattern(pattern), std::move(handler), nullptr,
      std::move(options)};
  Add(std::move(r));
}

void Router::HandleAsync(std::string_view method, std::string_view pattern, AsyncHandler handler,
                         RouteOptions options) {
  Route r{std::string(method), std::string(pattern), SplitPattern(pattern), nullptr,
          std::move(handler),  std::move(options)};
  Add(std::move(r));
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match best;
  std::vector<int> best_rank;
  std::set<std::string> allowed;
  const std::vector<std::string_view> parts = SplitPath(path);
  PathParams params;
  std::vector<int> rank;
  const auto scan = [&](std::string_view m) {
    for (const Route& route : routes_) {
      if (!Matches(route, path, parts, &params, &rank)) continue;
      if (route.method != m) {
        allowed.insert(route.method);
        if (route.method == "GET") allowed.insert("HEAD");
        continue;
      }
      if (best.route == nullptr || rank < best_rank) {
        best.route = &route;
        best.params = params;
        best_rank = rank;
      }
    }
  };
  scan(method);
  // HEAD falls back to GET when no HEAD route matches.
  if (best.route == nullptr && method == "HEAD") scan("GET");
  if (best.route == nullptr) best.allowed.assign(allowed.begin(), allowed.end());
  return best;
}

std::vector<RouteInfo> Router::Routes() const {
  std::vector<RouteInfo> out;
  out.reserve(routes_.size());
  for (const Route& r : routes_) out.push_back({r.method, r.pattern});
  return out;
}

}  // namespace accord::http
