#include "lifecycle/lifecyclelogging.h"

Q_LOGGING_CATEGORY(lcLifecycle, "sluice.lifecycle")
