// Client operations registered the way a project registers its own (a static registrar), and
// the check of parsed scenarios against them: an unknown op or argument is a ScenarioError
// at its file:line:column naming what is registered. Sessions are opened per endpoint and
// closed by close_all(); a claimed injection reaches the session, not the daemon.
#include "leakgate/client_operations.h"

#include <gtest/gtest.h>

#include <fstream>

#include "leakgate/scenario_parser.h"
#include "spawn/step_executor.h"
#include "../support/test_dir.h"

namespace leakgate {
namespace {

const std::string kDir = LEAKGATE_SCENARIO_TEST_DIR "/client";

// A key-value "client" with no daemon behind it: what it was asked is all it records.
struct Journal {
  std::vector<std::string> events;
};
Journal g_journal;

class KvSession : public ClientSession {
 public:
  KvSession(std::string endpoint, std::vector<std::string> injections)
      : endpoint_(std::move(endpoint)) {
    std::string on;
    for (const auto& name : injections) on += " " + name;
    g_journal.events.push_back("open " + endpoint_ + on);
  }
  void close_idle() override { g_journal.events.push_back("close " + endpoint_); }
  const std::string& endpoint() const { return endpoint_; }

 private:
  std::string endpoint_;
};

ClientOperations kv_operations() {
  ClientOperations ops;
  ops.provider = "kv-test";
  ops.operations = {
      {"put_item",
       {"key", "value"},
       [](ClientSession& session, const ClientArgs& args) {
         g_journal.events.push_back("put " + args.at("key") + " at " +
                                    static_cast<KvSession&>(session).endpoint());
         return std::string("7");
       }},
      {"get_item", {"key"}, [](ClientSession&, const ClientArgs& args) { return args.at("key"); }},
      {"ping", {}, [](ClientSession&, const ClientArgs&) { return std::string("pong"); }},
  };
  ops.client_injections = {"kv-forget-close"};
  ops.endpoint_variables = {"KV_ENDPOINT"};
  ops.open_session = [](const std::string& endpoint, const std::vector<std::string>& injections) {
    return std::make_unique<KvSession>(endpoint, injections);
  };
  return ops;
}

LEAKGATE_REGISTER_CLIENT_OPERATIONS(kv_operations);

std::string error_of(const std::string& path) {
  try {
    validate_client_steps(parse_scenario_file(path));
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ClientOperations, UnknownOpIsRejectedAtItsLocationWithTheRegisteredOnes) {
  const std::string path = kDir + "/unknown_op.yaml";
  const std::string what = error_of(path);
  EXPECT_EQ(what.rfind(path + ":5:18: steps[0].client.op: unknown client op 'put_itme' "
                              "(did you mean 'put_item'?)",
                       0),
            0u)
      << what;
  EXPECT_NE(what.find("registered: put_item, get_item, ping"), std::string::npos) << what;
}

TEST(ClientOperations, UnknownArgumentIsRejectedAtItsKeyAlsoInsideParallel) {
  const std::string path = kDir + "/unknown_argument.yaml";
  const std::string what = error_of(path);
  EXPECT_EQ(what.rfind(path + ":8:48: steps[1].parallel.steps[0].client: get_item takes no "
                              "argument 'vaule'",
                       0),
            0u)
      << what;
  EXPECT_NE(what.find("arguments: key, save"), std::string::npos) << what;
}

TEST(ClientOperations, KnownOpsAndArgumentsPass) {
  const Scenario scenario = parse_scenario_text(
      "name: x\ndaemon:\n  command: [d]\nsteps:\n"
      "  - client: {op: put_item, key: a, value: b, save: id}\n"
      "  - client: {op: ping}\n",
      "ok.yaml");
  EXPECT_NO_THROW(validate_client_steps(scenario));
}

TEST(ClientOperations, ClaimedInjectionsAreTheClientSide) {
  EXPECT_TRUE(is_client_injection("kv-forget-close"));
  EXPECT_FALSE(is_client_injection("leak-fd"));
  ASSERT_TRUE(client_operations_for("get_item"));
  EXPECT_EQ(client_operations_for("get_item")->provider, "kv-test");
  EXPECT_FALSE(client_operations_for("get_itme"));
}

TEST(ClientOperations, ANameRegisteredTwiceIsRefused) {
  EXPECT_THROW(register_client_operations(kv_operations()), std::invalid_argument);
  ClientOperations without_session;
  without_session.provider = "incomplete";
  EXPECT_THROW(register_client_operations(without_session), std::invalid_argument);
  EXPECT_EQ(registered_client_operations().size(), 1u);
}

// Steps run the registered functions on one session per endpoint, with the claimed injection;
// close_clients() closes it, a new endpoint opens another; exec steps get the endpoint.
TEST(ClientOperations, StepsRunOnSessionsPerEndpoint) {
  const leakgate::testing::TestDir dir("kv-endpoint");
  const std::string out = dir.file("endpoint");
  const Scenario scenario = parse_scenario_text(
      "name: x\ndaemon:\n  command: [d]\nsteps:\n"
      "  - client: {op: put_item, key: \"k${ITER}\", save: id}\n"
      "  - client: {op: get_item, key: \"${id}\", save: got}\n"
      "  - exec: [/bin/sh, -c, \"echo $KV_ENDPOINT $LEAKGATE_ENDPOINT > " +
          out + "\"]\n",
      "steps.yaml");
  std::string endpoint = "unix:/a.sock";
  DaemonControl control{[&] { return endpoint; }, [](int) { return true; }, [] {}};
  g_journal.events.clear();
  StepExecutor executor(scenario, control, {"kv-forget-close"});
  Variables vars;
  executor.run_iteration(1, vars);
  executor.run_iteration(2, vars);
  EXPECT_EQ(vars.at("got"), "7");
  executor.close_clients();
  endpoint = "unix:/b.sock";
  executor.run_iteration(3, vars);
  EXPECT_EQ(g_journal.events, (std::vector<std::string>{
                                  "open unix:/a.sock kv-forget-close", "put k1 at unix:/a.sock",
                                  "put k2 at unix:/a.sock", "close unix:/a.sock",
                                  "open unix:/b.sock kv-forget-close", "put k3 at unix:/b.sock"}));
  std::ifstream in(out);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "unix:/b.sock unix:/b.sock");
}

}  // namespace
}  // namespace leakgate
