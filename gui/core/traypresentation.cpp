#include "core/traypresentation.h"

#include "sluice/runtimestatus.h"

namespace sluice::gui {

bool TrayPresentation::operator==(const TrayPresentation &o) const
{
    return state == o.state && iconKey == o.iconKey && stateLine == o.stateLine &&
           tooltip == o.tooltip && drainVisible == o.drainVisible &&
           drainEnabled == o.drainEnabled && cancelDrainVisible == o.cancelDrainVisible &&
           cancelDrainEnabled == o.cancelDrainEnabled && stopEnabled == o.stopEnabled &&
           restartEnabled == o.restartEnabled && forceRestartEnabled == o.forceRestartEnabled &&
           interruptEnabled == o.interruptEnabled;
}

static QString agentsText(int n)
{
    return n == 1 ? QStringLiteral("1 active agent") : QStringLiteral("%1 active agents").arg(n);
}

TrayPresentation presentStatus(const QString &state, int activeAgents, bool accepting,
                               const QString &detail)
{
    using namespace GatewayState;
    TrayPresentation p;
    p.state = state;
    const int active = qMax(0, activeAgents);
    const bool reachable = state != QLatin1String(UnreachableState);
    const bool live = state == QLatin1String(Running) || state == QLatin1String(Draining) ||
                      state == QLatin1String(Starting);

    if (state == QLatin1String(Running) || state == QLatin1String(Starting))
        p.iconKey = QStringLiteral("running");
    else if (state == QLatin1String(Draining))
        p.iconKey = QStringLiteral("draining");
    else if (state == QLatin1String(Stopping))
        p.iconKey = QStringLiteral("stopping");
    else if (state == QLatin1String(Stopped) || state == QLatin1String(StartupFailed))
        p.iconKey = QStringLiteral("stopped");
    else
        p.iconKey = QStringLiteral("unreachable");

    const bool showsAgents =
        reachable && state != QLatin1String(Stopped) && state != QLatin1String(StartupFailed);
    p.stateLine = QStringLiteral("Sluice: %1").arg(state);
    if (showsAgents)
        p.stateLine += QStringLiteral(" — %1").arg(agentsText(active));

    QStringList tip{QStringLiteral("Sluice gateway"), QStringLiteral("State: %1").arg(state)};
    if (showsAgents) {
        tip << agentsText(active);
        if (state == QLatin1String(Running) || state == QLatin1String(Draining))
            tip << (accepting ? QStringLiteral("Accepting new turns")
                              : QStringLiteral("Not accepting new turns"));
    }
    if (!detail.isEmpty())
        tip << detail;
    p.tooltip = tip.join(QLatin1Char('\n'));

    // Drain and Cancel drain share one slot in the menu: Cancel while draining, Drain otherwise.
    p.cancelDrainVisible = state == QLatin1String(Draining);
    p.cancelDrainEnabled = p.cancelDrainVisible;
    p.drainVisible = !p.cancelDrainVisible;
    p.drainEnabled = state == QLatin1String(Running);
    p.stopEnabled = live;
    p.restartEnabled = live;
    p.forceRestartEnabled = live;
    p.interruptEnabled = live;
    return p;
}

QString iconPath(const QString &iconKey)
{
    return QStringLiteral(":/icons/sluice-%1.svg").arg(iconKey);
}

} // namespace sluice::gui
