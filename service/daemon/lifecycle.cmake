# The lifecycle part of sluiced (stop sequence, signals, planned stop, restart, forensics,
# resume): sources compiled into sluice_service by service/daemon/CMakeLists.txt.
set(SLUICE_LIFECYCLE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/lifecyclelogging.h      ${CMAKE_CURRENT_LIST_DIR}/lifecyclelogging.cpp
  ${CMAKE_CURRENT_LIST_DIR}/signalbridge.h          ${CMAKE_CURRENT_LIST_DIR}/signalbridge.cpp
  ${CMAKE_CURRENT_LIST_DIR}/shutdownreport.h        ${CMAKE_CURRENT_LIST_DIR}/shutdownreport.cpp
  ${CMAKE_CURRENT_LIST_DIR}/shutdowndiagnostic.h    ${CMAKE_CURRENT_LIST_DIR}/shutdowndiagnostic.cpp
  ${CMAKE_CURRENT_LIST_DIR}/stopwatchdog.h          ${CMAKE_CURRENT_LIST_DIR}/stopwatchdog.cpp
  ${CMAKE_CURRENT_LIST_DIR}/restartpolicy.h         ${CMAKE_CURRENT_LIST_DIR}/restartpolicy.cpp
  ${CMAKE_CURRENT_LIST_DIR}/plannedstopwatcher.h    ${CMAKE_CURRENT_LIST_DIR}/plannedstopwatcher.cpp
  ${CMAKE_CURRENT_LIST_DIR}/shutdownsequence.h      ${CMAKE_CURRENT_LIST_DIR}/shutdownsequence.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sessionresumer.h        ${CMAKE_CURRENT_LIST_DIR}/sessionresumer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lifecyclecontroller.h   ${CMAKE_CURRENT_LIST_DIR}/lifecyclecontroller.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lifecycleinstall.h      ${CMAKE_CURRENT_LIST_DIR}/lifecycleinstall.cpp
)
