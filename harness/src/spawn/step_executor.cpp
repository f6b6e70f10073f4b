#include "spawn/step_executor.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <httplib.h>
#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/env.hpp>
#include <boost/process/environment.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/io.hpp>
#include <boost/process/search_path.hpp>
#include <chrono>
#include <exception>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "leakgate/client_operations.h"
#include "leakgate/variables.h"
#include "spawn/client_sessions.h"
#include "spawn/endpoint.h"

namespace bp = boost::process;

namespace leakgate {
namespace {

constexpr auto kExecTimeout = std::chrono::seconds(30);

std::string expand_or_fail(const std::string& text, const Vars& vars, const Step& step) {
  try {
    return expand_variables(text, vars);
  } catch (const std::exception& e) {
    throw StepFailure(step.describe(), step.where.str(), e.what());
  }
}

// Expands ${VAR} inside the string values of a JSON body, so substituted values never
// break the JSON.
void expand_json_strings(nlohmann::json& node, const Vars& vars, const Step& step) {
  if (node.is_string()) {
    node = expand_or_fail(node.get<std::string>(), vars, step);
  } else if (node.is_structured()) {
    for (auto& child : node) expand_json_strings(child, vars, step);
  }
}

std::string json_value_text(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

void run_http(const HttpStep& http, const Step& step, Vars& vars, const std::string& endpoint) {
  auto client = make_http_client(endpoint);
  httplib::Headers headers;
  for (const auto& [key, value] : http.headers) {
    headers.emplace(key, expand_or_fail(value, vars, step));
  }
  const std::string path = expand_or_fail(http.path, vars, step);
  std::string body;
  if (http.body) {
    auto json = nlohmann::json::parse(*http.body, nullptr, false);
    if (json.is_discarded()) {
      body = expand_or_fail(*http.body, vars, step);
    } else {
      expand_json_strings(json, vars, step);
      body = json.dump();
    }
  }
  const std::string& method = http.method;
  auto send = [&]() -> httplib::Result {
    if (method == "GET") return client->Get(path, headers);
    if (method == "DELETE") return client->Delete(path, headers, body, "application/json");
    if (method == "POST") return client->Post(path, headers, body, "application/json");
    if (method == "PUT") return client->Put(path, headers, body, "application/json");
    if (method == "PATCH") return client->Patch(path, headers, body, "application/json");
    if (method == "HEAD") return client->Head(path, headers);
    if (method == "OPTIONS") return client->Options(path, headers);
    throw StepFailure(step.describe(), step.where.str(), "unsupported method " + method);
  };
  httplib::Result result = send();
  if (!result) {
    throw StepFailure(step.describe(), step.where.str(),
                      "request failed: " + httplib::to_string(result.error()));
  }
  if (result->status != http.expect) {
    throw StepFailure(step.describe(), step.where.str(),
                      "expected status " + std::to_string(http.expect) + ", got " +
                          std::to_string(result->status) + ": " + result->body.substr(0, 300));
  }
  if (http.save.empty()) return;
  auto json = nlohmann::json::parse(result->body, nullptr, false);
  for (const auto& [name, pointer] : http.save) {
    try {
      vars[name] = json_value_text(json.at(nlohmann::json::json_pointer(pointer)));
    } catch (const std::exception& e) {
      throw StepFailure(step.describe(), step.where.str(),
                        "cannot save '" + name + "' from " + pointer + ": " + e.what());
    }
  }
}

void run_exec(const ExecStep& exec, const Step& step, const Vars& vars,
              const std::string& endpoint, const std::pair<std::string, std::string>& marker) {
  std::vector<std::string> argv;
  for (const auto& arg : exec.command) argv.push_back(expand_or_fail(arg, vars, step));
  bp::environment env = boost::this_process::environment();
  // set(), not env[key]: Boost 1.74's environment::find over-reads short entries (ASan).
  env.set("LEAKGATE_ENDPOINT", endpoint);
  for (const auto& set : registered_client_operations())
    for (const auto& name : set->endpoint_variables) env.set(name, endpoint);
  for (const auto& [key, value] : exec.env) env.set(key, expand_or_fail(value, vars, step));
  if (!marker.first.empty()) env.set(marker.first, marker.second);
  const auto it = vars.find("WORKDIR");
  const std::string output = (it != vars.end() ? it->second : std::string("/tmp")) + "/exec.out";
  std::string program = argv.front();
  if (program.find('/') == std::string::npos) program = bp::search_path(program).string();
  if (program.empty()) {
    throw StepFailure(step.describe(), step.where.str(), "'" + argv.front() + "' not found");
  }
  pid_t pid = -1;
  try {
    bp::child child(bp::exe = program,
                    bp::args = std::vector<std::string>(argv.begin() + 1, argv.end()),
                    bp::std_in<bp::null, (bp::std_out & bp::std_err)> output, env);
    pid = child.id();
    child.detach();
  } catch (const std::exception& e) {
    throw StepFailure(step.describe(), step.where.str(), std::string("cannot run: ") + e.what());
  }
  const auto deadline = std::chrono::steady_clock::now() + kExecTimeout;
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      throw StepFailure(step.describe(), step.where.str(), "command did not finish in 30 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (code != exec.expect_exit) {
    std::ifstream in(output, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.size() > 600) text = "..." + text.substr(text.size() - 600);
    throw StepFailure(step.describe(), step.where.str(),
                      "expected exit " + std::to_string(exec.expect_exit) + ", got " +
                          std::to_string(code) + (text.empty() ? "" : "; output: " + text));
  }
}

}  // namespace

StepExecutor::StepExecutor(const Scenario& scenario, DaemonControl control,
                           std::vector<std::string> client_injections)
    : scenario_(scenario),
      control_(std::move(control)),
      client_injections_(std::move(client_injections)),
      clients_(std::make_unique<ClientSessionPool>(client_injections_)) {
  index_steps(scenario_.steps, "");
}

StepExecutor::~StepExecutor() = default;

size_t StepExecutor::index_steps(const StepList& steps, const std::string& prefix) {
  for (const auto& step : steps) {
    step_index_[&step] = stats_.size();
    stats_.push_back(StepStats{prefix + step.describe(), step.where.str()});
    if (const auto* parallel = std::get_if<ParallelStep>(&step.action)) {
      index_steps(*parallel->steps, prefix + "  ");
    }
  }
  return stats_.size();
}

void StepExecutor::run_iteration(int iteration, Vars& vars) {
  vars["ITER"] = std::to_string(iteration);
  if (!after_step_) {
    run_list(scenario_.steps, vars, 0, *clients_);
    return;
  }
  for (size_t top = 0; top < scenario_.steps.size(); ++top) {
    const Step& step = scenario_.steps[top];
    run_step(step, step_index_.at(&step), vars, *clients_);
    after_step_(top);
  }
}

void StepExecutor::close_clients() { clients_->close_all(); }

void StepExecutor::record(size_t index, double ms, const std::string* failure) {
  std::lock_guard lock(stats_mutex_);
  StepStats& stats = stats_[index];
  stats.calls++;
  stats.total_ms += ms;
  if (ms > stats.max_ms) stats.max_ms = ms;
  if (failure) {
    if (stats.failures++ == 0) stats.first_failure = *failure;
  }
}

std::vector<StepStats> StepExecutor::stats() const {
  std::lock_guard lock(stats_mutex_);
  return stats_;
}

void StepExecutor::run_list(const StepList& steps, Vars& vars, size_t, ClientSessionPool& clients) {
  for (const auto& step : steps) run_step(step, step_index_.at(&step), vars, clients);
}

void StepExecutor::run_step(const Step& step, size_t index, Vars& vars,
                            ClientSessionPool& clients) {
  const auto start = std::chrono::steady_clock::now();
  auto elapsed_ms = [&] {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
  };
  try {
    std::visit(
        [&](const auto& action) {
          using T = std::decay_t<decltype(action)>;
          if constexpr (std::is_same_v<T, ClientStep>) {
            Vars args;
            for (const auto& [key, value] : action.args) {
              args[key] = expand_or_fail(value, vars, step);
            }
            std::string saved = clients.run(control_.endpoint(), action.op, args);
            if (!action.save.empty()) vars[action.save] = saved;
          } else if constexpr (std::is_same_v<T, HttpStep>) {
            run_http(action, step, vars, control_.endpoint());
          } else if constexpr (std::is_same_v<T, ExecStep>) {
            run_exec(action, step, vars, control_.endpoint(), exec_marker_);
          } else if constexpr (std::is_same_v<T, SleepStep>) {
            std::this_thread::sleep_for(action.duration);
          } else if constexpr (std::is_same_v<T, SignalStep>) {
            if (!control_.send_signal(action.signal)) {
              throw StepFailure(step.describe(), step.where.str(), "the daemon is not running");
            }
          } else if constexpr (std::is_same_v<T, RestartStep>) {
            clients.close_all();  // the old daemon's sessions die with it
            control_.restart();
          } else if constexpr (std::is_same_v<T, ParallelStep>) {
            std::vector<std::thread> threads;
            std::vector<std::exception_ptr> errors(action.copies);
            for (int copy = 0; copy < action.copies; ++copy) {
              threads.emplace_back([&, copy] {
                Vars local = vars;
                local["COPY"] = std::to_string(copy);
                ClientSessionPool own(client_injections_);
                try {
                  run_list(*action.steps, local, 0, own);
                } catch (...) {
                  errors[copy] = std::current_exception();
                }
              });
            }
            for (auto& thread : threads) thread.join();
            for (auto& error : errors) {
              if (error) std::rethrow_exception(error);
            }
          }
        },
        step.action);
  } catch (const StepFailure& failure) {
    const std::string message = failure.what();
    record(index, elapsed_ms(), &message);
    throw;
  } catch (const std::exception& e) {
    const std::string message = e.what();
    record(index, elapsed_ms(), &message);
    throw StepFailure(step.describe(), step.where.str(), message);
  }
  record(index, elapsed_ms(), nullptr);
}

}  // namespace leakgate
