# Runs stack.awk over the call graph files of the ntx_callgraph objects.
file(GLOB_RECURSE ci ${DIR}/*.ci)
if(NOT ci)
  message(FATAL_ERROR "no call graph files under ${DIR}")
endif()
execute_process(COMMAND ${AWK} -v budget=${BUDGET} -f ${SCRIPT} ${ci} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "stack check failed")
endif()
