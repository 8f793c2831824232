// Errors with JSON pointers, and strict JSON parsing (nlohmann, exceptions caught here).
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "src/statement/internal.h"

namespace accord::statement {
namespace {

// Status payload keys under which the pointer and the fault travel.
constexpr char kPointerPayloadUrl[] = "type.accord.dev/statement.ErrorPointer";
constexpr char kFaultPayloadUrl[] = "type.accord.dev/statement.Fault";

constexpr std::pair<Fault, std::string_view> kFaultNames[] = {{Fault::kTooLarge, "too_large"},
                                                              {Fault::kBadJson, "bad_json"},
                                                              {Fault::kBadEnvelope, "bad_envelope"},
                                                              {Fault::kBadPayload, "bad_payload"}};

}  // namespace

std::optional<std::string> ErrorPointer(const absl::Status& status) {
  auto cord = status.GetPayload(kPointerPayloadUrl);  // absl::optional here
  if (!cord.has_value()) return std::nullopt;
  return std::string(*cord);
}

std::optional<Fault> FaultOf(const absl::Status& status) {
  auto cord = status.GetPayload(kFaultPayloadUrl);
  if (!cord.has_value()) return std::nullopt;
  const std::string name(*cord);
  for (const auto& [fault, fault_name] : kFaultNames) {
    if (fault_name == name) return fault;
  }
  return std::nullopt;
}

namespace internal {

absl::Status InvalidAt(std::string_view pointer, std::string_view message, Fault fault) {
  absl::Status status = absl::InvalidArgumentError(
      absl::StrCat(pointer.empty() ? std::string("envelope") : std::string(pointer), ": ",
                   std::string(message)));
  status.SetPayload(kPointerPayloadUrl, absl::Cord(std::string(pointer)));
  for (const auto& [f, name] : kFaultNames) {
    if (f == fault) status.SetPayload(kFaultPayloadUrl, absl::Cord(std::string(name)));
  }
  return status;
}

std::string PointerToken(std::string_view token) {
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

namespace {

// Tracks where the parser is, for the pointer of a repeated member or a too-deep value.
class PathTracker {
 public:
  // Returns false once a fault is recorded (the parse result is then discarded).
  bool OnEvent(nlohmann::json::parse_event_t event, const nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    if (fault_.has_value()) return false;
    switch (event) {
      case E::object_start:
      case E::array_start:
        if (frames_.size() >= static_cast<size_t>(kMaxJsonDepth)) {
          fault_ = {Pointer(frames_.size()),
                    absl::StrCat("nesting deeper than ", kMaxJsonDepth, " levels")};
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

  const std::optional<std::pair<std::string, std::string>>& fault() const { return fault_; }

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
      out += f.is_array ? std::to_string(f.index) : PointerToken(f.key);
    }
    return out;
  }

  std::vector<Frame> frames_;
  std::optional<std::pair<std::string, std::string>> fault_;  // pointer, message
};

}  // namespace

absl::StatusOr<nlohmann::json> ParseStrictJson(std::string_view text, std::string_view base) {
  PathTracker tracker;
  nlohmann::json::parser_callback_t callback =
      [&tracker](int /*depth*/, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
        return tracker.OnEvent(event, parsed);
      };
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text.begin(), text.end(), callback,
                                /*allow_exceptions=*/true, /*ignore_comments=*/false);
  } catch (const nlohmann::json::parse_error& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at …": keep what follows.
    std::string_view what = e.what();
    if (size_t p = what.find("] "); p != std::string_view::npos) what.remove_prefix(p + 2);
    return InvalidAt(base, absl::StrCat("not JSON (byte ", e.byte, "): ", std::string(what)),
                     Fault::kBadJson);
  } catch (const nlohmann::json::exception& e) {
    return InvalidAt(base, absl::StrCat("not JSON: ", e.what()), Fault::kBadJson);
  }
  if (tracker.fault().has_value()) {
    return InvalidAt(absl::StrCat(std::string(base), tracker.fault()->first),
                     tracker.fault()->second, Fault::kBadJson);
  }
  return doc;
}

}  // namespace internal
}  // namespace accord::statement
