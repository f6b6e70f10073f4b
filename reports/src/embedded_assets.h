// The CSS and JavaScript of the pages, embedded from reports/assets at build time
// (see cmake/embed_assets.cmake); defined in the generated embedded_assets.cpp.
#pragma once

#include <string_view>

namespace leakgate::reports::detail {

std::string_view asset_report_css();
std::string_view asset_index_js();

}  // namespace leakgate::reports::detail
