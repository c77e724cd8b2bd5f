#include "guilogging.h"

Q_LOGGING_CATEGORY(lcTray, "sluice.tray")
