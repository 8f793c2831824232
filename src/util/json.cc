// The strict JSON reader (json.h) over nlohmann::json, whose exceptions stop here.
#include "src/util/json.h"

#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace accord::util {
namespace {

using Json = nlohmann::json;

// What nlohmann accepts that this reader does not, found before it runs: a byte order
// mark (which nlohmann skips) and a NUL byte anywhere (which nlohmann takes for the end
// of the input, ignoring the bytes after it). Inside a string a raw NUL is a control
// character and invalid anyway, so refusing every NUL costs nothing.
std::optional<std::string> FaultBeforeParsing(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) {
    return "not JSON (byte 0): a UTF-8 byte order mark (RFC 8259 §8.1)";
  }
  if (const size_t nul = text.find('\0'); nul != std::string_view::npos) {
    return absl::StrCat("not JSON (byte ", nul, "): a NUL byte");
  }
  return std::nullopt;
}

// Tracks where the parser is, for the pointer of a repeated member or a too-deep value.
class PathTracker {
 public:
  explicit PathTracker(int max_depth) : max_depth_(static_cast<size_t>(max_depth)) {}

  // Returns false once a fault is recorded (the parse result is then discarded).
  bool OnEvent(Json::parse_event_t event, const Json& parsed) {
    using E = Json::parse_event_t;
    if (fault_.has_value()) return false;
    switch (event) {
      case E::object_start:
      case E::array_start:
        if (frames_.size() >= max_depth_) {
          fault_ = {Pointer(frames_.size()),
                    absl::StrCat("nesting deeper than ", max_depth_, " levels")};
          return false;
        }
        frames_.push_back(Frame{event == E::array_start, 0, {}, {}});
        break;
      case E::key: {
        Frame& frame = frames_.back();
        frame.key = parsed.get<std::string>();
        if (!frame.keys.insert(frame.key).second) {
          fault_ = {Pointer(frames_.size()), "member name repeated"};
          return false;
        }
        break;
      }
      case E::object_end:
      case E::array_end:
        frames_.pop_back();
        EndValue();
        break;
      case E::value:
        EndValue();
        break;
    }
    return true;
  }

  const std::optional<JsonError>& fault() const { return fault_; }

 private:
  struct Frame {
    bool is_array;
    size_t index;     // arrays: the element being parsed
    std::string key;  // objects: the member being parsed
    std::set<std::string> keys;
  };

  void EndValue() {
    if (!frames_.empty() && frames_.back().is_array) ++frames_.back().index;
  }

  // The pointer to the current position within the first `n` frames.
  std::string Pointer(size_t n) const {
    std::string out;
    for (size_t i = 0; i < n; ++i) {
      const Frame& f = frames_[i];
      out += '/';
      out += f.is_array ? std::to_string(f.index) : JsonPointerToken(f.key);
    }
    return out;
  }

  const size_t max_depth_;
  std::vector<Frame> frames_;
  std::optional<JsonError> fault_;
};

absl::Status Refuse(JsonError fault, JsonError* error) {
  absl::Status status = absl::InvalidArgumentError(
      fault.pointer.empty() ? fault.message : absl::StrCat(fault.pointer, ": ", fault.message));
  if (error != nullptr) *error = std::move(fault);
  return status;
}

}  // namespace

std::string JsonPointerToken(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

absl::StatusOr<Json> ParseJson(std::string_view text, JsonError* error, int max_depth) {
  if (auto fault = FaultBeforeParsing(text)) return Refuse({"", *std::move(fault)}, error);
  PathTracker tracker(max_depth);
  Json::parser_callback_t callback = [&tracker](int /*depth*/, Json::parse_event_t event,
                                                Json& parsed) {
    return tracker.OnEvent(event, parsed);
  };
  Json doc;
  try {
    doc = Json::parse(text.begin(), text.end(), callback, /*allow_exceptions=*/true,
                      /*ignore_comments=*/false);
  } catch (const Json::parse_error& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at …": keep what follows.
    std::string_view what = e.what();
    if (size_t p = what.find("] "); p != std::string_view::npos) what.remove_prefix(p + 2);
    return Refuse({"", absl::StrCat("not JSON (byte ", e.byte, "): ", std::string(what))}, error);
  } catch (const Json::exception& e) {
    // out_of_range.406: a number beyond double range ("1e400").
    return Refuse({"", absl::StrCat("not JSON: ", e.what())}, error);
  }
  if (tracker.fault().has_value()) return Refuse(*tracker.fault(), error);
  return doc;
}

}  // namespace accord::util
