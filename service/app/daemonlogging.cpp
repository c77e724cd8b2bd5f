#include "app/daemonlogging.h"

Q_LOGGING_CATEGORY(lcDaemon, "sluice.daemon")
Q_LOGGING_CATEGORY(lcLock, "sluice.lock")
