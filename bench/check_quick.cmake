# ctest's bench_quick: runs ${BENCH} --quick and fails unless it exits 0 and its report holds
# the header line and every table's header row.
execute_process(COMMAND ${BENCH} --quick RESULT_VARIABLE rc OUTPUT_VARIABLE report ERROR_VARIABLE progress)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cradle_bench --quick exited with ${rc}:\n${progress}\n${report}")
endif()
foreach(expected
    "hardware threads, load average "
    ", the reference loop's speed moved by "
    "| population | households | residents | replications | threads | household-years/s |"
    "× the reference** in core time per household-year"
    "| population | threads | residents | population | peak, generation |"
    "| population | threads | replications | total, s | one population, s | generation | simulation |"
    "Not made: it needs the full Jiangxi case")
  string(FIND "${report}" "${expected}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "cradle_bench --quick printed no \"${expected}\":\n${report}")
  endif()
endforeach()
# A one-thread throughput row of each quick case: counts, 2 replications, five figures, 1.00 and 100 %.
set(n "[0-9.]+(e\\+[0-9]+)?")
foreach(label "Xihu, current" "Zhangping, current" "Jiangxi, current, 1/10")
  if(NOT report MATCHES "\\| ${label} \\| [0-9,]+ \\| [0-9,]+ \\| 2 \\| 1 \\| ${n} \\| ${n} \\| ${n} \\| ${n} \\| ${n} \\| 1.00 \\| 100 % \\|")
    message(FATAL_ERROR "cradle_bench --quick printed no one-thread row for ${label}:\n${report}")
  endif()
endforeach()
message(STATUS "${report}")
