#include "core/notifier.h"

#include "core/guilogging.h"
#include "core/serviceconnection.h"

#include "sluice/runtimestatus.h"

namespace sluice::gui {

Notifier::Notifier(ServiceConnection *connection, QObject *parent)
    : QObject(parent)
    , m_conn(connection)
{
    connect(m_conn, &ServiceConnection::statusChanged, this, &Notifier::evaluate);
    connect(m_conn, &ServiceConnection::shutdownAnnounced, this, [this](bool restart) {
        if (!m_stopSeen)
            m_pidBeforeStop = m_lastLivePid;
        m_stopSeen = true;
        m_restartExpected = m_restartExpected || restart;
    });
    connect(m_conn, &ServiceConnection::restartFinished, this, [this](bool handoff) {
        if (handoff) {
            // The event is the only sign of it: the connection and the state never changed.
            emitUnlessManual(RestartComplete, tr("Sluice restarted"),
                             tr("The gateway is back (pid %1).").arg(m_conn->pid()));
            m_restartExpected = false;
            m_stopSeen = false;
            m_manual = false;
            return;
        }
        if (!m_stopSeen)
            m_pidBeforeStop = m_lastLivePid;
        m_restartExpected = true;
        m_stopSeen = true;
        evaluate();
    });
}

QList<Notifier::Kind> Notifier::allKinds()
{
    return {DrainFinished, StopComplete, RestartComplete, Unreachable};
}

QString Notifier::kindKey(Kind kind)
{
    switch (kind) {
    case DrainFinished:
        return QStringLiteral("drain_finished");
    case StopComplete:
        return QStringLiteral("stopped");
    case RestartComplete:
        return QStringLiteral("restarted");
    case Unreachable:
        break;
    }
    return QStringLiteral("unreachable");
}

QString Notifier::kindDisplayName(Kind kind)
{
    switch (kind) {
    case DrainFinished:
        return tr("Drain finished — safe to restart");
    case StopComplete:
        return tr("Sluice stopped (by someone else)");
    case RestartComplete:
        return tr("Sluice restarted (by someone else)");
    case Unreachable:
        break;
    }
    return tr("Sluice is not reachable");
}

void Notifier::markManualStop()
{
    m_manual = true;
}

void Notifier::markManualRestart()
{
    m_manual = true;
    m_restartExpected = true;
}

void Notifier::emitUnlessManual(Kind kind, const QString &title, const QString &text)
{
    if (m_manual) {
        qCDebug(lcTray) << "notification suppressed (asked for from this tray):" << title;
        return;
    }
    qCInfo(lcTray).noquote() << "notify:" << title << "-" << text;
    Q_EMIT notify(kind, title, text);
}

void Notifier::evaluate()
{
    using S = GatewayState;
    const std::optional<GatewayState> state = m_conn->effectiveState(); // none: unreachable
    const int active = m_conn->activeAgents();
    const RuntimeStatus status = m_conn->runtimeStatus();
    const bool live = m_conn->isReachable() &&
                      (state == S::Running || state == S::Draining || state == S::Starting);
    const std::optional<GatewayState> previous = m_lastState;
    const bool hadState = m_evaluated; // false on the first call: no transition yet

    // Drain finished: draining and nothing running any more (once per drain).
    if (state == S::Draining && m_conn->isReachable()) {
        const bool suppressed = status.drain && status.drain->suppressNotification;
        if (active == 0 && !m_drainNotified && hadState) {
            m_drainNotified = true;
            if (!suppressed)
                Q_EMIT notify(DrainFinished, tr("Drain finished — safe to restart"),
                              tr("No agent turn is running; Sluice can be restarted or stopped "
                                 "without interrupting anything."));
        }
    } else if (state != S::Draining) {
        m_drainNotified = false;
    }

    if (state == S::Stopping || (!live && previous == S::Stopping)) {
        if (!m_stopSeen)
            m_pidBeforeStop = m_lastLivePid;
        m_stopSeen = true;
    }

    if (state == S::Stopped && previous != S::Stopped && hadState) {
        if (status.restartRequested) {
            m_restartExpected = true; // the replacement is on its way
        } else if (!m_restartExpected) {
            const int code = status.exitCode.value_or(0);
            emitUnlessManual(StopComplete, tr("Sluice stopped"),
                             tr("The gateway stopped (exit code %1).").arg(code));
            m_manual = false;
            m_stopSeen = false;
        }
    }

    // Unreachable: only once the grace period is over (Offline::Unreachable), and only as a
    // change: a service that is merely connecting, starting or stopping is no alarm.
    const bool unreachable = !state && m_conn->offline() == Offline::Unreachable;
    if (unreachable && hadState && !m_wasUnreachable && !m_stopSeen && !m_restartExpected) {
        const QString detail = m_conn->detail();
        emitUnlessManual(Unreachable, tr("Sluice is not reachable"),
                         detail.isEmpty() ? tr("The gateway does not answer.")
                                          : tr("The gateway does not answer (%1).").arg(detail));
    }
    m_wasUnreachable = unreachable;

    if (live) {
        const qint64 pid = m_conn->pid();
        if (m_restartExpected && pid > 0 && pid != m_pidBeforeStop && m_stopSeen) {
            emitUnlessManual(RestartComplete, tr("Sluice restarted"),
                             tr("The gateway is back (pid %1).").arg(pid));
            m_restartExpected = false;
            m_stopSeen = false;
            m_manual = false;
        } else if (!m_restartExpected && m_stopSeen && pid != m_pidBeforeStop) {
            // Started again after a plain stop: a fresh life, nothing pending.
            m_stopSeen = false;
            m_manual = false;
        }
        if (pid > 0)
            m_lastLivePid = pid;
    }
    m_lastState = state;
    m_evaluated = true;
}

} // namespace sluice::gui
