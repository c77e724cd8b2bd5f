#include "turns/turnprocess.h"

#include "app/daemonlogging.h"
#include "turns/processtree.h"

#include <QTimer>

#ifdef Q_OS_UNIX
#include <csignal>
#include <unistd.h>
#endif

namespace sluice {

namespace {
constexpr int TreePollMs = 100;
}

TurnProcess::TurnProcess(const QString &turnId, int graceMs, QObject *parent)
    : QObject(parent)
    , m_turnId(turnId)
    , m_graceMs(graceMs)
    , m_process(new QProcess(this))
    , m_graceTimer(new QTimer(this))
    , m_pollTimer(new QTimer(this))
{
    m_graceTimer->setSingleShot(true);
    connect(m_graceTimer, &QTimer::timeout, this, [this] {
        qCInfo(lcTurns) << m_turnId << "grace of" << m_graceMs << "ms over: SIGKILL to the tree";
        killTree();
    });
    m_pollTimer->setInterval(TreePollMs);
    connect(m_pollTimer, &QTimer::timeout, this, &TurnProcess::pollTree);

    connect(m_process, &QProcess::readyReadStandardOutput, this, &TurnProcess::onReadyStdout);
    connect(m_process, &QProcess::readyReadStandardError, this, &TurnProcess::onReadyStderr);
    connect(m_process, &QProcess::finished, this, &TurnProcess::onFinished);
    connect(m_process, &QProcess::errorOccurred, this, &TurnProcess::onError);
#ifdef Q_OS_UNIX
    // A new session (and process group) per turn: the whole tree can be signalled, and every
    // descendant, even one that double-forks away, keeps the session id.
    // sluiced ignores SIGPIPE; an ignored disposition survives exec, so give the agent the
    // default back (Qt's own child setup does too; kept explicit so it never depends on it).
    // Async-signal-safe calls only: this runs between fork and exec.
    m_process->setChildProcessModifier([] {
        ::setsid();
        ::signal(SIGPIPE, SIG_DFL);
    });
#endif
}

TurnProcess::~TurnProcess()
{
    // Never let QProcess's destructor be what stops a child: by design the manager deletes
    // us only once the tree is gone. If that ever fails, kill deliberately and say so.
    if (m_process->state() != QProcess::NotRunning) {
        qCWarning(lcTurns) << m_turnId << "destroyed with its process running: killing the tree";
        killTree();
        m_process->waitForFinished(1000);
    }
    if (m_pid > 0)
        ProcessTree::unregisterOwnedChild(m_pid);
}

void TurnProcess::start(const QString &program, const QStringList &arguments,
                        const QProcessEnvironment &environment, const QByteArray &stdinData)
{
    m_process->setProcessEnvironment(environment);
    m_process->setProgram(program);
    m_process->setArguments(arguments);
    m_process->start(QIODevice::ReadWrite);
    m_pid = m_process->processId();
    if (m_pid > 0) {
        ProcessTree::registerOwnedChild(m_pid);
        m_started = true;
        m_process->write(stdinData);
        m_process->closeWriteChannel();
        Q_EMIT started(m_pid);
    }
    // else errorOccurred(FailedToStart) has been or will be emitted.
}

void TurnProcess::onReadyStdout()
{
    const QByteArray chunk = m_process->readAllStandardOutput();
    const qsizetype room = MaxOutput - m_output.size();
    if (room <= 0) {
        m_truncated = m_truncated || !chunk.isEmpty();
        return;
    }
    if (chunk.size() > room) {
        m_output.append(chunk.left(room));
        if (!m_truncated)
            qCInfo(lcTurns) << m_turnId << "output over" << MaxOutput << "bytes: truncated";
        m_truncated = true;
    } else {
        m_output.append(chunk);
    }
}

void TurnProcess::onReadyStderr()
{
    m_stderrPartial.append(m_process->readAllStandardError());
    qsizetype nl;
    while ((nl = m_stderrPartial.indexOf('\n')) >= 0) {
        const QByteArray line = m_stderrPartial.left(nl);
        m_stderrPartial.remove(0, nl + 1);
        qCInfo(lcAgent).noquote() << m_turnId << QString::fromUtf8(line);
    }
    if (m_stderrPartial.size() > 8192) { // a line without end: log it in pieces
        qCInfo(lcAgent).noquote() << m_turnId << QString::fromUtf8(m_stderrPartial);
        m_stderrPartial.clear();
    }
}

void TurnProcess::onFinished(int exitCode, QProcess::ExitStatus status)
{
    onReadyStdout();
    onReadyStderr();
    if (!m_stderrPartial.isEmpty()) {
        qCInfo(lcAgent).noquote() << m_turnId << QString::fromUtf8(m_stderrPartial);
        m_stderrPartial.clear();
    }
    m_leaderExited = true;
    if (m_pid > 0)
        ProcessTree::unregisterOwnedChild(m_pid);
    const bool crashed = status == QProcess::CrashExit;
    qCInfo(lcTurns) << m_turnId << "agent pid" << m_pid << "exited"
                    << (crashed ? QStringLiteral("by a signal")
                                : QStringLiteral("with code %1").arg(exitCode));
    Q_EMIT exited(crashed ? -1 : exitCode, crashed);

    // What is left of the tree belongs to the turn and goes with it.
    if (ProcessTree::members(m_pid).isEmpty()) {
        markGone();
        return;
    }
    if (!m_interrupted) {
        qCWarning(lcTurns) << m_turnId << "left processes behind; terminating them";
        interrupt();
    }
    m_pollTimer->start();
}

void TurnProcess::onError(QProcess::ProcessError error)
{
    if (error != QProcess::FailedToStart)
        return;
    const QString message = m_process->errorString();
    qCWarning(lcTurns) << m_turnId << "agent failed to start:" << message;
    m_leaderExited = true;
    Q_EMIT failedToStart(message);
    markGone();
}

void TurnProcess::interrupt()
{
    if (m_treeGone || m_pid <= 0)
        return;
    if (!m_interrupted) {
        m_interrupted = true;
#ifdef Q_OS_UNIX
        const int n = ProcessTree::signalTree(m_pid, SIGTERM);
        qCInfo(lcTurns) << m_turnId << "SIGTERM to the tree of" << m_pid << "(" << n
                        << "processes )";
#endif
        m_graceTimer->start(m_graceMs);
    }
    if (m_leaderExited)
        m_pollTimer->start();
}

void TurnProcess::killTree()
{
    if (m_treeGone || m_pid <= 0)
        return;
    m_killed = true;
    m_graceTimer->stop();
#ifdef Q_OS_UNIX
    ProcessTree::signalTree(m_pid, SIGKILL);
#endif
    if (m_leaderExited)
        m_pollTimer->start();
}

void TurnProcess::pollTree()
{
    ProcessTree::reapOrphans(); // killed descendants reparented to us become our zombies
    if (!m_leaderExited)
        return;
    if (ProcessTree::members(m_pid).isEmpty())
        markGone();
    else if (m_killed)
        ProcessTree::signalTree(m_pid, SIGKILL); // late forks during the kill
}

void TurnProcess::markGone()
{
    if (m_treeGone)
        return;
    m_treeGone = true;
    m_pollTimer->stop();
    m_graceTimer->stop();
    Q_EMIT treeGone();
}

} // namespace sluice
