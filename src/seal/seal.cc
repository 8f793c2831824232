// Seal: the capture's tree, the signed evidence statement, the sidecar.
#include "src/seal/seal.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "src/seal/sidecar.h"
#include "src/statement/statement.h"

namespace accord::seal {

absl::StatusOr<SealResult> Seal(const SealRequest& request, const note::Ed25519Signer& signer) {
  auto built = BuildPacketTree(request.capture_path, request.build);
  if (!built.ok()) return built.status();
  Custody custody = request.custody;
  if (custody.issuer.empty()) custody.issuer = std::string(signer.Name());
  if (custody.file_name.empty()) {
    custody.file_name = std::filesystem::path(request.capture_path).filename().string();
  }
  SealResult out;
  out.payload = EvidencePayload(*built, custody);
  auto statement = statement::Sign(statement::Kind::kEvidence, out.payload, signer);
  if (!statement.ok()) return statement.status();
  // Checked here, at collection, rather than when the node refuses it.
  auto validator = statement::Validator::Create();
  if (!validator.ok()) return validator.status();
  if (auto parsed = (*validator)->Parse(*statement); !parsed.ok()) {
    const std::optional<std::string> where = statement::ErrorPointer(parsed.status());
    return absl::InvalidArgumentError(absl::StrCat("the evidence statement would not validate",
                                                   where ? absl::StrCat(" at ", *where) : "", ": ",
                                                   parsed.status().message()));
  }
  out.statement = *std::move(statement);
  if (request.write_sidecar) {
    out.sidecar_path =
        request.sidecar_path.empty() ? SidecarPath(request.capture_path) : request.sidecar_path;
    if (absl::Status s = WriteSidecar(out.sidecar_path, built->tree); !s.ok()) {
      out.warnings.push_back(absl::StrCat(s.message(), "; disclosure will re-hash the capture"));
      out.sidecar_path.clear();
    }
  }
  out.built = *std::move(built);
  return out;
}

}  // namespace accord::seal
