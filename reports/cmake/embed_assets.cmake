# Writes OUTPUT: a .cpp defining leakgate::reports::detail::asset_<name>() for each file in
# ASSETS (report.css -> asset_report_css), as raw string literals.
set(body "// Generated from reports/assets by embed_assets.cmake; do not edit.\n")
string(APPEND body "#include <string_view>\n\nnamespace leakgate::reports::detail {\n")
foreach(asset IN LISTS ASSETS)
  get_filename_component(name ${asset} NAME)
  string(MAKE_C_IDENTIFIER ${name} identifier)
  file(READ ${asset} content)
  string(FIND "${content}" ")leakgate_asset\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${asset} contains the raw string delimiter")
  endif()
  string(APPEND body "std::string_view asset_${identifier}() {\n"
                     "  static constexpr char text[] = R\"leakgate_asset(${content})leakgate_asset\";\n"
                     "  return {text, sizeof(text) - 1};\n}\n")
endforeach()
string(APPEND body "}  // namespace leakgate::reports::detail\n")
file(WRITE ${OUTPUT}.tmp "${body}")
# Only touch the output when it changed, so an unchanged asset does not recompile.
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUTPUT}.tmp)
