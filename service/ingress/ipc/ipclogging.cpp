#include "ingress/ipc/ipclogging.h"

Q_LOGGING_CATEGORY(lcIpcServer, "sluice.ipcserver")
