#pragma once
#include "sluice/states.h"

#include <QString>

namespace sluice {

// One request to stop (docs/reference.md §6), from whichever source: the first one a process
// receives decides the cause; later ones can only hurry the stop.
struct StopRequest
{
    StopCause cause = StopCause::Planned;
    QString source;    // "ipc", "http", "signal", "planned_marker", "signal+planned_marker"
    QString principal; // who asked, when known
    int signalNum = 0; // the signal, for UnexpectedSignal and signal-triggered planned stops
    // A hand-off restart took place: the successor serves, and this stop only finishes the
    // turns this process has (they keep running; queued ones still start).
    bool handedOff = false;

    bool isRestart() const
    {
        return cause == StopCause::Restart || cause == StopCause::ForceRestart;
    }
};

} // namespace sluice
