#pragma once
#include <QtGlobal>

namespace sluice {

// The time a stop may take (CONTRACT §6, §9): drain timeout + interrupt grace + a fixed reserve
// for notify, mark_resume, disconnect, persist and exit. The service's own stop watchdog, the
// unit's TimeoutStopSec, launchd's ExitTimeOut and EXTEND_TIMEOUT_USEC all use this one budget.
namespace StopBudget {
inline constexpr qint64 ReserveSeconds = 30;
inline constexpr qint64 seconds(qint64 drainTimeoutS, qint64 interruptGraceS)
{
    return drainTimeoutS + interruptGraceS + ReserveSeconds;
}
inline constexpr qint64 microseconds(qint64 drainTimeoutS, qint64 interruptGraceS)
{
    return seconds(drainTimeoutS, interruptGraceS) * 1000000;
}
} // namespace StopBudget

} // namespace sluice
