// known_leaks: inline and in a shared file; every bad entry names its file, line and field.
#include <gtest/gtest.h>

#include "leakgate/scenario_parser.h"

namespace leakgate {
namespace {

const std::string kDir = LEAKGATE_SCENARIO_TEST_DIR "/known_leaks";

std::string scenario(const std::string& known_leaks) {
  return "name: k\ndaemon:\n  command: [d]\nsteps:\n  - sleep: 1ms\nknown_leaks:\n" + known_leaks;
}

std::string error_of(const std::string& text) {
  try {
    parse_scenario_text(text, "k.yaml");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "(no error)";
}

const std::string kEntry =
    "  - metric: daemon.rss\n"
    "    site: http GET /work\n"
    "    per_iter: 8KiB\n"
    "    reason: the cache fills up\n"
    "    issue: https://example.org/issues/3\n"
    "    expires: 2027-01-31\n";

TEST(KnownLeaksParser, InlineEntryFillsTheModel) {
  const Scenario s = parse_scenario_text(scenario(kEntry), "k.yaml");
  ASSERT_EQ(s.known_leaks.size(), 1u);
  const KnownLeak& leak = s.known_leaks[0];
  EXPECT_EQ(leak.metric, "daemon.rss");
  EXPECT_EQ(leak.site, "http GET /work");
  EXPECT_EQ(leak.per_iter, 8192);
  EXPECT_EQ(leak.reason, "the cache fills up");
  EXPECT_EQ(leak.issue, "https://example.org/issues/3");
  EXPECT_EQ(leak.expires, "2027-01-31");
  EXPECT_EQ(leak.where.str(), "k.yaml:7:5");
}

TEST(KnownLeaksParser, SharedFileRelativeToTheScenario) {
  const Scenario s = parse_scenario_file(kDir + "/uses-shared.yaml");
  ASSERT_EQ(s.known_leaks.size(), 1u);
  EXPECT_EQ(s.known_leaks[0].metric, "daemon.engines");
  EXPECT_EQ(s.known_leaks[0].site, "tracker::SyncLoop::tick");
  EXPECT_EQ(s.known_leaks[0].per_iter, 1);
  EXPECT_EQ(s.known_leaks[0].expires, "2027-02-28");
  EXPECT_EQ(s.known_leaks[0].where.str(), kDir + "/shared.yaml:3:5");
}

TEST(KnownLeaksParser, ErrorsNameFileLineAndField) {
  EXPECT_EQ(error_of(scenario("  - {metric: daemon.fds, site: step 1, per_iter: 1, reason: r, "
                              "issue: i, expires: 2027-13-01}\n")),
            "k.yaml:7:83: known_leaks[0].expires: '2027-13-01' is not a date; YYYY-MM-DD, e.g. "
            "2027-01-31 (the last day the known leak is allowed)");
  EXPECT_EQ(error_of(scenario("  - {metric: daemon.fds, site: step 1, per_iter: 1, reason: r, "
                              "issue: i}\n")),
            "k.yaml:7:5: known_leaks[0]: missing 'expires'; every known leak has metric, site, "
            "per_iter, reason, issue and expires");
  EXPECT_NE(error_of(scenario("  - {metric: daemon.fdz, site: s, per_iter: 1, reason: r, "
                              "issue: i, expires: 2027-01-01}\n"))
                .find("k.yaml:7:14: known_leaks[0].metric: unknown metric 'daemon.fdz' (did you "
                      "mean 'daemon.fds'?)"),
            std::string::npos);
  EXPECT_NE(error_of(scenario("  - {metric: daemon.rss, site: s, per_iter: 8KB, reason: r, "
                              "issue: i, expires: 2027-01-01}\n"))
                .find("k.yaml:7:45: known_leaks[0].per_iter: unknown size unit 'KB'"),
            std::string::npos);
  EXPECT_NE(error_of(scenario("  - {metric: daemon.fds, site: s, per_iter: 1, reason: r, "
                              "issue: i, expires: 2027-01-01, owner: me}\n"))
                .find("k.yaml:7:90: unknown key 'owner' in known_leaks[0]"),
            std::string::npos);
  EXPECT_NE(error_of(scenario("  - {metric: daemon.fds, site: \"\", per_iter: 1, reason: r, "
                              "issue: i, expires: 2027-01-01}\n"))
                .find("known_leaks[0].site: empty"),
            std::string::npos);
  EXPECT_NE(error_of("name: k\ndaemon:\n  command: [d]\nsteps:\n  - sleep: 1ms\n"
                     "known_leaks: no-such-file.yaml\n")
                .find("k.yaml:6:14: known_leaks: cannot open no-such-file.yaml: No such file"),
            std::string::npos);
}

TEST(KnownLeaksParser, ErrorsInASharedFileNameThatFile) {
  try {
    parse_scenario_file(kDir + "/uses-bad-date.yaml");
    FAIL() << "no error";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(std::string(e.what()).substr(0, (kDir + "/bad-date.yaml:6:12: ").size()),
              kDir + "/bad-date.yaml:6:12: ");
    EXPECT_NE(std::string(e.what()).find("known_leaks[0].expires: '2027-02-30' is not a date"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace leakgate
