#include "handoff/restarthandoff.h"

#include "app/instancelock.h"
#include "app/supervisorlink.h"
#include "gateway/gateway.h"
#include "gateway/statuswriter.h"
#include "handoff/handoffchannel.h"
#include "handoff/handoffcontext.h"
#include "handoff/handofflogging.h"
#include "handoff/predecessorlink.h"
#include "handoff/relaydispatcher.h"
#include "handoff/successorspawner.h"
#include "ingress/http/httpapi.h"
#include "ingress/ipc/ipcserver.h"
#include "lifecycle/shutdownsequence.h"
#include "turns/containment.h"
#include "turns/processtree.h"
#include "turns/sessionstore.h"
#include "turns/turnmanager.h"
#include "turns/turnoutputfeed.h"

#include "sluice/atomicjson.h"
#include "sluice/jsonnumber.h"
#include "sluice/plannedstopmarker.h"
#include "sluice/processidentity.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QSet>
#include <QTimer>

#ifdef Q_OS_UNIX
#include <csignal>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

namespace sluice {

namespace {
constexpr int ReportIntervalMs = 2000; // usage figures of our turns, for the successor's agents
} // namespace

RestartHandoff::RestartHandoff(const Dependencies &deps, QObject *parent)
    : QObject(parent)
    , m_deps(deps)
    , m_readyTimer(new QTimer(this))
    , m_reportTimer(new QTimer(this))
{
    m_readyTimer->setSingleShot(true);
    connect(m_readyTimer, &QTimer::timeout, this, [this] {
        abortStart(QStringLiteral("the successor did not serve within %1 s")
                       .arg(m_deps.readyTimeoutMs / 1000.0));
    });
    m_reportTimer->setInterval(ReportIntervalMs);
    connect(m_reportTimer, &QTimer::timeout, this, &RestartHandoff::report);
    // Reported from the start on: should we be killed before the takeover, the successor knows
    // what our turns left (their leaders) and cleans up before it resumes them.
    connect(m_deps.turns, &TurnManager::agentsChanged, this, &RestartHandoff::report);
}

RestartHandoff::~RestartHandoff() = default;

QString RestartHandoff::impossibleBecause() const
{
#ifndef Q_OS_UNIX
    return QStringLiteral("listening sockets cannot be handed to another process on this "
                          "platform");
#else
    if (m_deps.disabled)
        return QStringLiteral("--no-handoff");
    if (m_deps.ipc->listenerDescriptor() < 0)
        return QStringLiteral("the local socket is not listening");
    if (m_deps.lock->descriptor() < 0)
        return QStringLiteral("the lock cannot be handed over");
    if (m_deps.supervised && !(m_deps.supervisor && m_deps.supervisor->underNotify()))
        return QStringLiteral("the service manager cannot be told a new main process "
                              "(only systemd with a notify socket can)");
    return QString();
#endif
}

bool RestartHandoff::offer(const StopRequest &request)
{
    if (m_phase == Phase::Starting) {
        qCInfo(lcHandoff) << "restart requested again: the hand-off is under way";
        return true;
    }
    if (m_phase != Phase::Idle)
        return false;
    if (m_deps.predecessor && m_deps.predecessor->isAlive()) {
        // Three generations at once would lose the one-session-one-turn order: this restart
        // is taken now and carried out as soon as the previous process is gone.
        if (!m_deferred) {
            qCInfo(lcHandoff) << "restart requested while the previous process still finishes "
                                 "its turns: the hand-off follows once it has exited";
            m_deferred = true;
            connect(
                m_deps.predecessor, &PredecessorLink::gone, this,
                [this, request] {
                    m_deferred = false;
                    if (!m_deps.gateway->stopRequest())
                        m_deps.gateway->requestStop(request);
                },
                Qt::SingleShotConnection);
        }
        return true;
    }
    const QString why = impossibleBecause();
    if (!why.isEmpty()) {
        qCInfo(lcHandoff).noquote()
            << QStringLiteral("no hand-off restart (%1): draining, then restarting").arg(why);
        return false;
    }
    m_request = request;
    m_requestedAt = QDateTime::currentDateTimeUtc();
    m_failureReason.clear();
    // A restart marker has done its job: were the hand-off to fail, it must not ask again.
    PlannedStopMarker marker(m_deps.plannedStopMarker);
    if (marker.probe(ProcessIdentity::currentPid(), ProcessIdentity::currentStartTime()).verdict ==
        PlannedStopMarker::Verdict::Self)
        marker.consume();
    m_exitStatus = -1;
    // Should we be killed before the successor serves, it resumes these as after any crash;
    // turns accepted meanwhile too.
    // Only ours to clear again if the hand-off fails: flags set before (a resumed turn's) stay.
    QSet<QString> alreadyFlagged;
    const QList<TurnInfo> flagged = m_deps.store->resumePendingTurns();
    for (const TurnInfo &t : flagged)
        alreadyFlagged.insert(t.id);
    QList<TurnInfo> ours = m_deps.turns->runningTurns() + m_deps.turns->queuedTurns();
    for (const TurnInfo &t : std::as_const(ours)) {
        if (alreadyFlagged.contains(t.id))
            continue;
        m_deps.store->setResumePending(t.session, t.id, true);
        m_flagged << t.id;
    }
    m_flagNew = connect(m_deps.turns, &TurnManager::turnStateChanged, this,
                        [this](const QString &id, const QString &session, TurnState state) {
                            if (state == TurnState::Queued) {
                                m_deps.store->setResumePending(session, id, true);
                                m_flagged << id;
                            }
                        });
    QString error;
    if (!spawn(&error)) {
        fail(error);
        return true;
    }
    m_phase = Phase::Starting;
    report();
    m_readyTimer->start(m_deps.readyTimeoutMs);
    // A stop (or force-restart) meanwhile wins: the successor must not serve after all.
    m_stopDuringStart = connect(m_deps.gateway, &Gateway::stopBegan, this, [this] {
        if (m_phase == Phase::Starting)
            abortStart(QStringLiteral("a stop was requested during the hand-off"));
    });
    qCInfo(lcHandoff).noquote()
        << QStringLiteral("hand-off restart: started the successor, pid %1 (requested by %2); "
                          "serving until it does")
               .arg(m_successorPid)
               .arg(request.source);
    return true;
}

bool RestartHandoff::spawn(QString *error)
{
#ifdef Q_OS_UNIX
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
        *error = QStringLiteral("cannot create the hand-off channel: %1")
                     .arg(QString::fromLocal8Bit(strerror(errno)));
        return false;
    }
    SuccessorSpawner::Request r;
    r.program = QCoreApplication::applicationFilePath();
    r.arguments = m_deps.successorArguments;
    r.listeningSockets << m_deps.ipc->listenerDescriptor();
    r.socketNames << QStringLiteral("ipc");
    if (m_deps.http && m_deps.http->descriptor() >= 0) {
        r.listeningSockets << m_deps.http->descriptor();
        r.socketNames << QStringLiteral("http");
    }
    r.extraDescriptors << pair[1] << m_deps.lock->descriptor();
    HandoffContext context;
    context.predecessorPid = qint64(::getpid());
    context.channelFd = SuccessorSpawner::childDescriptor(r, 0);
    context.lockFd = SuccessorSpawner::childDescriptor(r, 1);
    context.containment = m_deps.containment->handOverState();
    context.agentUmask = m_deps.agentDefaults.umask;
    context.agentOpenFilesLimit = m_deps.agentDefaults.openFilesLimit;
    context.supervised = m_deps.supervised;
    context.ownsSocketFile = m_deps.ipc->ownsSocketFile();
    r.environment << qMakePair(QByteArray(HandoffContext::Variable), context.encode());
    if (!qEnvironmentVariableIsEmpty("WATCHDOG_USEC"))
        r.pidVariables << QByteArrayLiteral("WATCHDOG_PID");
    const qint64 pid = SuccessorSpawner::spawn(r, error);
    ::close(pair[1]);
    if (pid < 0) {
        ::close(pair[0]);
        return false;
    }
    ProcessTree::registerOwnedChild(pid); // its exit status is ours to read
    m_successorPid = pid;
    m_channel = new HandoffChannel(pair[0], this);
    connect(m_channel, &HandoffChannel::received, this, &RestartHandoff::onMessage);
    connect(m_channel, &HandoffChannel::closed, this, &RestartHandoff::onChannelClosed);
    return true;
#else
    *error = impossibleBecause();
    return false;
#endif
}

void RestartHandoff::onMessage(const QString &type, const QJsonObject &message)
{
    if (type == QLatin1String("ready")) {
        if (m_phase == Phase::Starting)
            takeOver(jsonInteger(message.value(QStringLiteral("pid"))).value_or(m_successorPid));
    } else if (type == QLatin1String("failed")) {
        m_failureReason = message.value(QStringLiteral("reason")).toString();
    } else if (type == QLatin1String("relay_reply")) {
        m_deps.relay->onReply(message);
    } else if (type == QLatin1String("event")) {
        m_deps.ipc->broadcast(message.value(QStringLiteral("name")).toString(),
                              message.value(QStringLiteral("fields")).toObject());
    } else if (type == QLatin1String("interrupt")) {
        const QString reason = message.value(QStringLiteral("reason")).toString();
        const QString id = message.value(QStringLiteral("turn_id")).toString();
        // Asked by an operator through the successor: final, like one asked here.
        if (!id.isEmpty())
            m_deps.turns->interruptTurn(id, reason, TurnManager::Interruption::ByOperator);
        else
            m_deps.turns->interruptSession(message.value(QStringLiteral("session")).toString(),
                                           reason, TurnManager::Interruption::ByOperator);
    } else if (type == QLatin1String("stop")) {
        const qint64 ms = jsonInteger(message.value(QStringLiteral("within_ms"))).value_or(0);
        qCInfo(lcHandoff).noquote()
            << QStringLiteral("the successor is stopping: our turns get %1 s more at most")
                   .arg(double(ms) / 1000.0);
        m_deps.sequence->limitDrain(ms);
    }
}

void RestartHandoff::takeOver(qint64 successorPid)
{
    m_readyTimer->stop();
    disconnect(m_flagNew);
    disconnect(m_stopDuringStart);
    m_successorPid = successorPid;
    // From here the successor accepts on the shared sockets; we take no one new.
    m_deps.ipc->setAccepting(false);
    if (m_deps.http)
        m_deps.http->setAccepting(false);
    if (m_deps.supervisor && m_deps.supervisor->underNotify())
        m_deps.supervisor->handOver(successorPid);
    // Our lock descriptor stays open until we exit: the flock is the successor's too, and
    // were it to die now, no third instance must take the lock while our turns still run.
    m_deps.containment->handOver();
    m_deps.writer->seal(); // gateway_state.json is the successor's now
    // Our remaining clients: served by the successor, with its events.
    QObject::disconnect(m_deps.gateway, &Gateway::eventPublished, m_deps.ipc,
                        &IpcServer::broadcast);
    m_deps.relay->relayTo(m_channel);
    m_phase = Phase::HandedOff;
    m_channel->send(QStringLiteral("takeover"), reportJson());

    connect(m_deps.turns, &TurnManager::turnStateChanged, this,
            [this](const QString &id, const QString &session, TurnState state) {
                QJsonObject turn{{QStringLiteral("turn_id"), id},
                                 {QStringLiteral("session"), session},
                                 {QStringLiteral("state"), wireName(state)}};
                if (isFinal(state)) { // as in our own `turn` events
                    const std::optional<TurnInfo> t = m_deps.turns->turn(id);
                    turn.insert(QStringLiteral("exit_code"),
                                t && t->exitCode ? QJsonValue(*t->exitCode) : QJsonValue());
                }
                m_channel->send(QStringLiteral("turn"), turn);
                report();
            });
    m_reportTimer->start();
    if (m_deps.output) {
        // Followers of our turns now talk to the successor: it streams what we send.
        connect(
            m_deps.output, &TurnOutputFeed::chunk, this,
            [this](const QString &id, OutputStream stream, qint64 offset, const QByteArray &data) {
                if (m_channel)
                    m_channel->send(
                        QStringLiteral("output"),
                        {{QStringLiteral("turn_id"), id},
                         {QStringLiteral("stream"), streamName(stream)},
                         {QStringLiteral("offset"), offset},
                         {QStringLiteral("data"), QString::fromLatin1(data.toBase64())}});
            });
    }
    connect(m_deps.sequence, &ShutdownSequence::finished, this, &RestartHandoff::onStopFinished);

    qCInfo(lcHandoff).noquote()
        << QStringLiteral("hand-off done: pid %1 serves now; finishing %2 running and %3 queued "
                          "turns here (drain timeout %4 s)")
               .arg(successorPid)
               .arg(m_deps.turns->runningCount())
               .arg(m_deps.turns->queuedCount())
               .arg(m_deps.drainTimeoutS);
    StopRequest stop = m_request;
    stop.handedOff = true;
    m_deps.gateway->requestStop(stop);
}

QJsonObject RestartHandoff::reportJson() const
{
    const qint64 pid = QCoreApplication::applicationPid();
    QJsonArray agents;
    const QJsonArray own = m_deps.turns->agentsJson(TurnManager::Usage::With);
    for (const QJsonValue &v : own) {
        QJsonObject a = v.toObject();
        a.insert(QStringLiteral("service_pid"), pid);
        a.insert(QStringLiteral("generation"), QStringLiteral("predecessor"));
        agents.append(a);
    }
    QJsonArray sessions, ids;
    const QList<TurnInfo> all = m_deps.turns->runningTurns() + m_deps.turns->queuedTurns();
    for (const TurnInfo &t : all) {
        ids.append(t.id);
        if (!sessions.contains(t.session))
            sessions.append(t.session);
    }
    const QDateTime deadline = m_requestedAt.addMSecs(qint64(m_deps.drainTimeoutS * 1000.0));
    return QJsonObject{{QStringLiteral("predecessor"),
                        QJsonObject{{QStringLiteral("pid"), pid},
                                    {QStringLiteral("running"), m_deps.turns->runningCount()},
                                    {QStringLiteral("queued"), m_deps.turns->queuedCount()},
                                    {QStringLiteral("deadline"), toIsoUtc(deadline)}}},
                       {QStringLiteral("agents"), agents},
                       {QStringLiteral("sessions"), sessions},
                       {QStringLiteral("turn_ids"), ids}};
}

void RestartHandoff::report()
{
    if ((m_phase == Phase::Starting || m_phase == Phase::HandedOff) && m_channel)
        m_channel->send(QStringLiteral("report"), reportJson());
}

void RestartHandoff::onStopFinished()
{
    m_phase = Phase::Finished;
    m_reportTimer->stop();
    if (m_channel) {
        m_channel->send(QStringLiteral("finished"));
        m_channel->close(); // flushed: the successor learns we are done before we exit
    }
}

void RestartHandoff::onChannelClosed()
{
    switch (m_phase) {
    case Phase::Starting:
        collectSuccessor();
        break;
    case Phase::HandedOff:
        qCCritical(lcHandoff).noquote()
            << QStringLiteral("the successor (pid %1) ended after the hand-off; finishing our "
                              "turns anyway")
                   .arg(m_successorPid);
        m_deps.relay->failPending();
        m_deps.relay->relayTo(nullptr);
        m_reportTimer->stop();
        collectSuccessor(); // its exit status is ours to collect (we are its parent)
        break;
    case Phase::Idle:
    case Phase::Finished:
        break;
    }
}

void RestartHandoff::collectSuccessor()
{
#ifdef Q_OS_UNIX
    // Its end of the channel closes as it exits: the exit status follows within moments.
    auto *poll = new QTimer(this);
    poll->setInterval(20);
    auto tries = std::make_shared<int>(0);
    connect(poll, &QTimer::timeout, this, [this, poll, tries] {
        int status = 0;
        const pid_t r = ::waitpid(pid_t(m_successorPid), &status, WNOHANG);
        if (r == 0 && ++*tries < 250)
            return;
        poll->deleteLater();
        ProcessTree::unregisterOwnedChild(m_successorPid);
        QString how;
        if (r == pid_t(m_successorPid) && WIFEXITED(status)) {
            m_exitStatus = WEXITSTATUS(status);
            how = QStringLiteral("exited with code %1").arg(m_exitStatus);
        } else if (r == pid_t(m_successorPid) && WIFSIGNALED(status)) {
            how = QStringLiteral("was killed by signal %1").arg(WTERMSIG(status));
        } else {
            how = QStringLiteral("closed the hand-off channel");
        }
        if (m_phase != Phase::Starting) {
            qCCritical(lcHandoff).noquote()
                << QStringLiteral("the successor (pid %1) %2").arg(m_successorPid).arg(how);
            return;
        }
        fail(m_failureReason.isEmpty()
                 ? QStringLiteral("the successor (pid %1) %2 before it served")
                       .arg(m_successorPid)
                       .arg(how)
                 : QStringLiteral("%1 (the successor, pid %2, %3)")
                       .arg(m_failureReason)
                       .arg(m_successorPid)
                       .arg(how));
    });
    poll->start();
#endif
}

void RestartHandoff::abortStart(const QString &why)
{
    if (m_phase != Phase::Starting)
        return;
    if (m_failureReason.isEmpty())
        m_failureReason = why;
#ifdef Q_OS_UNIX
    ::kill(pid_t(m_successorPid), SIGKILL); // it never served: nothing of it to keep
#endif
}

void RestartHandoff::fail(const QString &reason)
{
    m_phase = Phase::Idle;
    m_readyTimer->stop();
    disconnect(m_flagNew);
    disconnect(m_stopDuringStart);
    // We serve on as if nothing was asked: our turns are not to be resumed by anyone. Unless
    // a stop is what ended the hand-off: its own resume flags must stay.
    if (!m_deps.gateway->isStopping()) {
        for (const QString &id : std::as_const(m_flagged))
            m_deps.store->setResumePending(QString(), id, false);
    }
    m_flagged.clear();
    if (m_channel) {
        m_channel->deleteLater();
        m_channel = nullptr;
    }
    const QJsonObject failure{
        {QStringLiteral("at"), isoUtcNow()},
        {QStringLiteral("reason"), reason},
        {QStringLiteral("successor_pid"),
         m_successorPid > 0 ? QJsonValue(m_successorPid) : QJsonValue()},
        {QStringLiteral("exit_code"), m_exitStatus >= 0 ? QJsonValue(m_exitStatus) : QJsonValue()}};
    m_successorPid = -1;
    qCCritical(lcHandoff).noquote() << QStringLiteral("restart failed: %1; still serving as pid %2")
                                           .arg(reason)
                                           .arg(QCoreApplication::applicationPid());
    m_deps.gateway->setRestartFailure(failure);
    m_deps.gateway->publishEvent(QStringLiteral("restart_failed"), failure);
}

} // namespace sluice
