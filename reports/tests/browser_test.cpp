// Rendered pages in headless Chromium: no console errors (script errors, CSP violations
// from anything trying to load over the network), and the index script runs.
// Skipped when /usr/bin/chromium is not installed (scripts/setup --browser installs it).
#include <gtest/gtest.h>

#include <cstdio>
#include <sstream>

#include "leakgate/reports/atomic_file.h"
#include "leakgate/reports/publish.h"
#include "test_support.h"

namespace leakgate::reports::testing {
namespace {

constexpr const char* kChromium = "/usr/bin/chromium";

struct BrowserOutput {
  std::string dom;
  std::string log;
};

BrowserOutput dump_dom(const std::filesystem::path& page, const std::filesystem::path& scratch) {
  const auto log = scratch / "chromium.log";
  const auto profile = scratch / "profile";
  std::filesystem::create_directories(profile);
  const std::string command =
      std::string(kChromium) +
      " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
      " --disable-background-networking --disable-component-update --disable-sync"
      " --user-data-dir='" +
      profile.string() +
      "' --enable-logging=stderr --v=0"
      " --dump-dom 'file://" +
      page.string() + "' 2>'" + log.string() + "'";
  BrowserOutput output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return output;
  char buffer[65536];
  for (std::size_t got; (got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;)
    output.dom.append(buffer, got);
  ::pclose(pipe);
  output.log = read_text_file(log);
  return output;
}

// Console messages Chromium logs as "INFO:CONSOLE:<line>]" lines, and uncaught exceptions.
std::vector<std::string> console_errors(const std::string& log) {
  std::vector<std::string> errors;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(":CONSOLE") != std::string::npos || line.find("Uncaught") != std::string::npos ||
        line.find("Content Security Policy") != std::string::npos) {
      errors.push_back(line);
    }
  }
  return errors;
}

class Browser : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kChromium)) {
      GTEST_SKIP() << kChromium << " is not installed; `scripts/setup --browser` installs the "
                   << "Debian package chromium";
    }
    publish_test_result(directory_.path(), load_fixture("failing-engines-leak"), {"run-1", {}});
    publish_test_result(directory_.path(), load_fixture("passing-issue-crud"), {"run-1", {}});
  }
  TemporaryDirectory directory_;
};

TEST_F(Browser, TestPageRendersWithoutConsoleErrors) {
  const auto output = dump_dom(directory_.path() / "leak.sync-loop/index.html", directory_.path());
  ASSERT_NE(output.dom.find("leak.sync-loop"), std::string::npos) << output.log;
  EXPECT_NE(output.dom.find("<svg class=\"chart\""), std::string::npos);
  for (const auto& error : console_errors(output.log)) ADD_FAILURE() << error;
}

TEST_F(Browser, IndexScriptRunsWithoutConsoleErrors) {
  const auto output = dump_dom(directory_.path() / "index.html", directory_.path());
  ASSERT_NE(output.dom.find("leak.issue-crud"), std::string::npos) << output.log;
  EXPECT_NE(output.dom.find("<html lang=\"en\" class=\"js\">"), std::string::npos)
      << "the index script did not run";
  EXPECT_NE(output.dom.find("2 of 2 shown"), std::string::npos);
  for (const auto& error : console_errors(output.log)) ADD_FAILURE() << error;
}

}  // namespace
}  // namespace leakgate::reports::testing
