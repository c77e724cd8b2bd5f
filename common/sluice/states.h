#pragma once
#include <QObject>
#include <QString>
#include <QStringView>

// The typed states of docs/reference.md §3, §6 and §7. Code compares these enums; they become
// strings only at a boundary (JSON, state.db, log lines) through wireName()/fromWireName().
namespace sluice {
Q_NAMESPACE

enum class GatewayState { Starting, Running, Draining, Stopping, Stopped, StartupFailed };
Q_ENUM_NS(GatewayState)

// What the operator last asked for: whether the service should be running.
enum class DesiredState { Running, Stopped };
Q_ENUM_NS(DesiredState)

enum class TurnState { Queued, Running, Done, Failed, Interrupted, Refused };
Q_ENUM_NS(TurnState)

// Why the service stops. Decided once per process: the first request wins.
enum class StopCause { Planned, UnexpectedSignal, Restart, ForceRestart };
Q_ENUM_NS(StopCause)

// The wire names: "starting", "startup_failed", "force_restart", ...
QString wireName(GatewayState state);
QString wireName(DesiredState state);
QString wireName(TurnState state);
QString wireName(StopCause cause);

// False (and *out untouched) for a name that is not one of the wire names.
bool fromWireName(QStringView text, GatewayState *out);
bool fromWireName(QStringView text, DesiredState *out);
bool fromWireName(QStringView text, TurnState *out);
bool fromWireName(QStringView text, StopCause *out);

// done, failed, interrupted or refused: the turn will not change again.
bool isFinal(TurnState state);
// stopping or stopped: nothing moves the gateway back to serving.
inline bool isStopping(GatewayState state)
{
    return state == GatewayState::Stopping || state == GatewayState::Stopped;
}

} // namespace sluice
