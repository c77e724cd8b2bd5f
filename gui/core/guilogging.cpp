#include "core/guilogging.h"

Q_LOGGING_CATEGORY(lcTray, "sluice.tray")
