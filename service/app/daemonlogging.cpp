#include "app/daemonlogging.h"

Q_LOGGING_CATEGORY(lcDaemon, "sluice.daemon")
Q_LOGGING_CATEGORY(lcGateway, "sluice.gateway")
Q_LOGGING_CATEGORY(lcTurns, "sluice.turns")
Q_LOGGING_CATEGORY(lcAgent, "sluice.agent")
Q_LOGGING_CATEGORY(lcStore, "sluice.store")
Q_LOGGING_CATEGORY(lcIpcServer, "sluice.ipcserver")
Q_LOGGING_CATEGORY(lcWatch, "sluice.watch")
Q_LOGGING_CATEGORY(lcLock, "sluice.lock")
Q_LOGGING_CATEGORY(lcStatus, "sluice.status")
