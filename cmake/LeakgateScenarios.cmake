# leakgate_add_scenarios(DIRECTORY dir [LABELS l...] [TIMEOUT s] [VARS K=V...])
# Implemented with the runner (harness issue).
function(leakgate_add_scenarios)
endfunction()
