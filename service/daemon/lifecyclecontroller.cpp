#include "lifecyclecontroller.h"

#include "gateway.h"
#include "homewatcher.h"
#include "lifecyclelogging.h"
#include "plannedstopwatcher.h"
#include "serviceapp.h"
#include "sessionresumer.h"
#include "shutdownsequence.h"
#include "signalbridge.h"

#include "sluice/forensics.h"
#include "sluice/lifecyclemarkers.h"

#include <QTimer>

#ifdef Q_OS_UNIX
#include <csignal>
#endif

namespace sluice {

LifecycleController::LifecycleController(ServiceApp *app)
    : QObject(app)
    , m_app(app)
{}

bool LifecycleController::canStartStop() const
{
    const Gateway *g = m_app->gateway();
    if (!g || g->stopRequest())
        return false;
    const QString s = g->state();
    return s == QLatin1String(GatewayState::Running) || s == QLatin1String(GatewayState::Draining);
}

void LifecycleController::install()
{
    if (m_installed || !m_app->gateway())
        return;
    m_installed = true;

    m_sequence = new ShutdownSequence(m_app, this);
    m_app->setStopSequence(m_sequence);

    // A new life: .clean_shutdown describes only the stop that ended the previous one, and a
    // crash of this one must not leave it claiming a clean stop.
    if (CleanShutdown::clear(m_app->paths().cleanShutdown()))
        qCInfo(lcLifecycle) << "the previous stop was clean (.clean_shutdown removed)";

    m_bridge = new SignalBridge(this);
    connect(m_bridge, &SignalBridge::signalReceived, this, &LifecycleController::handleSignal);
    m_bridge->install();

    m_watcher = new PlannedStopWatcher(
        m_app->paths().plannedStopMarker(), [this] { return canStartStop(); }, this);
    connect(m_watcher, &PlannedStopWatcher::plannedStopRequested, this,
            &LifecycleController::requestPlannedStop);

    m_resumer = new SessionResumer(m_app, this);
    // After the first status write (the service serves): resume, attach the marker watcher.
    QTimer::singleShot(0, this, [this] {
        if (m_app->gateway()->stopRequest())
            return;
        m_resumer->resumeAtStart();
        if (HomeWatcher *w = m_app->homeWatcher())
            m_watcher->attach(w);
        else
            m_watcher->evaluate();
    });
}

void LifecycleController::requestPlannedStop(bool restart)
{
    StopRequest r;
    r.cause = restart ? StopCause::Restart : StopCause::Planned;
    r.source = QStringLiteral("planned_marker");
    m_app->gateway()->requestStop(r);
}

void LifecycleController::handleSignal(int sig)
{
    const QString name = ForensicsSnapshot::signalName(sig);
    Gateway *gateway = m_app->gateway();
    if (!gateway)
        return;
#ifdef Q_OS_UNIX
    if (gateway->stopRequest()) {
        // The cause is decided; a later signal can only hurry the stop.
        const bool hurrySignal = sig == SIGINT || sig == SIGTERM;
        ++m_signalsDuringStop;
        if (hurrySignal && (m_stopFromSignal || m_signalsDuringStop > 1)) {
            qCInfo(lcLifecycle).noquote() << name << "during the stop: hurrying it";
            if (m_sequence)
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
    qCInfo(lcLifecycle).noquote() << "received" << name << "->" << StopRequest::causeName(r.cause);
    m_stopFromSignal = true;
    gateway->requestStop(r);
#else
    Q_UNUSED(sig);
#endif
}

} // namespace sluice
