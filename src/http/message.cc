#include "src/http/message.h"

#include <algorithm>
#include <charconv>

#include "absl/strings/str_cat.h"

namespace accord::http {
namespace {

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

absl::Status BadTarget(std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("bad request target: ", std::string(what)));
}

absl::StatusOr<QueryParams> ParseQuery(std::string_view query) {
  std::vector<QueryParams::Param> params;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    auto key = PercentDecode(pair.substr(0, eq), /*plus_is_space=*/true);
    if (!key.ok()) return BadTarget(absl::StrCat("query: ", key.status().message()));
    std::string value;
    if (eq != std::string_view::npos) {
      auto v = PercentDecode(pair.substr(eq + 1), /*plus_is_space=*/true);
      if (!v.ok()) {
        return BadTarget(absl::StrCat("query parameter \"", *key, "\": ", v.status().message()));
      }
      value = *std::move(v);
    }
    params.emplace_back(*std::move(key), std::move(value));
  }
  return QueryParams(std::move(params));
}

// Decodes the path segment by segment so that an encoded "/" can be told apart.
absl::StatusOr<std::string> DecodePath(std::string_view raw) {
  std::string path;
  path.reserve(raw.size());
  size_t pos = 1;  // raw[0] == '/'
  while (true) {
    const size_t slash = raw.find('/', pos);
    const std::string_view segment =
        raw.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    auto decoded = PercentDecode(segment);
    if (!decoded.ok()) return BadTarget(absl::StrCat("path: ", decoded.status().message()));
    if (decoded->find('/') != std::string::npos) return BadTarget("path: encoded \"/\"");
    if (*decoded == "." || *decoded == "..") return BadTarget("path: \".\" or \"..\" segment");
    path += '/';
    path += *decoded;
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  return path;
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

bool IsTokenChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Headers

void Headers::Add(std::string name, std::string value) {
  fields_.emplace_back(std::move(name), std::move(value));
}

void Headers::Set(std::string_view name, std::string value) {
  Remove(name);
  fields_.emplace_back(std::string(name), std::move(value));
}

void Headers::Remove(std::string_view name) {
  std::erase_if(fields_, [&](const Field& f) { return EqualsIgnoreCase(f.first, name); });
}

std::optional<std::string_view> Headers::Get(std::string_view name) const {
  for (const Field& f : fields_) {
    if (EqualsIgnoreCase(f.first, name)) return f.second;
  }
  return std::nullopt;
}

std::vector<std::string_view> Headers::GetAll(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const Field& f : fields_) {
    if (EqualsIgnoreCase(f.first, name)) out.push_back(f.second);
  }
  return out;
}

// QueryParams

std::optional<std::string_view> QueryParams::Get(std::string_view key) const {
  for (const Param& p : params_) {
    if (p.first == key) return p.second;
  }
  return std::nullopt;
}

std::vector<std::string_view> QueryParams::GetAll(std::string_view key) const {
  std::vector<std::string_view> out;
  for (const Param& p : params_) {
    if (p.first == key) out.push_back(p.second);
  }
  return out;
}

absl::StatusOr<std::optional<std::string>> QueryParams::GetUnique(std::string_view key) const {
  const std::vector<std::string_view> all = GetAll(key);
  if (all.empty()) return std::nullopt;
  if (all.size() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("query parameter \"", std::string(key), "\" given ", all.size(), " times"));
  }
  return std::string(all[0]);
}

absl::StatusOr<std::optional<uint64_t>> QueryParams::GetUint64(std::string_view key,
                                                               uint64_t max) const {
  auto value = GetUnique(key);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return std::nullopt;
  auto n = ParseDecimal(**value, absl::StrCat("query parameter \"", std::string(key), "\""), max);
  if (!n.ok()) return n.status();
  return *n;
}

absl::StatusOr<uint64_t> ParseDecimal(std::string_view text, std::string_view what, uint64_t max) {
  uint64_t n = 0;
  const char* end = text.data() + text.size();
  // from_chars alone would take what a digit run starts with; every byte must be a digit.
  const bool digits = !text.empty() && std::all_of(text.begin(), text.end(),
                                                   [](char c) { return c >= '0' && c <= '9'; });
  const bool leading_zero = text.size() > 1 && text[0] == '0';
  if (digits && !leading_zero) {
    const auto [ptr, ec] = std::from_chars(text.data(), end, n);
    if (ec == std::errc() && ptr == end && n <= max) return n;
  }
  return absl::InvalidArgumentError(
      absl::StrCat(std::string(what), ": not a decimal integer in [0, ", max, "]"));
}

// Encoding

bool IsValidUtf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (n - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

absl::StatusOr<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      const bool complete = i + 2 < text.size();
      const int hi = complete ? HexValue(text[i + 1]) : -1;
      const int lo = complete ? HexValue(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return absl::InvalidArgumentError(absl::StrCat("invalid percent-escape at offset ", i));
      }
      const char decoded = static_cast<char>(hi * 16 + lo);
      if (decoded == '\0') return absl::InvalidArgumentError("encoded NUL (%00)");
      out += decoded;
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  if (!IsValidUtf8(out)) return absl::InvalidArgumentError("not valid UTF-8 once decoded");
  return out;
}

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (IsUnreserved(u)) {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

absl::StatusOr<Target> ParseTarget(std::string_view target) {
  if (target.empty()) return BadTarget("empty");
  // absolute-form: drop "http://authority".
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.size() >= scheme.size() &&
        EqualsIgnoreCase(target.substr(0, scheme.size()), scheme)) {
      const size_t slash = target.find_first_of("/?", scheme.size());
      if (slash == std::string_view::npos) {
        target = "/";
      } else if (target[slash] == '?') {
        return BadTarget("absolute-form without a path");
      } else {
        target = target.substr(slash);
      }
      break;
    }
  }
  if (target[0] != '/') return BadTarget("not an absolute path (origin-form)");
  if (target.find('#') != std::string_view::npos) return BadTarget("fragment in target");
  for (const char c : target) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F) return BadTarget("raw control, space or non-ASCII byte");
  }
  const size_t q = target.find('?');
  Target out;
  auto path = DecodePath(target.substr(0, q));
  if (!path.ok()) return path.status();
  out.path = *std::move(path);
  if (q != std::string_view::npos) {
    auto query = ParseQuery(target.substr(q + 1));
    if (!query.ok()) return query.status();
    out.query = *std::move(query);
  }
  return out;
}

std::string_view Request::PathParam(std::string_view name) const {
  const auto it = params.find(name);
  return it == params.end() ? std::string_view() : std::string_view(it->second);
}

// Responses

std::string ProblemType(std::string_view name) {
  return absl::StrCat(std::string(kProblemTypePrefix), std::string(name));
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Range Not Satisfiable";
    case 417:
      return "Expectation Failed";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

Response Response::Json(int status, const nlohmann::json& body) {
  Response r;
  r.status = status;
  r.headers.Set("Content-Type", std::string(kJsonContentType));
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Response Response::Text(int status, std::string body, std::string_view content_type) {
  Response r;
  r.status = status;
  r.headers.Set("Content-Type", std::string(content_type));
  r.body = std::move(body);
  return r;
}

Response Response::Problem(int status, std::string_view name, std::string_view detail,
                           const nlohmann::json& extensions, std::string_view title) {
  nlohmann::json doc = nlohmann::json::object();
  doc["type"] = ProblemType(name);
  doc["title"] = std::string(title.empty() ? ReasonPhrase(status) : title);
  doc["status"] = status;
  if (!detail.empty()) doc["detail"] = std::string(detail);
  if (extensions.is_object()) {
    for (const auto& [key, value] : extensions.items()) {
      if (key == "type" || key == "title" || key == "status" || key == "detail" ||
          key == "instance") {
        continue;
      }
      doc[key] = value;
    }
  }
  Response r = Json(status, doc);
  r.headers.Set("Content-Type", std::string(kProblemContentType));
  return r;
}

int HttpStatusOf(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAborted:
      return 409;
    case absl::StatusCode::kUnimplemented:
      return 501;
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kUnavailable:
      return 503;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

Response Response::FromStatus(const absl::Status& status, const nlohmann::json& extensions) {
  const int http_status = HttpStatusOf(status.code());
  std::string_view name;
  switch (http_status) {
    case 400:
      name = problem::kInvalidArgument;
      break;
    case 401:
      name = problem::kUnauthenticated;
      break;
    case 403:
      name = problem::kPermissionDenied;
      break;
    case 404:
      name = problem::kNotFound;
      break;
    case 409:
      name = problem::kConflict;
      break;
    case 501:
      name = problem::kNotImplemented;
      break;
    case 503:
      name = problem::kUnavailable;
      break;
    case 504:
      name = problem::kTimeout;
      break;
    default:
      name = problem::kInternal;
      break;
  }
  const std::string message(status.message());
  Response r =
      Problem(http_status, name, http_status == 500 ? "internal error" : message, extensions);
  if (http_status == 503) r.headers.Set("Retry-After", std::to_string(kRetryAfterSeconds));
  return r;
}

}  // namespace accord::http
