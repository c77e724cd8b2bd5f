#include "lifecycle/lifecyclecontroller.h"

#include "gateway/gateway.h"
#include "lifecycle/homewatcher.h"
#include "lifecycle/lifecyclelogging.h"
#include "lifecycle/plannedstopwatcher.h"
#include "lifecycle/sessionresumer.h"
#include "lifecycle/shutdownsequence.h"
#include "lifecycle/signalbridge.h"
#include "turns/processtree.h"

#include "sluice/forensics.h"
#include "sluice/lifecyclemarkers.h"

#include <QTimer>

#ifdef Q_OS_UNIX
#include <csignal>
#endif

namespace sluice {

LifecycleController::LifecycleController(const HomePaths &paths, Gateway *gateway,
                                         ShutdownSequence *sequence, SessionResumer *resumer,
                                         HomeWatcher *watcher, QObject *parent)
    : QObject(parent)
    , m_paths(paths)
    , m_gateway(gateway)
    , m_sequence(sequence)
    , m_resumer(resumer)
    , m_homeWatcher(watcher)
{}

bool LifecycleController::canStartStop() const
{
    if (m_gateway->stopRequest())
        return false;
    const GatewayState s = m_gateway->state();
    return s == GatewayState::Running || s == GatewayState::Draining;
}

void LifecycleController::start(bool resume)
{
    // A new life: .clean_shutdown describes only the stop that ended the previous one, and a
    // crash of this one must not leave it claiming a clean stop.
    if (CleanShutdown::clear(m_paths.cleanShutdown()))
        qCInfo(lcLifecycle).noquote() << "the previous stop was clean (.clean_shutdown removed)";

    m_bridge = new SignalBridge(this);
    connect(m_bridge, &SignalBridge::signalReceived, this, &LifecycleController::handleSignal);
    // Orphans our turns leave (we are their subreaper) are reaped as they exit.
    connect(m_bridge, &SignalBridge::childExited, this, [] { ProcessTree::reapOrphans(); });
    m_bridge->install();

    m_watcher = new PlannedStopWatcher(
        m_paths.plannedStopMarker(), [this] { return canStartStop(); }, this);
    connect(m_watcher, &PlannedStopWatcher::plannedStopRequested, this,
            &LifecycleController::requestPlannedStop);

    // After the first status write (the service serves): resume, attach the marker watcher.
    QTimer::singleShot(0, this, [this, resume] {
        if (m_gateway->stopRequest())
            return;
        if (resume)
            m_resumer->resumeAtStart();
        m_watcher->attach(m_homeWatcher);
    });
}

void LifecycleController::requestPlannedStop(bool restart)
{
    StopRequest r;
    r.cause = restart ? StopCause::Restart : StopCause::Planned;
    r.source = QStringLiteral("planned_marker");
    m_gateway->requestStop(r);
}

void LifecycleController::handleSignal(int sig)
{
#ifdef Q_OS_UNIX
    const QString name = ForensicsSnapshot::signalName(sig);
    Gateway *gateway = m_gateway;
    if (gateway->stopRequest()) {
        // The cause is decided; a later signal can only hurry the stop.
        const bool hurrySignal = sig == SIGINT || sig == SIGTERM;
        ++m_signalsDuringStop;
        if (hurrySignal && (m_stopFromSignal || m_signalsDuringStop > 1)) {
            qCInfo(lcLifecycle).noquote() << name << "during the stop: hurrying it";
            m_sequence->hurry();
        } else {
            qCInfo(lcLifecycle).noquote() << name << "during the stop: part of it (cause kept)";
        }
        return;
    }
    StopRequest r;
    r.source = QStringLiteral("signal");
    r.signalNum = sig;
    switch (sig) {
    case SIGINT:
        r.cause = StopCause::Planned;
        break;
    case SIGUSR1:
        r.cause = StopCause::Restart;
        break;
    case SIGTERM:
    case SIGHUP:
    default: {
        bool restart = false;
        const bool planned = m_watcher && m_watcher->probeSelf(&restart);
        r.cause = !planned ? StopCause::UnexpectedSignal
                           : (restart ? StopCause::Restart : StopCause::Planned);
        if (planned)
            r.source = QStringLiteral("signal+planned_marker");
        break;
    }
    }
    qCInfo(lcLifecycle).noquote() << "received" << name << "->" << wireName(r.cause);
    m_stopFromSignal = true;
    gateway->requestStop(r);
#else
    Q_UNUSED(sig);
#endif
}

} // namespace sluice
