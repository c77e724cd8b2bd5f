#pragma once
#include "turns/containment.h"

#include <QByteArray>
#include <QObject>
#include <QProcess>
#include <QString>
#include <QStringList>

class QTimer;

namespace sluice {

enum class OutputStream { Stdout, Stderr };

// One turn's process tree, in its TurnContainer (a cgroup, a process group, a Job Object).
// The agent also leads a new session (Unix), so terminal signals never reach it from us.
// Lifetime: `exited` when the agent (the leader) exits — the turn's outcome; `treeGone` once
// the container is empty (leftovers are terminated, then killed after the grace).
// The QProcess is never destroyed while its child runs: its destructor's SIGKILL is never
// what stops a turn.
class TurnProcess : public QObject
{
    Q_OBJECT
public:
    static constexpr qsizetype MaxOutput = 1 << 20; // stdout kept, then truncated + flagged

    // What sluiced changed for itself at start and the agent gets back as it was (-1: keep).
    struct AgentDefaults
    {
        int umask = -1;
        qint64 openFilesLimit = -1; // soft RLIMIT_NOFILE
    };

    // Takes ownership of the container.
    TurnProcess(const QString &turnId, int graceMs, const AgentDefaults &defaults,
                TurnContainer *container, QObject *parent = nullptr);
    ~TurnProcess() override;

    void start(const QString &program, const QStringList &arguments,
               const QProcessEnvironment &environment, const QByteArray &stdinData);

    qint64 pid() const { return m_pid; }
    bool leaderExited() const { return m_leaderExited; }
    bool isTreeGone() const { return m_treeGone; }
    bool wasInterrupted() const { return m_interrupted; }
    QByteArray output() const { return m_output; }
    bool truncated() const { return m_truncated; }
    TurnUsage usage() const { return m_container->usage(); }
    QString limitReason() const { return m_container->limitReason(); }

    // SIGTERM to the whole tree now, SIGKILL to what is left after the grace. Idempotent.
    void interrupt();
    // SIGKILL to the whole tree now (last resort at stop).
    void killTree();

Q_SIGNALS:
    void started(qint64 pid);
    void failedToStart(const QString &error);
    // exitCode is -1 when the leader died of a signal (crashed is then true).
    void exited(int exitCode, bool crashed);
    // Live output: stdout as it is kept (not past MaxOutput), stderr one whole line at a time
    // (with its '\n'; a line without end in pieces of 8 KiB).
    void outputArrived(sluice::OutputStream stream, const QByteArray &data);
    void treeGone();

private:
    void onReadyStdout();
    void onReadyStderr();
    void flushStderr();
    void stderrLine(const QByteArray &line); // logged and streamed
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void onError(QProcess::ProcessError error);
    void markGone();

    QString m_turnId;
    int m_graceMs;
    AgentDefaults m_defaults;
    TurnContainer *m_container;
    QProcess *m_process = nullptr;
    qint64 m_pid = -1;
    QByteArray m_output;
    QByteArray m_stderrPartial;
    bool m_truncated = false;
    bool m_leaderExited = false;
    bool m_treeGone = false;
    bool m_interrupted = false;
    bool m_started = false;
    QTimer *m_graceTimer = nullptr; // SIGKILL when it fires
};

} // namespace sluice
