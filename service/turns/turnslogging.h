#pragma once
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcTurns) // sluice.turns  scheduling, processes, containment
Q_DECLARE_LOGGING_CATEGORY(lcAgent) // sluice.agent  agents' stderr lines
Q_DECLARE_LOGGING_CATEGORY(lcStore) // sluice.store  state.db
