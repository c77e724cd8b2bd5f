#include "core/traypresentation.h"

#include <QStringList>

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

static QString iconKeyFor(std::optional<GatewayState> state)
{
    if (state) {
        switch (*state) {
        case GatewayState::Starting:
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
    return QStringLiteral("unreachable");
}

TrayPresentation presentStatus(std::optional<GatewayState> state, int activeAgents, bool accepting,
                               const QString &detail)
{
    using S = GatewayState;
    TrayPresentation p;
    p.state = state;
    const int active = qMax(0, activeAgents);
    const QString name = state ? wireName(*state) : QStringLiteral("unreachable");
    const bool live = state == S::Running || state == S::Draining || state == S::Starting;

    p.iconKey = iconKeyFor(state);

    const bool showsAgents = state && *state != S::Stopped && *state != S::StartupFailed;
    p.stateLine = QStringLiteral("Sluice: %1").arg(name);
    if (showsAgents)
        p.stateLine += QStringLiteral(" — %1").arg(agentsText(active));

    QStringList tip{QStringLiteral("Sluice gateway"), QStringLiteral("State: %1").arg(name)};
    if (showsAgents) {
        tip << agentsText(active);
        if (state == S::Running || state == S::Draining)
            tip << (accepting ? QStringLiteral("Accepting new turns")
                              : QStringLiteral("Not accepting new turns"));
    }
    if (!detail.isEmpty())
        tip << detail;
    p.tooltip = tip.join(QLatin1Char('\n'));

    // Drain and Cancel drain share one slot in the menu: Cancel while draining, Drain otherwise.
    p.cancelDrainVisible = state == S::Draining;
    p.cancelDrainEnabled = p.cancelDrainVisible;
    p.drainVisible = !p.cancelDrainVisible;
    p.drainEnabled = state == S::Running;
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
