#pragma once
#include "sluice/states.h"

#include <QString>
#include <optional>

namespace sluice::gui {

// Why there is no gateway state to show (the service cannot be asked).
enum class Offline {
    Unreachable, // it should run but does not answer (after the grace period): an alarm
    Connecting,  // not answering yet, within the grace period: no alarm
    FirstRun,    // no service has ever run in this HOME
};

// Everything the tray icon, its tooltip, the menu and the panel header show, derived from one
// status by one pure function (syncthingtray's updateStatusIconAndText pattern), so none of
// them can disagree with the others.
struct TrayPresentation
{
    std::optional<GatewayState> state;      // the input state (none: not reachable)
    Offline offline = Offline::Unreachable; // meaningful only without a state
    QString iconKey;           // starting | running | draining | stopping | stopped | unreachable
    QString stateLine;         // "Sluice: running — 2 active agents"
    QString tooltip;           // multi-line: name, state, active agents, accepting
    bool drainVisible = false; // exactly one of Drain / Cancel drain is visible
    bool drainEnabled = false;
    bool cancelDrainVisible = false;
    bool cancelDrainEnabled = false;
    bool startVisible = false; // Start service: whenever nothing runs or answers
    bool stopEnabled = false;
    bool restartEnabled = false;
    bool forceRestartEnabled = false;
    bool interruptEnabled = false; // per-agent Interrupt entries
    bool sendEnabled = false;      // Send test message…

    bool operator==(const TrayPresentation &o) const;
    bool operator!=(const TrayPresentation &o) const { return !(*this == o); }
};

// state: the gateway's (docs/reference.md §3), or none when the service cannot be asked (no
// socket, no answer); offline then says why. detail: an optional extra tooltip line (e.g. "not
// responding").
TrayPresentation presentStatus(std::optional<GatewayState> state, int activeAgents, bool accepting,
                               const QString &detail = QString(),
                               Offline offline = Offline::Unreachable);

// A state as the user reads it ("running", in the user's language).
QString stateDisplayName(std::optional<GatewayState> state, Offline offline = Offline::Unreachable);

// The resource path of an icon key, e.g. ":/icons/sluice-running.svg".
QString iconPath(const QString &iconKey);

} // namespace sluice::gui
