#include "processtree.h"

#include "daemonlogging.h"

#include <QDir>
#include <QFile>
#include <QMutex>
#include <QMutexLocker>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <csignal>
#include <cstring>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#endif
#ifdef Q_OS_LINUX
#include <sys/prctl.h>
#endif

namespace sluice {
namespace ProcessTree {

namespace {

QMutex g_ownedMutex;
QSet<qint64> g_owned;

#ifdef Q_OS_LINUX
struct StatFields
{
    char state = '?';
    qint64 ppid = -1;
    qint64 pgrp = -1;
    qint64 session = -1;
};

// /proc/<pid>/stat: "pid (comm) S ppid pgrp session ..."; comm may contain spaces and ')'.
bool readStat(const QString &pid, StatFields *out)
{
    QFile f(QStringLiteral("/proc/") + pid + QStringLiteral("/stat"));
    if (!f.open(QIODevice::ReadOnly))
        return false;
    const QByteArray content = f.read(1024);
    const int close = content.lastIndexOf(')');
    if (close < 0)
        return false;
    const QList<QByteArray> fields = content.mid(close + 2).split(' ');
    if (fields.size() < 4)
        return false;
    out->state = fields.at(0).isEmpty() ? '?' : fields.at(0).at(0);
    out->ppid = fields.at(1).toLongLong();
    out->pgrp = fields.at(2).toLongLong();
    out->session = fields.at(3).toLongLong();
    return true;
}

template<typename F> void forEachProcess(F f)
{
    const QStringList entries =
        QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &e : entries) {
        bool ok = false;
        const qint64 pid = e.toLongLong(&ok);
        if (!ok)
            continue;
        StatFields s;
        if (readStat(e, &s))
            f(pid, s);
    }
}
#endif

} // namespace

bool becomeSubreaper()
{
#ifdef Q_OS_LINUX
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)
        return true;
    qCWarning(lcTurns) << "PR_SET_CHILD_SUBREAPER failed:" << strerror(errno);
#endif
    return false;
}

QList<qint64> members(qint64 sid)
{
    QList<qint64> result;
    if (sid <= 1)
        return result;
#ifdef Q_OS_LINUX
    const qint64 self = getpid();
    forEachProcess([&](qint64 pid, const StatFields &s) {
        if (pid == self || s.state == 'Z' || s.state == 'X')
            return;
        if (s.session == sid || s.pgrp == sid)
            result << pid;
    });
#endif
    return result;
}

int signalTree(qint64 sid, int sig)
{
    if (sid <= 1)
        return 0;
    int count = 0;
#ifdef Q_OS_UNIX
    ::kill(pid_t(-sid), sig); // the group; ESRCH when it is empty
    const QList<qint64> pids = members(sid);
    for (qint64 pid : pids) {
        if (pid > 1 && ::kill(pid_t(pid), sig) == 0)
            ++count;
    }
#else
    Q_UNUSED(sig)
#endif
    return count;
}

int reapOrphans()
{
    int reaped = 0;
#ifdef Q_OS_LINUX
    const qint64 self = getpid();
    // Orphans of turns live in a turn's session (or one they made); our own direct children
    // that share our session (QProcess ones: systemctl, ...) are collected by QProcess, which
    // must see their exit status: never take it.
    const qint64 ownSession = ::getsid(0);
    QList<qint64> zombies;
    forEachProcess([&](qint64 pid, const StatFields &s) {
        if (s.ppid == self && s.state == 'Z' && s.session != ownSession)
            zombies << pid;
    });
    for (qint64 pid : std::as_const(zombies)) {
        {
            QMutexLocker locker(&g_ownedMutex);
            if (g_owned.contains(pid))
                continue; // QProcess will collect it
        }
        int status = 0;
        if (::waitpid(pid_t(pid), &status, WNOHANG) == pid) {
            ++reaped;
            qCDebug(lcTurns) << "reaped orphan" << pid;
        }
    }
#endif
    return reaped;
}

void registerOwnedChild(qint64 pid)
{
    QMutexLocker locker(&g_ownedMutex);
    g_owned.insert(pid);
}

void unregisterOwnedChild(qint64 pid)
{
    QMutexLocker locker(&g_ownedMutex);
    g_owned.remove(pid);
}

} // namespace ProcessTree
} // namespace sluice
