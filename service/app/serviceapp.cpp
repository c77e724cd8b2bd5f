#include "app/serviceapp.h"

#include "app/daemonlogging.h"
#include "app/instancelock.h"
#include "app/supervisorlink.h"
#include "gateway/exitcodes.h"
#include "gateway/gateway.h"
#include "gateway/gatewaylogging.h"
#include "gateway/statuswriter.h"
#include "gateway/storagehealth.h"
#include "handoff/predecessorlink.h"
#include "handoff/relaydispatcher.h"
#include "handoff/restarthandoff.h"
#include "ingress/gatewaydispatcher.h"
#include "ingress/http/controltoken.h"
#include "ingress/http/httpapi.h"
#include "ingress/inheritedsockets.h"
#include "ingress/ipc/ipcserver.h"
#include "lifecycle/homewatcher.h"
#include "lifecycle/lifecyclecontroller.h"
#include "lifecycle/restartpolicy.h"
#include "lifecycle/sessionresumer.h"
#include "lifecycle/shutdownsequence.h"
#include "turns/containment.h"
#include "turns/processtree.h"
#include "turns/sessionstore.h"
#include "turns/turnmanager.h"
#include "turns/turnoutputfeed.h"
#include "turns/turnslogging.h"

#include "sluice/atomicjson.h"
#include "sluice/epoch.h"
#include "sluice/processidentity.h"
#include "sluice/protocol.h"
#include "sluice/runtimestatus.h"
#include "sluice/version.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QJsonArray>

#ifdef Q_OS_UNIX
#include <csignal>
#endif

namespace sluice {

ServiceApp::ServiceApp(const ServiceOptions &options,
                       const TurnProcess::AgentDefaults &agentDefaults,
                       const std::optional<HandoffContext> &handoff, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_agentDefaults(agentDefaults)
    , m_handoff(handoff)
    , m_paths(options.home)
{}

ServiceApp::~ServiceApp()
{
    // The listeners first, then the turns (TurnManager's destructor stops them deliberately),
    // then the store and the lock.
    delete m_http;
    m_http = nullptr;
    delete m_ipc;
    m_ipc = nullptr;
    delete m_turns;
    m_turns = nullptr;
    if (m_containment)
        m_containment->release();
    if (m_store)
        m_store->close();
    if (m_lock)
        m_lock->release();
}

int ServiceApp::start()
{
    qCInfo(lcDaemon).noquote() << QStringLiteral("sluiced %1 starting: pid %2, HOME %3")
                                      .arg(QLatin1String(SLUICE_VERSION))
                                      .arg(ProcessIdentity::currentPid())
                                      .arg(m_paths.home());
    if (!m_options.configFile.isEmpty())
        qCInfo(lcDaemon).noquote() << "config file" << m_options.configFile;

    // 1. One instance per HOME (a hand-off successor holds the predecessor's lock already).
    m_lock = std::make_unique<InstanceLock>(m_paths.lockFile());
    if (m_handoff) {
        qCInfo(lcDaemon).noquote()
            << QStringLiteral("hand-off successor of pid %1").arg(m_handoff->predecessorPid);
        m_predecessor = new PredecessorLink(*m_handoff, this);
    }
    const InstanceLock::Result locked = m_handoff
                                            ? m_lock->adopt(m_handoff->lockFd)
                                            : m_lock->acquire(int(m_options.lockWaitS * 1000));
    switch (locked) {
    case InstanceLock::Result::Acquired:
        break;
    case InstanceLock::Result::HeldByOther:
        qCCritical(lcDaemon).noquote()
            << QStringLiteral("%1 for HOME %2").arg(m_lock->errorString(), m_paths.home());
        return ExitCode::Failure;
    case InstanceLock::Result::Error:
        qCCritical(lcDaemon).noquote() << m_lock->errorString();
        if (m_predecessor)
            m_predecessor->sendStartupFailure(m_lock->errorString());
        return ExitCode::Failure;
    }
    // Sockets passed at exec: by the predecessor, or by a systemd .socket unit.
    const InheritedSockets inherited = InheritedSockets::takeFromEnvironment();
    for (const QString &w : inherited.warnings())
        qCWarning(lcDaemon).noquote() << w;

#ifdef Q_OS_UNIX
    // A log line to a stderr whose reader went away (e.g. the shell that started us) must not
    // kill the service: ignore SIGPIPE, writes fail with EPIPE instead.
    ::signal(SIGPIPE, SIG_IGN);
#endif

    // 2. Turns: we are the reaper of every orphan our agents leave.
    if (ProcessTree::becomeSubreaper())
        qCInfo(lcTurns).noquote() << "child subreaper: double-forked agent descendants stay ours";

    m_store = new SessionStore(this);
    QString error;
    bool corrupt = false;
    if (!m_store->open(m_paths.stateDb(), &error, &corrupt)) {
        if (!corrupt)
            return failStartup(QStringLiteral("cannot open state.db: %1").arg(error),
                               ExitCode::Failure);
        // Never a restart loop over a broken file: keep it aside, start with a fresh one.
        const QString aside = SessionStore::moveAside(m_paths.stateDb(), &error);
        if (aside.isEmpty() || !m_store->open(m_paths.stateDb(), &error))
            return failStartup(QStringLiteral("state.db is unreadable and no fresh one can be "
                                              "created: %1")
                                   .arg(error),
                               ExitCode::Usage);
        m_warnings << QStringLiteral("state.db was not a readable database: moved to %1 and a "
                                     "fresh one started (earlier turns are only in that file)")
                          .arg(aside);
        qCCritical(lcStore).noquote() << m_warnings.constLast();
    }
    if (!m_handoff) // a predecessor's turns are not unfinished: it still runs them
        m_store->recoverUnfinished();

    Containment::Mode mode = Containment::Mode::Auto;
    Containment::parseMode(m_options.containment, &mode);
    TurnLimits limits;
    limits.memoryMaxBytes = m_options.turnMemoryMaxBytes;
    limits.pidsMax = m_options.turnPidsMax;
    limits.cpuMax = m_options.turnCpuMax;
    m_containment = Containment::create(mode, limits, &error,
                                        m_handoff ? m_handoff->containment : QJsonObject());
    if (!m_containment) // a setting this host cannot honour: a manager must not retry
        return failStartup(error, ExitCode::Usage);
    qCInfo(lcTurns).noquote() << "turn containment:"
                              << Containment::modeName(m_containment->mode());

    TurnManager::Config turnConfig;
    turnConfig.agentCommand = m_options.agentCommand;
    turnConfig.home = m_paths.home();
    turnConfig.maxConcurrent = m_options.maxConcurrent;
    turnConfig.interruptGraceMs = int(m_options.interruptGraceS * 1000);
    turnConfig.agentDefaults = m_agentDefaults;
    m_turns = new TurnManager(turnConfig, m_store, m_containment.get(), this);
    // Before the gateway: a turn's last output chunks must reach its followers before the
    // `turn` event that says it ended (slots run in the order they were connected).
    m_output = new TurnOutputFeed(m_turns, this);
    qCInfo(lcTurns).noquote()
        << "agent command:"
        << (QStringList{m_turns->program()} + m_options.agentCommand.mid(1)).join(QLatin1Char(' '));

    // 3. The gateway; the drain marker is read before any turn can be accepted.
    QString socketPath =
        m_options.socketPath.isEmpty() ? m_paths.defaultSocketPath() : m_options.socketPath;
    if (inherited.localSocket() >= 0 && inherited.localPath() != socketPath) {
        qCWarning(lcDaemon).noquote()
            << QStringLiteral("serving on the inherited socket %1, not %2")
                   .arg(inherited.localPath(), socketPath);
        socketPath = inherited.localPath();
    }
    m_writer = new StatusWriter(m_paths.stateFile(), this);
    m_storage = new StorageHealth(this);
    connect(m_store, &SessionStore::writeFailed, m_storage, &StorageHealth::reportFailure);
    connect(m_writer, &StatusWriter::writeFailed, m_storage, [this](const QString &error) {
        m_storage->reportFailure(QStringLiteral("gateway_state.json"), error);
    });
    Gateway::Config gwConfig;
    gwConfig.paths = m_paths;
    gwConfig.epoch = InstantiationEpoch::current();
    gwConfig.drainMarkerTtlS = m_options.drainMarkerTtlS;
    gwConfig.drainTimeoutS = m_options.drainTimeoutS;
    gwConfig.interruptGraceS = m_options.interruptGraceS;
    gwConfig.supervised = m_options.supervised;
    // Decided now, while the parent is still the one that started us; a hand-off successor
    // inherits the first generation's decision.
    m_supervised =
        m_handoff ? m_handoff->supervised : RestartPolicy::isSupervised(m_options.supervised);
    gwConfig.socket = socketPath;
    gwConfig.httpPort = -1; // set once the HTTP API is bound
    gwConfig.containment = m_containment->describe();
    gwConfig.warnings = m_warnings;
    m_gateway = new Gateway(gwConfig, m_turns, m_writer, m_storage, this);
    // Recovered once every kept result and the current state are on disk again.
    m_storage->setProbe([this](QString *error) {
        return m_store->writePending(error) && m_gateway->flushStatus(error);
    });
    if (gwConfig.epoch.isEmpty())
        qCWarning(lcGateway).noquote() << "instantiation epoch unknown: any drain marker is active";
    recordPreviousStop();
    m_gateway->evaluateMarkerAtStart();
    m_watcher = new HomeWatcher(m_paths.home(), this);
    m_watcher->addFile(QString::fromLatin1(FileNames::DrainMarker));
    connect(m_watcher, &HomeWatcher::changed, m_gateway, [this](const QString &name) {
        if (name == QLatin1String(FileNames::DrainMarker))
            m_gateway->reevaluateMarker();
    });

    // 4. The two ways in: the local socket (required) and the HTTP API (optional).
    m_dispatcher =
        new GatewayDispatcher(m_gateway, m_turns, m_writer, m_paths.lastShutdown(), this);
    m_relay = new RelayDispatcher(m_dispatcher, this);
    IpcServer::Limits ipcLimits;
    ipcLimits.maxPendingOutput = m_options.ipcMaxPendingBytes;
    // Following never gets a client dropped: output chunks stop well below its drop bound.
    ipcLimits.maxFollowPending =
        qMin<qint64>(ipcLimits.maxFollowPending, m_options.ipcMaxPendingBytes / 2);
    ipcLimits.stallTimeoutMs = int(m_options.ipcStallTimeoutS * 1000);
    ipcLimits.idleTimeoutMs = int(m_options.ipcIdleTimeoutS * 1000);
    ipcLimits.maxConnections = m_options.ipcMaxConnections;
    m_ipc = new IpcServer(m_relay, ipcLimits, this);
    if (!startIpc(socketPath, inherited.localSocket(), inherited.localPath(), &error))
        return failStartup(error, ExitCode::Failure);
    connect(m_gateway, &Gateway::eventPublished, m_ipc, &IpcServer::broadcast);
    startHttp(inherited.tcpSocket());
    connectFollowers();

    // 5. The service manager, and the one stop sequence every stop source ends in.
    m_supervisor =
        new SupervisorLink(m_gateway, m_options.drainTimeoutS, m_options.interruptGraceS, this);
    ShutdownSequence::Dependencies stop;
    stop.paths = m_paths;
    stop.gateway = m_gateway;
    stop.turns = m_turns;
    stop.store = m_store;
    stop.writer = m_writer;
    stop.ipc = m_ipc;
    stop.http = m_http;
    stop.containment = m_containment.get();
    stop.predecessor = m_predecessor;
    stop.drainTimeoutS = m_options.drainTimeoutS;
    stop.interruptGraceS = m_options.interruptGraceS;
    stop.supervised = m_supervised;
    stop.successorArguments = m_options.arguments.mid(1);
    m_sequence = new ShutdownSequence(stop, this);
    connect(m_gateway, &Gateway::stopRequested, m_sequence, &ShutdownSequence::run);
    connect(m_sequence, &ShutdownSequence::finished, this, &ServiceApp::finishStop);

    m_resumer = new SessionResumer(m_paths.restartPending(), m_store, m_turns, m_gateway, this);
    m_lifecycle =
        new LifecycleController(m_paths, m_gateway, m_sequence, m_resumer, m_watcher, this);
    m_lifecycle->start(!m_handoff);
    setUpHandoff();

    // 6. Serve: the first status write says running (or draining). A successor serves once
    // the predecessor has stopped accepting.
    m_watcher->start();
    if (m_predecessor)
        m_predecessor->sendReady();
    else
        serve();
    return -1;
}

void ServiceApp::serve()
{
    m_ipc->setAccepting(true);
    if (m_http)
        m_http->setAccepting(true);
    m_gateway->startServing();
    m_writer->flush(); // the state file exists before we return to the event loop
}

bool ServiceApp::startIpc(const QString &socketPath, int inheritedSocket,
                          const QString &inheritedPath, QString *error)
{
    if (inheritedSocket < 0)
        return m_ipc->listen(socketPath, m_options.socketPath.isEmpty(), error);
    // A socket file of a .socket unit is systemd's; one a predecessor made becomes ours once
    // it hands over (a successor that fails before must leave it be).
    m_ipc->adoptListener(inheritedSocket, inheritedPath, false);
    if (m_handoff)
        m_ipc->setAccepting(false); // until the predecessor has stopped accepting
    return true;
}

void ServiceApp::setUpHandoff()
{
    // Ours, for the next restart.
    RestartHandoff::Dependencies h;
    h.gateway = m_gateway;
    h.turns = m_turns;
    h.store = m_store;
    h.writer = m_writer;
    h.ipc = m_ipc;
    h.http = m_http;
    h.lock = m_lock.get();
    h.containment = m_containment.get();
    h.supervisor = m_supervisor;
    h.relay = m_relay;
    h.sequence = m_sequence;
    h.predecessor = m_predecessor;
    h.output = m_output;
    h.supervised = m_supervised;
    h.disabled = m_options.noHandoff;
    h.plannedStopMarker = m_paths.plannedStopMarker();
    h.drainTimeoutS = m_options.drainTimeoutS;
    h.successorArguments = m_options.arguments.mid(1);
    h.agentDefaults = m_agentDefaults;
    m_restartHandoff = new RestartHandoff(h, this);
    m_gateway->setRestartHandler(
        [this](const StopRequest &request) { return m_restartHandoff->offer(request); });

    if (!m_predecessor)
        return;
    // The predecessor's, while it finishes its turns.
    PredecessorLink::Dependencies p;
    p.gateway = m_gateway;
    p.turns = m_turns;
    p.store = m_store;
    p.containment = m_containment.get();
    p.dispatcher = m_dispatcher;
    p.resumer = m_resumer;
    m_predecessor->setDependencies(p);
    connect(m_predecessor, &PredecessorLink::takeover, this, [this] {
        m_containment->takeOwnership();
        m_ipc->setOwnsSocketFile(m_handoff->ownsSocketFile);
        serve();
        m_gateway->publishEvent(
            QString::fromLatin1(Protocol::Event::RestartFinished),
            QJsonObject{{QStringLiteral("requested_at"), QJsonValue()},
                        {QStringLiteral("via_service"), false},
                        {QStringLiteral("force"), false},
                        {QStringLiteral("handoff"), true},
                        {QStringLiteral("predecessor_pid"), m_predecessor->predecessorPid()},
                        {QStringLiteral("resumed"), QJsonArray()}});
    });
    connect(m_gateway, &Gateway::eventPublished, m_predecessor, &PredecessorLink::forwardEvent);
    // Followers of the predecessor's turns (the tray's live output) follow them here.
    connect(
        m_predecessor, &PredecessorLink::turnOutput, this,
        [this](const QString &id, const QString &stream, qint64 offset, const QByteArray &data) {
            if (m_ipc)
                m_ipc->deliverTurnOutput(id, stream, offset, data);
            if (m_http)
                m_http->turnOutput(id, stream, offset, data);
        });
    connect(m_predecessor, &PredecessorLink::turnEnded, this,
            [this](const QString &id, const QJsonObject &fields) {
                if (m_ipc)
                    m_ipc->endTurnFollow(id, fields);
                if (m_http)
                    m_http->turnEnded(
                        id,
                        {{QStringLiteral("state"), fields.value(QStringLiteral("state"))},
                         {QStringLiteral("exit_code"), fields.value(QStringLiteral("exit_code"))}});
            });
    connect(m_gateway, &Gateway::stopBegan, m_predecessor, [this](StopCause cause) {
        const double drainS = cause == StopCause::ForceRestart ? 0.0 : m_options.drainTimeoutS;
        m_predecessor->stopWithin(qint64(drainS * 1000.0));
    });
    m_dispatcher->setForeignInterrupt(
        [this](const QString &turnId, const QString &session, const QString &reason) {
            return m_predecessor->interrupt(turnId, session, reason);
        });
}

void ServiceApp::startHttp(int inheritedSocket)
{
    QString error;
    bool created = false;
    const QByteArray token = ControlToken::loadOrCreate(m_paths.controlToken(), &error, &created);
    if (token.isEmpty())
        qCWarning(lcDaemon).noquote() << "cannot create control.token:" << error
                                      << "- every authenticated HTTP route answers 401";
    else if (created)
        qCInfo(lcDaemon).noquote() << "created" << m_paths.controlToken();
    if (m_options.httpPort < 0 && inheritedSocket < 0) {
        qCInfo(lcDaemon).noquote() << "HTTP API off (--http-port -1)";
        return;
    }
    HttpApi::Options http;
    http.address = QHostAddress(m_options.httpAddress);
    http.port = m_options.httpPort;
    http.token = token;
    http.limits.idleTimeoutMs = int(m_options.httpIdleTimeoutS * 1000);
    http.limits.requestTimeoutMs = int(m_options.httpRequestTimeoutS * 1000);
    auto *api = new HttpApi(m_relay, http, this);
    if (inheritedSocket >= 0) {
        if (!api->adopt(inheritedSocket, &error)) {
            qCCritical(lcDaemon).noquote()
                << "cannot serve HTTP on the inherited socket:" << error << "- continuing without";
            delete api;
            return;
        }
        if (m_handoff)
            api->setAccepting(false); // until the predecessor has stopped accepting
    } else if (!api->listen(&error)) {
        // The local socket stays the way in; a busy port must not crash-loop the service.
        qCCritical(lcDaemon).noquote()
            << QStringLiteral("HTTP API cannot listen on %1:%2: %3; continuing without HTTP")
                   .arg(m_options.httpAddress)
                   .arg(m_options.httpPort)
                   .arg(error);
        delete api;
        return;
    }
    m_http = api;
    m_gateway->setHttpPort(api->port());
}

void ServiceApp::connectFollowers()
{
    connect(m_output, &TurnOutputFeed::chunk, this,
            [this](const QString &id, OutputStream stream, qint64 offset, const QByteArray &data) {
                if (m_ipc)
                    m_ipc->deliverTurnOutput(id, streamName(stream), offset, data);
                if (m_http)
                    m_http->turnOutput(id, streamName(stream), offset, data);
            });
    connect(m_output, &TurnOutputFeed::ended, this,
            [this](const QString &id, const QString &session, TurnState state,
                   std::optional<int> exitCode) {
                const QJsonValue code = exitCode ? QJsonValue(*exitCode) : QJsonValue();
                if (m_ipc)
                    m_ipc->endTurnFollow(id, {{QStringLiteral("turn_id"), id},
                                              {QStringLiteral("session"), session},
                                              {QStringLiteral("state"), wireName(state)},
                                              {QStringLiteral("exit_code"), code}});
                if (m_http)
                    m_http->turnEnded(id, {{QStringLiteral("state"), wireName(state)},
                                           {QStringLiteral("exit_code"), code}});
            });
}

void ServiceApp::recordPreviousStop()
{
    // Durations of the previous stop, for metrics.
    const JsonFile last = readJsonFile(m_paths.lastShutdown());
    if (!last.isObject())
        return;
    std::optional<double> drainS, totalS;
    if (last.object.value(QStringLiteral("total_s")).isDouble())
        totalS = last.object.value(QStringLiteral("total_s")).toDouble();
    const QJsonArray phases = last.object.value(QStringLiteral("phases")).toArray();
    for (const QJsonValue &p : phases) {
        if (p.toObject().value(QStringLiteral("name")).toString() == QLatin1String("drain"))
            drainS = p.toObject().value(QStringLiteral("duration_s")).toDouble();
    }
    m_gateway->recordStopDurations(drainS, totalS);
}

int ServiceApp::failStartup(const QString &reason, int exitCode)
{
    qCCritical(lcDaemon).noquote() << "startup failed:" << reason;
    if (m_predecessor) {
        // The predecessor still serves and owns the state file: it reports why instead.
        m_predecessor->sendStartupFailure(reason);
        return exitCode;
    }
    // We hold the lock, so we are the state file's one writer: say why we could not start.
    RuntimeStatus status;
    status.state = GatewayState::StartupFailed;
    status.desiredState = DesiredState::Running;
    status.pid = ProcessIdentity::currentPid();
    status.startTime = ProcessIdentity::currentStartTime();
    status.epoch = InstantiationEpoch::current();
    status.accepting = false;
    status.exitCode = exitCode;
    status.exitReason = reason;
    status.version = QStringLiteral(SLUICE_VERSION);
    status.updatedAt = isoUtcNow();
    QString error;
    if (!writeJsonAtomically(m_paths.stateFile(), status.toJson(), &error))
        qCWarning(lcDaemon).noquote() << "cannot write the state file:" << error;
    m_lock->release();
    return exitCode;
}

void ServiceApp::finishStop(int exitCode)
{
    if (m_finished)
        return;
    m_finished = true;
    // The final state is on disk; once the lock is released a successor may write its own,
    // so nothing of this process (a late turn exit, the writer's destructor) may write again.
    m_writer->seal();
    // Every tree is gone (interrupt phase): the turns' cgroups go too, before a successor
    // sweeps for leftovers.
    m_containment->release();
    m_lock->release();
    qCInfo(lcDaemon).noquote() << "exiting with code" << exitCode;
    QCoreApplication::exit(exitCode);
}

} // namespace sluice
