#include "src/http/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace accord::http {
namespace {

enum Type { kCounter, kGauge, kHistogram, kGaugeCallback };
constexpr const char* kTypeNames[] = {"counter", "gauge", "histogram", "gauge"};

[[noreturn]] void Die(std::string_view what, std::string_view name) {
  std::fprintf(stderr, "http::Registry: %.*s: \"%.*s\"\n", static_cast<int>(what.size()),
               what.data(), static_cast<int>(name.size()), name.data());
  std::abort();
}

bool IsNameChar(char c, bool first, bool colon_ok) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return true;
  if (colon_ok && c == ':') return true;
  return !first && c >= '0' && c <= '9';
}

bool ValidName(std::string_view name, bool colon_ok) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!IsNameChar(name[i], i == 0, colon_ok)) return false;
  }
  return true;
}

std::string EscapeHelp(std::string_view help) {
  std::string out;
  for (const char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// `{a="x",b="y"` without the closing brace (so "le" can be appended), or "" if there
// are no labels and no extra label.
std::string LabelText(const std::vector<std::string>& names, const std::vector<std::string>& values,
                      std::string_view extra_name = {}, std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    absl::StrAppend(&out, names[i], "=\"", EscapeLabelValue(values[i]), "\"");
  }
  if (!extra_name.empty()) {
    if (!names.empty()) out += ',';
    absl::StrAppend(&out, std::string(extra_name), "=\"", std::string(extra_value), "\"");
  }
  out += '}';
  return out;
}

}  // namespace

std::string FormatMetricValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::trunc(v) && std::fabs(v) < 9007199254740992.0) {
    return std::to_string(static_cast<int64_t>(v));
  }
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

std::string EscapeLabelValue(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (const char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// Histogram

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      counts_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {
  for (size_t i = 0; i < bounds_.size(); ++i) {
    if (!std::isfinite(bounds_[i]) || (i > 0 && bounds_[i] <= bounds_[i - 1])) {
      Die("histogram bounds must be finite and strictly increasing", "");
    }
  }
}

void Histogram::Observe(double v) {
  const size_t i = std::isnan(v)
                       ? bounds_.size()
                       : static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) -
                                             bounds_.begin());
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::BucketCounts() const {
  std::vector<uint64_t> out(bounds_.size() + 1);
  for (size_t i = 0; i < out.size(); ++i) out[i] = counts_[i].load(std::memory_order_relaxed);
  return out;
}

std::vector<double> LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  std::vector<double> out;
  double b = start;
  for (int i = 0; i < count; ++i, b *= factor) out.push_back(b);
  return out;
}

// Family

template <typename T>
T& Family<T>::Get(std::vector<std::string> values) {
  if (values.size() != label_names_.size()) Die("wrong number of label values", "");
  {
    absl::ReaderMutexLock lock(&mu_);
    const auto it = series_.find(values);
    if (it != series_.end()) return *it->second;
  }
  absl::MutexLock lock(&mu_);
  std::unique_ptr<T>& slot = series_[std::move(values)];
  if (slot == nullptr) {
    if constexpr (std::is_same_v<T, Histogram>) {
      slot = std::make_unique<Histogram>(bounds_);
    } else {
      slot = std::make_unique<T>();
    }
  }
  return *slot;
}

template <typename T>
T& Family<T>::WithLabels(const std::vector<std::string>& values) {
  return Get(values);
}

template <typename T>
T& Family<T>::WithLabels(std::initializer_list<std::string_view> values) {
  std::vector<std::string> v;
  v.reserve(values.size());
  for (const std::string_view s : values) v.emplace_back(s);
  return Get(std::move(v));
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

// Registry

struct Registry::Entry {
  std::string name, help;
  int type;
  std::vector<std::string> label_names;
  std::vector<double> bounds;
  std::unique_ptr<Family<Counter>> counters;
  std::unique_ptr<Family<Gauge>> gauges;
  std::unique_ptr<Family<Histogram>> histograms;
  std::function<double()> read;
};

Registry::Registry() = default;
Registry::~Registry() = default;

Registry::Entry& Registry::Register(std::string_view name, std::string_view help, int type,
                                    std::vector<std::string> label_names,
                                    const std::vector<double>& bounds) {
  if (!ValidName(name, /*colon_ok=*/true)) Die("invalid metric name", name);
  for (const std::string& l : label_names) {
    if (!ValidName(l, false) || l.starts_with("__") || (type == kHistogram && l == "le")) {
      Die("invalid label name", l);
    }
  }
  absl::MutexLock lock(&mu_);
  for (const auto& e : entries_) {
    if (e->name != name) continue;
    if (e->type != type || e->help != help || e->label_names != label_names ||
        e->bounds != bounds || type == kGaugeCallback) {
      Die("metric registered twice with different definitions", name);
    }
    return *e;
  }
  auto e = std::make_unique<Entry>();
  e->name = std::string(name);
  e->help = std::string(help);
  e->type = type;
  e->label_names = label_names;
  e->bounds = bounds;
  switch (type) {
    case kCounter:
      e->counters = std::make_unique<Family<Counter>>(std::move(label_names), bounds);
      break;
    case kGauge:
      e->gauges = std::make_unique<Family<Gauge>>(std::move(label_names), bounds);
      break;
    case kHistogram:
      e->histograms = std::make_unique<Family<Histogram>>(std::move(label_names), bounds);
      break;
    default:
      break;
  }
  entries_.push_back(std::move(e));
  return *entries_.back();
}

Family<Counter>& Registry::AddCounterFamily(std::string_view name, std::string_view help,
                                            std::vector<std::string> label_names) {
  return *Register(name, help, kCounter, std::move(label_names), {}).counters;
}

Family<Gauge>& Registry::AddGaugeFamily(std::string_view name, std::string_view help,
                                        std::vector<std::string> label_names) {
  return *Register(name, help, kGauge, std::move(label_names), {}).gauges;
}

Family<Histogram>& Registry::AddHistogramFamily(std::string_view name, std::string_view help,
                                                std::vector<std::string> label_names,
                                                const std::vector<double>& bounds) {
  Histogram check(bounds);  // aborts on bad bounds before anything is registered
  return *Register(name, help, kHistogram, std::move(label_names), bounds).histograms;
}

Counter& Registry::AddCounter(std::string_view name, std::string_view help) {
  return AddCounterFamily(name, help, {}).WithLabels(std::vector<std::string>{});
}

Gauge& Registry::AddGauge(std::string_view name, std::string_view help) {
  return AddGaugeFamily(name, help, {}).WithLabels(std::vector<std::string>{});
}

Histogram& Registry::AddHistogram(std::string_view name, std::string_view help,
                                  const std::vector<double>& bounds) {
  return AddHistogramFamily(name, help, {}, bounds).WithLabels(std::vector<std::string>{});
}

void Registry::AddGaugeCallback(std::string_view name, std::string_view help,
                                std::function<double()> read) {
  Register(name, help, kGaugeCallback, {}, {}).read = std::move(read);
}

std::string Registry::Render() const {
  std::string out;
  absl::ReaderMutexLock lock(&mu_);
  for (const auto& e : entries_) {
    absl::StrAppend(&out, "# HELP ", e->name, " ", EscapeHelp(e->help), "\n# TYPE ", e->name, " ",
                    kTypeNames[e->type], "\n");
    if (e->type == kGaugeCallback) {
      absl::StrAppend(&out, e->name, " ", FormatMetricValue(e->read ? e->read() : 0), "\n");
    } else if (e->type == kCounter) {
      absl::ReaderMutexLock l(&e->counters->mu_);
      for (const auto& [values, c] : e->counters->series_) {
        absl::StrAppend(&out, e->name, LabelText(e->label_names, values), " ", c->Value(), "\n");
      }
    } else if (e->type == kGauge) {
      absl::ReaderMutexLock l(&e->gauges->mu_);
      for (const auto& [values, g] : e->gauges->series_) {
        absl::StrAppend(&out, e->name, LabelText(e->label_names, values), " ",
                        FormatMetricValue(g->Value()), "\n");
      }
    } else {
      absl::ReaderMutexLock l(&e->histograms->mu_);
      for (const auto& [values, h] : e->histograms->series_) {
        const std::vector<uint64_t> counts = h->BucketCounts();
        uint64_t cumulative = 0;
        for (size_t i = 0; i < counts.size(); ++i) {
          cumulative += counts[i];
          const std::string le =
              i < e->bounds.size() ? FormatMetricValue(e->bounds[i]) : std::string("+Inf");
          absl::StrAppend(&out, e->name, "_bucket", LabelText(e->label_names, values, "le", le),
                          " ", cumulative, "\n");
        }
        const std::string labels = LabelText(e->label_names, values);
        absl::StrAppend(&out, e->name, "_sum", labels, " ", FormatMetricValue(h->Sum()), "\n",
                        e->name, "_count", labels, " ", cumulative, "\n");
      }
    }
  }
  return out;
}

}  // namespace accord::http
