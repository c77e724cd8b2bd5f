#include "turns/turnprocess.h"

#include "turns/processtree.h"
#include "turns/turnslogging.h"

#include <QTimer>

#ifdef Q_OS_UNIX
#include <csignal>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#endif
#ifdef Q_OS_WIN
#include <windows.h>
#endif

namespace sluice {

TurnProcess::TurnProcess(const QString &turnId, int graceMs, const AgentDefaults &defaults,
                         TurnContainer *container, QObject *parent)
    : QObject(parent)
    , m_turnId(turnId)
    , m_graceMs(graceMs)
    , m_defaults(defaults)
    , m_container(container)
    , m_process(new QProcess(this))
    , m_graceTimer(new QTimer(this))
{
    m_container->setParent(this);
    connect(m_container, &TurnContainer::emptied, this, &TurnProcess::markGone);
    m_graceTimer->setSingleShot(true);
    m_graceTimer->setTimerType(Qt::PreciseTimer); // a coarse timer may fire 5% (100 ms of 2 s) late
    connect(m_graceTimer, &QTimer::timeout, this, [this] {
        qCInfo(lcTurns).noquote() << QStringLiteral("%1: grace of %2 ms over, killing the tree")
                                         .arg(m_turnId)
                                         .arg(m_graceMs);
        killTree();
    });

    connect(m_process, &QProcess::readyReadStandardOutput, this, &TurnProcess::onReadyStdout);
    connect(m_process, &QProcess::readyReadStandardError, this, &TurnProcess::onReadyStderr);
    connect(m_process, &QProcess::finished, this, &TurnProcess::onFinished);
    connect(m_process, &QProcess::errorOccurred, this, &TurnProcess::onError);
}

TurnProcess::~TurnProcess()
{
    // Never let QProcess's destructor be what stops a child: by design the manager deletes
    // us only once the tree is gone. If that ever fails, kill deliberately and say so.
    if (m_process->state() != QProcess::NotRunning) {
        qCWarning(lcTurns).noquote()
            << QStringLiteral("turn %1: destroyed with its process running; killing the tree")
                   .arg(m_turnId);
        killTree();
        m_process->waitForFinished(1000);
    }
    if (m_pid > 0)
        ProcessTree::unregisterOwnedChild(m_pid);
}

void TurnProcess::start(const QString &program, const QStringList &arguments,
                        const QProcessEnvironment &environment, const QByteArray &stdinData)
{
    QString error;
    if (!m_container->prepare(&error)) {
        qCWarning(lcTurns).noquote()
            << QStringLiteral("turn %1: cannot contain it: %2").arg(m_turnId, error);
        m_leaderExited = true;
        Q_EMIT failedToStart(error);
        markGone();
        return;
    }
#ifdef Q_OS_UNIX
    // Into the container first, then a new session (and process group) of its own.
    // sluiced ignores SIGPIPE; an ignored disposition survives exec, so give the agent the
    // default back. Async-signal-safe calls only: this runs between fork and exec.
    const std::function<void()> enter = m_container->childSetup();
    const AgentDefaults defaults = m_defaults;
    m_process->setChildProcessModifier([enter, defaults] {
        if (enter)
            enter();
        ::setsid();
        ::signal(SIGPIPE, SIG_DFL);
        // sluiced's umask 077 is for its HOME, not the agent's files; its raised descriptor
        // limit is for its listeners, not for tools that close every possible descriptor.
        if (defaults.umask >= 0)
            ::umask(mode_t(defaults.umask));
        if (defaults.openFilesLimit >= 0) {
            struct rlimit lim;
            if (::getrlimit(RLIMIT_NOFILE, &lim) == 0) {
                lim.rlim_cur = rlim_t(defaults.openFilesLimit);
                ::setrlimit(RLIMIT_NOFILE, &lim);
            }
        }
    });
#endif
#ifdef Q_OS_WIN
    // Suspended until it is in its job object (JobObjectContainment resumes it); its own
    // console process group, so a CTRL_BREAK reaches it and nothing else.
    m_process->setCreateProcessArgumentsModifier([](QProcess::CreateProcessArguments *args) {
        args->flags |= CREATE_SUSPENDED | CREATE_NEW_PROCESS_GROUP;
    });
#endif
    m_process->setProcessEnvironment(environment);
    m_process->setProgram(program);
    m_process->setArguments(arguments);
    m_process->start(QIODevice::ReadWrite);
    m_pid = m_process->processId();
    if (m_pid > 0) {
        m_container->attach(m_pid);
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
    const QByteArray kept = chunk.size() > room ? chunk.left(room) : chunk;
    if (chunk.size() > room) {
        if (!m_truncated)
            qCInfo(lcTurns).noquote() << QStringLiteral("turn %1: output over %2 bytes, truncated")
                                             .arg(m_turnId)
                                             .arg(MaxOutput);
        m_truncated = true;
    }
    m_output.append(kept);
    if (!kept.isEmpty())
        Q_EMIT outputArrived(OutputStream::Stdout, kept);
}

void TurnProcess::onReadyStderr()
{
    m_stderrPartial.append(m_process->readAllStandardError());
    qsizetype nl;
    while ((nl = m_stderrPartial.indexOf('\n')) >= 0) {
        const QByteArray line = m_stderrPartial.left(nl + 1);
        m_stderrPartial.remove(0, nl + 1);
        stderrLine(line);
    }
    if (m_stderrPartial.size() > 8192) // a line without end: in pieces
        flushStderr();
}

void TurnProcess::flushStderr()
{
    if (m_stderrPartial.isEmpty())
        return;
    stderrLine(m_stderrPartial);
    m_stderrPartial.clear();
}

void TurnProcess::stderrLine(const QByteArray &line)
{
    QByteArray text = line;
    if (text.endsWith('\n'))
        text.chop(1);
    qCInfo(lcAgent).noquote()
        << QStringLiteral("turn %1: %2").arg(m_turnId, QString::fromUtf8(text));
    Q_EMIT outputArrived(OutputStream::Stderr, line);
}

void TurnProcess::onFinished(int exitCode, QProcess::ExitStatus status)
{
    onReadyStdout();
    onReadyStderr();
    flushStderr();
    m_leaderExited = true;
    if (m_pid > 0)
        ProcessTree::unregisterOwnedChild(m_pid);
    ProcessTree::reapOrphans(); // zombies queued behind the leader's exit status
    const bool crashed = status == QProcess::CrashExit;
    qCInfo(lcTurns).noquote() << QStringLiteral("turn %1: agent pid %2 exited %3")
                                     .arg(m_turnId)
                                     .arg(m_pid)
                                     .arg(crashed ? QStringLiteral("by a signal")
                                                  : QStringLiteral("with code %1").arg(exitCode));
    Q_EMIT exited(crashed ? -1 : exitCode, crashed);

    // What is left of the tree belongs to the turn and goes with it.
    if (!m_interrupted && !m_container->isEmpty()) {
        qCWarning(lcTurns).noquote()
            << QStringLiteral("turn %1: left processes behind; terminating them").arg(m_turnId);
        interrupt();
    }
    m_container->leaderExited();
}

void TurnProcess::onError(QProcess::ProcessError error)
{
    if (error != QProcess::FailedToStart)
        return;
    const QString message = m_process->errorString();
    qCWarning(lcTurns).noquote()
        << QStringLiteral("turn %1: agent failed to start: %2").arg(m_turnId, message);
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
        m_container->terminate();
        m_graceTimer->start(m_graceMs);
    }
}

void TurnProcess::killTree()
{
    if (m_treeGone || m_pid <= 0)
        return;
    m_graceTimer->stop();
    m_container->kill();
}

void TurnProcess::markGone()
{
    if (m_treeGone)
        return;
    m_treeGone = true;
    m_graceTimer->stop();
    Q_EMIT treeGone();
}

} // namespace sluice
