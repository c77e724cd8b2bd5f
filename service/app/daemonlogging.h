#pragma once
#include <QLoggingCategory>

// One logging category per module of sluiced (QT_LOGGING_RULES="sluice.turns.debug=true").
Q_DECLARE_LOGGING_CATEGORY(lcDaemon)    // sluice.daemon    startup, options, app wiring
Q_DECLARE_LOGGING_CATEGORY(lcGateway)   // sluice.gateway   state machine, drain, stop hand-over
Q_DECLARE_LOGGING_CATEGORY(lcTurns)     // sluice.turns     turn scheduling and processes
Q_DECLARE_LOGGING_CATEGORY(lcAgent)     // sluice.agent     agents' stderr lines
Q_DECLARE_LOGGING_CATEGORY(lcStore)     // sluice.store     state.db
Q_DECLARE_LOGGING_CATEGORY(lcIpcServer) // sluice.ipcserver local socket server
Q_DECLARE_LOGGING_CATEGORY(lcWatch)     // sluice.watch     HOME marker watcher
Q_DECLARE_LOGGING_CATEGORY(lcLock)      // sluice.lock      instance lock
Q_DECLARE_LOGGING_CATEGORY(lcStatus)    // sluice.status    gateway_state.json writer
