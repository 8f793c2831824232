// A small metrics registry: counters, gauges and histograms, optionally with labels,
// rendered in the Prometheus text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format).
//
// Hot path: Counter::Increment, Gauge::Set/Add and Histogram::Observe are lock-free
// atomics. Family::WithLabels takes a reader lock and a map lookup (a writer lock the
// first time a label set is seen); callers on hot paths keep the returned reference,
// which stays valid as long as the Registry. Label values are arbitrary strings; keep
// their number bounded (never label by client-supplied values).
//
// Rendering reads each series' atomics without a global snapshot, so a scrape racing
// with updates may see a histogram's _sum from a moment before its buckets. Buckets are
// rendered cumulatively and _count is always equal to the "+Inf" bucket.
//
// Names: metric names match [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*
// and do not start with "__"; "le" is reserved. Registering an invalid name, or a name
// already registered with a different type, help or label names, is a programmer error
// and aborts; registering an identical family again returns the existing one.
#ifndef ACCORD_HTTP_METRICS_H_
#define ACCORD_HTTP_METRICS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace accord::http {

inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

// A monotonically increasing count. Thread-safe, lock-free.
class Counter {
 public:
  void Increment(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down. Thread-safe, lock-free.
class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double v) { value_.fetch_add(v, std::memory_order_relaxed); }
  void Sub(double v) { value_.fetch_sub(v, std::memory_order_relaxed); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Counts observations into buckets with fixed upper bounds. Thread-safe, lock-free.
class Histogram {
 public:
  // REQUIRES: `bounds` strictly increasing and finite ("+Inf" is implicit).
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);

  const std::vector<double>& bounds() const { return bounds_; }
  // Observations in each bucket, NOT cumulative; bounds().size() + 1 entries (the last
  // is above every bound).
  std::vector<uint64_t> BucketCounts() const;
  double Sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  const std::vector<double> bounds_;
  const std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<double> sum_{0};
};

// Default latency buckets in seconds (as Prometheus' client libraries use), from 0.5 ms
// to 10 s.
std::vector<double> LatencyBuckets();
// `count` bounds start, start*factor, start*factor², …
std::vector<double> ExponentialBuckets(double start, double factor, int count);

// A metric name with one series per distinct label-value tuple. Thread-safe.
template <typename T>
class Family {
 public:
  // Made by Registry; use Registry::Add*Family.
  Family(std::vector<std::string> label_names, std::vector<double> bounds)
      : label_names_(std::move(label_names)), bounds_(std::move(bounds)) {}

  // The series for `values`, created on first use (a Histogram with the family's
  // bounds). REQUIRES: values.size() == the number of label names (aborts otherwise).
  T& WithLabels(const std::vector<std::string>& values);
  T& WithLabels(std::initializer_list<std::string_view> values);

 private:
  friend class Registry;
  T& Get(std::vector<std::string> values);

  const std::vector<std::string> label_names_;
  const std::vector<double> bounds_;  // histograms only
  mutable absl::Mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<T>> series_ ABSL_GUARDED_BY(mu_);
};

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Families; references stay valid for the registry's lifetime. Thread-safe.
  Family<Counter>& AddCounterFamily(std::string_view name, std::string_view help,
                                    std::vector<std::string> label_names);
  Family<Gauge>& AddGaugeFamily(std::string_view name, std::string_view help,
                                std::vector<std::string> label_names);
  Family<Histogram>& AddHistogramFamily(std::string_view name, std::string_view help,
                                        std::vector<std::string> label_names,
                                        const std::vector<double>& bounds = LatencyBuckets());
  // Unlabelled shortcuts: a family with no labels and its single series.
  Counter& AddCounter(std::string_view name, std::string_view help);
  Gauge& AddGauge(std::string_view name, std::string_view help);
  Histogram& AddHistogram(std::string_view name, std::string_view help,
                          const std::vector<double>& bounds = LatencyBuckets());
  // A gauge read at each scrape (log size, queue depth). `read` runs during Render, on
  // the scraping thread, and must be thread-safe and quick.
  void AddGaugeCallback(std::string_view name, std::string_view help, std::function<double()> read);

  // The exposition text: families in registration order, each with "# HELP" and
  // "# TYPE" lines, then its series ordered by label values. A labelled family with no
  // series yet renders only its HELP and TYPE lines. Thread-safe.
  std::string Render() const;

 private:
  struct Entry;
  Entry& Register(std::string_view name, std::string_view help, int type,
                  std::vector<std::string> label_names, const std::vector<double>& bounds);
  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<Entry>> entries_ ABSL_GUARDED_BY(mu_);
};

// Formats a sample value as Prometheus does: integers without a fraction, others with
// the shortest round-tripping decimal form, "+Inf", "-Inf", "NaN".
std::string FormatMetricValue(double v);
// Escapes a label value: backslash, double quote and newline (\\, \", \n).
std::string EscapeLabelValue(std::string_view v);

}  // namespace accord::http

#endif  // ACCORD_HTTP_METRICS_H_
