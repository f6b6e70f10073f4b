#include "leakgate/prometheus.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "leakgate/accounted.h"
#include "leakgate/process_probe.h"

namespace leakgate {
namespace {

TEST(Prometheus, RenderedRegistryParsesBack) {
  ResourceKind& k = kind("prom_test.http-sessions");
  Accounted a(k), b(k);
  { Accounted c(k); }
  ProcessSample sample;
  sample.fds = 12;
  sample.rss_bytes = 4096;
  sample.threads = 3;
  sample.fds_by_type = FdCounts{12, 2, 1, 8, 1, 0};
  int bad = -1;
  const auto metrics = parse_prometheus(render_prometheus(&sample), &bad);
  EXPECT_EQ(bad, 0);
  EXPECT_EQ(metrics.at("leakgate_prom_test_http_sessions_live"), 2);
  EXPECT_EQ(metrics.at("leakgate_prom_test_http_sessions_created_total"), 3);
  EXPECT_EQ(metrics.at("leakgate_prom_test_http_sessions_peak"), 3);
  EXPECT_EQ(metrics.at("process_open_fds"), 12);
  EXPECT_EQ(metrics.at("process_resident_memory_bytes"), 4096);
  EXPECT_EQ(metrics.at("process_threads"), 3);
  EXPECT_EQ(metrics.at("leakgate_process_fds{type=\"socket\"}"), 2);
}

TEST(Prometheus, ParsesLabelsSpecialValuesAndTimestamps) {
  const auto m = parse_prometheus(
      "# HELP x help\n"
      "# TYPE x gauge\n"
      "x 1\n"
      "y{a=\"b\",c=\"d \\\"}\\\" e\"} -2.5e3 1700000000000\n"
      "z +Inf\n"
      "w NaN\n"
      "v -Inf\n"
      "\n"
      "   indented 7\r\n");
  EXPECT_EQ(m.at("x"), 1);
  EXPECT_EQ(m.at("y{a=\"b\",c=\"d \\\"}\\\" e\"}"), -2500);
  EXPECT_TRUE(std::isinf(m.at("z")) && m.at("z") > 0);
  EXPECT_TRUE(std::isnan(m.at("w")));
  EXPECT_TRUE(std::isinf(m.at("v")) && m.at("v") < 0);
  EXPECT_EQ(m.at("indented"), 7);
}

TEST(Prometheus, MalformedLinesAreCountedNotFatal) {
  int bad = 0;
  const auto m = parse_prometheus(
      "good 1\n"
      "9bad 1\n"
      "noval\n"
      "open{a=\"b\" 1\n"
      "two 1 2 3\n"
      "word abc\n"
      "x{a=\"b\"}1\n"
      "sign +-1\n",
      &bad);
  EXPECT_EQ(m.size(), 1u);
  EXPECT_EQ(bad, 7);
}

TEST(Prometheus, RandomBytesNeverCrash) {
  std::mt19937 rng(42);
  const std::string alphabet = "ab{}\"\\=, \t\n#+-.0123456789eE_:xInfNa";
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    const int len = static_cast<int>(rng() % 200);
    for (int i = 0; i < len; ++i) {
      text += (rng() % 8 == 0) ? static_cast<char>(rng() % 256) : alphabet[rng() % alphabet.size()];
    }
    int bad = 0;
    parse_prometheus(text, &bad);
    EXPECT_GE(bad, 0);
  }
}

}  // namespace
}  // namespace leakgate
