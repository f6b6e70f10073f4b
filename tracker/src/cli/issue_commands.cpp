#include "issue_commands.h"

#include <iostream>
#include <memory>

#include "output.h"

namespace tracker::cli {
namespace {

struct IssueArgs {
  int64_t id = 0;
  NewIssue issue;
  std::string status = "all";
  std::string label;
  std::string query;
  int limit = kDefaultListLimit;
  int offset = 0;
};

// Registers a command `name ID` that runs `action(client, id)`.
void add_id_command(CLI::App& parent, CliContext& context, const std::string& name,
                    const std::string& description, std::function<void(Client&, int64_t)> action) {
  auto id = std::make_shared<int64_t>(0);
  context
      .add_command(parent, name, description,
                   [&context, id, action = std::move(action)] {
                     Client client = context.make_client();
                     action(client, *id);
                     return kExitOk;
                   })
      .add_option("id", *id, "issue id")
      ->required()
      ->check(CLI::PositiveNumber);
}

void set_status(const CliContext& context, Client& client, int64_t id, Status status) {
  IssuePatch patch;
  patch.status = status;
  const Issue issue = client.update(id, patch);
  if (context.json()) {
    print_issue(std::cout, issue, true);
  } else {
    std::cout << (status == Status::kClosed ? "closed #" : "reopened #") << id << "\n";
  }
}

int add_issue(const CliContext& context, const IssueArgs& args) {
  Client client = context.make_client();
  const Issue created = client.create(args.issue);
  if (context.json()) {
    print_issue(std::cout, created, true);
  } else {
    std::cout << "created #" << created.id << "\n";
  }
  return kExitOk;
}

int list_issues(const CliContext& context, const IssueArgs& args) {
  ListQuery query;
  query.status = parse_status(args.status);  // "all": no filter
  if (!args.label.empty()) query.label = args.label;
  if (!args.query.empty()) query.text = args.query;
  query.limit = args.limit;
  query.offset = args.offset;
  Client client = context.make_client();
  print_issue_list(std::cout, client.list(query), context.json());
  return kExitOk;
}

}  // namespace

void add_issue_commands(CLI::App& group, CliContext& context) {
  CommandGroup<IssueArgs> issue(group, context);
  IssueArgs& args = issue.args();

  CLI::App& add = issue.add("add", "create an issue; prints its id", add_issue);
  add.add_option("title", args.issue.title, "title (1-200 characters)")->required();
  add.add_option("-b,--body", args.issue.body, "description");
  add.add_option("-l,--label", args.issue.labels, "label (repeatable)");
  add.add_option("-p,--priority", args.issue.priority, "priority 0 (lowest) to 4")
      ->capture_default_str();

  CLI::App& list = issue.add("list", "list issues, oldest first", list_issues);
  list.add_option("-s,--status", args.status, "open, closed or all")
      ->check(CLI::IsMember({"open", "closed", "all"}))
      ->capture_default_str();
  list.add_option("-l,--label", args.label, "only issues with this label");
  list.add_option("-q,--query", args.query, "text in the title or body");
  list.add_option("--limit", args.limit, "at most this many (1-1000)")
      ->check(CLI::Range(1, kMaxListLimit))
      ->capture_default_str();
  list.add_option("--offset", args.offset, "skip this many")->check(CLI::NonNegativeNumber);

  add_id_command(issue.app(), context, "show", "show one issue",
                 [&context](Client& client, int64_t id) {
                   print_issue(std::cout, client.get(id), context.json());
                 });
  add_id_command(
      issue.app(), context, "close", "close an issue",
      [&context](Client& client, int64_t id) { set_status(context, client, id, Status::kClosed); });
  add_id_command(
      issue.app(), context, "reopen", "reopen a closed issue",
      [&context](Client& client, int64_t id) { set_status(context, client, id, Status::kOpen); });
  add_id_command(issue.app(), context, "rm", "delete an issue for good",
                 [&context](Client& client, int64_t id) {
                   client.remove(id);
                   if (!context.json()) std::cout << "removed #" << id << "\n";
                 });
}

void add_stats_command(CLI::App& app, CliContext& context) {
  context.add_command(app, "stats", "issue counts from the daemon's latest sync", [&context] {
    Client client = context.make_client();
    print_stats(std::cout, client.stats(), context.json());
    return kExitOk;
  });
}

}  // namespace tracker::cli
