#include "html_checker.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace leakgate::reports::testing {
namespace {

const std::set<std::string, std::less<>> kVoidElements = {
    "area",  "base", "br",   "col",    "embed", "hr", "img",
    "input", "link", "meta", "source", "track", "wbr"};

class Checker {
 public:
  explicit Checker(std::string_view html) : html_(html) {}

  std::vector<std::string> run() {
    while (position_ < html_.size()) {
      if (html_[position_] == '<') {
        markup();
      } else {
        text_character(html_[position_], "text");
        ++position_;
      }
    }
    for (auto it = open_.rbegin(); it != open_.rend(); ++it) problem("<" + *it + "> never closed");
    return problems_;
  }

 private:
  void problem(const std::string& message) {
    const auto line =
        1 + std::count(html_.begin(), html_.begin() + std::min(position_, html_.size()), '\n');
    problems_.push_back("line " + std::to_string(line) + ": " + message);
  }

  // Raw < > never appear in text or values; & must begin an entity.
  void text_character(char c, const char* where) {
    if (c == '>') problem(std::string("unescaped > in ") + where);
    if (c == '&') {
      const std::size_t end = html_.find(';', position_);
      const std::string_view entity = end == std::string_view::npos
                                          ? std::string_view()
                                          : html_.substr(position_ + 1, end - position_ - 1);
      const bool named = !entity.empty() && entity.size() <= 10 &&
                         std::all_of(entity.begin(), entity.end(), [](char e) {
                           return std::isalnum(static_cast<unsigned char>(e));
                         });
      const bool numeric = entity.size() >= 2 && entity[0] == '#' &&
                           std::all_of(entity.begin() + 1, entity.end(), [](char e) {
                             return std::isdigit(static_cast<unsigned char>(e)) || e == 'x';
                           });
      if (!named && !numeric) problem(std::string("unescaped & in ") + where);
    }
  }

  std::string name_at() {
    const std::size_t start = position_;
    while (position_ < html_.size() &&
           (std::isalnum(static_cast<unsigned char>(html_[position_])) || html_[position_] == '-' ||
            html_[position_] == ':'))
      ++position_;
    return std::string(html_.substr(start, position_ - start));
  }

  void skip_spaces() {
    while (position_ < html_.size() && std::isspace(static_cast<unsigned char>(html_[position_])))
      ++position_;
  }

  void markup() {
    if (html_.compare(position_, 4, "<!--") == 0) {
      const std::size_t end = html_.find("-->", position_);
      if (end == std::string_view::npos)
        return problem("unterminated comment"), void(position_ = html_.size());
      position_ = end + 3;
      return;
    }
    if (html_.compare(position_, 9, "<!DOCTYPE") == 0) {
      position_ = html_.find('>', position_) + 1;
      return;
    }
    ++position_;
    const bool closing = position_ < html_.size() && html_[position_] == '/';
    if (closing) ++position_;
    const std::string name = name_at();
    if (name.empty()) return problem("unescaped < in text");
    if (closing) return close_tag(name);
    bool self_closed = false;
    for (;;) {
      skip_spaces();
      if (position_ >= html_.size()) return problem("unterminated <" + name + ">");
      if (html_[position_] == '>') break;
      if (html_.compare(position_, 2, "/>") == 0) {
        self_closed = true;
        ++position_;
        break;
      }
      attribute(name);
    }
    ++position_;  // '>'
    if (self_closed || kVoidElements.count(name)) return;
    if (name == "script" || name == "style") {
      const std::string end_tag = "</" + name + ">";
      const std::size_t end = html_.find(end_tag, position_);
      if (end == std::string_view::npos) return problem("<" + name + "> never closed");
      position_ = end + end_tag.size();
      return;
    }
    open_.push_back(name);
  }

  void attribute(const std::string& element) {
    const std::string name = name_at();
    if (name.empty()) {
      problem("bad attribute syntax in <" + element + ">");
      ++position_;
      return;
    }
    if (position_ >= html_.size() || html_[position_] != '=') return;  // boolean attribute
    ++position_;
    if (position_ >= html_.size() || html_[position_] != '"') {
      return problem("unquoted value of " + name + " in <" + element + ">");
    }
    ++position_;
    while (position_ < html_.size() && html_[position_] != '"') {
      if (html_[position_] == '<') problem("unescaped < in attribute " + name);
      text_character(html_[position_], "attribute value");
      ++position_;
    }
    ++position_;
  }

  void close_tag(const std::string& name) {
    skip_spaces();
    if (position_ >= html_.size() || html_[position_] != '>') problem("malformed </" + name + ">");
    ++position_;
    if (open_.empty() || open_.back() != name) {
      return problem("</" + name + "> closes " +
                     (open_.empty() ? "nothing" : "<" + open_.back() + ">"));
    }
    open_.pop_back();
  }

  std::string_view html_;
  std::size_t position_ = 0;
  std::vector<std::string> open_;
  std::vector<std::string> problems_;
};

}  // namespace

std::vector<std::string> check_well_formed(std::string_view html) { return Checker(html).run(); }

}  // namespace leakgate::reports::testing
