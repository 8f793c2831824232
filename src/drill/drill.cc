#include "src/drill/drill.h"

#include <cmath>

#include "src/drill/drill_internal.h"  // IWYU pragma: associated
#include "src/util/time.h"

namespace accord::drill {
namespace internal {

const PartyInfo kParties[kMaxParties] = {
    {"A", "Republic of Aster, national CERT", "cert.aster.example", "XA"},
    {"B", "Kingdom of Borealia, national CERT", "cert.borealia.example", "XB"},
    {"C", "Caldera, national CERT", "cert.caldera.example", "XC"},
    {"D", "Dorado, national CERT", "cert.dorado.example", "XD"},
    {"E", "Elara, national CERT", "cert.elara.example", "XE"},
    {"F", "Fjordland, national CERT", "cert.fjordland.example", "XF"},
    {"G", "Galicea, national CERT", "cert.galicea.example", "XG"},
    {"H", "Helvor, national CERT", "cert.helvor.example", "XH"},
};

json RefJson(const std::string& origin, const node::ReceiptDoc& r, Kind kind) {
  return {{"origin", origin},
          {"index", r.index},
          {"leaf_hash", util::Base64Encode(r.leaf_hash)},
          {"kind", std::string(statement::KindName(kind))}};
}

std::string Position(const std::string& letter, uint64_t index) {
  return absl::StrCat(letter, "#", index);
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i =
      std::min(v.size() - 1, static_cast<size_t>(std::lround(p * double(v.size() - 1))));
  return v[i];
}

absl::StatusOr<std::set<Flow>> FlowsOf(const fs::path& capture) {
  auto source = seal::ByteSource::OpenFile(capture.string());
  if (!source.ok()) return source.status();
  auto reader = seal::CaptureReader::Open(**source);
  if (!reader.ok()) return reader.status();
  std::set<Flow> flows;
  while (true) {
    auto packet = (*reader)->Next();
    if (!packet.ok()) return packet.status();
    if (!packet->has_value()) break;
    std::span<const uint8_t> d = (*packet)->data;
    if ((*packet)->link_type == 1) {  // Ethernet II
      if (d.size() < 14 || d[12] != 0x08 || d[13] != 0x00) continue;
      d = d.subspan(14);
    } else if ((*packet)->link_type != 101 && (*packet)->link_type != 228) {
      continue;
    }
    if (d.size() < 20 || (d[0] >> 4) != 4) continue;
    const size_t ihl = (d[0] & 0x0f) * 4;
    const uint8_t proto = d[9];
    if ((proto != 6 && proto != 17) || d.size() < ihl + 4) continue;
    auto u32 = [&](size_t o) {
      return uint32_t{d[o]} << 24 | uint32_t{d[o + 1]} << 16 | uint32_t{d[o + 2]} << 8 | d[o + 3];
    };
    auto u16 = [&](size_t o) { return static_cast<uint16_t>(d[o] << 8 | d[o + 1]); };
    std::pair<uint32_t, uint16_t> a{u32(12), u16(ihl)}, b{u32(16), u16(ihl + 2)};
    if (b < a) std::swap(a, b);
    flows.insert({proto, a.first, a.second, b.first, b.second});
  }
  return flows;
}

}  // namespace internal

const std::vector<std::string>& Drill::Scenarios() {
  static const auto* kNames =
      new std::vector<std::string>{"grid", "split-view", "deadline", "pickup"};
  return *kNames;
}

Drill::Drill(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Drill::~Drill() = default;

absl::StatusOr<std::unique_ptr<Drill>> Drill::Start(const DrillOptions& options) {
  const auto& names = Scenarios();
  if (std::find(names.begin(), names.end(), options.scenario) == names.end()) {
    return absl::InvalidArgumentError(absl::StrCat("unknown scenario \"", options.scenario,
                                                   "\"; scenarios: ", absl::StrJoin(names, ", ")));
  }
  if (options.parties < 3 || options.parties > kMaxParties) {
    return absl::InvalidArgumentError(
        absl::StrCat("--parties must be 3 to ", kMaxParties, " (the scenarios need A, B and C)"));
  }
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  if (options.dir.empty()) {
    auto fresh = store::MakeFreshTempFolder("accord-drill");
    if (!fresh.ok()) return fresh.status();
    impl->dir = *std::move(fresh);
    impl->made_dir = true;
  } else {
    impl->dir = options.dir;
    if (fs::exists(impl->dir) && !fs::is_empty(impl->dir)) {
      return absl::AlreadyExistsError(
          absl::StrCat(impl->dir.string(), " is not empty: the drill needs a fresh folder"));
    }
  }
  if (auto s = store::MakeDirsDurably(impl->dir); !s.ok()) return s;
  if (auto s = impl->Setup(); !s.ok()) return s;
  return std::unique_ptr<Drill>(new Drill(std::move(impl)));
}

json Drill::Play() {
  json report;
  if (impl_->options.scenario == "split-view") {
    report = impl_->PlaySplitView();
  } else if (impl_->options.scenario == "deadline") {
    report = impl_->PlayDeadline();
  } else if (impl_->options.scenario == "pickup") {
    report = impl_->PlayPickup();
  } else {
    report = impl_->PlayGrid();
  }
  json parties = json::array();
  for (auto& p : impl_->parties) {
    if (!p.server) continue;
    const std::string cp = p.server->node().published_checkpoint();
    parties.push_back(
        {{"party", p.letter},
         {"name", p.name},
         {"origin", p.origin},
         {"url", p.url},
         {"size", p.server->node().log().size()},
         {"witnessed_by", federation::CosigningWitnesses(impl_->directory, p.origin, cp)}});
  }
  json timeline = json::array();
  for (const Event& e : impl_->timeline) {
    timeline.push_back({{"at_ms", absl::ToInt64Milliseconds(e.at)},
                        {"party", e.party},
                        {"what", e.what},
                        {"ok", e.ok}});
  }
  report["parties"] = std::move(parties);
  report["directory"] = (impl_->dir / "directory.json").string();
  report["timeline"] = std::move(timeline);
  return report;
}

std::vector<Drill::NodeInfo> Drill::Nodes() const {
  std::vector<NodeInfo> out;
  for (const auto& p : impl_->parties) {
    out.push_back({p.letter, p.name, p.origin, p.url, p.data.string()});
  }
  return out;
}

const fs::path& Drill::dir() const { return impl_->dir; }

node::NodeServer* Drill::Server(std::string_view letter) {
  for (auto& p : impl_->parties) {
    if (p.letter == letter) return p.server.get();
  }
  return nullptr;
}

absl::Status Drill::StopNode(std::string_view letter) {
  for (auto& p : impl_->parties) {
    if (p.letter != letter) continue;
    if (p.server) p.server->Stop();
    p.server.reset();
    impl_->Say(p.letter, "node stopped");
    return absl::OkStatus();
  }
  return absl::NotFoundError(absl::StrCat("no party ", std::string(letter)));
}

absl::Status Drill::RestartNode(std::string_view letter) {
  for (auto& p : impl_->parties) {
    if (p.letter != letter) continue;
    if (p.server) return absl::FailedPreconditionError("the node is running");
    if (auto s = impl_->StartNode(p, p.port, p.data, p.directory_file); !s.ok()) return s;
    impl_->Say(p.letter, absl::StrCat("node restarted at ", p.url));
    return absl::OkStatus();
  }
  return absl::NotFoundError(absl::StrCat("no party ", std::string(letter)));
}

}  // namespace accord::drill
