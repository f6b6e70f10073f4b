# docs.readme-verdicts: the verdict blocks README.md quotes are what leakgate prints today
# (scripts/readme-verdicts runs the scenarios each block names against the real trackerd and
# compares, figures that vary between runs masked). Included from the top-level
# CMakeLists.txt, beside ctest.dashboard-measurements.
add_test(NAME docs.readme-verdicts
         COMMAND ${PROJECT_SOURCE_DIR}/scripts/readme-verdicts
                 --leakgate $<TARGET_FILE:leakgate>
                 --var TRACKERD=$<TARGET_FILE:trackerd> --var TRACKER=$<TARGET_FILE:tracker>
                 --readme ${PROJECT_SOURCE_DIR}/README.md)
set_tests_properties(docs.readme-verdicts PROPERTIES LABELS "integration;scenario" TIMEOUT 180)
