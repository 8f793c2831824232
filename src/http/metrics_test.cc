#include "src/http/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>

namespace accord::http {
namespace {

TEST(HttpMetrics, RendersExpositionFormatExactly) {
  Registry r;
  Counter& submitted = r.AddCounter("accord_submissions_total", "Statements submitted.");
  auto& errors = r.AddCounterFamily("accord_errors_total", "Errors by kind.", {"kind"});
  Gauge& size = r.AddGauge("accord_log_size", "Entries in the log.");
  auto& latency = r.AddHistogramFamily("accord_integration_seconds",
                                       "Batch integration latency.\nSecond line \\ here.",
                                       {"log", "phase"}, {0.005, 0.1, 1});
  r.AddGaugeCallback("accord_queue_depth", "Queued submissions.", [] { return 3.0; });
  r.AddCounterFamily("accord_unused_total", "Never incremented.", {"x"});

  submitted.Increment();
  submitted.Increment(41);
  errors.WithLabels({"schema"}).Increment(2);
  errors.WithLabels({"bad \"sig\"\\\n"}).Increment();
  size.Set(1234);
  Histogram& h = latency.WithLabels({"a.example/log", "fsync"});
  h.Observe(0.001);
  h.Observe(0.005);  // le is inclusive
  h.Observe(0.5);
  h.Observe(7);

  EXPECT_EQ(
      r.Render(),
      "# HELP accord_submissions_total Statements submitted.\n"
      "# TYPE accord_submissions_total counter\n"
      "accord_submissions_total 42\n"
      "# HELP accord_errors_total Errors by kind.\n"
      "# TYPE accord_errors_total counter\n"
      "accord_errors_total{kind=\"bad \\\"sig\\\"\\\\\\n\"} 1\n"
      "accord_errors_total{kind=\"schema\"} 2\n"
      "# HELP accord_log_size Entries in the log.\n"
      "# TYPE accord_log_size gauge\n"
      "accord_log_size 1234\n"
      "# HELP accord_integration_seconds Batch integration latency.\\nSecond line \\\\ "
      "here.\n"
      "# TYPE accord_integration_seconds histogram\n"
      "accord_integration_seconds_bucket{log=\"a.example/log\",phase=\"fsync\",le=\"0.005\"}"
      " 2\n"
      "accord_integration_seconds_bucket{log=\"a.example/log\",phase=\"fsync\",le=\"0.1\"} 2\n"
      "accord_integration_seconds_bucket{log=\"a.example/log\",phase=\"fsync\",le=\"1\"} 3\n"
      "accord_integration_seconds_bucket{log=\"a.example/log\",phase=\"fsync\",le=\"+Inf\"}"
      " 4\n"
      "accord_integration_seconds_sum{log=\"a.example/log\",phase=\"fsync\"} 7.506\n"
      "accord_integration_seconds_count{log=\"a.example/log\",phase=\"fsync\"} 4\n"
      "# HELP accord_queue_depth Queued submissions.\n"
      "# TYPE accord_queue_depth gauge\n"
      "accord_queue_depth 3\n"
      "# HELP accord_unused_total Never incremented.\n"
      "# TYPE accord_unused_total counter\n");
}

TEST(HttpMetrics, UnlabelledHistogram) {
  Registry r;
  Histogram& h = r.AddHistogram("lat_seconds", "Latency.", {1, 2});
  h.Observe(1.5);
  EXPECT_EQ(r.Render(),
            "# HELP lat_seconds Latency.\n"
            "# TYPE lat_seconds histogram\n"
            "lat_seconds_bucket{le=\"1\"} 0\n"
            "lat_seconds_bucket{le=\"2\"} 1\n"
            "lat_seconds_bucket{le=\"+Inf\"} 1\n"
            "lat_seconds_sum 1.5\n"
            "lat_seconds_count 1\n");
}

TEST(HttpMetrics, FormatsValues) {
  EXPECT_EQ(FormatMetricValue(0), "0");
  EXPECT_EQ(FormatMetricValue(-3), "-3");
  EXPECT_EQ(FormatMetricValue(0.25), "0.25");
  EXPECT_EQ(FormatMetricValue(0.1), "0.1");
  EXPECT_EQ(FormatMetricValue(1e20), "1e+20");
  EXPECT_EQ(FormatMetricValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatMetricValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatMetricValue(std::nan("")), "NaN");
  EXPECT_EQ(EscapeLabelValue("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
}

TEST(HttpMetrics, ReRegisteringIdenticalFamilyReturnsIt) {
  Registry r;
  auto& a = r.AddCounterFamily("x_total", "X.", {"k"});
  auto& b = r.AddCounterFamily("x_total", "X.", {"k"});
  EXPECT_EQ(&a, &b);
  EXPECT_EQ(&a.WithLabels({"v"}), &b.WithLabels(std::vector<std::string>{"v"}));
}

TEST(HttpMetricsDeathTest, RejectsInvalidRegistrations) {
  EXPECT_DEATH(Registry().AddCounter("1bad", "x"), "invalid metric name");
  EXPECT_DEATH(Registry().AddCounter("bad-name", "x"), "invalid metric name");
  EXPECT_DEATH(Registry().AddCounterFamily("ok", "x", {"__reserved"}), "invalid label name");
  EXPECT_DEATH(Registry().AddHistogramFamily("ok", "x", {"le"}), "invalid label name");
  EXPECT_DEATH(Registry().AddHistogram("ok", "x", {2, 1}), "strictly increasing");
  EXPECT_DEATH(
      {
        Registry r;
        r.AddCounter("dup", "x");
        r.AddGauge("dup", "x");
      },
      "registered twice");
  EXPECT_DEATH(Registry().AddCounterFamily("ok", "x", {"a"}).WithLabels({"1", "2"}),
               "wrong number of label values");
}

TEST(HttpMetrics, ConcurrentUpdatesAreCounted) {
  Registry r;
  auto& family = r.AddCounterFamily("c_total", "C.", {"t"});
  Histogram& h = r.AddHistogram("h", "H.", {0.5});
  Gauge& g = r.AddGauge("g", "G.");
  constexpr int kThreads = 4, kIters = 10000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kIters; ++i) {
        family.WithLabels({std::to_string(i % 3)}).Increment();
        h.Observe(t % 2 == 0 ? 0.25 : 1.0);
        g.Add(1);
        if (i % 1000 == 0) r.Render();  // scrapes race with updates
      }
    });
  }
  for (auto& t : threads) t.join();
  uint64_t total = 0;
  for (int k = 0; k < 3; ++k) total += family.WithLabels({std::to_string(k)}).Value();
  EXPECT_EQ(total, uint64_t{kThreads} * kIters);
  EXPECT_EQ(h.BucketCounts(), (std::vector<uint64_t>{2 * kIters, 2 * kIters}));
  EXPECT_DOUBLE_EQ(h.Sum(), 2 * kIters * 0.25 + 2 * kIters * 1.0);
  EXPECT_DOUBLE_EQ(g.Value(), kThreads * kIters);
}

TEST(HttpMetrics, BucketHelpers) {
  EXPECT_EQ(ExponentialBuckets(1, 2, 4), (std::vector<double>{1, 2, 4, 8}));
  const auto latency = LatencyBuckets();
  EXPECT_TRUE(std::is_sorted(latency.begin(), latency.end()));
}

}  // namespace
}  // namespace accord::http
