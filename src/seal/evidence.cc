#include "src/seal/evidence.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "src/seal/leaf.h"
#include "src/seal/select.h"
#include "src/util/encoding.h"

namespace accord::seal {
namespace {

constexpr size_t kTitleMax = 200;

std::string Title(std::string s) {
  if (s.size() > kTitleMax) s.resize(kTitleMax);
  return s;
}

std::string HostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "unknown";
  return name;
}

}  // namespace

std::string EvidencePayload(const BuiltTree& built, const Custody& custody) {
  const absl::Time issued = custody.issued == absl::InfinitePast() ? absl::Now() : custody.issued;
  const std::string issued_text = FormatTimeNs(static_cast<uint64_t>(absl::ToUnixNanos(issued)));
  const CaptureSummary& s = built.summary;
  // nlohmann::ordered_json keeps the schema's field order, for readers of the log.
  nlohmann::ordered_json j;
  j["kind"] = "evidence";
  j["issuer"] = custody.issuer;
  j["issued"] = issued_text;
  j["evidence_type"] = std::string(FormatName(built.tree.format));
  j["seal"] = {{"root", util::Base64Encode(built.tree.root)},
               {"items", built.tree.size},
               {"scheme", std::string(kSealScheme)}};
  nlohmann::ordered_json file = {{"sha256", util::HexEncode(built.tree.capture_sha256)},
                                 {"bytes", built.tree.capture_bytes}};
  if (!custody.file_name.empty()) file["name"] = Title(custody.file_name);
  j["file"] = file;
  j["first_observed"] = s.first_ns ? FormatTimeNs(*s.first_ns) : issued_text;
  j["last_observed"] = s.last_ns ? FormatTimeNs(*s.last_ns) : issued_text;
  nlohmann::ordered_json collector = {{"role", Title(custody.collector_role)}};
  if (!custody.collector_name.empty()) collector["name"] = Title(custody.collector_name);
  if (!custody.collector_id.empty()) collector["id"] = Title(custody.collector_id);
  j["collector"] = collector;
  nlohmann::ordered_json sensor = {
      {"name", Title(custody.sensor.empty() ? HostName() : custody.sensor)}};
  if (!custody.place.empty()) sensor["location"] = Title(custody.place);
  j["sensor"] = sensor;
  j["tool"] = {
      {"name", Title(custody.tool_name.empty() ? "accord seal" : custody.tool_name)},
      {"version", Title(custody.tool_version.empty() ? ACCORD_VERSION : custody.tool_version)}};
  if (!custody.note.empty()) j["note"] = custody.note;
  return j.dump();
}

absl::StatusOr<EvidenceFacts> ReadEvidenceFacts(const nlohmann::json& p) {
  try {
    EvidenceFacts f;
    f.evidence_type = p.at("evidence_type").get<std::string>();
    if (f.evidence_type != "pcap" && f.evidence_type != "pcapng") {
      return absl::FailedPreconditionError(
          absl::StrCat("the evidence is a ", f.evidence_type, ", not a packet capture"));
    }
    const nlohmann::json& seal = p.at("seal");
    const std::string scheme = seal.value("scheme", "");
    if (scheme != kSealScheme) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the evidence is sealed under scheme \"", scheme, "\", not ", std::string(kSealScheme)));
    }
    auto root = util::Base64Decode(seal.at("root").get<std::string>());
    if (!root || root->size() != f.root.size()) {
      return absl::InvalidArgumentError("the evidence's seal.root is not a 32-byte hash");
    }
    std::copy(root->begin(), root->end(), f.root.begin());
    f.packets = seal.at("items").get<uint64_t>();
    f.issuer = p.at("issuer").get<std::string>();
    f.issued = p.at("issued").get<std::string>();
    const nlohmann::json& file = p.at("file");
    f.file_sha256 = file.at("sha256").get<std::string>();
    if (file.contains("bytes")) f.file_bytes = file.at("bytes").get<uint64_t>();
    f.file_name = file.value("name", "");
    f.first_observed = p.at("first_observed").get<std::string>();
    f.last_observed = p.at("last_observed").get<std::string>();
    f.collector = p.at("collector");
    f.sensor = p.at("sensor");
    f.tool = p.at("tool");
    f.note = p.value("note", "");
    return f;
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("evidence payload: ", e.what()));
  }
}

}  // namespace accord::seal
