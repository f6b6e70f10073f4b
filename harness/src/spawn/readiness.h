// Waiting for a daemon to be ready the ways real daemons say so, as testcontainers' wait
// strategies and systemd's Type=notify do: a port that accepts a connection (ready: {tcp}),
// a line of its output matching a regex (ready: {log}), or sd_notify READY=1 on the socket
// named by $NOTIFY_SOCKET (ready: {notify: true}). The JSON line and HTTP polling stay where
// they were (DaemonProcess::wait_ready_stdout, the runner's HTTP probe).
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <regex>
#include <string>

#include "leakgate/daemon_process.h"
#include "leakgate/scenario.h"
#include "leakgate/unique_fd.h"
#include "leakgate/variables.h"

namespace leakgate {

// The AF_UNIX datagram socket a Type=notify daemon reports to. Bound at <dir>/notify.sock,
// or, when that path is longer than sun_path holds, at an abstract name ("@leakgate-...",
// which sd_notify(3) understands). Closed and unlinked on destruction: a daemon's later
// notifications (STATUS=, WATCHDOG=1) then fail at its end instead of filling a queue.
class NotifySocket {
 public:
  explicit NotifySocket(const std::filesystem::path& dir);  // throws DaemonError
  ~NotifySocket();
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  const std::string& address() const { return address_; }  // the value of NOTIFY_SOCKET
  // Reads every queued datagram without blocking; true once one said READY=1.
  bool poll_ready();
  // The last datagram received, newlines shown as "; " ("" when none came).
  const std::string& last_datagram() const { return last_; }
  int fd() const { return fd_.get(); }

 private:
  UniqueFd fd_;
  std::string address_;
  std::filesystem::path path_;  // empty for an abstract name
  std::string last_;
  bool ready_ = false;
};

// One start's readiness: made before the spawn (a notify socket must exist before the daemon
// looks for it), waited on after. For stdout and http it does nothing.
class DaemonReadiness {
 public:
  // Expands the spec's target with `vars`; throws DaemonError for a target that names no port.
  DaemonReadiness(const DaemonSpec& spec, const Variables& vars,
                  const std::filesystem::path& workdir);
  ~DaemonReadiness();
  // NOTIFY_SOCKET for ready: {notify: true}.
  void add_environment(std::map<std::string, std::string>& env) const;
  // Waits up to the spec's ready_timeout (from now). Throws DaemonError when the daemon exits
  // first or the time runs out, naming the kind, its target and the timeout.
  void wait(DaemonProcess& daemon);

 private:
  bool tcp_accepts(std::string& last_error) const;
  DaemonSpec::Ready kind_;
  std::string kind_name_;  // tcp, log or notify, as the scenario writes it
  Millis timeout_;
  std::string target_;  // tcp: host:port; log: the regex
  std::string host_, port_;
  std::unique_ptr<std::regex> regex_;
  std::unique_ptr<NotifySocket> notify_;
};

}  // namespace leakgate
