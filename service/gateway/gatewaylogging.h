#pragma once
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcGateway) // sluice.gateway  state machine, drain, stop hand-over
Q_DECLARE_LOGGING_CATEGORY(lcStatus)  // sluice.status   gateway_state.json writer
