#include "lifecycle/shutdowndiagnostic.h"

#include "gateway/exitcodes.h"

#include "lifecycle/lifecyclelogging.h"

#include "sluice/atomicjson.h"
#include "sluice/forensics.h"
#include "sluice/paths.h"
#include "sluice/processidentity.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QProcess>
#include <QStandardPaths>

#include <cstdio>
#include <functional>

#ifdef Q_OS_UNIX
#include <csignal>
#include <unistd.h>
#endif

namespace sluice::ShutdownDiagnostic {

QStringList arguments(const QString &home, int signalNum, qint64 targetPid)
{
    return {
        QStringLiteral("--diagnose"), QStringLiteral("--home"),   home,
        QStringLiteral("--signal"),   QString::number(signalNum), QStringLiteral("--target-pid"),
        QString::number(targetPid)};
}

bool start(const QString &home, int signalNum, qint64 targetPid, qint64 *pid,
           const QString &program)
{
    QProcess process;
    process.setProgram(program.isEmpty() ? QCoreApplication::applicationFilePath() : program);
    process.setArguments(arguments(home, signalNum, targetPid));
    // Nothing of ours leaks into it: no stdin, no stdout/stderr (it writes its own log file).
    process.setStandardInputFile(QProcess::nullDevice());
    process.setStandardOutputFile(QProcess::nullDevice());
    process.setStandardErrorFile(QProcess::nullDevice());
    qint64 childPid = -1;
    if (!process.startDetached(&childPid)) {
        qCWarning(lcLifecycle).noquote()
            << "could not start the shutdown diagnostic:" << process.errorString();
        return false;
    }
    if (pid)
        *pid = childPid;
    qCInfo(lcLifecycle).noquote() << QStringLiteral("shutdown diagnostic started: pid=%1 log=%2")
                                         .arg(childPid)
                                         .arg(HomePaths(home).diagLog());
    return true;
}

bool isRequested(int argc, char **argv)
{
    // Only as the first argument (as start() passes it), so no option value can trigger it.
    return argc > 1 && qstrcmp(argv[1], "--diagnose") == 0;
}

namespace {

#ifdef Q_OS_UNIX
volatile sig_atomic_t g_toolPgid = 0; // the process group of the tool running now
int g_logFd = -1;

extern "C" void onDiagnoseAlarm(int)
{
    // Async-signal-safe only: write, kill, _exit.
    if (g_toolPgid > 0)
        ::kill(-pid_t(g_toolPgid), SIGKILL);
    if (g_logFd >= 0) {
        static const char line[] = "(diagnostic cut short at its time limit)\n";
        [[maybe_unused]] ssize_t n = ::write(g_logFd, line, sizeof line - 1);
    }
    if (::getpgrp() == ::getpid())
        ::kill(0, SIGKILL); // our own group only: we are the leader of our own session
    ::_exit(124);
}
#endif

class Writer
{
public:
    explicit Writer(QFile *file)
        : m_file(file)
    {}
    void line(const QString &text) { raw(text.toUtf8() + '\n'); }
    void section(const QString &title) { line(QStringLiteral("--- %1 ---").arg(title)); }
    void raw(const QByteArray &bytes)
    {
        m_file->write(bytes);
        m_file->flush(); // each piece lands even if the limit cuts the rest
    }

private:
    QFile *m_file;
};

struct ToolResult
{
    enum Status { Ok, Missing, Failed, TimedOut } status = Missing;
    QByteArray output;
    int exitCode = 0;
};

// Runs one tool in its own process group with its own timeout; never waits longer.
ToolResult runTool(const QString &name, const QStringList &args, int timeoutMs)
{
    ToolResult result;
    const QString exe = QStandardPaths::findExecutable(name);
    if (exe.isEmpty())
        return result;
    QProcess p;
    p.setProgram(exe);
    p.setArguments(args);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.setStandardInputFile(QProcess::nullDevice());
#ifdef Q_OS_UNIX
    p.setChildProcessModifier([] { ::setpgid(0, 0); });
#endif
    p.start();
    if (!p.waitForStarted(qMax(100, timeoutMs))) {
        result.status = ToolResult::Failed;
        result.output = p.errorString().toUtf8();
        return result;
    }
#ifdef Q_OS_UNIX
    g_toolPgid = sig_atomic_t(p.processId());
#endif
    QElapsedTimer t;
    t.start();
    bool finished = false;
    while (!finished && t.elapsed() < timeoutMs) {
        finished = p.waitForFinished(int(qMax<qint64>(10, timeoutMs - t.elapsed())));
        result.output += p.readAll();
        if (!finished && p.state() == QProcess::NotRunning)
            finished = true;
    }
    if (!finished) {
#ifdef Q_OS_UNIX
        ::kill(-pid_t(p.processId()), SIGKILL); // the tool and whatever it started
#endif
        p.kill();
        p.waitForFinished(500);
        result.output += p.readAll();
        result.status = ToolResult::TimedOut;
    } else {
        result.output += p.readAll();
        result.exitCode = p.exitCode();
        result.status = (p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0)
                            ? ToolResult::Ok
                            : ToolResult::Failed;
    }
#ifdef Q_OS_UNIX
    g_toolPgid = 0;
#endif
    return result;
}

QByteArray tailLines(const QByteArray &text, int n)
{
    QList<QByteArray> lines = text.split('\n');
    while (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    if (lines.size() > n)
        lines = lines.mid(lines.size() - n);
    QByteArray out = lines.join('\n');
    if (!out.isEmpty())
        out += '\n';
    return out;
}

struct ProcEntry
{
    qint64 pid = -1, ppid = -1, pgid = -1;
    QByteArray state, comm, args;
};

// A /proc walk: the fallback process table when ps is missing, and the service's tree.
QList<ProcEntry> readProc()
{
    QList<ProcEntry> out;
    const QList<ProcessIdentity::ProcStat> table = ProcessIdentity::processTable();
    for (const ProcessIdentity::ProcStat &s : table) {
        ProcEntry e;
        e.pid = s.pid;
        e.ppid = s.ppid;
        e.pgid = s.pgrp;
        e.state = QByteArray(1, s.state);
        e.comm = s.comm;
        e.args = ProcessIdentity::commandLine(s.pid).toLocal8Bit().trimmed();
        if (e.args.isEmpty())
            e.args = '[' + e.comm + ']';
        out.append(e);
    }
    return out;
}

QByteArray formatProc(const QList<ProcEntry> &entries)
{
    QByteArray out = "PID PPID PGID STAT ARGS\n";
    for (const ProcEntry &e : entries) {
        out += QByteArray::number(e.pid) + ' ' + QByteArray::number(e.ppid) + ' ' +
               QByteArray::number(e.pgid) + ' ' + e.state + ' ' + e.args + '\n';
    }
    return out;
}

void writeTree(Writer &w, qint64 root)
{
    const QList<ProcEntry> all = readProc();
    if (all.isEmpty()) {
        w.line(QStringLiteral("(skipped: no /proc)"));
        return;
    }
    QHash<qint64, QList<ProcEntry>> children;
    const ProcEntry *rootEntry = nullptr;
    for (const ProcEntry &e : all) {
        children[e.ppid].append(e);
        if (e.pid == root)
            rootEntry = &e;
    }
    if (!rootEntry) {
        w.line(QStringLiteral("(process %1 is gone)").arg(root));
        return;
    }
    QByteArray out;
    std::function<void(const ProcEntry &, int)> walk = [&](const ProcEntry &e, int depth) {
        out += QByteArray(depth * 2, ' ') + QByteArray::number(e.pid) +
               " pgid=" + QByteArray::number(e.pgid) + " stat=" + e.state + ' ' + e.args + '\n';
        if (depth < 32) {
            for (const ProcEntry &c : children.value(e.pid))
                walk(c, depth + 1);
        }
    };
    walk(*rootEntry, 0);
    w.raw(out);
}

void writeTool(Writer &w, const ToolResult &r, const QString &name, int timeoutMs,
               int tailCount = 0)
{
    switch (r.status) {
    case ToolResult::Missing:
        w.line(QStringLiteral("(skipped: %1 not found)").arg(name));
        return;
    case ToolResult::TimedOut:
        w.raw(tailCount > 0 ? tailLines(r.output, tailCount) : r.output);
        w.line(QStringLiteral("(%1 timed out after %2 ms; killed)").arg(name).arg(timeoutMs));
        return;
    case ToolResult::Failed:
        w.raw(tailCount > 0 ? tailLines(r.output, tailCount) : r.output);
        w.line(QStringLiteral("(%1 failed, exit %2)").arg(name).arg(r.exitCode));
        return;
    case ToolResult::Ok:
        w.raw(tailCount > 0 ? tailLines(r.output, tailCount) : r.output);
        return;
    }
}

} // namespace

int runDiagnoseMode(int argc, char **argv)
{
#ifdef Q_OS_UNIX
    ::setsid(); // own session: no signal for the service's group or terminal reaches us
    struct sigaction sa = {};
    sa.sa_handler = onDiagnoseAlarm;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGALRM, &sa, nullptr);
    ::alarm(LimitSeconds);
    ::signal(SIGHUP, SIG_IGN);
    ::signal(SIGPIPE, SIG_IGN);
#endif
    QElapsedTimer total;
    total.start();

    QString home;
    int signalNum = 0;
    qint64 targetPid = -1;
    for (int i = 1; i < argc; ++i) {
        const QByteArray a = argv[i];
        const bool hasValue = i + 1 < argc;
        if (a == "--home" && hasValue)
            home = QString::fromLocal8Bit(argv[++i]);
        else if (a == "--signal" && hasValue)
            signalNum = QByteArray(argv[++i]).toInt();
        else if (a == "--target-pid" && hasValue)
            targetPid = QByteArray(argv[++i]).toLongLong();
    }
    if (home.isEmpty()) {
        fprintf(stderr, "sluiced --diagnose: --home DIR is required\n");
        return ExitCode::Usage;
    }

    QCoreApplication app(argc, argv); // QProcess wants an application object
    const HomePaths paths(home);
    QDir().mkpath(paths.logsDir());
    QFile file(paths.diagLog());
    if (!file.open(QIODevice::WriteOnly | QIODevice::Append)) {
        fprintf(stderr, "sluiced --diagnose: cannot open %s\n", qPrintable(paths.diagLog()));
        return ExitCode::Failure;
    }
#ifdef Q_OS_UNIX
    g_logFd = file.handle();
#endif
    Writer w(&file);
    w.line(QStringLiteral("=== sluiced shutdown diagnostic: signal=%1 (%2) time=%3 target_pid=%4 "
                          "diag_pid=%5 ===")
               .arg(ForensicsSnapshot::signalName(signalNum))
               .arg(signalNum)
               .arg(isoUtcNow())
               .arg(targetPid)
               .arg(QCoreApplication::applicationPid()));

    // Each tool gets at most this, and never more than what is left of the overall limit.
    const auto budget = [&total](int wanted) {
        const qint64 left = LimitSeconds * 1000 - 500 - total.elapsed();
        return int(qBound<qint64>(50, left, qint64(wanted)));
    };

    w.section(QStringLiteral("process table"));
    {
        const int t = budget(1500);
        const ToolResult r =
            runTool(QStringLiteral("ps"),
                    {QStringLiteral("-eo"), QStringLiteral("pid,ppid,pgid,stat,etime,args")}, t);
        if (r.status == ToolResult::Missing) {
            const QList<ProcEntry> entries = readProc();
            if (entries.isEmpty())
                w.line(QStringLiteral("(skipped: no ps and no /proc)"));
            else
                w.raw(formatProc(entries));
        } else {
            writeTool(w, r, QStringLiteral("ps"), t);
        }
    }

    w.section(QStringLiteral("service process tree (pid %1)").arg(targetPid));
    if (targetPid > 0)
        writeTree(w, targetPid);
    else
        w.line(QStringLiteral("(skipped: no target pid)"));

    w.section(QStringLiteral("load average"));
    {
        QFile load(QStringLiteral("/proc/loadavg"));
        if (load.open(QIODevice::ReadOnly)) {
            w.raw(load.readAll());
        } else {
            const int t = budget(1000);
            writeTool(w, runTool(QStringLiteral("uptime"), {}, t), QStringLiteral("uptime"), t);
        }
    }

    w.section(QStringLiteral("kernel (dmesg, last 30 lines)"));
    {
        const int t = budget(1000);
        writeTool(w, runTool(QStringLiteral("dmesg"), {}, t), QStringLiteral("dmesg"), t, 30);
    }

    w.section(QStringLiteral("journal (journalctl -n 50)"));
    {
        const int t = budget(1500);
        writeTool(
            w,
            runTool(QStringLiteral("journalctl"),
                    {QStringLiteral("-n"), QStringLiteral("50"), QStringLiteral("--no-pager")}, t),
            QStringLiteral("journalctl"), t);
    }

    w.line(QStringLiteral("=== end of diagnostic (%1 s) ===")
               .arg(QString::number(total.elapsed() / 1000.0, 'f', 2)));
#ifdef Q_OS_UNIX
    ::alarm(0);
    g_logFd = -1;
#endif
    file.close();
    return 0;
}

} // namespace sluice::ShutdownDiagnostic
