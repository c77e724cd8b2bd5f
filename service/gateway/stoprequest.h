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

    bool isRestart() const
    {
        return cause == StopCause::Restart || cause == StopCause::ForceRestart;
    }
};

} // namespace sluice
