#include "sluice/processidentity.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QList>

#include <algorithm>
#include <limits>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#endif
#ifdef Q_OS_MACOS
#include <sys/sysctl.h>
#include <sys/types.h>
#endif
#ifdef Q_OS_WIN
#include <windows.h>
#endif

namespace sluice {
namespace ProcessIdentity {

namespace {

#ifdef Q_OS_LINUX
// Reads a small /proc file in one go. Plain open/read: QFile's extra stat calls triple the
// cost, and the forensics snapshot reads several of these on the stop path.
QByteArray readProcFile(const QString &path)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return {};
    QByteArray out;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || out.size() > (1 << 20))
            break;
        out.append(buf, n);
    }
    ::close(fd);
    return out;
}

QString procPath(qint64 pid, const char *leaf)
{
    return QStringLiteral("/proc/%1/%2").arg(pid).arg(QLatin1String(leaf));
}
#endif

// The fields after "(comm)"; field 3 (state) is index 0.
QList<QByteArray> fieldsAfterComm(const QByteArray &stat)
{
    const qsizetype close = stat.lastIndexOf(')');
    if (close < 0)
        return {};
    return stat.mid(close + 1).simplified().split(' ');
}

} // namespace

qint64 currentPid()
{
    return QCoreApplication::applicationPid();
}

qint64 startTimeFromStat(const QByteArray &statContent)
{
    // Field 22 is index 19 after the comm (fields 3..); comm may itself contain ") ".
    const QList<QByteArray> fields = fieldsAfterComm(statContent);
    if (fields.size() < 20)
        return -1;
    bool ok = false;
    const qint64 v = fields.at(19).toLongLong(&ok);
    return ok && v >= 0 ? v : -1;
}

bool parseStat(const QByteArray &statContent, ProcStat *out)
{
    const qsizetype open = statContent.indexOf('(');
    const qsizetype close = statContent.lastIndexOf(')');
    if (open < 0 || close < open)
        return false;
    const QList<QByteArray> fields = fieldsAfterComm(statContent);
    if (fields.size() < 4 || fields.at(0).isEmpty())
        return false;
    bool ok = false;
    out->pid = statContent.left(open).trimmed().toLongLong(&ok);
    if (!ok)
        return false;
    out->comm = statContent.mid(open + 1, close - open - 1);
    out->state = fields.at(0).at(0);
    out->ppid = fields.at(1).toLongLong();
    out->pgrp = fields.at(2).toLongLong();
    out->session = fields.at(3).toLongLong();
    out->startTime = startTimeFromStat(statContent);
    return true;
}

QList<ProcStat> processTable()
{
    QList<ProcStat> table;
#ifdef Q_OS_LINUX
    const QStringList entries =
        QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    QList<qint64> pids;
    for (const QString &e : entries) {
        bool ok = false;
        const qint64 pid = e.toLongLong(&ok);
        if (ok)
            pids << pid;
    }
    std::sort(pids.begin(), pids.end());
    for (qint64 pid : std::as_const(pids)) {
        ProcStat s;
        if (parseStat(readProcFile(procPath(pid, "stat")), &s))
            table << s;
    }
#elif defined(Q_OS_MACOS)
    int mib[3] = {CTL_KERN, KERN_PROC, KERN_PROC_ALL};
    size_t size = 0;
    if (::sysctl(mib, 3, nullptr, &size, nullptr, 0) != 0)
        return table;
    QList<struct kinfo_proc> procs(qsizetype(size / sizeof(struct kinfo_proc)) + 32);
    size = size_t(procs.size()) * sizeof(struct kinfo_proc);
    if (::sysctl(mib, 3, procs.data(), &size, nullptr, 0) != 0)
        return table;
    procs.resize(qsizetype(size / sizeof(struct kinfo_proc)));
    for (const struct kinfo_proc &p : std::as_const(procs)) {
        ProcStat s;
        s.pid = p.kp_proc.p_pid;
        s.ppid = p.kp_eproc.e_ppid;
        s.pgrp = p.kp_eproc.e_pgid;
        s.session = ::getsid(pid_t(s.pid));
        s.state = p.kp_proc.p_stat == SZOMB ? 'Z' : 'S';
        s.startTime =
            qint64(p.kp_proc.p_starttime.tv_sec) * 1000000 + p.kp_proc.p_starttime.tv_usec;
        table << s;
    }
#endif
    return table;
}

qint64 startTime(qint64 pid)
{
    if (pid <= 0)
        return -1;
#if defined(Q_OS_LINUX)
    return startTimeFromStat(readProcFile(procPath(pid, "stat")));
#elif defined(Q_OS_MACOS)
    int mib[4] = {CTL_KERN, KERN_PROC, KERN_PROC_PID, int(pid)};
    struct kinfo_proc info;
    size_t size = sizeof(info);
    if (::sysctl(mib, 4, &info, &size, nullptr, 0) != 0 || size == 0)
        return -1;
    const auto &tv = info.kp_proc.p_starttime;
    return qint64(tv.tv_sec) * 1000000 + tv.tv_usec;
#elif defined(Q_OS_WIN)
    // The creation time in µs since 1970, like macOS: with the pid it names one process life
    // (Windows reuses pids quickly).
    HANDLE h = ::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, DWORD(pid));
    if (!h)
        return -1;
    FILETIME created, exited, kernel, user;
    const bool ok = ::GetProcessTimes(h, &created, &exited, &kernel, &user);
    ::CloseHandle(h);
    if (!ok)
        return -1;
    const qint64 since1601 =
        qint64((quint64(created.dwHighDateTime) << 32) | created.dwLowDateTime); // 100 ns
    constexpr qint64 Epoch1970 = 116444736000000000LL;
    return (since1601 - Epoch1970) / 10;
#else
    return -1;
#endif
}

qint64 currentStartTime()
{
    static const qint64 value = startTime(currentPid());
    return value;
}

bool isAlive(qint64 pid)
{
    if (pid <= 0 || pid > std::numeric_limits<int>::max()) // kill(-1) or a truncated pid_t
        return false;
#ifdef Q_OS_UNIX
    if (::kill(pid_t(pid), 0) != 0 && errno != EPERM)
        return false;
#ifdef Q_OS_LINUX
    // kill() succeeds on a zombie; the state field tells. Unreadable /proc: trust kill().
    const QByteArray stat = readProcFile(procPath(pid, "stat"));
    if (!stat.isEmpty()) {
        const QList<QByteArray> fields = fieldsAfterComm(stat);
        if (!fields.isEmpty() && (fields.first() == "Z" || fields.first() == "X"))
            return false;
    }
#endif
    return true;
#elif defined(Q_OS_WIN)
    HANDLE h = ::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, DWORD(pid));
    if (!h)
        return false;
    DWORD code = 0;
    const bool alive = ::GetExitCodeProcess(h, &code) && code == STILL_ACTIVE;
    ::CloseHandle(h);
    return alive;
#else
    return false;
#endif
}

bool isSameProcess(qint64 pid, qint64 expectedStartTime)
{
    if (!isAlive(pid))
        return false;
    if (expectedStartTime < 0)
        return true;
    const qint64 actual = startTime(pid);
    return actual < 0 || actual == expectedStartTime;
}

qint64 parentPid(qint64 pid)
{
    if (pid <= 0)
        return -1;
#ifdef Q_OS_LINUX
    const QList<QByteArray> fields = fieldsAfterComm(readProcFile(procPath(pid, "stat")));
    if (fields.size() < 2)
        return -1;
    bool ok = false;
    const qint64 v = fields.at(1).toLongLong(&ok);
    return ok ? v : -1;
#elif defined(Q_OS_UNIX)
    if (pid == currentPid())
        return ::getppid();
    return -1;
#else
    return -1;
#endif
}

QString processName(qint64 pid)
{
    if (pid <= 0)
        return {};
#ifdef Q_OS_LINUX
    return QString::fromLocal8Bit(readProcFile(procPath(pid, "comm"))).trimmed();
#else
    return {};
#endif
}

QString commandLine(qint64 pid)
{
    if (pid <= 0)
        return {};
#ifdef Q_OS_LINUX
    QByteArray raw = readProcFile(procPath(pid, "cmdline"));
    while (raw.endsWith('\0'))
        raw.chop(1);
    raw.replace('\0', ' ');
    return QString::fromLocal8Bit(raw);
#else
    return {};
#endif
}

qint64 tracerPid(qint64 pid)
{
    if (pid <= 0)
        return -1;
#ifdef Q_OS_LINUX
    const QByteArray status = readProcFile(procPath(pid, "status"));
    const QByteArray key = "\nTracerPid:";
    const qsizetype at = status.indexOf(key);
    if (at < 0)
        return -1;
    const qsizetype start = at + key.size();
    const qsizetype end = status.indexOf('\n', start);
    bool ok = false;
    const qint64 v = status.mid(start, end < 0 ? -1 : end - start).trimmed().toLongLong(&ok);
    return ok ? v : -1;
#else
    return -1;
#endif
}

} // namespace ProcessIdentity
} // namespace sluice
