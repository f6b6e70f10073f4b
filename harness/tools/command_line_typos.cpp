#include "command_line_typos.h"

#include <cctype>
#include <string_view>

#include "scenario/suggest.h"

namespace leakgate::cli {
namespace {

// "-5", "-0.5": a value, not an option (CLI11 reads them so too).
bool is_negative_number(std::string_view arg) {
  return arg.size() > 1 && arg[0] == '-' &&
         (std::isdigit(static_cast<unsigned char>(arg[1])) || arg[1] == '.');
}

bool looks_like_option(std::string_view arg) {
  return arg.size() > 1 && arg[0] == '-' && !is_negative_number(arg);
}

// "leakgate", "leakgate baseline", ...: how the user called the command that is being read.
// The root's own name is empty until CLI11 has parsed argv[0].
std::string command_path(const CLI::App* app) {
  std::string path;
  for (; app && app->get_parent(); app = app->get_parent()) path = " " + app->get_name() + path;
  return "leakgate" + path;
}

CLI::Option* find_option(CLI::App& app, std::string_view arg) {
  const bool long_form = arg.substr(0, 2) == "--";
  // "--name=value" and "-ovalue" name the option by their start.
  const std::string name(long_form ? arg.substr(2, arg.find('=') - 2) : arg.substr(1, 1));
  for (CLI::Option* option : app.get_options()) {
    const auto& names = long_form ? option->get_lnames() : option->get_snames();
    for (const std::string& candidate : names)
      if (candidate == name) return option;
  }
  return nullptr;
}

std::string unknown_option(CLI::App& app, std::string_view arg) {
  const bool long_form = arg.substr(0, 2) == "--";
  const std::string_view word = long_form ? arg.substr(2, arg.find('=') - 2) : arg.substr(1);
  std::vector<std::string_view> names;
  // Not --help or --version: "--keep" is two letters from "--help" in another subcommand.
  for (CLI::Option* option : app.get_options())
    for (const std::string& name : option->get_lnames())
      if (name != "help" && name != "version") names.push_back(name);
  const std::string match = detail::closest_match(word, names);
  const std::string shown(long_form ? arg.substr(0, arg.find('=')) : arg.substr(0, 2));
  std::string line = command_path(&app) + ": unknown option '" + shown + "'";
  if (!match.empty()) return line + "; did you mean '--" + match + "'?";
  return line + " (" + command_path(&app) + " --help lists the options)";
}

std::string unknown_subcommand(CLI::App& app, const std::string& word) {
  std::vector<std::string> names;
  for (const CLI::App* subcommand : app.get_subcommands(std::function<bool(CLI::App*)>()))
    names.push_back(subcommand->get_name());
  const std::vector<std::string_view> views(names.begin(), names.end());
  const std::string match = detail::closest_match(word, views);
  std::string line = command_path(&app) + ": unknown subcommand '" + word + "'";
  if (!match.empty()) return line + "; did you mean '" + match + "'?";
  return line + "; one of: " + detail::join(views);
}

}  // namespace

std::string first_unknown_word(CLI::App& app, const std::vector<std::string>& args) {
  CLI::App* current = &app;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") break;  // positionals only from here on
    if (looks_like_option(arg)) {
      CLI::Option* option = find_option(*current, arg);
      if (!option) return unknown_option(*current, arg);
      // Its value, if it takes one and it is not glued on: not a subcommand, not an option.
      const bool glued = arg.find('=') != std::string::npos || (arg[1] != '-' && arg.size() > 2);
      if (option->get_type_size() > 0 && !glued) ++i;
      continue;
    }
    CLI::App* subcommand = nullptr;
    for (CLI::App* candidate : current->get_subcommands(std::function<bool(CLI::App*)>()))
      if (candidate->check_name(arg)) subcommand = candidate;
    if (subcommand) {
      current = subcommand;
    } else if (current->get_require_subcommand_min() > 0) {
      return unknown_subcommand(*current, arg);
    }
  }
  return {};
}

}  // namespace leakgate::cli
