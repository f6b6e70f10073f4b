#include "engine.h"

#include <algorithm>
#include <chrono>

#include <nlohmann/json.hpp>

#include "schema.h"

namespace tracker {
namespace {

constexpr int kBusyTimeoutMs = 5000;

// Columns 0..7 of every issue read; labels come back as a JSON array in position order
// (the primary key (issue_id, position) makes the scan ordered).
constexpr const char* kIssueColumns =
    "SELECT id, title, body, priority, status, created_at, updated_at,"
    " (SELECT json_group_array(label) FROM issue_labels WHERE issue_id = issues.id)"
    " FROM issues ";

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Issue read_issue(const Statement& row) {
  Issue issue;
  issue.id = row.column_int(0);
  issue.title = row.column_text(1);
  issue.body = row.column_text(2);
  issue.priority = static_cast<int>(row.column_int(3));
  issue.status = parse_status(row.column_text(4)).value_or(Status::kOpen);
  issue.created_at_ms = row.column_int(5);
  issue.updated_at_ms = row.column_int(6);
  issue.labels = nlohmann::json::parse(row.column_text(7)).get<std::vector<std::string>>();
  return issue;
}

// LIKE pattern matching `text` literally anywhere ('\' escapes the wildcards).
std::string contains_pattern(const std::string& text) {
  std::string pattern = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  return pattern + "%";
}

}  // namespace

struct Engine::Statements {
  explicit Statements(sqlite3* db)
      : select_one(db, std::string(kIssueColumns) + "WHERE id = ?1"),
        select_all(db, std::string(kIssueColumns) + "ORDER BY id"),
        select_filtered(
            db, std::string(kIssueColumns) +
                    "WHERE (?1 IS NULL OR status = ?1)"
                    " AND (?2 IS NULL OR EXISTS (SELECT 1 FROM issue_labels l"
                    "      WHERE l.issue_id = issues.id AND l.label = ?2))"
                    " AND (?3 IS NULL OR title LIKE ?3 ESCAPE '\\' OR body LIKE ?3 ESCAPE '\\')"
                    " ORDER BY id LIMIT ?4 OFFSET ?5"),
        insert_issue(db,
                     "INSERT INTO issues (title, body, priority, status, created_at, updated_at)"
                     " VALUES (?1, ?2, ?3, 'open', ?4, ?4)"),
        update_issue(db,
                     "UPDATE issues SET title = ?2, body = ?3, priority = ?4, status = ?5,"
                     " updated_at = ?6 WHERE id = ?1"),
        delete_issue(db, "DELETE FROM issues WHERE id = ?1"),
        insert_label(db,
                     "INSERT INTO issue_labels (issue_id, position, label) VALUES (?1, ?2, ?3)"),
        delete_labels(db, "DELETE FROM issue_labels WHERE issue_id = ?1"),
        set_last_change(db,
                        "INSERT OR REPLACE INTO meta (key, value) VALUES ('last_change_ms', ?1)"),
        get_last_change(db, "SELECT value FROM meta WHERE key = 'last_change_ms'"),
        newest_created(db, "SELECT created_at FROM issues ORDER BY id DESC LIMIT 1"),
        count_all(db, "SELECT COUNT(*) FROM issues"),
        count_closed(db, "SELECT COUNT(*) FROM issues WHERE status = 'closed'"),
        count_labels(db, "SELECT label, COUNT(*) FROM issue_labels GROUP BY label") {}

  Statement select_one, select_all, select_filtered;
  Statement insert_issue, update_issue, delete_issue;
  Statement insert_label, delete_labels;
  Statement set_last_change, get_last_change, newest_created;
  Statement count_all, count_closed, count_labels;
};

Engine::Engine(std::filesystem::path db_path) : path_(std::move(db_path)), connection_(path_) {
  sqlite3_busy_timeout(connection_.handle(), kBusyTimeoutMs);
  connection_.exec("PRAGMA journal_mode = WAL");
  connection_.exec("PRAGMA synchronous = NORMAL");  // WAL + NORMAL: commits survive kill -9
  connection_.exec("PRAGMA foreign_keys = ON");
  migrate(connection_);
  statements_ = std::make_unique<Statements>(connection_.handle());
  last_change_ms_ = load_last_change();
}

Engine::~Engine() = default;

Issue Engine::create(const NewIssue& input) {
  std::lock_guard lock(mutex_);
  const int64_t now = now_ms();
  WriteTransaction transaction(connection_);
  {
    StatementScope scope(statements_->insert_issue);
    statements_->insert_issue.bind(1, std::string_view(input.title))
        .bind(2, std::string_view(input.body))
        .bind(3, int64_t{input.priority})
        .bind(4, now)
        .step();
  }
  Issue issue;
  issue.id = connection_.last_insert_rowid();
  write_labels(issue.id, input.labels);
  transaction.commit();  // no meta row: the newest issue's created_at says it (load_last_change)
  last_change_ms_ = now;
  issue.title = input.title;
  issue.body = input.body;
  issue.labels = input.labels;
  issue.priority = input.priority;
  issue.created_at_ms = issue.updated_at_ms = now;
  return issue;
}

std::optional<Issue> Engine::update(int64_t id, const IssuePatch& patch) {
  std::lock_guard lock(mutex_);
  WriteTransaction transaction(connection_);
  std::optional<Issue> issue = get_locked(id);
  if (!issue) return std::nullopt;
  const int64_t now = now_ms();
  if (patch.title) issue->title = *patch.title;
  if (patch.body) issue->body = *patch.body;
  if (patch.priority) issue->priority = *patch.priority;
  if (patch.status) issue->status = *patch.status;
  issue->updated_at_ms = now;
  {
    StatementScope scope(statements_->update_issue);
    statements_->update_issue.bind(1, id)
        .bind(2, std::string_view(issue->title))
        .bind(3, std::string_view(issue->body))
        .bind(4, int64_t{issue->priority})
        .bind(5, std::string_view(to_string(issue->status)))
        .bind(6, now)
        .step();
  }
  if (patch.labels) {
    {
      StatementScope scope(statements_->delete_labels);
      statements_->delete_labels.bind(1, id).step();
    }
    write_labels(id, *patch.labels);
    issue->labels = *patch.labels;
  }
  mark_changed(now);
  transaction.commit();
  last_change_ms_ = now;
  return issue;
}

bool Engine::remove(int64_t id) {
  std::lock_guard lock(mutex_);
  WriteTransaction transaction(connection_);
  {
    StatementScope scope(statements_->delete_issue);
    statements_->delete_issue.bind(1, id).step();  // labels go by ON DELETE CASCADE
  }
  if (connection_.changes() == 0) return false;
  const int64_t now = now_ms();
  mark_changed(now);
  transaction.commit();
  last_change_ms_ = now;
  return true;
}

std::optional<Issue> Engine::get(int64_t id) {
  std::lock_guard lock(mutex_);
  return get_locked(id);
}

std::vector<Issue> Engine::list(const ListQuery& query) {
  std::lock_guard lock(mutex_);
  Statement& select = statements_->select_filtered;
  StatementScope scope(select);
  select.bind(1, query.status ? std::optional<std::string>(to_string(*query.status)) : std::nullopt)
      .bind(2, query.label)
      .bind(3,
            query.text ? std::optional<std::string>(contains_pattern(*query.text)) : std::nullopt)
      .bind(4, int64_t{query.limit})
      .bind(5, int64_t{query.offset});
  std::vector<Issue> issues;
  while (select.step()) issues.push_back(read_issue(select));
  return issues;
}

int64_t Engine::last_change_ms() {
  std::lock_guard lock(mutex_);
  return last_change_locked();
}

Stats Engine::snapshot(const std::function<void(const Issue&)>& each_issue) {
  std::lock_guard lock(mutex_);
  ReadTransaction transaction(connection_);  // the counts and the rows agree
  Stats stats;
  {
    StatementScope scope(statements_->count_all);
    if (statements_->count_all.step()) stats.total = statements_->count_all.column_int(0);
  }
  {
    StatementScope scope(statements_->count_closed);
    if (statements_->count_closed.step()) stats.closed = statements_->count_closed.column_int(0);
  }
  stats.open = stats.total - stats.closed;
  {
    Statement& labels = statements_->count_labels;
    StatementScope scope(labels);
    while (labels.step()) stats.labels.emplace(labels.column_text(0), labels.column_int(1));
  }
  stats.last_change_ms = last_change_locked();
  if (each_issue) {
    StatementScope scope(statements_->select_all);
    while (statements_->select_all.step()) each_issue(read_issue(statements_->select_all));
  }
  return stats;
}

std::string Engine::integrity_check() {
  std::lock_guard lock(mutex_);
  return connection_.query_text("PRAGMA integrity_check");
}

int Engine::schema_version() {
  std::lock_guard lock(mutex_);
  return static_cast<int>(connection_.query_int("PRAGMA user_version"));
}

int64_t Engine::last_change_locked() { return last_change_ms_; }

// Updates and deletes write the meta row in their transaction; a create is the newest row.
int64_t Engine::load_last_change() {
  int64_t last = 0;
  {
    StatementScope scope(statements_->get_last_change);
    if (statements_->get_last_change.step()) last = statements_->get_last_change.column_int(0);
  }
  StatementScope scope(statements_->newest_created);
  if (statements_->newest_created.step()) {
    last = std::max(last, statements_->newest_created.column_int(0));
  }
  return last;
}

std::optional<Issue> Engine::get_locked(int64_t id) {
  StatementScope scope(statements_->select_one);
  statements_->select_one.bind(1, id);
  if (!statements_->select_one.step()) return std::nullopt;
  return read_issue(statements_->select_one);
}

void Engine::write_labels(int64_t id, const std::vector<std::string>& labels) {
  Statement& insert = statements_->insert_label;
  for (size_t position = 0; position < labels.size(); ++position) {
    StatementScope scope(insert);
    insert.bind(1, id)
        .bind(2, static_cast<int64_t>(position))
        .bind(3, std::string_view(labels[position]));
    insert.step();
  }
}

void Engine::mark_changed(int64_t now) {
  StatementScope scope(statements_->set_last_change);
  statements_->set_last_change.bind(1, now).step();
}

}  // namespace tracker
