#pragma once
#include "sluice/states.h"

#include <QString>

namespace sluice {

// How the end of a stop went, beyond its cause.
enum class StopEnding {
    Completed,             // every phase ran
    ReplacementNotStarted, // an unsupervised restart could not start its successor
    WatchdogFired,         // the stop watchdog cut the stop short
    NotPersisted,          // the final state or a turn's result could not be written
};

// What a stop leaves behind: the process's exit code and the final values of
// gateway_state.json.
struct StopOutcome
{
    int exitCode = 0;
    DesiredState desiredState = DesiredState::Stopped;
    QString exitReason;            // "planned", "unexpected_signal", "restart", "force_restart",
                                   // "watchdog"
    bool restartRequested = false; // a successor is expected (restart_requested)
    bool startsSuccessor = false;  // this process starts the successor itself

    bool operator==(const StopOutcome &o) const
    {
        return exitCode == o.exitCode && desiredState == o.desiredState &&
               exitReason == o.exitReason && restartRequested == o.restartRequested &&
               startsSuccessor == o.startsSuccessor;
    }
};

// The one table of how a stop ends (docs/reference.md §3, §6). Pure: the stop sequence and the
// stop watchdog both ask it, so they never disagree.
//   supervised: a service manager restarts us (a restart exits 75 and starts no successor)
//   previous:   the desired state before the stop (an unexpected signal keeps it)
StopOutcome stopOutcome(StopCause cause, bool supervised, DesiredState previous,
                        StopEnding ending = StopEnding::Completed);

} // namespace sluice
