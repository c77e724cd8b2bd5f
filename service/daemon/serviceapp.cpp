#include "serviceapp.h"

#include "daemonlogging.h"
#include "gateway.h"
#include "gatewaydispatcher.h"
#include "homewatcher.h"
#include "instancelock.h"
#include "ipcserver.h"
#include "processtree.h"
#include "sessionstore.h"
#include "statuswriter.h"
#include "turnmanager.h"

#include "sluice/atomicjson.h"
#include "sluice/epoch.h"
#include "sluice/processidentity.h"
#include "sluice/runtimestatus.h"
#include "sluice/version.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QProcess>

#ifdef SLUICE_HAVE_LIFECYCLE
#include "lifecycleinstall.h"
#endif

#include <cstdio>

#ifdef Q_OS_UNIX
#include <csignal>
#endif

namespace sluice {

ServiceApp::ServiceApp(const ServiceOptions &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_paths(options.home)
{}

ServiceApp::~ServiceApp()
{
    // Children first (turns are killed deliberately by TurnManager's destructor), then the
    // store and the lock.
    delete m_ipc;
    m_ipc = nullptr;
    delete m_turns;
    m_turns = nullptr;
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
        qCInfo(lcDaemon) << "config file" << m_options.configFile;

    // 1. One instance per HOME.
    m_lock = std::make_unique<InstanceLock>(m_paths.lockFile());
    switch (m_lock->acquire(int(m_options.lockWaitS * 1000))) {
    case InstanceLock::Result::Acquired:
        break;
    case InstanceLock::Result::HeldByOther:
        qCCritical(lcDaemon).noquote()
            << QStringLiteral("%1 for HOME %2").arg(m_lock->errorString(), m_paths.home());
        return 1;
    case InstanceLock::Result::Error:
        qCCritical(lcDaemon).noquote() << m_lock->errorString();
        return 1;
    }

#ifdef Q_OS_UNIX
    // A log line to a stderr whose reader went away (e.g. the shell that started us) must not
    // kill the service: ignore SIGPIPE, writes fail with EPIPE instead.
    ::signal(SIGPIPE, SIG_IGN);
#endif

    // 2. Turns: we are the reaper of every orphan our agents leave.
    if (ProcessTree::becomeSubreaper())
        qCInfo(lcTurns) << "child subreaper: double-forked agent descendants stay ours";

    m_store = new SessionStore(this);
    QString error;
    if (!m_store->open(m_paths.stateDb(), &error)) {
        return failStartup(QStringLiteral("cannot open state.db: %1").arg(error));
    }
    m_store->recoverUnfinished();

    TurnManager::Config turnConfig;
    turnConfig.agentCommand = m_options.agentCommand;
    turnConfig.home = m_paths.home();
    turnConfig.maxConcurrent = m_options.maxConcurrent;
    turnConfig.interruptGraceMs = int(m_options.interruptGraceS * 1000);
    m_turns = new TurnManager(turnConfig, m_store, this);
    qCInfo(lcTurns) << "agent command:" << m_turns->program() << m_options.agentCommand.mid(1);

    const QString socketPath =
        m_options.socketPath.isEmpty() ? m_paths.defaultSocketPath() : m_options.socketPath;

    m_writer = new StatusWriter(m_paths.stateFile(), this);
    Gateway::Config gwConfig;
    gwConfig.paths = m_paths;
    gwConfig.epoch = InstantiationEpoch::current();
    gwConfig.drainMarkerTtlS = m_options.drainMarkerTtlS;
    gwConfig.drainTimeoutS = m_options.drainTimeoutS;
    gwConfig.interruptGraceS = m_options.interruptGraceS;
    gwConfig.supervised = m_options.supervised;
    gwConfig.socket = socketPath;
    // HTTP is wired by the integrator (setHttpPort once bound); until then: none.
    gwConfig.httpPort = -1;
    m_gateway = new Gateway(gwConfig, m_turns, m_writer, this);
    m_minimalStop = new MinimalStopSequence(this, this);
    m_gateway->setStopSequence(m_minimalStop);
    if (gwConfig.epoch.isEmpty())
        qCWarning(lcGateway) << "instantiation epoch unknown: any drain marker is active";

    // Durations of the previous stop, for metrics.
    const JsonFile last = readJsonFile(m_paths.lastShutdown());
    if (last.isObject()) {
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

    // 3. The drain marker is read before any turn can be accepted.
    m_gateway->evaluateMarkerAtStart();
    m_watcher = new HomeWatcher(m_paths.home(), this);
    m_watcher->addFile(QString::fromLatin1(FileNames::DrainMarker));
    connect(m_watcher, &HomeWatcher::changed, this, [this](const QString &name) {
        if (name == QLatin1String(FileNames::DrainMarker))
            m_gateway->reevaluateMarker();
    });
    connect(m_watcher, &HomeWatcher::rechecked, m_gateway, &Gateway::reevaluateMarker);

    // 4. The socket.
    m_dispatcher = new GatewayDispatcher(m_gateway, this, this);
    m_ipc = new IpcServer(m_dispatcher, this);
    bool inUse = false;
    if (!m_ipc->listen(socketPath, &error, &inUse))
        return failStartup(error);
    connect(m_gateway, &Gateway::eventPublished, m_ipc, &IpcServer::broadcast);

#ifdef SLUICE_HAVE_LIFECYCLE
    installLifecycle(this);
#endif
    Q_EMIT aboutToServe();

    // 5. Serve: the first status write says running (or draining).
    m_watcher->start();
    m_gateway->startServing();
    m_writer->flush(); // the state file exists before we return to the event loop
    return -1;
}

int ServiceApp::failStartup(const QString &reason)
{
    // We hold the lock, so we are the state file's one writer: say why we could not start.
    qCCritical(lcDaemon).noquote() << "startup failed:" << reason;
    RuntimeStatus status;
    status.state = QString::fromLatin1(GatewayState::StartupFailed);
    status.desiredState = QStringLiteral("running");
    status.pid = ProcessIdentity::currentPid();
    status.startTime = ProcessIdentity::currentStartTime();
    status.epoch = InstantiationEpoch::current();
    status.accepting = false;
    status.exitCode = 1;
    status.exitReason = reason;
    status.version = QStringLiteral(SLUICE_VERSION);
    status.updatedAt = isoUtcNow();
    QString error;
    if (!writeJsonAtomically(m_paths.stateFile(), status.toJson(), &error))
        qCWarning(lcDaemon) << "cannot write the state file:" << error;
    m_lock->release();
    return 1;
}

void ServiceApp::setStopSequence(StopSequence *sequence)
{
    m_gateway->setStopSequence(sequence ? sequence : m_minimalStop);
}

bool ServiceApp::spawnReplacement()
{
    QStringList args = m_options.arguments.mid(1);
    qint64 pid = -1;
    const bool ok =
        QProcess::startDetached(QCoreApplication::applicationFilePath(), args, QString(), &pid);
    if (ok)
        qCInfo(lcDaemon) << "started replacement sluiced, pid" << pid;
    else
        qCCritical(lcDaemon) << "could not start a replacement sluiced";
    return ok;
}

void ServiceApp::finishStop(int exitCode)
{
    if (m_finished)
        return;
    m_finished = true;
    if (m_gateway->state() != QLatin1String(GatewayState::Stopped))
        m_gateway->markStopped(exitCode, QStringLiteral("stop"), QStringLiteral("stopped"), false);
    if (m_ipc) {
        m_ipc->closeListener();
        m_ipc->disconnectAll();
    }
    m_gateway->flushStatus();
    // The final state is on disk; once the lock is released a replacement may write its own,
    // so nothing of this process (a late turn exit, the writer's destructor) may write again.
    if (m_writer)
        m_writer->seal();
    if (m_store) {
        m_store->clearResumeOfFinished();
        m_store->close();
    }
    m_lock->release();
    qCInfo(lcDaemon) << "exiting with code" << exitCode;
    QCoreApplication::exit(exitCode);
}

} // namespace sluice
