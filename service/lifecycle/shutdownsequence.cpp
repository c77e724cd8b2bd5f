#include "lifecycle/shutdownsequence.h"

#include "gateway/exitcodes.h"
#include "gateway/gateway.h"
#include "gateway/statuswriter.h"
#include "gateway/stopoutcome.h"
#include "handoff/predecessorlink.h"
#include "ingress/http/httpapi.h"
#include "ingress/ipc/ipcserver.h"
#include "lifecycle/faultinjection.h"
#include "lifecycle/lifecyclelogging.h"
#include "lifecycle/restartpolicy.h"
#include "lifecycle/shutdowndiagnostic.h"
#include "sluice/logging.h"
#include "supervisor/stopbudget.h"
#include "turns/containment.h"
#include "turns/sessionstore.h"
#include "turns/turnmanager.h"

#include "sluice/atomicjson.h"
#include "sluice/lifecyclemarkers.h"
#include "sluice/plannedstopmarker.h"
#include "sluice/processidentity.h"
#include "sluice/protocol.h"

#include <QElapsedTimer>
#include <QSet>
#include <QTimer>

#include <functional>
#include <memory>

#ifdef Q_OS_UNIX
#include <csignal>
#endif

namespace sluice {

namespace {
constexpr qint64 LingerMs = 5000; // after a hand-off: connections still open get this long
const QString kBegin = QStringLiteral("begin");
const QString kNotify = QStringLiteral("notify");
const QString kMarkResume = QStringLiteral("mark_resume");
const QString kDrain = QStringLiteral("drain");
const QString kInterrupt = QStringLiteral("interrupt");
const QString kDisconnect = QStringLiteral("disconnect");
const QString kPersist = QStringLiteral("persist");
const QString kExit = QStringLiteral("exit");
} // namespace

ShutdownSequence::ShutdownSequence(const Dependencies &deps, QObject *parent)
    : QObject(parent)
    , m_deps(deps)
    , m_hangPhase(FaultInjection::hangPhase())
    , m_report(deps.paths.lastShutdown())
{}

ShutdownSequence::~ShutdownSequence()
{
    m_watchdog.disarm();
}

double ShutdownSequence::drainTimeoutS() const
{
    return m_request.cause == StopCause::ForceRestart ? 0.0 : m_deps.drainTimeoutS;
}

QString ShutdownSequence::currentPhase() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_phase;
}

bool ShutdownSequence::enterPhase(const QString &name)
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_phase = name;
    }
    const double at = m_report.beginPhase(name);
    refreshWatchdogStatus();
    m_deps.gateway->publishEvent(
        QString::fromLatin1(Protocol::Event::ShutdownPhase),
        QJsonObject{{QStringLiteral("phase"), name},
                    {QStringLiteral("at_s"), qRound64(at * 1000.0) / 1000.0}});
    if (!m_hangPhase.isEmpty() && name == m_hangPhase) {
        qCWarning(lcLifecycle).noquote() << "injected fault: the stop hangs in phase" << name;
        return false;
    }
    return true;
}

void ShutdownSequence::run(const StopRequest &request)
{
    if (m_started)
        return; // one stop per process; a later request never restarts it
    m_started = true;
    m_request = request;
    m_handedOff = request.handedOff;
    m_reason = request.isRestart() ? QStringLiteral("gateway restarting")
                                   : QStringLiteral("gateway shutting down");
    m_report.start(wireName(request.cause));
    phaseBegin();
}

ForensicsSnapshot::Context ShutdownSequence::forensicsContext() const
{
    ForensicsSnapshot::Context c;
    c.signalNum = m_request.signalNum;
    c.plannedStopMarkerPath = m_deps.paths.plannedStopMarker();
    c.selfStartTime = ProcessIdentity::currentStartTime();
    c.drainMarkerActive = m_deps.gateway->drainMarker().evaluate().isActive();
    return c;
}

void ShutdownSequence::refreshWatchdogStatus()
{
    QList<qint64> groups;
    const QList<TurnInfo> running = m_deps.turns->runningTurns();
    for (const TurnInfo &t : running) {
        if (t.pid > 0)
            groups << t.pid;
    }
    std::lock_guard<std::mutex> lock(m_mutex);
    m_lastStatus = m_deps.gateway->runtimeStatus();
    m_turnGroups = groups;
}

// --- 1. begin ------------------------------------------------------------------------------
void ShutdownSequence::phaseBegin()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_forensicsContext = forensicsContext();
    }
    // The watchdog first: from here on the service never hangs in `stopping`.
    const qint64 budget = FaultInjection::watchdogBudgetMs(
        StopBudget::milliseconds(drainTimeoutS(), m_deps.interruptGraceS));
    // How a stop the watchdog cuts short ends is the outcome table's, like every other end.
    m_watchdogOutcome =
        stopOutcome(m_request.cause, m_deps.supervised,
                    m_deps.gateway->runtimeStatus().desiredState, StopEnding::WatchdogFired);
    if (m_handedOff) // nothing to restart: the successor serves; the code says what happened
        m_watchdogOutcome.exitCode = ExitCode::Watchdog;
    m_watchdog.arm(
        budget, [this] { onWatchdog(); }, m_watchdogOutcome.exitCode);

    if (!enterPhase(kBegin))
        return;
    qCInfo(lcLifecycle).noquote()
        << QStringLiteral("Shutdown initiated: cause %1, source %2%3, watchdog %4 s")
               .arg(wireName(m_request.cause),
                    m_request.source.isEmpty() ? QStringLiteral("unknown") : m_request.source,
                    m_request.signalNum ? QStringLiteral(" (%1)").arg(
                                              ForensicsSnapshot::signalName(m_request.signalNum))
                                        : QString(),
                    QString::number(budget / 1000.0, 'f', 1));
    // The gate is already closed and the state is `stopping` (Gateway::requestStop), which
    // also emitted stopBegan for the service-manager notifier.
    ForensicsSnapshot::Context context;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        context = m_forensicsContext;
    }
    const ForensicsSnapshot snapshot = ForensicsSnapshot::take(context);
    qCInfo(lcLifecycle).noquote() << "Forensics:" << snapshot.summaryLine();
    m_report.setSnapshot(snapshot.toJson());
    // The marker has done its job (and the snapshot has seen it): consume it now, so it is
    // never acted on again.
    PlannedStopMarker marker(m_deps.paths.plannedStopMarker());
    if (marker.probe(ProcessIdentity::currentPid(), ProcessIdentity::currentStartTime()).verdict ==
        PlannedStopMarker::Verdict::Self)
        marker.consume();
    if (m_handedOff)
        qCInfo(lcLifecycle) << "handed over: finishing our turns while the successor serves";
    if (m_request.cause == StopCause::UnexpectedSignal) {
        ShutdownDiagnostic::start(m_deps.paths.home(), m_request.signalNum,
                                  ProcessIdentity::currentPid());
    }
    m_deps.gateway->publish();
    phaseNotify();
}

// --- 2. notify -----------------------------------------------------------------------------
void ShutdownSequence::phaseNotify()
{
    if (!enterPhase(kNotify))
        return;
    if (m_handedOff) { // the successor serves: nobody is losing the service
        phaseMarkResume();
        return;
    }
    const QJsonObject fields{{QStringLiteral("reason"), m_reason},
                             {QStringLiteral("cause"), wireName(m_request.cause)}};
    // Subscribers through the gateway's event stream ...
    m_deps.gateway->publishEvent(QString::fromLatin1(Protocol::Event::Shutdown), fields);
    // ... and every client with a running turn directly (it may not have subscribed).
    if (IpcServer *ipc = m_deps.ipc) {
        QSet<quint64> told;
        const QList<TurnInfo> running = m_deps.turns->runningTurns();
        for (const TurnInfo &t : running) {
            if (t.clientId != 0 && !told.contains(t.clientId) && !ipc->isSubscribed(t.clientId)) {
                told.insert(t.clientId);
                ipc->sendEvent(t.clientId, QString::fromLatin1(Protocol::Event::Shutdown), fields);
            }
        }
    }
    phaseMarkResume();
}

// --- 3. mark_resume ------------------------------------------------------------------------
void ShutdownSequence::phaseMarkResume()
{
    if (!enterPhase(kMarkResume))
        return;
    SessionStore *store = m_deps.store;
    TurnManager *turns = m_deps.turns;
    int marked = 0;
    if (store && store->isOpen()) {
        // Before any wait: a hard kill during the drain still resumes these on the next start.
        // Queued turns (held since begin) are marked too, so none is lost.
        QList<TurnInfo> all = turns->runningTurns();
        all += turns->queuedTurns();
        for (const TurnInfo &t : std::as_const(all)) {
            store->setResumePending(t.session, t.id, true);
            ++marked;
        }
    }
    qCInfo(lcLifecycle).noquote()
        << QStringLiteral("marked %1 resume-pending").arg(counted(marked, "turn", "turns"));
    phaseDrain();
}

// --- 4. drain ------------------------------------------------------------------------------
void ShutdownSequence::phaseDrain()
{
    if (!enterPhase(kDrain))
        return;
    TurnManager *turns = m_deps.turns;
    double timeoutS = drainTimeoutS();
    if (m_drainLimitMs >= 0)
        timeoutS = qMin(timeoutS, double(m_drainLimitMs) / 1000.0);
    // After a hand-off, queued turns still start: the drain waits for them too. A successor's
    // drain waits for its predecessor's turns as well (told to end within the same timeout).
    PredecessorLink *predecessor = m_deps.predecessor;
    const auto left = [this, turns, predecessor] {
        return turns->runningCount() + (m_handedOff ? turns->queuedCount() : 0) +
               (predecessor && predecessor->isAlive() ? predecessor->turnCount() : 0);
    };
    const int running = left();
    if (running == 0) {
        finishDrain(QStringLiteral("no turn running"));
        return;
    }
    if (timeoutS <= 0 || m_hurry) {
        finishDrain(m_hurry ? QStringLiteral("hurried") : QStringLiteral("drain timeout 0"));
        return;
    }
    qCInfo(lcLifecycle).noquote() << QStringLiteral("draining: %1 running%2, up to %3 s")
                                         .arg(running)
                                         .arg(predecessor && predecessor->isAlive() &&
                                                      predecessor->turnCount() > 0
                                                  ? QStringLiteral(
                                                        " (%1 of them in the predecessor)")
                                                        .arg(predecessor->turnCount())
                                                  : QString())
                                         .arg(timeoutS);
    const auto recheck = [this, left] {
        m_deps.gateway->publish(); // status re-published on every change of the count
        refreshWatchdogStatus();
        if (left() == 0)
            finishDrain(QStringLiteral("every turn finished"));
    };
    m_countConnection = connect(turns, &TurnManager::runningCountChanged, this, recheck);
    if (predecessor) {
        m_predecessorConnection =
            connect(predecessor, &PredecessorLink::turnsChanged, this, recheck);
        m_predecessorGoneConnection = connect(predecessor, &PredecessorLink::gone, this, recheck);
    }
    m_drainTimer = new QTimer(this);
    m_drainTimer->setTimerType(Qt::PreciseTimer); // coarse: up to 5% of the timeout late
    m_drainTimer->setSingleShot(true);
    connect(m_drainTimer, &QTimer::timeout, this,
            [this] { finishDrain(QStringLiteral("drain timeout")); });
    m_drainTimer->start(int(timeoutS * 1000));
}

void ShutdownSequence::finishDrain(const QString &why)
{
    if (m_drainDone)
        return;
    m_drainDone = true;
    disconnect(m_countConnection);
    disconnect(m_predecessorConnection);
    disconnect(m_predecessorGoneConnection);
    if (m_drainTimer)
        m_drainTimer->stop();
    m_drainS = m_report.elapsedS();
    qCInfo(lcLifecycle).noquote()
        << QStringLiteral("drain ended: %1 - %2 remain").arg(why).arg(m_deps.turns->runningCount());
    // Continue from the event loop: the turn events that ended the drain go out first.
    QTimer::singleShot(0, this, &ShutdownSequence::phaseInterrupt);
}

void ShutdownSequence::limitDrain(qint64 ms)
{
    ms = qMax<qint64>(0, ms);
    if (!m_started || m_drainTimer == nullptr) {
        m_drainLimitMs = m_drainLimitMs < 0 ? ms : qMin(m_drainLimitMs, ms);
        return;
    }
    if (m_drainDone || m_drainTimer->remainingTime() <= ms)
        return;
    qCInfo(lcLifecycle).noquote() << QStringLiteral("drain shortened to %1 s: the successor is "
                                                    "stopping")
                                         .arg(double(ms) / 1000.0);
    m_drainTimer->start(int(ms));
}

void ShutdownSequence::hurry()
{
    if (!m_started || m_hurry)
        return;
    m_hurry = true;
    const QString phase = currentPhase();
    qCInfo(lcLifecycle).noquote() << "stop hurried in phase" << phase;
    if (phase == kDrain && phase != m_hangPhase)
        finishDrain(QStringLiteral("hurried by a second signal"));
    else if (phase == kInterrupt && !m_interruptDone) {
        m_deps.turns->killEverything();
    }
}

// --- 5. interrupt --------------------------------------------------------------------------
void ShutdownSequence::phaseInterrupt()
{
    if (!enterPhase(kInterrupt))
        return;
    TurnManager *turns = m_deps.turns;
    const int running = turns->runningCount();
    const int queued = turns->queuedCount();
    const int trees = turns->liveTreeCount();
    if (running + queued + trees == 0) {
        finishInterrupt();
        return;
    }
    m_interruptedAny = running + queued > 0;
    qCInfo(lcLifecycle).noquote()
        << QStringLiteral("interrupting %1 running and %2 queued turns (%3 process trees), "
                          "reason \"%4\"")
               .arg(running)
               .arg(queued)
               .arg(trees)
               .arg(m_reason);
    m_stoppedConnection =
        connect(turns, &TurnManager::allStopped, this, &ShutdownSequence::finishInterrupt);
    // Each tree gets the grace (TurnProcess sends SIGKILL when it ends); this bound is only
    // a safety net in case a tree is never reported gone.
    const int graceMs = int(m_deps.interruptGraceS * 1000);
    m_graceTimer = new QTimer(this);
    m_graceTimer->setSingleShot(true);
    connect(m_graceTimer, &QTimer::timeout, this, [this] {
        qCWarning(lcLifecycle).noquote() << "process trees still present after the grace: killing";
        m_deps.turns->killEverything();
        finishInterrupt();
    });
    m_graceTimer->start(graceMs + 2000);
    turns->interruptAll(m_reason);
    if (m_hurry)
        turns->killEverything();
}

void ShutdownSequence::finishInterrupt()
{
    if (m_interruptDone)
        return;
    m_interruptDone = true;
    disconnect(m_stoppedConnection);
    if (m_graceTimer)
        m_graceTimer->stop();
    PredecessorLink *predecessor = m_deps.predecessor;
    if (predecessor && predecessor->isAlive()) {
        // Told to end within our drain, it interrupts what is left with the same grace:
        // this bound only covers a predecessor that never says it is done.
        qCInfo(lcLifecycle).noquote()
            << QStringLiteral("waiting for the predecessor (pid %1) to finish its turns")
                   .arg(predecessor->predecessorPid());
        connect(predecessor, &PredecessorLink::gone, this, &ShutdownSequence::queueDisconnect);
        QTimer::singleShot(int(m_deps.interruptGraceS * 1000) + 3000, this, [this] {
            if (!m_disconnectQueued)
                qCWarning(lcLifecycle) << "the predecessor is still there: going on without it";
            queueDisconnect();
        });
        return;
    }
    queueDisconnect();
}

void ShutdownSequence::queueDisconnect()
{
    if (m_disconnectQueued)
        return;
    m_disconnectQueued = true;
    // One more pass of the event loop so the `interrupted` turn events reach the clients'
    // sockets before any connection closes.
    QTimer::singleShot(0, this, &ShutdownSequence::phaseDisconnect);
}

// --- 6. disconnect -------------------------------------------------------------------------
void ShutdownSequence::phaseDisconnect()
{
    if (!enterPhase(kDisconnect))
        return;
    if (m_handedOff) {
        lingerThenClose();
        return;
    }
    closeConnections();
}

void ShutdownSequence::lingerThenClose()
{
    // Clients that connected to us just before the hand-off are being answered by the
    // successor through us: let them finish rather than cut a reply off. Subscribers stay
    // until the bound and then reconnect (to the successor).
    const auto busy = [this] {
        return (m_deps.ipc && m_deps.ipc->connectionCount() > 0) ||
               (m_deps.http && m_deps.http->connectionCount() > 0);
    };
    if (!busy()) {
        closeConnections();
        return;
    }
    auto *poll = new QTimer(this);
    poll->setInterval(50);
    auto clock = std::make_shared<QElapsedTimer>();
    clock->start();
    connect(poll, &QTimer::timeout, this, [this, poll, clock, busy] {
        if (busy() && clock->elapsed() < LingerMs)
            return;
        poll->deleteLater();
        closeConnections();
    });
    poll->start();
}

void ShutdownSequence::closeConnections()
{
    const auto timed = [](const QString &what, const std::function<void()> &fn) {
        QElapsedTimer t;
        t.start();
        fn();
        qCInfo(lcLifecycle).noquote() << QStringLiteral("closed %1 in %2 ms")
                                             .arg(what)
                                             .arg(t.nsecsElapsed() / 1e6, 0, 'f', 1);
    };
    if (HttpApi *http = m_deps.http)
        timed(QStringLiteral("HTTP listener and connections"), [http] { http->close(); });
    if (IpcServer *ipc = m_deps.ipc) {
        if (m_handedOff) // the successor listens on it: our descriptor goes, the socket stays
            timed(QStringLiteral("our descriptor of the local socket"),
                  [ipc] { ipc->releaseListener(); });
        else
            timed(QStringLiteral("local socket listener"), [ipc] { ipc->closeListener(); });
        timed(counted(ipc->connectionCount(), "client connection", "client connections"),
              [ipc] { ipc->disconnectAll(); });
    }
    phasePersist();
}

// --- 7. persist ----------------------------------------------------------------------------
void ShutdownSequence::phasePersist()
{
    if (!enterPhase(kPersist))
        return;
    const HomePaths &paths = m_deps.paths;
    if (SessionStore *store = m_deps.store; store && store->isOpen()) {
        const int cleared = store->clearResumeOfFinished();
        qCInfo(lcLifecycle).noquote()
            << QStringLiteral("cleared the resume flag of %1")
                   .arg(counted(cleared, "finished turn", "finished turns"));
    }
    QString error;
    if (m_handedOff) {
        persistHandedOff();
        return;
    }
    if (!m_interruptedAny) {
        if (!CleanShutdown::mark(paths.cleanShutdown(), &error))
            qCWarning(lcLifecycle).noquote() << "cannot write .clean_shutdown:" << error;
    } else {
        CleanShutdown::clear(paths.cleanShutdown());
    }
    if (m_request.isRestart()) {
        RestartPending pending;
        pending.requestedAt = isoUtcNow();
        pending.viaService = m_deps.supervised;
        pending.force = m_request.cause == StopCause::ForceRestart;
        if (!RestartPending::write(paths.restartPending(), pending, &error))
            qCWarning(lcLifecycle).noquote() << "cannot write .restart_pending.json:" << error;
    }

    Gateway *gateway = m_deps.gateway;
    const DesiredState previous = gateway->runtimeStatus().desiredState;
    StopOutcome outcome = stopOutcome(m_request.cause, m_deps.supervised, previous);
    // The successor waits for our lock, which is released once finished() is handled. It
    // must start in the cgroup we started in, not inside our own subtree: every tree is gone
    // (interrupt), so the containment lets go of its cgroups first.
    if (outcome.startsSuccessor)
        m_deps.containment->release();
    if (outcome.startsSuccessor && !RestartPolicy::startSuccessor(m_deps.successorArguments)) {
        qCCritical(lcLifecycle).noquote() << "could not start the successor: exiting 75 instead";
        outcome = stopOutcome(m_request.cause, m_deps.supervised, previous,
                              StopEnding::ReplacementNotStarted);
    }
    m_exitCode = outcome.exitCode;
    gateway->markStopped(outcome);
    gateway->recordStopDurations(m_drainS, m_report.elapsedS());
    QString notWritten;
    if (SessionStore *store = m_deps.store;
        store && store->pendingCount() > 0 && !store->writePending(&error))
        notWritten =
            QStringLiteral("%1 finished turns' results (%2)").arg(store->pendingCount()).arg(error);
    if (!gateway->flushStatus(&error))
        notWritten = QStringLiteral("the final state (%1)").arg(error);
    if (!notWritten.isEmpty()) {
        // Exit 74, so whoever reads the exit code knows the files are stale.
        qCCritical(lcLifecycle).noquote()
            << "cannot write" << notWritten << "- exiting" << ExitCode::NotPersisted;
        outcome =
            stopOutcome(m_request.cause, m_deps.supervised, previous, StopEnding::NotPersisted);
        m_exitCode = outcome.exitCode;
    }
    if (SessionStore *store = m_deps.store)
        store->close();
    refreshWatchdogStatus();
    phaseExit();
}

void ShutdownSequence::persistHandedOff()
{
    // The successor owns gateway_state.json and the restart files; ours are the results.
    m_exitCode = ExitCode::Ok;
    QString error;
    if (SessionStore *store = m_deps.store;
        store && store->pendingCount() > 0 && !store->writePending(&error)) {
        qCCritical(lcLifecycle).noquote()
            << QStringLiteral("cannot write %1 finished turns' results (%2) - exiting %3")
                   .arg(store->pendingCount())
                   .arg(error)
                   .arg(ExitCode::NotPersisted);
        m_exitCode = ExitCode::NotPersisted;
    }
    if (SessionStore *store = m_deps.store)
        store->close();
    refreshWatchdogStatus();
    phaseExit();
}

// --- 8. exit -------------------------------------------------------------------------------
void ShutdownSequence::phaseExit()
{
    if (!enterPhase(kExit))
        return;
    m_report.setInterrupted(m_interruptedAny);
    m_report.setExitCode(m_exitCode);
    m_report.write();
    m_watchdog.disarm();
    qCInfo(lcLifecycle).noquote() << QStringLiteral(
                                         "Shutdown complete: total teardown %1 s, exit code %2")
                                         .arg(QString::number(m_report.elapsedS(), 'f', 2))
                                         .arg(m_exitCode);
    Q_EMIT finished(m_exitCode);
}

// --- the watchdog (its own thread) ---------------------------------------------------------
void ShutdownSequence::onWatchdog()
{
    ForensicsSnapshot::Context context;
    RuntimeStatus status;
    QString phase;
    QList<qint64> groups;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        context = m_forensicsContext;
        status = m_lastStatus;
        phase = m_phase;
        groups = m_turnGroups;
    }

    const double firedAt = m_report.elapsedS();
    const ForensicsSnapshot snapshot = ForensicsSnapshot::take(context);
    qCCritical(lcLifecycle).noquote()
        << QStringLiteral("Stop watchdog fired after %1 s in phase %2: exiting with %3")
               .arg(QString::number(firedAt, 'f', 2), phase)
               .arg(m_watchdogOutcome.exitCode);
    qCCritical(lcLifecycle).noquote() << "Forensics (watchdog):" << snapshot.summaryLine();
    m_report.setWatchdog(QJsonObject{{QStringLiteral("fired_at_s"), firedAt},
                                     {QStringLiteral("phase"), phase},
                                     {QStringLiteral("snapshot"), snapshot.toJson()}});
    m_report.beginPhase(QStringLiteral("watchdog"));
    m_report.setInterrupted(true);
    m_report.setExitCode(m_watchdogOutcome.exitCode);
    m_report.beginPhase(kExit);
    m_report.write();
    if (m_handedOff) {
        // The state file is the successor's; only our own turns die with us.
        m_deps.containment->killAllNow();
        return;
    }
    // The final state, written directly: the event loop (and the status writer) may be stuck.
    const StopOutcome &outcome = m_watchdogOutcome;
    status.state = GatewayState::Stopped;
    status.accepting = false;
    status.exitCode = outcome.exitCode;
    status.exitReason = outcome.exitReason;
    status.desiredState = outcome.desiredState;
    status.restartRequested = outcome.restartRequested;
    status.updatedAt = isoUtcNow();
    // No status write still in flight (or scheduled later by the live event loop) may land
    // over the final state.
    m_deps.writer->seal();
    QString error;
    if (!writeJsonAtomically(m_deps.paths.stateFile(), status.toJson(), &error))
        qCCritical(lcLifecycle).noquote() << "watchdog: cannot write the state file:" << error;
    else
        qCCritical(lcLifecycle).noquote() << "watchdog: final state written; exiting";
#ifdef Q_OS_UNIX
    // Nothing the service started survives it: each turn is its own process group. Killed
    // last, right before _exit(): the (live) event loop would otherwise react to the deaths
    // and publish a `stopping` status over the final one written above.
    for (qint64 leader : std::as_const(groups))
        ::kill(-pid_t(leader), SIGKILL);
#endif
    m_deps.containment->killAllNow();
}

} // namespace sluice
