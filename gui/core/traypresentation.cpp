#include "core/traypresentation.h"

#include <QCoreApplication>
#include <QStringList>

namespace sluice::gui {

namespace {
struct Text
{
    Q_DECLARE_TR_FUNCTIONS(TrayPresentation)
};
} // namespace

bool TrayPresentation::operator==(const TrayPresentation &o) const
{
    return state == o.state && offline == o.offline && iconKey == o.iconKey &&
           stateLine == o.stateLine && tooltip == o.tooltip && drainVisible == o.drainVisible &&
           drainEnabled == o.drainEnabled && cancelDrainVisible == o.cancelDrainVisible &&
           cancelDrainEnabled == o.cancelDrainEnabled && startVisible == o.startVisible &&
           stopEnabled == o.stopEnabled && restartEnabled == o.restartEnabled &&
           forceRestartEnabled == o.forceRestartEnabled && interruptEnabled == o.interruptEnabled &&
           sendEnabled == o.sendEnabled;
}

static QString agentsText(int n)
{
    return Text::tr("%n active agent(s)", nullptr, n);
}

static QString iconKeyFor(std::optional<GatewayState> state, Offline offline)
{
    if (state) {
        switch (*state) {
        case GatewayState::Starting:
            return QStringLiteral("starting");
        case GatewayState::Running:
            return QStringLiteral("running");
        case GatewayState::Draining:
            return QStringLiteral("draining");
        case GatewayState::Stopping:
            return QStringLiteral("stopping");
        case GatewayState::Stopped:
        case GatewayState::StartupFailed:
            return QStringLiteral("stopped");
        }
    }
    switch (offline) {
    case Offline::Connecting:
        return QStringLiteral("starting");
    case Offline::FirstRun:
        return QStringLiteral("stopped");
    case Offline::Unreachable:
        break;
    }
    return QStringLiteral("unreachable");
}

QString stateDisplayName(std::optional<GatewayState> state, Offline offline)
{
    if (state) {
        switch (*state) {
        case GatewayState::Starting:
            return Text::tr("starting");
        case GatewayState::Running:
            return Text::tr("running");
        case GatewayState::Draining:
            return Text::tr("draining");
        case GatewayState::Stopping:
            return Text::tr("stopping");
        case GatewayState::Stopped:
            return Text::tr("stopped");
        case GatewayState::StartupFailed:
            return Text::tr("startup failed");
        }
    }
    switch (offline) {
    case Offline::Connecting:
        return Text::tr("connecting");
    case Offline::FirstRun:
        return Text::tr("not started yet");
    case Offline::Unreachable:
        break;
    }
    return Text::tr("unreachable");
}

TrayPresentation presentStatus(std::optional<GatewayState> state, int activeAgents, bool accepting,
                               const QString &detail, Offline offline)
{
    using S = GatewayState;
    TrayPresentation p;
    p.state = state;
    p.offline = state ? Offline::Unreachable : offline;
    const int active = qMax(0, activeAgents);
    const QString name = stateDisplayName(state, p.offline);
    const bool live = state == S::Running || state == S::Draining || state == S::Starting;

    p.iconKey = iconKeyFor(state, p.offline);

    const bool showsAgents = state && *state != S::Stopped && *state != S::StartupFailed;
    p.stateLine = Text::tr("Sluice: %1").arg(name);
    if (showsAgents)
        p.stateLine = Text::tr("Sluice: %1 — %2").arg(name, agentsText(active));

    QStringList tip{Text::tr("Sluice gateway"), Text::tr("State: %1").arg(name)};
    if (showsAgents) {
        tip << agentsText(active);
        if (state == S::Running || state == S::Draining)
            tip << (accepting ? Text::tr("Accepting new turns")
                              : Text::tr("Not accepting new turns"));
    }
    if (!state && p.offline == Offline::FirstRun)
        tip << Text::tr("No service has run in this HOME yet");
    if (!detail.isEmpty())
        tip << detail;
    p.tooltip = tip.join(QLatin1Char('\n'));

    // Drain and Cancel drain share one slot in the menu: Cancel while draining, Drain otherwise.
    p.cancelDrainVisible = state == S::Draining;
    p.cancelDrainEnabled = p.cancelDrainVisible;
    p.drainVisible = !p.cancelDrainVisible;
    p.drainEnabled = state == S::Running;
    // Start whenever nothing runs that could be asked, except while connecting (it may be
    // starting already) and while a stop is under way.
    p.startVisible = state ? (*state == S::Stopped || *state == S::StartupFailed)
                           : p.offline != Offline::Connecting;
    p.stopEnabled = live;
    p.restartEnabled = live;
    p.forceRestartEnabled = live;
    p.interruptEnabled = live;
    p.sendEnabled = state == S::Running;
    return p;
}

QString iconPath(const QString &iconKey)
{
    return QStringLiteral(":/icons/sluice-%1.svg").arg(iconKey);
}

} // namespace sluice::gui
