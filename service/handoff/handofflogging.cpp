#include "handoff/handofflogging.h"

Q_LOGGING_CATEGORY(lcHandoff, "sluice.handoff")
