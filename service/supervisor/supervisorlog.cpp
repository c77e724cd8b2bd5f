#include "supervisor/supervisorlog.h"

Q_LOGGING_CATEGORY(lcSupervisor, "sluice.supervisor")
