#include "sluice/states.h"

#include <iterator>

namespace sluice {

namespace {

template<typename Enum> struct Name
{
    Enum value;
    const char *text;
};

const Name<GatewayState> kGatewayStates[] = {
    {GatewayState::Starting, "starting"}, {GatewayState::Running, "running"},
    {GatewayState::Draining, "draining"}, {GatewayState::Stopping, "stopping"},
    {GatewayState::Stopped, "stopped"},   {GatewayState::StartupFailed, "startup_failed"},
};
const Name<DesiredState> kDesiredStates[] = {
    {DesiredState::Running, "running"},
    {DesiredState::Stopped, "stopped"},
};
const Name<TurnState> kTurnStates[] = {
    {TurnState::Queued, "queued"},
    {TurnState::Running, "running"},
    {TurnState::Done, "done"},
    {TurnState::Failed, "failed"},
    {TurnState::Interrupted, "interrupted"},
    {TurnState::Refused, "refused"},
};
const Name<StopCause> kStopCauses[] = {
    {StopCause::Planned, "planned"},
    {StopCause::UnexpectedSignal, "unexpected_signal"},
    {StopCause::Restart, "restart"},
    {StopCause::ForceRestart, "force_restart"},
};

template<typename Enum, std::size_t N> QString nameOf(const Name<Enum> (&table)[N], Enum value)
{
    for (const auto &n : table) {
        if (n.value == value)
            return QString::fromLatin1(n.text);
    }
    return QString();
}

template<typename Enum, std::size_t N>
bool valueOf(const Name<Enum> (&table)[N], QStringView text, Enum *out)
{
    for (const auto &n : table) {
        if (text == QLatin1String(n.text)) {
            *out = n.value;
            return true;
        }
    }
    return false;
}

} // namespace

QString wireName(GatewayState state)
{
    return nameOf(kGatewayStates, state);
}
QString wireName(DesiredState state)
{
    return nameOf(kDesiredStates, state);
}
QString wireName(TurnState state)
{
    return nameOf(kTurnStates, state);
}
QString wireName(StopCause cause)
{
    return nameOf(kStopCauses, cause);
}

bool fromWireName(QStringView text, GatewayState *out)
{
    return valueOf(kGatewayStates, text, out);
}
bool fromWireName(QStringView text, DesiredState *out)
{
    return valueOf(kDesiredStates, text, out);
}
bool fromWireName(QStringView text, TurnState *out)
{
    return valueOf(kTurnStates, text, out);
}
bool fromWireName(QStringView text, StopCause *out)
{
    return valueOf(kStopCauses, text, out);
}

bool isFinal(TurnState state)
{
    return state == TurnState::Done || state == TurnState::Failed ||
           state == TurnState::Interrupted || state == TurnState::Refused;
}

} // namespace sluice
