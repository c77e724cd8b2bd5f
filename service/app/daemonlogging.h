#pragma once
#include <QLoggingCategory>

// The logging categories of sluiced's startup and app wiring
// (QT_LOGGING_RULES="sluice.daemon.debug=true"); each domain folder declares its own.
Q_DECLARE_LOGGING_CATEGORY(lcDaemon) // sluice.daemon  startup, options, app wiring
Q_DECLARE_LOGGING_CATEGORY(lcLock)   // sluice.lock    instance lock
