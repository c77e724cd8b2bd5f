#include "turns/processtree.h"

#include "app/daemonlogging.h"

#include "sluice/processidentity.h"

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
template<typename F> void forEachProcess(F f)
{
    const QList<ProcessIdentity::ProcStat> table = ProcessIdentity::processTable();
    for (const ProcessIdentity::ProcStat &s : table)
        f(s.pid, s);
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
    forEachProcess([&](qint64 pid, const ProcessIdentity::ProcStat &s) {
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
    forEachProcess([&](qint64 pid, const ProcessIdentity::ProcStat &s) {
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
