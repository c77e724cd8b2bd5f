#include "lifecycle/faultinjection.h"

namespace sluice::FaultInjection {

#ifdef SLUICE_FAULT_INJECTION
bool isEnabled()
{
    return true;
}

QString hangPhase()
{
    return qEnvironmentVariable("SLUICE_TEST_HANG_PHASE");
}

qint64 watchdogBudgetMs(qint64 budgetMs)
{
    bool ok = false;
    const double s = qEnvironmentVariable("SLUICE_TEST_WATCHDOG_S").toDouble(&ok);
    return ok && s > 0 ? qint64(s * 1000) : budgetMs;
}
#else
bool isEnabled()
{
    return false;
}

QString hangPhase()
{
    return QString();
}

qint64 watchdogBudgetMs(qint64 budgetMs)
{
    return budgetMs;
}
#endif

} // namespace sluice::FaultInjection
