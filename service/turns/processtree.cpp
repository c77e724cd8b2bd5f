#include "turns/processtree.h"

#include "app/daemonlogging.h"

#include "sluice/processidentity.h"

#include <QFile>
#include <QHash>
#include <QMutex>
#include <QMutexLocker>
#include <QSet>

#ifdef Q_OS_UNIX
#include <cerrno>
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

bool isOwned(qint64 pid)
{
    QMutexLocker locker(&g_ownedMutex);
    return g_owned.contains(pid);
}

#ifdef Q_OS_LINUX
bool carriesTag(qint64 pid, const QByteArray &tag)
{
    QFile f(QStringLiteral("/proc/%1/environ").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return false;
    const QList<QByteArray> vars = f.readAll().split('\0');
    return vars.contains(tag);
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

QList<qint64> turnProcesses(qint64 sid, const QByteArray &tag)
{
    QList<qint64> result;
#ifdef Q_OS_UNIX
    if (sid <= 1)
        return result;
    const qint64 self = ::getpid();
    const QList<ProcessIdentity::ProcStat> table = ProcessIdentity::processTable();
    QHash<qint64, qint64> parent;
    for (const ProcessIdentity::ProcStat &s : table)
        parent.insert(s.pid, s.ppid);
    const auto descendsFromUs = [&](qint64 pid) {
        for (int depth = 0; depth < 64 && pid > 1; ++depth) {
            pid = parent.value(pid, -1);
            if (pid == self)
                return true;
        }
        return false;
    };
    for (const ProcessIdentity::ProcStat &s : table) {
        if (s.pid == self || s.state == 'Z' || s.state == 'X')
            continue;
        if (s.session == sid || s.pgrp == sid) {
            result << s.pid;
            continue;
        }
#ifdef Q_OS_LINUX
        if (descendsFromUs(s.pid) && carriesTag(s.pid, tag))
            result << s.pid;
#else
        Q_UNUSED(tag)
        if (descendsFromUs(s.pid) && parent.value(s.pid) != self)
            result << s.pid; // no subreaper here: descendants still under the turn's tree
#endif
    }
#else
    Q_UNUSED(sid)
    Q_UNUSED(tag)
#endif
    return result;
}

int reapOrphans()
{
    int reaped = 0;
#ifdef Q_OS_UNIX
    for (;;) {
        siginfo_t info;
        std::memset(&info, 0, sizeof info);
        if (::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == 0)
            break; // no child, or none has exited
        const qint64 pid = info.si_pid;
        // QProcess collects its own children (registered, or in our session: turns and
        // what they leave have sessions of their own); the rest waits for the next call.
        if (isOwned(pid) || ::getsid(pid_t(pid)) == ::getsid(0))
            break;
        if (::waitpid(pid_t(pid), nullptr, WNOHANG) != pid)
            break;
        ++reaped;
        qCDebug(lcTurns) << "reaped orphan" << pid;
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
