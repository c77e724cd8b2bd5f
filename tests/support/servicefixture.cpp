#include "servicefixture.h"

#include "sluice/atomicjson.h"
#include "sluice/paths.h"
#include "sluice/processidentity.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QPointer>
#include <QSet>
#include <QTest>

#ifdef Q_OS_UNIX
#include <csignal>
#include <sys/types.h>
#include <unistd.h>
#endif

namespace sluice::test {

namespace {

#ifdef Q_OS_LINUX
using ProcInfo = ProcessIdentity::ProcStat;
using ProcessIdentity::processTable;
#endif

} // namespace

ServiceFixture::ServiceFixture(QObject *parent)
    : QObject(parent)
    , m_run(QStringLiteral("/tmp/sl-XXXXXX"))
{
    m_socket = m_run.path() + QStringLiteral("/s.sock");
}

ServiceFixture::~ServiceFixture()
{
    m_client.reset();
    killAll();
}

QString ServiceFixture::binDir()
{
    return QStringLiteral(SLUICE_BIN_DIR);
}

QString ServiceFixture::binary(const QString &name)
{
    return binDir() + QLatin1Char('/') + name;
}

QString ServiceFixture::home() const
{
    return m_homeOverride.isEmpty() ? m_home.path() : m_homeOverride;
}

QString ServiceFixture::socketPath() const
{
    return m_socket;
}

QString ServiceFixture::scriptsDir() const
{
    return m_scripts.path();
}

int ServiceFixture::httpPort() const
{
    return readState().httpPort;
}

QString ServiceFixture::tokenPath() const
{
    return HomePaths(home()).controlToken();
}

QByteArray ServiceFixture::token() const
{
    QFile f(tokenPath());
    return f.open(QIODevice::ReadOnly) ? f.readAll().trimmed() : QByteArray();
}

QString ServiceFixture::stderrPath() const
{
    return m_scripts.path() + QStringLiteral("/sluiced-stderr.log");
}

QString ServiceFixture::logText() const
{
    QFile f(HomePaths(home()).serviceLog());
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll());
}

bool ServiceFixture::start(const QStringList &extraArgs, const QString &expectState, int timeoutMs)
{
    if (m_process && m_process->state() != QProcess::NotRunning) {
        qWarning("ServiceFixture::start: the service is still running");
        return false;
    }
    m_client.reset();
    m_process = std::make_unique<QProcess>();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("SLUICE_HOME"));
    m_process->setProcessEnvironment(env);
    m_process->setStandardOutputFile(QProcess::nullDevice());
    // A file, not a pipe: a debug-level service never blocks on a pipe nobody drains.
    m_process->setStandardErrorFile(stderrPath(), QIODevice::Append);
    QStringList args = {QStringLiteral("--home"),      home(),
                        QStringLiteral("--socket"),    m_socket,
                        QStringLiteral("--http-port"), QString::fromLatin1(HttpPortArg),
                        QStringLiteral("--log-level"), QStringLiteral("debug")};
    args << extraArgs;
    m_process->start(binary(QStringLiteral("sluiced")), args);
    if (!m_process->waitForStarted(10000)) {
        qWarning("ServiceFixture::start: cannot start sluiced: %s",
                 qPrintable(m_process->errorString()));
        return false;
    }
    const qint64 pid = m_process->processId();
    m_pids << pid;
    m_startTimes << ProcessIdentity::startTime(pid);
    const bool ok = waitFor(
        [&] {
            if (m_process->state() == QProcess::NotRunning)
                return true;
            const RuntimeStatus s = readState();
            return s.pid == pid && wireName(s.state) == expectState;
        },
        timeoutMs);
    if (!ok || m_process->state() == QProcess::NotRunning) {
        qWarning("ServiceFixture::start: sluiced did not reach '%s' (state '%s', running %d)",
                 qPrintable(expectState), qPrintable(wireName(readState().state)),
                 int(m_process->state() != QProcess::NotRunning));
        QFile err(stderrPath());
        if (err.open(QIODevice::ReadOnly))
            qWarning("sluiced stderr (tail):\n%s", err.readAll().right(3000).constData());
        return false;
    }
    return true;
}

qint64 ServiceFixture::pid() const
{
    return m_process ? m_process->processId() : -1;
}

RuntimeStatus ServiceFixture::readState() const
{
    const JsonFile f = readJsonFile(HomePaths(home()).stateFile());
    return f.isObject() ? RuntimeStatus::fromJson(f.object) : RuntimeStatus();
}

bool ServiceFixture::waitForState(const QString &state, int timeoutMs)
{
    return waitFor([&] { return wireName(readState().state) == state; }, timeoutMs);
}

bool ServiceFixture::waitFor(const std::function<bool()> &condition, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (!condition()) {
        if (timer.elapsed() > timeoutMs)
            return false;
        QTest::qWait(20); // spins the event loop; the condition is what we wait for
    }
    return true;
}

int ServiceFixture::waitForExit(int timeoutMs)
{
    if (!m_process)
        return -1;
    if (!waitFor([&] { return m_process->state() == QProcess::NotRunning; }, timeoutMs))
        return -1;
    return m_process->exitStatus() == QProcess::NormalExit ? m_process->exitCode() : -1;
}

void ServiceFixture::sendSignal(int signalNumber)
{
#ifdef Q_OS_UNIX
    if (pid() > 0)
        ::kill(pid_t(pid()), signalNumber);
#else
    Q_UNUSED(signalNumber)
#endif
}

QString ServiceFixture::writeAgentScript(const QString &name, const QString &body)
{
    const QString path = m_scripts.path() + QLatin1Char('/') + name;
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return {};
    f.write("#!/bin/sh\n");
    f.write(body.toUtf8());
    f.write("\n");
    f.close();
    f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup |
                     QFile::ExeGroup);
    return path;
}

std::unique_ptr<IpcClient> ServiceFixture::newClient(int timeoutMs)
{
    auto client = std::make_unique<IpcClient>();
    client->setServerName(m_socket);
    client->connectToServer();
    if (!waitFor([&] { return client->isConnected(); }, timeoutMs))
        return nullptr;
    return client;
}

IpcClient *ServiceFixture::client()
{
    if (!m_client || !m_client->isConnected()) {
        m_client = std::make_unique<IpcClient>();
        m_client->setServerName(m_socket);
        m_client->connectToServer();
        waitFor([&] { return m_client->isConnected(); }, 10000);
    }
    return m_client.get();
}

IpcReply ServiceFixture::callOn(IpcClient *client, const QString &cmd, const QJsonObject &args,
                                int timeoutMs)
{
    bool done = false;
    IpcReply result;
    result.errorCode = QStringLiteral("timeout");
    client->request(
        cmd, args,
        [&done, &result](const IpcReply &reply) {
            result = reply;
            done = true;
        },
        timeoutMs);
    // The client's own per-request timeout ends the wait; the margin only guards a lost
    // handler.
    waitFor([&] { return done; }, timeoutMs + 5000);
    return result;
}

IpcReply ServiceFixture::call(const QString &cmd, const QJsonObject &args, int timeoutMs)
{
    return callOn(client(), cmd, args, timeoutMs);
}

QJsonObject ServiceFixture::waitForTurn(const QString &turnId, int timeoutMs)
{
    QJsonObject last;
    const bool ok = waitFor(
        [&] {
            const IpcReply r = call(QStringLiteral("turn"), {{QStringLiteral("turn_id"), turnId}});
            if (!r.ok)
                return false;
            last = r.body;
            const QString state = last.value(QStringLiteral("state")).toString();
            return state != QLatin1String("queued") && state != QLatin1String("running");
        },
        timeoutMs);
    return ok ? last : QJsonObject();
}

void ServiceFixture::killAll()
{
#ifdef Q_OS_LINUX
    // Every sluiced this fixture started (plus a replacement named in the state file), and
    // every process tree they started: turn leaders are their children (setsid: session id =
    // leader pid), double-forked leftovers were reparented to them (subreaper).
    QSet<qint64> services;
    for (qsizetype i = 0; i < m_pids.size(); ++i) {
        if (ProcessIdentity::isSameProcess(m_pids.at(i), m_startTimes.value(i, -1)))
            services.insert(m_pids.at(i));
    }
    const RuntimeStatus s = readState();
    if (s.pid > 0 && ProcessIdentity::commandLine(s.pid).contains(home()))
        services.insert(s.pid);
    QSet<qint64> sessions;
    const QList<ProcInfo> table = processTable();
    for (const ProcInfo &p : table) {
        if (services.contains(p.ppid) && p.session == p.pid)
            sessions.insert(p.session);
        if (services.contains(p.ppid) && p.session > 1 && !services.contains(p.session))
            sessions.insert(p.session);
    }
    for (qint64 pid : std::as_const(services)) {
        if (ProcessIdentity::isAlive(pid))
            ::kill(pid_t(pid), SIGKILL);
    }
    const qint64 self = ::getpid();
    const qint64 ownSession = ::getsid(0);
    // Anything that still carries this HOME in its environment (agents inherit SLUICE_HOME)
    // belongs to this fixture, even if its service died before it could be traced.
    const QByteArray marker = "SLUICE_HOME=" + QFile::encodeName(home());
    for (const ProcInfo &p : table) {
        QFile env(QStringLiteral("/proc/%1/environ").arg(p.pid));
        if (p.pid == ::getpid() || !env.open(QIODevice::ReadOnly))
            continue;
        const QList<QByteArray> vars = env.readAll().split('\0');
        if (vars.contains(marker)) {
            ::kill(pid_t(p.pid), SIGKILL);
            if (p.session > 1 && p.session != ::getsid(0))
                sessions.insert(p.session);
        }
    }
    for (qint64 sid : std::as_const(sessions)) {
        if (sid <= 1 || sid == self || sid == ownSession)
            continue;
        ::kill(pid_t(-sid), SIGKILL);
        const QList<ProcInfo> now = processTable();
        for (const ProcInfo &p : now) {
            if (p.session == sid && p.pid != self)
                ::kill(pid_t(p.pid), SIGKILL);
        }
    }
#endif
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->kill();
        m_process->waitForFinished(5000);
    }
    // A SIGKILLed sluiced cannot remove its cgroups (the next one in the same parent would);
    // a test leaves none behind.
    for (qint64 pid : std::as_const(m_pids))
        removeCgroupsOf(pid);
}

QString ServiceFixture::cgroupOf(qint64 servicePid)
{
#ifdef Q_OS_LINUX
    // sluiced-<pid> below the cgroup this test runs in (sluiced's own one when it started).
    QFile mounts(QStringLiteral("/proc/self/mountinfo"));
    QFile own(QStringLiteral("/proc/self/cgroup"));
    if (!mounts.open(QIODevice::ReadOnly) || !own.open(QIODevice::ReadOnly))
        return QString();
    QString mount;
    const QList<QByteArray> lines = mounts.readAll().split('\n');
    for (const QByteArray &line : lines) {
        const qsizetype dash = line.indexOf(" - cgroup2 ");
        if (dash > 0)
            mount = QString::fromLocal8Bit(line.left(dash).split(' ').value(4));
    }
    QString path;
    const QList<QByteArray> groups = own.readAll().split('\n');
    for (const QByteArray &g : groups) {
        if (g.startsWith("0::"))
            path = QString::fromLocal8Bit(g.mid(3).trimmed());
    }
    if (mount.isEmpty() || path.isEmpty())
        return QString();
    return QDir::cleanPath(mount + path) + QStringLiteral("/sluiced-%1").arg(servicePid);
#else
    Q_UNUSED(servicePid)
    return QString();
#endif
}

void ServiceFixture::removeCgroupsOf(qint64 servicePid)
{
    const QString base = cgroupOf(servicePid);
    if (base.isEmpty() || !QFileInfo::exists(base))
        return;
    const QString turns = base + QStringLiteral("/turns");
    const QStringList left = QDir(turns).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &t : left) {
        QFile kill(turns + QLatin1Char('/') + t + QStringLiteral("/cgroup.kill"));
        if (kill.open(QIODevice::WriteOnly))
            kill.write("1");
        kill.close();
        waitFor([&] { return QDir().rmdir(turns + QLatin1Char('/') + t); }, 10000);
    }
    QDir().rmdir(turns);
    QDir().rmdir(base + QStringLiteral("/service"));
    QDir().rmdir(base);
}

} // namespace sluice::test
