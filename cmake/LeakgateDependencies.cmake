# Every dependency comes from a Debian 12 package; scripts/setup installs them.
# cpp-httplib, gperftools and libunwind ship no CMake config: use pkg-config.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(CLI11 REQUIRED)
find_package(Boost 1.74 REQUIRED COMPONENTS filesystem)
# Debian builds cpp-httplib as a shared library: its class layout depends on the
# pkg-config cflags (OpenSSL/zlib/brotli), so they must be used verbatim.
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
pkg_check_modules(LIBUNWIND REQUIRED IMPORTED_TARGET libunwind)
if(LEAKGATE_WITH_TCMALLOC)
  pkg_check_modules(TCMALLOC REQUIRED IMPORTED_TARGET libtcmalloc)
  pkg_check_modules(PROFILER REQUIRED IMPORTED_TARGET libprofiler)
endif()
# The tests need GoogleTest; leakgate::gtest (LeakTest) is built whenever it is found.
if(LEAKGATE_BUILD_TESTS)
  find_package(GTest REQUIRED)
else()
  find_package(GTest QUIET)
endif()
if(LEAKGATE_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
