// The shared offence taxonomy (docs/taxonomy/offences.v1.json, compiled in): one code per
// criminalization article of the UN Convention against Cybercrime (A/RES/79/243, Art.
// 7-17) and of the Budapest Convention (ETS No. 185, Art. 2-10), with the article of the
// other instrument that covers the same conduct. Statements name offences by these codes
// ("offences" of incident, request and claim); Validator::Parse refuses any other code.
// docs/casework.md describes the taxonomy and its sources.
//
// Pure computation; thread-safe.
#ifndef ACCORD_STATEMENT_TAXONOMY_H_
#define ACCORD_STATEMENT_TAXONOMY_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace accord::statement {

// The treaty an offence article belongs to.
enum class Instrument {
  kUncc,      // UN Convention against Cybercrime (2024), code prefix "uncc:"
  kBudapest,  // Council of Europe Convention on Cybercrime (2001), code prefix "budapest:"
};
std::string_view InstrumentName(Instrument instrument);  // "uncc", "budapest"

struct Offence {
  std::string code;  // "budapest:art5-system-interference"
  Instrument instrument;
  int article = 0;          // the article's number in its instrument
  std::string title;        // the article's title
  std::string description;  // a short paraphrase, not the treaty text
  // Codes of the other instrument's articles that cover the same conduct. The relation
  // is symmetric: a lists b iff b lists a.
  std::vector<std::string> equivalents;
  // Whether number and title were checked against a copy of the text (docs/casework.md).
  bool verified = false;
};

class Taxonomy {
 public:
  // Parses a taxonomy document (the format of docs/taxonomy/offences.v1.json) and checks
  // it: every code unique, matching "<instrument>:art<article>-…"; every equivalent a
  // code of the other instrument that lists this one back. InvalidArgument naming the
  // offending entry otherwise.
  static absl::StatusOr<Taxonomy> Parse(std::string_view json);

  int version() const { return version_; }
  const std::vector<Offence>& offences() const { return offences_; }
  // The entry for `code`, or nullptr if the taxonomy has none.
  const Offence* Find(std::string_view code) const;
  // The entries equivalent to `code` (empty if none or if `code` is unknown).
  std::vector<const Offence*> Equivalents(std::string_view code) const;
  // True iff `a` and `b` are known codes naming the same conduct: equal or equivalent.
  bool SameConduct(std::string_view a, std::string_view b) const;

 private:
  int version_ = 0;
  std::vector<Offence> offences_;  // in document order
};

// The compiled-in taxonomy, parsed on first use. Aborts with a message if it does not
// parse (a build defect: taxonomy_test checks it).
const Taxonomy& OffenceTaxonomy();

}  // namespace accord::statement

#endif  // ACCORD_STATEMENT_TAXONOMY_H_
