# Debian packages from the install rules (docs/installers.md): `cpack -G DEB` in a build tree
# writes sluice_<version>_amd64.deb (component "service": sluiced, sluicectl, the demo agent,
# units, man pages, completions; Qt Core/Network/Sql only) and sluice-tray_<version>_amd64.deb
# (component "tray": the Widgets program, its desktop entry, icons and AppStream metadata).
if(NOT UNIX OR APPLE)
  return()
endif()

set(SLUICE_MAINTAINER "The Sluice authors <sluice@sluice.invalid>" CACHE STRING
  "Maintainer field of the Debian packages")

# Each package carries Debian's copyright file and a changelog in Debian's format.
string(TIMESTAMP SLUICE_CHANGELOG_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
set(debian_dir ${CMAKE_CURRENT_BINARY_DIR}/debian)
configure_file(${CMAKE_CURRENT_LIST_DIR}/debian/changelog.in ${debian_dir}/changelog @ONLY)
add_custom_command(OUTPUT ${debian_dir}/changelog.gz
  COMMAND sh -c "gzip -9 -n -c '${debian_dir}/changelog' > '${debian_dir}/changelog.gz'"
  DEPENDS ${debian_dir}/changelog VERBATIM)
add_custom_target(sluice_debian_changelog ALL DEPENDS ${debian_dir}/changelog.gz)
set(sluice_packages sluice)
if(SLUICE_BUILD_GUI)
  list(APPEND sluice_packages sluice-tray)
endif()
foreach(package IN LISTS sluice_packages)
  set(component service)
  if(package STREQUAL "sluice-tray")
    set(component tray)
  endif()
  install(FILES ${CMAKE_CURRENT_LIST_DIR}/debian/copyright ${debian_dir}/changelog.gz
    DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/${package} COMPONENT ${component})
endforeach()

if(SLUICE_FAULT_INJECTION)
  message(STATUS "SLUICE_FAULT_INJECTION is on: packages built from this tree are for tests only")
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME sluice)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
# CPackDeb puts a summary other than CPack's default in front of each description; equal to
# the default, each package's synopsis is the first line of its own description.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${CMAKE_PROJECT_NAME} built using CMake")
set(CPACK_PACKAGE_VENDOR "The Sluice authors")
set(CPACK_PACKAGE_CONTACT ${SLUICE_MAINTAINER})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL service)
if(SLUICE_BUILD_GUI)
  list(APPEND CPACK_COMPONENTS_ALL tray)
endif()
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)

set(CPACK_DEBIAN_SERVICE_PACKAGE_NAME sluice)
set(CPACK_DEBIAN_SERVICE_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_SERVICE_DESCRIPTION "agent gateway with safe lifecycle control
Sluice runs each agent turn (an LLM agent working for minutes, with tool
processes under it) as its own child process tree, and can drain, stop,
restart or force-restart without cutting a turn off mid-way, losing sessions
or wedging itself.
.
This package holds the headless parts: the service sluiced, the command line
sluicectl, the demo agent, a systemd user unit and a hardened system unit.
It needs no graphical toolkit.")
set(CPACK_DEBIAN_SERVICE_PACKAGE_CONTROL_EXTRA
  ${CMAKE_CURRENT_LIST_DIR}/debian/postinst
  ${CMAKE_CURRENT_LIST_DIR}/debian/prerm
  ${CMAKE_CURRENT_LIST_DIR}/debian/postrm)

set(CPACK_DEBIAN_TRAY_PACKAGE_NAME sluice-tray)
set(CPACK_DEBIAN_TRAY_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_TRAY_PACKAGE_DEPENDS "sluice (= ${PROJECT_VERSION})")
set(CPACK_DEBIAN_TRAY_DESCRIPTION "tray icon and control panel for the Sluice agent gateway
The tray shows the state of the Sluice gateway and its active agents, and
offers drain, stop, restart and force restart. Its control panel shows the
agents, the drain progress, the last shutdown as a timeline and the log.")

include(CPack)
