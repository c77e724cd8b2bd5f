#include "turns/turnslogging.h"

Q_LOGGING_CATEGORY(lcTurns, "sluice.turns")
Q_LOGGING_CATEGORY(lcAgent, "sluice.agent")
Q_LOGGING_CATEGORY(lcStore, "sluice.store")
