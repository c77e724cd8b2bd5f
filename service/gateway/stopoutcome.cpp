#include "gateway/stopoutcome.h"

#include "gateway/exitcodes.h"

namespace sluice {

StopOutcome stopOutcome(StopCause cause, bool supervised, DesiredState previous, StopEnding ending)
{
    const bool restart = cause == StopCause::Restart || cause == StopCause::ForceRestart;
    StopOutcome o;
    o.exitReason = wireName(cause);
    o.restartRequested = restart;
    switch (cause) {
    case StopCause::Planned:
        o.exitCode = ExitCode::Ok;
        o.desiredState = DesiredState::Stopped;
        break;
    case StopCause::UnexpectedSignal:
        // Nobody asked us to stop: what the operator wanted still holds.
        o.exitCode = ExitCode::Failure;
        o.desiredState = previous;
        break;
    case StopCause::Restart:
    case StopCause::ForceRestart:
        o.desiredState = DesiredState::Running;
        if (supervised || ending == StopEnding::ReplacementNotStarted) {
            // The manager restarts us; without one, a failed successor start still tells
            // whoever watches the exit code that a restart is owed.
            o.exitCode = ExitCode::RestartBySupervisor;
        } else {
            o.exitCode = ExitCode::Ok;
            o.startsSuccessor = ending != StopEnding::WatchdogFired;
        }
        break;
    }
    if (ending == StopEnding::WatchdogFired) {
        o.exitCode = ExitCode::Watchdog;
        o.exitReason = QStringLiteral("watchdog");
        o.startsSuccessor = false;
    }
    if (ending == StopEnding::NotPersisted) {
        // Whatever the cause: the files on disk do not say how this stop ended.
        o.exitCode = ExitCode::NotPersisted;
        o.startsSuccessor = false;
    }
    return o;
}

} // namespace sluice
