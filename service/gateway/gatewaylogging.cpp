#include "gateway/gatewaylogging.h"

Q_LOGGING_CATEGORY(lcGateway, "sluice.gateway")
Q_LOGGING_CATEGORY(lcStatus, "sluice.status")
