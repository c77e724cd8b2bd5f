#pragma once
#include <QtGlobal>

#include <cmath>

namespace sluice {

// The time a stop may take (docs/reference.md §6, §9): drain timeout + interrupt grace + a
// fixed reserve for notify, mark_resume, disconnect, persist and exit. The one definition:
// the service's stop watchdog, its status `supervisor.required_us`, EXTEND_TIMEOUT_USEC, the
// unit's TimeoutStopSec, launchd's ExitTimeOut and sluicectl's stop wait all come from here.
// Fractional settings round up, so no manager is ever given less than the service needs.
namespace StopBudget {
inline constexpr qint64 ReserveSeconds = 30;
inline qint64 seconds(double drainTimeoutS, double interruptGraceS)
{
    return qint64(std::ceil(qMax(0.0, drainTimeoutS))) +
           qint64(std::ceil(qMax(0.0, interruptGraceS))) + ReserveSeconds;
}
inline qint64 milliseconds(double drainTimeoutS, double interruptGraceS)
{
    return seconds(drainTimeoutS, interruptGraceS) * 1000;
}
inline qint64 microseconds(double drainTimeoutS, double interruptGraceS)
{
    return seconds(drainTimeoutS, interruptGraceS) * 1000000;
}
} // namespace StopBudget

} // namespace sluice
