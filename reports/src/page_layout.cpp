#include "page_layout.h"

#include "embedded_assets.h"
#include "leakgate/reports/html.h"

namespace leakgate::reports::detail {

std::string page_head(std::string_view title) {
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
      // Reports are opened from disk and archived by CI: nothing may be fetched.
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\"/>\n"
      "<meta name=\"generator\" content=\"leakgate\"/>\n<title>";
  html += escape_html(title);
  html += "</title>\n<style>\n";
  html += asset_report_css();
  html += "</style>\n</head>\n<body>\n<main>\n";
  return html;
}

std::string page_foot(std::string_view inline_script) {
  std::string html = "</main>\n";
  if (!inline_script.empty()) {
    html += "<script>\n";
    html += inline_script;
    html += "</script>\n";
  }
  html += "</body>\n</html>\n";
  return html;
}

std::string section(std::string_view id, std::string_view heading, std::string_view body_html) {
  std::string html =
      "<section id=\"" + escape_html(id) + "\">\n<h2>" + escape_html(heading) + "</h2>\n";
  html += body_html;
  html += "</section>\n";
  return html;
}

}  // namespace leakgate::reports::detail
