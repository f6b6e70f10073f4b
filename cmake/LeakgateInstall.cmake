# Installation, the CMake package and the .deb (issue 16). Included last by the top-level
# CMakeLists.txt, once every target exists.
#
#   cmake --install build --prefix DIR   bin/leakgate, lib/libleakgate_preload.so,
#                                        lib/libleakgate_{accounting,probe,scenario,gtest,...}.a,
#                                        include/leakgate/*.h, lib/cmake/leakgate/, share/doc/leakgate/
#                                        (component runtime: stripped, about 10 MB; issue 26)
#   ... --component debug                lib/debug/.build-id/*/*.debug: the CLI's and the preload
#                                        library's debug info by build-id, for gdb
#   cpack -G DEB (in the build tree)     the same under /usr, as leakgate_<version>_<arch>.deb and
#                                        leakgate-dbgsym_<version>_<arch>.deb
#
# A user's project: find_package(leakgate CONFIG REQUIRED), then leakgate_add_scenarios() (the
# installed CLI is the imported leakgate::leakgate), target_link_libraries(mydaemon PRIVATE
# leakgate::accounting) and target_link_libraries(my_leak_test PRIVATE leakgate::gtest).
# examples/foreign-daemon is such a project.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

option(LEAKGATE_INSTALL "Generate leakgate's install rules and package" ${PROJECT_IS_TOP_LEVEL})
set(LEAKGATE_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/leakgate CACHE STRING
    "Where leakgateConfig.cmake is installed (relative to the prefix)")

# Consumers by add_subdirectory() get the same names as those by find_package().
if(TARGET leakgate AND NOT TARGET leakgate::leakgate)
  add_executable(leakgate::leakgate ALIAS leakgate)
endif()

# The installed CLI finds the installed preload library next to itself: <exe dir>/<this>.
# (harness/src/spawn/daemon_preload.cpp; the compiled-in build path comes after it.)
file(RELATIVE_PATH LEAKGATE_PRELOAD_FROM_BINDIR /prefix/${CMAKE_INSTALL_BINDIR}
     /prefix/${CMAKE_INSTALL_LIBDIR}/libleakgate_preload.so)
# And the Python agent (daemon.python: true), installed in <datadir>/leakgate/python
# (harness/src/spawn/python_agent.cpp; the source tree's copy comes after it).
set(LEAKGATE_PYTHON_AGENT_INSTALL_DIR ${CMAKE_INSTALL_DATADIR}/leakgate/python)
file(RELATIVE_PATH LEAKGATE_PYTHON_AGENT_FROM_BINDIR_PATH /prefix/${CMAKE_INSTALL_BINDIR}
     /prefix/${LEAKGATE_PYTHON_AGENT_INSTALL_DIR})
if(TARGET leakgate_spawn)
  target_compile_definitions(leakgate_spawn PRIVATE
    LEAKGATE_PRELOAD_LIB_FROM_BINDIR="${LEAKGATE_PRELOAD_FROM_BINDIR}"
    LEAKGATE_PYTHON_AGENT_FROM_BINDIR="${LEAKGATE_PYTHON_AGENT_FROM_BINDIR_PATH}")
endif()

if(NOT LEAKGATE_INSTALL)
  return()
endif()
set(CMAKE_INSTALL_DEFAULT_COMPONENT_NAME runtime)

# What a user's project links or runs: the CLI, the preload library, accounting/probe/scenario,
# and leakgate::gtest (LeakTest) with the engine it runs: the stages, leakgate::harness (their
# runner) and the reports they write. The stages' own headers (harness/src) stay private.
set_target_properties(leakgate_spawn PROPERTIES EXPORT_NAME spawn)
set_target_properties(leakgate_sample PROPERTIES EXPORT_NAME sample)
set_target_properties(leakgate_profile PROPERTIES EXPORT_NAME profile)
set_target_properties(leakgate_judge PROPERTIES EXPORT_NAME judge)
set_target_properties(leakgate_record PROPERTIES EXPORT_NAME record)
set_target_properties(leakgate_runner PROPERTIES EXPORT_NAME harness)
set_target_properties(leakgate_reports PROPERTIES EXPORT_NAME reports)
set(leakgate_exported leakgate_accounting leakgate_probe leakgate_scenario leakgate_preload
                      leakgate_spawn leakgate_sample leakgate_profile leakgate_judge
                      leakgate_record leakgate_runner leakgate_reports)
if(TARGET leakgate)
  set_target_properties(leakgate PROPERTIES EXPORT_NAME leakgate)
  list(APPEND leakgate_exported leakgate)
endif()
# leakgateConfig.cmake looks for GoogleTest only when leakgate::gtest is in the package.
set(LEAKGATE_PACKAGE_HAS_GTEST OFF)
if(TARGET leakgate_gtest)
  list(APPEND leakgate_exported leakgate_gtest)
  set(LEAKGATE_PACKAGE_HAS_GTEST ON)
endif()
install(TARGETS ${leakgate_exported}
        EXPORT leakgateTargets
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/harness/include/leakgate
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")
install(FILES ${PROJECT_SOURCE_DIR}/harness/src/python/sitecustomize.py
              ${PROJECT_SOURCE_DIR}/harness/src/python/leakgate_tracing.py
        DESTINATION ${LEAKGATE_PYTHON_AGENT_INSTALL_DIR})
# Installed lean (issue 26: the static libraries' -g1 debug info was 180 of 270 MB): programs
# and the shared library without symbols or debug info, static libraries without debug info;
# the debug info of the first by build-id in the component debug (left out of a plain install).
set(leakgate_programs leakgate_preload)
if(TARGET leakgate)
  list(APPEND leakgate_programs leakgate)
endif()
set(leakgate_installed_programs "")
set(leakgate_built_programs "")
set(leakgate_installed_archives "")
foreach(target IN LISTS leakgate_exported)
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "STATIC_LIBRARY")
    list(APPEND leakgate_installed_archives "${CMAKE_INSTALL_LIBDIR}/$<TARGET_FILE_NAME:${target}>")
  elseif(target IN_LIST leakgate_programs)
    set(directory ${CMAKE_INSTALL_LIBDIR})
    if(type STREQUAL "EXECUTABLE")
      set(directory ${CMAKE_INSTALL_BINDIR})
    endif()
    list(APPEND leakgate_installed_programs "${directory}/$<TARGET_FILE_NAME:${target}>")
    list(APPEND leakgate_built_programs "$<TARGET_FILE:${target}>")
  endif()
endforeach()
set(leakgate_strip_tools "set(LEAKGATE_STRIP [[${CMAKE_STRIP}]])
  set(LEAKGATE_OBJCOPY [[${CMAKE_OBJCOPY}]])
  set(LEAKGATE_READELF [[${CMAKE_READELF}]])")
install(CODE "${leakgate_strip_tools}
  set(LEAKGATE_STRIP_MODE strip)
  set(LEAKGATE_STRIP_PROGRAMS [[${leakgate_installed_programs}]])
  set(LEAKGATE_STRIP_ARCHIVES [[${leakgate_installed_archives}]])
  include([[${PROJECT_SOURCE_DIR}/cmake/LeakgateStripInstalled.cmake]])")
install(CODE "${leakgate_strip_tools}
  set(LEAKGATE_STRIP_MODE debug)
  set(LEAKGATE_STRIP_PROGRAMS [[${leakgate_built_programs}]])
  include([[${PROJECT_SOURCE_DIR}/cmake/LeakgateStripInstalled.cmake]])"
        COMPONENT debug EXCLUDE_FROM_ALL)
install(EXPORT leakgateTargets NAMESPACE leakgate:: FILE leakgateTargets.cmake
        DESTINATION ${LEAKGATE_INSTALL_CMAKEDIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/leakgateConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/package/leakgateConfig.cmake
                              INSTALL_DESTINATION ${LEAKGATE_INSTALL_CMAKEDIR})
# 0.x: a minor version may break the scenario format or the API.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/package/leakgateConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/package/leakgateConfig.cmake
              ${PROJECT_BINARY_DIR}/package/leakgateConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/LeakgateScenarios.cmake
        DESTINATION ${LEAKGATE_INSTALL_CMAKEDIR})

file(GLOB leakgate_docs ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${leakgate_docs}
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)

# cpack -G DEB from the build tree. Only when leakgate is the top-level project: a parent
# project's own CPack settings are not ours to set.
if(PROJECT_IS_TOP_LEVEL)
  set(CPACK_PACKAGE_NAME leakgate)
  set(CPACK_PACKAGE_VENDOR leakgate)
  set(CPACK_PACKAGE_CONTACT "leakgate maintainers <leakgate@invalid>")
  set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
      "leak-regression test harness and resource accounting for daemons")
  set(CPACK_PACKAGE_DESCRIPTION
      "leakgate runs scenarios against a daemon and fails a test when its fds, RSS, threads, \
heap or counted objects grow past a budget, naming the code that created the leaked objects. \
Ships the leakgate CLI, libleakgate_preload.so (for daemons that do not link leakgate), the \
accounting library and its headers, and a CMake package (find_package(leakgate)).")
  set(CPACK_PACKAGE_HOMEPAGE_URL "https://example.invalid/leakgate")
  set(CPACK_RESOURCE_FILE_README ${PROJECT_SOURCE_DIR}/README.md)
  set(CPACK_GENERATOR DEB)
  set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
  set(CPACK_STRIP_FILES OFF)  # the install rules strip (above), and split the debug info off
  set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
  set(CPACK_DEBIAN_PACKAGE_SECTION devel)
  # Two packages: leakgate (component runtime) and leakgate-dbgsym (component debug).
  set(CPACK_DEB_COMPONENT_INSTALL ON)
  set(CPACK_COMPONENTS_ALL runtime debug)
  set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME leakgate)
  set(CPACK_DEBIAN_DEBUG_PACKAGE_NAME leakgate-dbgsym)
  set(CPACK_DEBIAN_DEBUG_PACKAGE_SECTION debug)
  set(CPACK_DEBIAN_DEBUG_PACKAGE_DEPENDS "leakgate (= ${PROJECT_VERSION})")
  set(CPACK_DEBIAN_DEBUG_PACKAGE_SHLIBDEPS OFF)
  set(CPACK_COMPONENT_DEBUG_DESCRIPTION
      "debug symbols for leakgate: the CLI's and libleakgate_preload.so's, by build-id")
  # Runtime libraries: from the binaries by dpkg-shlibdeps when it exists, else the Debian 12
  # packages the CLI and the preload library link (scripts/setup installs them).
  find_program(LEAKGATE_DPKG_SHLIBDEPS dpkg-shlibdeps)
  if(LEAKGATE_DPKG_SHLIBDEPS)
    set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  else()
    set(leakgate_runtime_depends
        "libc6, libstdc++6, libgcc-s1, libunwind8, libyaml-cpp0.7, libsqlite3-0, \
libboost-filesystem1.74.0, libcpp-httplib0.11")
    if(LEAKGATE_WITH_TCMALLOC)
      string(APPEND leakgate_runtime_depends ", libgoogle-perftools4")
    endif()
    set(CPACK_DEBIAN_PACKAGE_DEPENDS "${leakgate_runtime_depends}")
  endif()
  # What the CMake package needs in a user's build: cmake for leakgate_add_scenarios(), and
  # what leakgateConfig.cmake finds for the static libraries' link interfaces.
  set(CPACK_DEBIAN_PACKAGE_RECOMMENDS
      "cmake (>= 3.25), pkg-config, libunwind-dev, libyaml-cpp-dev, nlohmann-json3-dev, \
libsqlite3-dev, libboost-filesystem-dev, libcpp-httplib-dev, libgtest-dev")
  set(CPACK_DEBIAN_PACKAGE_SUGGESTS "google-perftools, python3")
  include(CPack)
endif()
