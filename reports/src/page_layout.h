// The document frame shared by the test pages and the run index: a self-contained
// HTML5 document whose Content-Security-Policy forbids every network load.
#pragma once

#include <string>
#include <string_view>

namespace leakgate::reports::detail {

// <!DOCTYPE html> … <body><main>; `title` is escaped here.
std::string page_head(std::string_view title);
// </main> [<script>inline_script</script>] </body></html>
std::string page_foot(std::string_view inline_script = {});

// <section id=…><h2>…</h2> … </section>, the heading escaped.
std::string section(std::string_view id, std::string_view heading, std::string_view body_html);

}  // namespace leakgate::reports::detail
