// Good-path parsing: a complete scenario file fills every field of the model.
#include "leakgate/scenario_parser.h"

#include <gtest/gtest.h>

#include <csignal>
#include <set>

namespace leakgate {
namespace {

const std::string kComplete = LEAKGATE_SCENARIO_TEST_DIR "/good/complete.yaml";
// What the suite passes as --var (cmake/LeakgateScenarios.cmake, VARS TRACKERD=...).
const std::set<std::string> kCliVariables = {"TRACKERD"};

template <typename T>
const T& action(const Step& step) {
  return std::get<T>(step.action);
}

TEST(ScenarioParser, StopSignalAndCleanExitCodes) {
  const Scenario s =
      parse_scenario_file(LEAKGATE_SCENARIO_TEST_DIR "/good/stop.yaml", kCliVariables);
  EXPECT_EQ(s.daemon.stop_signal, SIGINT);
  EXPECT_EQ(s.daemon.clean_exit_codes, (std::vector<int>{0, 130}));
  const Scenario defaults = parse_scenario_file(kComplete, kCliVariables);
  EXPECT_EQ(defaults.daemon.stop_signal, SIGTERM);
  EXPECT_EQ(defaults.daemon.clean_exit_codes, std::vector<int>{0});
}

TEST(ScenarioParser, CompleteFileFillsTheModel) {
  const Scenario s = parse_scenario_file(kComplete, kCliVariables);
  EXPECT_EQ(s.file, kComplete);
  EXPECT_EQ(s.name, "issue-crud.full_1");
  EXPECT_EQ(s.description, "create, read, update and close issues through the client library");
  EXPECT_EQ(s.declared_kinds, std::vector<std::string>{"widgets"});

  const DaemonSpec& d = s.daemon;
  EXPECT_EQ(d.command, (std::vector<std::string>{"${TRACKERD}", "--db", "${WORKDIR}/tracker.db",
                                                 "--sync-interval", "20ms"}));
  EXPECT_EQ(d.ready, DaemonSpec::Ready::kHttp);
  EXPECT_EQ(d.ready_http_path, "/health");
  EXPECT_EQ(d.endpoint, "http://127.0.0.1:${PORT}");
  EXPECT_EQ(d.counters, DaemonSpec::Counters::kPrometheus);
  EXPECT_EQ(d.prometheus_path, "/internal/metrics");
  EXPECT_EQ(d.wrapper, (std::vector<std::string>{"valgrind", "--track-fds=yes"}));
  EXPECT_EQ(d.inject, (std::vector<std::string>{"leak_engine", "slow_sync"}));
  EXPECT_EQ(d.env.at("TRACKER_LOG"), "debug");
  EXPECT_EQ(d.env.at("TRACKER_DIR"), "${WORKDIR}");
  EXPECT_EQ(d.ready_timeout, Millis(5000));
  EXPECT_EQ(d.stop_timeout, Millis(1500));
  EXPECT_TRUE(d.preload);

  EXPECT_EQ(s.warmup, 3);
  EXPECT_EQ(s.iterations, 50);
  EXPECT_EQ(s.sample_hz, 100);
  EXPECT_EQ(s.settle.timeout, Millis(2000));
  EXPECT_EQ(s.settle.window, Millis(100));

  ASSERT_EQ(s.steps.size(), 12u);
  const auto& create = action<ClientStep>(s.steps[0]);
  EXPECT_EQ(create.op, "create_thing");
  EXPECT_EQ(create.args.at("title"), "leak ${ITER}");
  EXPECT_EQ(create.args.at("priority"), "2");
  EXPECT_EQ(create.save, "id");
  EXPECT_EQ(create.args.count("save"), 0u);
  EXPECT_EQ(s.steps[0].where.str(), kComplete + ":21:5");
  EXPECT_EQ(s.steps[0].describe(), "client create_thing");

  const auto& post = action<HttpStep>(s.steps[2]);
  EXPECT_EQ(post.method, "POST");
  EXPECT_EQ(post.path, "/issues/${id}/comments");
  EXPECT_EQ(post.headers.at("X-Test"), "${TEST}");
  EXPECT_EQ(post.body,
            R"({"count":3,"none":null,"ok":true,"tags":["a","1"],"text":"note $$5 for ${id}"})");
  EXPECT_EQ(post.expect, 201);
  EXPECT_EQ(post.save.at("comment"), "/id");
  EXPECT_EQ(s.steps[2].where.line, 23);
  const auto& get = action<HttpStep>(s.steps[3]);
  EXPECT_EQ(get.method, "GET");
  EXPECT_EQ(get.expect, 200);
  EXPECT_FALSE(get.body);
  EXPECT_EQ(s.steps[3].describe(), "http GET /comments/${comment}");

  const auto& exec = action<ExecStep>(s.steps[4]);
  EXPECT_EQ(exec.command, (std::vector<std::string>{"${TRACKERD}", "--version"}));
  EXPECT_EQ(exec.env.at("A"), "${ENDPOINT}");
  EXPECT_EQ(action<ExecStep>(s.steps[5]).command,
            (std::vector<std::string>{"/bin/true", "${comment}"}));
  EXPECT_EQ(action<SleepStep>(s.steps[6]).duration, Millis(30));
  EXPECT_EQ(s.steps[6].describe(), "sleep 30ms");
  EXPECT_EQ(action<SignalStep>(s.steps[7]).signal, SIGHUP);
  EXPECT_EQ(action<SignalStep>(s.steps[8]).signal, SIGUSR1);
  EXPECT_EQ(s.steps[8].describe(), "signal SIGUSR1");
  EXPECT_TRUE(std::holds_alternative<RestartStep>(s.steps[9].action));
  EXPECT_TRUE(std::holds_alternative<RestartStep>(s.steps[10].action));

  const auto& parallel = action<ParallelStep>(s.steps[11]);
  EXPECT_EQ(parallel.copies, 4);
  ASSERT_EQ(parallel.steps->size(), 2u);
  EXPECT_EQ(action<ClientStep>((*parallel.steps)[1]).args.at("note"), "${listed}");
  EXPECT_EQ((*parallel.steps)[0].where.line, 41);

  ASSERT_EQ(s.budgets.size(), 6u);
  EXPECT_EQ(s.budgets.at("client.sessions").peak, 1);
  EXPECT_EQ(s.budgets.at("client.sessions").growth, 0);
  EXPECT_FALSE(s.budgets.at("client.sessions").per_iter);
  EXPECT_EQ(s.budgets.at("daemon.engines").at_exit, 0);
  EXPECT_EQ(s.budgets.at("daemon.engines").where.str(), kComplete + ":45:3");
  EXPECT_EQ(s.budgets.at("daemon.rss").peak, 64.0 * 1024 * 1024);
  EXPECT_EQ(s.budgets.at("daemon.rss").per_iter, 8.0 * 1024);
  EXPECT_DOUBLE_EQ(*s.budgets.at("daemon.rss").regress, 0.10);
  EXPECT_EQ(s.budgets.at("daemon.heap").growth, kBudgetOff);
  EXPECT_EQ(s.budgets.at("daemon.widgets").growth, 2);
  EXPECT_EQ(s.expect_violations,
            (std::vector<std::string>{"daemon.engines.growth", "client.sessions",
                                      "daemon.widgets.at_exit"}));
}

TEST(ScenarioParser, DurationMakesASoak) {
  const Scenario s = parse_scenario_text(
      "name: soak\ndaemon: {command: [\"${TRACKERD}\"]}\nduration: 10m\nsteps: [sleep: 10ms]\n",
      "soak.yaml", kCliVariables);
  ASSERT_TRUE(s.duration);
  EXPECT_EQ(*s.duration, Millis(600000));
}

TEST(ScenarioParser, IterationsAutoWithItsLimits) {
  const std::string head =
      "name: sure\ndaemon: {command: [\"${TRACKERD}\"]}\nsteps: [sleep: 1ms]\n";
  const Scenario defaults =
      parse_scenario_text(head + "iterations: auto\n", "a.yaml", kCliVariables);
  EXPECT_TRUE(defaults.iterations_auto);
  EXPECT_EQ(defaults.max_iterations, 200);
  EXPECT_EQ(defaults.iterations, 200);  // the most it runs
  EXPECT_EQ(defaults.max_duration, Millis(120000));
  const Scenario set = parse_scenario_text(
      head + "iterations: auto\nmax_iterations: 30\nmax_duration: 5s\n", "a.yaml", kCliVariables);
  EXPECT_EQ(set.iterations, 30);
  EXPECT_EQ(set.max_duration, Millis(5000));
  EXPECT_FALSE(parse_scenario_text(head, "a.yaml", kCliVariables).iterations_auto);
  try {
    parse_scenario_text(head + "iterations: many\n", "a.yaml", kCliVariables);
    FAIL() << "iterations: many";
  } catch (const ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("a.yaml:4:13: iterations: expected an integer or auto"),
              std::string::npos)
        << e.what();
  }
  try {
    parse_scenario_text(head + "iterations: 10\nmax_iterations: 30\n", "a.yaml", kCliVariables);
    FAIL() << "max_iterations without iterations: auto";
  } catch (const ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("a.yaml:5:17: max_iterations needs iterations: auto"),
              std::string::npos)
        << e.what();
  }
}

TEST(ScenarioParser, PerIterAutoIsTheCalibratedBound) {
  const Scenario s = parse_scenario_text(
      "name: cal\ndaemon: {command: [\"${TRACKERD}\"]}\nsteps: [sleep: 1ms]\n"
      "budgets:\n  daemon.rss: {per_iter: auto}\n",
      "c.yaml", kCliVariables);
  EXPECT_EQ(s.budgets.at("daemon.rss").per_iter, kBudgetAuto);
}

TEST(ScenarioParser, MinimalScenarioGetsTheModelDefaults) {
  const Scenario s = parse_scenario_text(
      "name: idle\ndaemon: {command: [\"${TRACKERD}\"]}\nsteps: [sleep: 10ms]\n", "idle.yaml",
      kCliVariables);
  EXPECT_EQ(s.warmup, 2);
  EXPECT_EQ(s.iterations, 20);
  EXPECT_FALSE(s.duration);  // not a soak
  EXPECT_EQ(s.sample_hz, 200);
  EXPECT_EQ(s.daemon.ready, DaemonSpec::Ready::kStdout);
  EXPECT_EQ(s.daemon.counters, DaemonSpec::Counters::kShm);
  EXPECT_EQ(s.daemon.ready_timeout, Millis(10000));
  EXPECT_EQ(s.daemon.stop_timeout, Millis(2000));
  EXPECT_EQ(s.settle.timeout, Millis(3000));
  EXPECT_EQ(s.settle.window, Millis(150));
  EXPECT_TRUE(s.budgets.empty());
  EXPECT_TRUE(s.expect_violations.empty());
}

TEST(ScenarioParser, ExtraVariablesAreDefinedEverywhere) {
  const std::string text =
      "name: x\ndaemon: {command: [\"${BIN}\"]}\nsteps: [{exec: [\"${BIN}\"]}]\n";
  EXPECT_THROW(parse_scenario_text(text, "x.yaml"), ScenarioError);
  EXPECT_NO_THROW(parse_scenario_text(text, "x.yaml", {"BIN"}));
}

TEST(ScenarioParser, TrackerdComesFromVarNotFromTheRunner) {
  // The runner never defines TRACKERD: without --var TRACKERD=... the scenario is rejected at
  // parse time, naming file, line, column and field, before any daemon starts.
  const std::string text = "name: x\ndaemon: {command: [d]}\nsteps:\n  - exec: [\"${TRACKERD}\"]\n";
  try {
    parse_scenario_text(text, "x.yaml");
    FAIL() << "an undefined ${TRACKERD} parsed";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(
                  "x.yaml:4:12: steps[0].exec[0]: undefined variable '${TRACKERD}'", 0),
              0u)
        << e.what();
  }
  EXPECT_NO_THROW(parse_scenario_text(text, "x.yaml", kCliVariables));
}

TEST(ScenarioParser, CopyIsAStepBuiltin) {
  // The step executor sets ${COPY} in each copy of a parallel step; the parser must let a
  // step use it, and the daemon's command (started before any step) must not.
  EXPECT_NO_THROW(parse_scenario_text(
      "name: x\ndaemon: {command: [d]}\nsteps:\n"
      "  - parallel: {copies: 2, steps: [exec: [touch, \"${WORKDIR}/c${COPY}\"]]}\n",
      "x.yaml"));
  EXPECT_THROW(parse_scenario_text(
                   "name: x\ndaemon: {command: [d, \"${COPY}\"]}\nsteps: [sleep: 0]\n", "x.yaml"),
               ScenarioError);
}

TEST(ScenarioParser, CountersShorthands) {
  auto counters = [](const std::string& value) {
    return parse_scenario_text(
               "name: x\ndaemon: {command: [d], counters: " + value + "}\nsteps: [sleep: 0]\n",
               "x.yaml")
        .daemon;
  };
  EXPECT_EQ(counters("none").counters, DaemonSpec::Counters::kNone);
  EXPECT_EQ(counters("shm").counters, DaemonSpec::Counters::kShm);
  EXPECT_EQ(counters("prometheus").prometheus_path, "/metrics");
  EXPECT_EQ(counters("prometheus:/m").prometheus_path, "/m");
}

TEST(ScenarioParser, RepositoryScenariosParse) {
  // The shipped scenarios are the format's best documentation: they must stay valid.
  const std::string dir = LEAKGATE_SCENARIO_TEST_DIR "/../../../scenarios";
  for (const char* file : {"issue-crud.yaml"}) {
    const std::string path = dir + "/" + file;
    if (FILE* f = std::fopen(path.c_str(), "r")) {
      std::fclose(f);
      EXPECT_NO_THROW(parse_scenario_file(path, kCliVariables)) << path;
    }
  }
}

// Readiness kinds and daemon files (spawn/readiness.h, spawn/daemon_files.h).
TEST(ScenarioParser, ReadinessKinds) {
  const std::string head = "name: x\nsteps: [sleep: 1ms]\ndaemon:\n  command: [d]\n  ready: ";
  const auto parse = [&](const std::string& ready) {
    return parse_scenario_text(head + ready + "\n", "inline.yaml").daemon;
  };
  const DaemonSpec tcp = parse("{tcp: \"${PORT}\"}");
  EXPECT_EQ(tcp.ready, DaemonSpec::Ready::kTcp);
  EXPECT_EQ(tcp.ready_tcp, "${PORT}");
  EXPECT_EQ(parse("{tcp: \"[::1]:8080\"}").ready_tcp, "[::1]:8080");
  const DaemonSpec log = parse("{log: 'Ready to accept connections'}");
  EXPECT_EQ(log.ready, DaemonSpec::Ready::kLog);
  EXPECT_EQ(log.ready_log, "Ready to accept connections");
  EXPECT_EQ(parse("{log: 'port ${PORT}$'}").ready_log, "port ${PORT}$");
  EXPECT_EQ(parse("{notify: true}").ready, DaemonSpec::Ready::kNotify);
  EXPECT_EQ(parse("{http: /health}").ready, DaemonSpec::Ready::kHttp);
  EXPECT_EQ(parse("stdout").ready, DaemonSpec::Ready::kStdout);
  EXPECT_THROW(parse("{tcp: \"0\"}"), ScenarioError);
  EXPECT_THROW(parse("{tcp: \"70000\"}"), ScenarioError);
  EXPECT_THROW(parse("{tcp: \":80\"}"), ScenarioError);
  EXPECT_THROW(parse("{log: '[a-'}"), ScenarioError);
  EXPECT_THROW(parse("{}"), ScenarioError);
}

TEST(ScenarioParser, DaemonFilesFromTemplateAndInline) {
  const std::string file = LEAKGATE_SCENARIO_TEST_DIR "/good/ready_and_files.yaml";
  const DaemonSpec d = parse_scenario_file(file).daemon;
  ASSERT_EQ(d.files.size(), 2u);
  EXPECT_EQ(d.files[0].path, "conf/nginx.conf");
  EXPECT_NE(d.files[0].source.find("templates/listen.conf.in"), std::string::npos);
  EXPECT_NE(d.files[0].content.find("listen 127.0.0.1:${PORT};"), std::string::npos);
  EXPECT_NE(d.files[0].content.find("'$remote_addr $status'"), std::string::npos);
  EXPECT_EQ(d.files[0].where.line, 6);
  EXPECT_EQ(d.files[1].path, "motd");
  EXPECT_EQ(d.files[1].source, "");
  EXPECT_EQ(d.files[1].content, "port ${PORT} in ${WORKDIR}, $$HOME kept\n");
}

TEST(ScenarioParser, TemplateFileErrorPointsIntoTheTemplate) {
  const std::string dir = LEAKGATE_SCENARIO_TEST_DIR "/templates";
  try {
    parse_scenario_file(dir + "/undefined-variable.yaml");
    FAIL() << "an undefined variable in a template file was accepted";
  } catch (const ScenarioError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind(dir +
                             "/undefined.conf.in:3:29: undefined variable '${PROT}' (did you "
                             "mean 'PORT'?) (read by daemon.files.nginx.conf.template at " +
                             dir + "/undefined-variable.yaml:5:28)",
                         0),
              0u)
        << what;
  }
  // A --var the run passes makes the same name defined.
  EXPECT_NO_THROW(parse_scenario_file(dir + "/undefined-variable.yaml", {"PROT"}));
}

TEST(ScenarioParser, MissingFileIsAScenarioError) {
  try {
    parse_scenario_file("/nonexistent/x.yaml");
    FAIL();
  } catch (const ScenarioError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("/nonexistent/x.yaml: cannot open: ", 0), 0u) << e.what();
  }
}

}  // namespace
}  // namespace leakgate
