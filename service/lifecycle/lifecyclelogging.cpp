#include "lifecycle/lifecyclelogging.h"

Q_LOGGING_CATEGORY(lcLifecycle, "sluice.lifecycle")
Q_LOGGING_CATEGORY(lcWatch, "sluice.watch")
