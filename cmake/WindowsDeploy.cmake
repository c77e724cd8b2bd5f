# Windows: the install tree (the programs and the DLLs they need, beside them, as a Windows user
# gets them; docs/platforms.md).
# The build folder's bin/ gets a copy so the programs and tests run from there (under Wine too),
# and `cmake --install` puts the same files into the install tree the MSI is made from.
#
#   bin/Qt6Core.dll Qt6Network.dll Qt6Sql.dll sqlite3.dll   Qt and SQLite
#   bin/libstdc++-6.dll libgcc_s_seh-1.dll libwinpthread-1.dll   the MinGW runtime (MinGW only)
#   bin/plugins/sqldrivers/qsqlite.dll                     the SQL driver, found through qt.conf
#   bin/qt.conf                                            Prefix=. so plugins/ is beside the exe
#
# An MSVC build deploys with windeployqt instead (installer/windows/build.ps1); this file then
# only writes qt.conf and installs what windeployqt does not know about.
if(NOT WIN32)
  return()
endif()

set(_runtime_dlls)
set(_plugin_dlls)
if(MINGW)
  foreach(qt Core Network Sql)
    get_target_property(_dll Qt6::${qt} IMPORTED_LOCATION_RELEASE)
    if(NOT _dll)
      get_target_property(_dll Qt6::${qt} IMPORTED_LOCATION)
    endif()
    list(APPEND _runtime_dlls "${_dll}")
  endforeach()
  get_filename_component(_qt_bin "${_dll}" DIRECTORY)
  # The tests need QtTest too; it is copied into the build, never installed.
  set(_test_dlls)
  if(SLUICE_BUILD_TESTS)
    get_target_property(_test_dlls Qt6::Test IMPORTED_LOCATION_RELEASE)
  endif()
  find_file(SLUICE_SQLITE_DLL sqlite3.dll PATHS "${_qt_bin}" NO_DEFAULT_PATH REQUIRED)
  list(APPEND _runtime_dlls "${SLUICE_SQLITE_DLL}")
  # The compiler knows where its own runtime lives.
  foreach(dll libstdc++-6.dll libgcc_s_seh-1.dll libwinpthread-1.dll)
    execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=${dll}
      OUTPUT_VARIABLE _path OUTPUT_STRIP_TRAILING_WHITESPACE)
    get_filename_component(_path "${_path}" ABSOLUTE)
    if(NOT EXISTS "${_path}")
      message(FATAL_ERROR "MinGW runtime ${dll} not found (${CMAKE_CXX_COMPILER} -print-file-name)")
    endif()
    list(APPEND _runtime_dlls "${_path}")
  endforeach()
  get_target_property(_plugin Qt6::QSQLiteDriverPlugin IMPORTED_LOCATION_RELEASE)
  if(NOT _plugin)
    get_target_property(_plugin Qt6::QSQLiteDriverPlugin IMPORTED_LOCATION)
  endif()
  list(APPEND _plugin_dlls "${_plugin}")
endif()

set(_qtconf "${CMAKE_BINARY_DIR}/windows/qt.conf")
file(WRITE "${_qtconf}" "[Paths]\nPrefix=.\nPlugins=plugins\n")

set(_bin "${CMAKE_RUNTIME_OUTPUT_DIRECTORY}")
add_custom_target(sluice_windows_runtime ALL
  COMMAND ${CMAKE_COMMAND} -E make_directory "${_bin}/plugins/sqldrivers"
  COMMAND ${CMAKE_COMMAND} -E copy_if_different "${_qtconf}" ${_runtime_dlls} ${_test_dlls}
          "${_bin}"
  COMMENT "Copying the Qt and runtime DLLs beside the Windows programs"
  VERBATIM)
if(_plugin_dlls)
  add_custom_command(TARGET sluice_windows_runtime POST_BUILD
    COMMAND ${CMAKE_COMMAND} -E copy_if_different ${_plugin_dlls} "${_bin}/plugins/sqldrivers"
    VERBATIM)
endif()

# The install tree is flat, as on every Windows install: the programs and their DLLs in bin/.
install(FILES "${_qtconf}" ${_runtime_dlls} DESTINATION bin COMPONENT runtime)
if(_plugin_dlls)
  install(FILES ${_plugin_dlls} DESTINATION bin/plugins/sqldrivers COMPONENT runtime)
endif()
# `cmake --install --strip` strips our programs; Debian's MinGW runtime DLLs come with their
# symbols (libstdc++ is 23 MB of them), so strip the installed copies too.
if(MINGW AND CMAKE_STRIP)
  set(_names)
  foreach(dll ${_runtime_dlls})
    get_filename_component(_name "${dll}" NAME)
    list(APPEND _names "${_name}")
  endforeach()
  install(CODE "
    if(CMAKE_INSTALL_DO_STRIP)
      foreach(dll ${_names})
        execute_process(COMMAND \"${CMAKE_STRIP}\" --strip-unneeded
          \"\${CMAKE_INSTALL_PREFIX}/bin/\${dll}\")
      endforeach()
    endif()" COMPONENT runtime)
endif()
