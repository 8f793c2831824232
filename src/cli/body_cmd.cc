// `accord body put`, `accord body fetch`: confidential bodies (docs/casework-bodies.md)
// by hand, as the drill's parties use them: the issuer seals a body to each addressee and
// stores the copies on its own node before it publishes the statement carrying the
// commitment; an addressee fetches its copy from the issuer's node (the node records the
// access in its log first), opens it and checks it against the commitment.
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <utility>

#include "absl/strings/str_cat.h"
#include "src/casework/body_client.h"
#include "src/casework/confidential.h"
#include "src/cli/cli.h"
#include "src/federation/directory.h"
#include "src/party/keys.h"
#include "src/store/durable_file.h"
#include "src/util/strings.h"

namespace accord::cli {
namespace {
using nlohmann::json;
namespace fs = std::filesystem;

// The private key text of `key_file` (signed-note format), checked.
absl::StatusOr<std::string> PrivateKeyText(const std::string& key_file) {
  auto text = store::ReadWholeFile(key_file);
  if (!text.ok()) return text.status();
  std::string skey(util::StripWhitespace(*text));
  if (auto signer = LoadSigner(key_file); !signer.ok()) return signer.status();
  return skey;
}

void AddBodyPut(CLI::App& body) {
  auto* cmd = body.add_subcommand(
      "put",
      "Seal a confidential body (a JSON object in FILE) to each addressee's box key from the\n"
      "directory and store the copies on this party's node. Prints the commitment: put\n"
      "\"private\": {\"sha256\": COMMITMENT} in the statement that carries it, addressed to\n"
      "the same parties, and submit it.");
  struct Args {
    std::string node, key, directory, file;
    std::vector<std::string> to;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--node", a->node, "This party's node URL")->required();
  cmd->add_option("--key", a->key, "This party's key file (signs the request)")->required();
  cmd->add_option("--directory", a->directory, "The party directory (addressees' box keys)")
      ->required();
  cmd->add_option("--to", a->to, "An addressee's log origin (repeat for several)")->required();
  cmd->add_option("FILE", a->file, "The body: a JSON object ('-' for standard input)")->required();
  SetAction(cmd, [a]() -> absl::Status {
    auto text =
        a->file == "-"
            ? absl::StatusOr<std::string>(std::string(std::istreambuf_iterator<char>(std::cin), {}))
            : store::ReadWholeFile(a->file);
    if (!text.ok()) return text.status();
    const json content = json::parse(*text, nullptr, false);
    if (!content.is_object()) {
      return absl::InvalidArgumentError(absl::StrCat(a->file, ": not a JSON object"));
    }
    auto directory = federation::LoadDirectory(a->directory);
    if (!directory.ok()) return directory.status();
    std::vector<std::pair<std::string, casework::BoxPublicKey>> addressees;
    for (const std::string& origin : a->to) {
      const federation::Party* party = directory->FindByOrigin(origin);
      if (party == nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat("\"", origin, "\" is not a party of ", a->directory));
      }
      auto box = casework::ParseBoxPublicKey(party->box_key);
      if (!box.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(origin, " has no usable box_key in ",
                                                       a->directory, ": ", box.status().message()));
      }
      addressees.emplace_back(origin, *box);
    }
    auto skey = PrivateKeyText(a->key);
    if (!skey.ok()) return skey.status();
    auto made = casework::MakeBody(content);
    if (!made.ok()) return made.status();
    if (auto s = casework::PutBody(a->node, *skey, *made, addressees); !s.ok()) return s;
    std::printf("%s\n", json{{"commitment", made->commitment},
                             {"stored_for", a->to},
                             {"private", {{"sha256", made->commitment}}}}
                            .dump(2)
                            .c_str());
    return absl::OkStatus();
  });
}

void AddBodyFetch(CLI::App& body) {
  auto* cmd = body.add_subcommand(
      "fetch",
      "Fetch this party's copy of a confidential body from the issuer's node, open it with\n"
      "this party's box key and check it against the commitment. The issuer's node records\n"
      "the access in its log before it answers. Prints the body and the statement that\n"
      "entitled the fetch.");
  struct Args {
    std::string node, key, box_key, commitment, out;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--node", a->node, "The issuer's node URL")->required();
  cmd->add_option("--key", a->key, "This party's key file (signs the request)")->required();
  cmd->add_option("--box-key", a->box_key, "This party's box key (DATA/box.key of its node)")
      ->required();
  cmd->add_option("COMMITMENT", a->commitment, "The statement's \"private\".\"sha256\"")
      ->required();
  cmd->add_option("--out", a->out, "Also write the verified plaintext bytes to this file");
  SetAction(cmd, [a]() -> absl::Status {
    std::error_code ec;
    if (!fs::is_regular_file(a->box_key, ec)) {
      return absl::NotFoundError(
          absl::StrCat(a->box_key, ": no box key there (a node keeps its own as DATA/box.key)"));
    }
    auto box = party::LoadOrCreateBoxKey(a->box_key, /*create=*/false);
    if (!box.ok()) return box.status();
    auto skey = PrivateKeyText(a->key);
    if (!skey.ok()) return skey.status();
    auto fetched = casework::FetchBody(a->node, *skey, *box, a->commitment);
    if (!fetched.ok()) return fetched.status();
    if (!a->out.empty()) {
      const store::FileWrite w[] = {{a->out, fetched->plaintext, 0600}};
      if (auto s = store::WriteFilesDurably(w); !s.ok()) return s;
    }
    std::printf("%s\n", json{{"commitment", a->commitment},
                             {"verified", true},
                             {"body", fetched->content.content},
                             {"statement", fetched->statement}}
                            .dump(2)
                            .c_str());
    return absl::OkStatus();
  });
}

}  // namespace

void AddBody(CLI::App& app) {
  auto* body = app.add_subcommand(
      "body", "Confidential bodies: seal and store one for a statement, or fetch and open one");
  body->require_subcommand(1);
  AddBodyPut(*body);
  AddBodyFetch(*body);
}

}  // namespace accord::cli
