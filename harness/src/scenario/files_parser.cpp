// daemon.files: files written into the work directory before the daemon starts, from a
// template file next to the scenario or inline text, with the daemon's variables.
//   files:
//     nginx.conf: {template: nginx.conf.in}
//     conf.d/port.txt: {content: "${PORT}\n"}
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "leakgate/variables.h"
#include "parser_parts.h"
#include "suggest.h"

namespace leakgate::detail {
namespace {

constexpr size_t kMaxTemplateBytes = 1 << 20;

// A path that stays inside the work directory whatever it holds: relative, no "..", no
// variables (it is where the harness writes, decided before any variable has a value).
void check_target(const YamlReader& reader, const Entry& entry, const std::string& what) {
  const std::filesystem::path path(entry.key);
  std::string problem;
  if (entry.key.empty() || entry.key.back() == '/')
    problem = "is not a file name";
  else if (path.is_absolute())
    problem = "is absolute";
  else if (entry.key.find("${") != std::string::npos)
    problem = "holds a variable";
  for (const auto& part : path)
    if (problem.empty() && part == "..") problem = "leaves the work directory ('..')";
  if (!problem.empty())
    reader.fail(
        entry.key_at, what + ": '" + entry.key + "' " + problem,
        "a path relative to the work directory (${WORKDIR}), e.g. nginx.conf or conf/app.ini");
}

// Where in `text` the byte at `offset` is, 1-based, for errors inside a template file.
SourceLocation location_in(const std::string& file, std::string_view text, size_t offset) {
  SourceLocation where{file, 1, 1};
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++where.line;
      where.column = 1;
    } else {
      ++where.column;
    }
  }
  return where;
}

// Every ${NAME} of a template file must be one the daemon's fields may use; an error points
// into the template file and names the scenario entry that reads it.
void check_template_file(const YamlReader& reader, const std::string& file, std::string_view text,
                         const VariableScope& scope, const Field& entry) {
  const std::string context = " (read by " + entry.path + " at " + entry.where.str() + ")";
  std::vector<std::string> names;
  try {
    names = referenced_variables(text);
  } catch (const VariableError& e) {
    reader.fail(location_in(file, text, e.offset()), e.what() + context,
                "write $$ for a literal '$' followed by '{'");
  }
  for (const std::string& name : names) {
    if (scope.defined.count(name)) continue;
    const std::vector<std::string_view> defined(scope.defined.begin(), scope.defined.end());
    reader.fail(location_in(file, text, text.find("${" + name + "}")),
                "undefined variable '${" + name + "}'" + did_you_mean(name, defined) + context,
                "defined here: " + join(defined) + " (others with --var NAME=VALUE)");
  }
}

std::string read_template_file(const YamlReader& reader, const Field& field,
                               const VariableScope& scope, DaemonFile& out) {
  const std::string name = read_string(reader, field);
  std::filesystem::path path(name);
  if (name.empty()) reader.fail(field, field.path + ": empty", "a template file's name");
  if (path.is_relative()) path = std::filesystem::path(reader.file()).parent_path() / path;
  out.source = path.lexically_normal().string();
  std::ifstream in(out.source, std::ios::binary);
  if (!in || std::filesystem::is_directory(out.source))
    reader.fail(field,
                field.path + ": cannot read " + out.source + ": " +
                    (in ? std::string("a directory") : std::strerror(errno)),
                "a template file, relative to the scenario's directory");
  std::string text(kMaxTemplateBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxTemplateBytes)
    reader.fail(field, field.path + ": " + out.source + " is larger than 1 MiB",
                "a configuration file, not data");
  check_template_file(reader, out.source, text, scope, field);
  return text;
}

}  // namespace

std::vector<DaemonFile> read_daemon_files(const YamlReader& reader, const Field& field,
                                          const VariableScope& scope) {
  std::vector<DaemonFile> files;
  for (const Entry& entry : read_open_mapping(reader, field)) {
    check_target(reader, entry, field.path);
    DaemonFile file;
    file.path = std::filesystem::path(entry.key).lexically_normal().string();
    file.where = entry.key_at;
    const auto source = read_mapping(reader, entry.value, {"template", "content"});
    if (source.size() != 1)
      reader.fail(entry.value,
                  entry.value.path + ": " +
                      (source.empty() ? "says neither template nor content"
                                      : "says both template and content"),
                  "{template: FILE} (relative to the scenario) or {content: TEXT}");
    const Entry& given = source.front();
    if (given.key == "template")
      file.content = read_template_file(reader, given.value, scope, file);
    else
      file.content = read_template(reader, given.value, scope);
    for (const DaemonFile& earlier : files)
      if (earlier.path == file.path)
        reader.fail(entry.key_at, field.path + ": '" + entry.key + "' is the same file as '" +
                                      earlier.path + "' (line " +
                                      std::to_string(earlier.where.line) + ")");
    files.push_back(std::move(file));
  }
  return files;
}

}  // namespace leakgate::detail
