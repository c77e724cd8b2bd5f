#include "turns/processtree.h"

#include "turns/turnslogging.h"

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

#ifdef Q_OS_UNIX
bool isOwned(qint64 pid)
{
    QMutexLocker locker(&g_ownedMutex);
    return g_owned.contains(pid);
}
#endif

#ifdef Q_OS_LINUX
QByteArray turnIdOf(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/environ").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return QByteArray();
    static const QByteArray key = QByteArrayLiteral("SLUICE_TURN_ID=");
    const QList<QByteArray> vars = f.readAll().split('\0');
    for (const QByteArray &v : vars) {
        if (v.startsWith(key))
            return v.mid(key.size());
    }
    return QByteArray();
}
#endif

} // namespace

bool becomeSubreaper()
{
#ifdef Q_OS_LINUX
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)
        return true;
    qCWarning(lcTurns).noquote() << "PR_SET_CHILD_SUBREAPER failed:" << strerror(errno);
#endif
    return false;
}

Snapshot Snapshot::take()
{
    Snapshot snapshot;
#ifdef Q_OS_UNIX
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
        Entry e{s.pid, s.session, s.pgrp, descendsFromUs(s.pid), QByteArray()};
#ifdef Q_OS_LINUX
        if (e.descendant)
            e.turnId = turnIdOf(s.pid);
#else
        // No subreaper and no environ here: what is still under sluiced is the turn's.
        e.descendant = e.descendant && parent.value(s.pid) != self;
#endif
        snapshot.m_entries.append(e);
    }
#endif
    return snapshot;
}

QList<qint64> Snapshot::descendants() const
{
    QList<qint64> result;
    for (const Entry &e : m_entries) {
        if (e.descendant)
            result << e.pid;
    }
    return result;
}

QList<qint64> Snapshot::turnProcesses(qint64 sid, const QByteArray &turnId) const
{
    QList<qint64> result;
    if (sid <= 1)
        return result;
    for (const Entry &e : m_entries) {
#ifdef Q_OS_LINUX
        const bool tagged = e.descendant && e.turnId == turnId;
#else
        Q_UNUSED(turnId)
        const bool tagged = false;
#endif
        if (e.session == sid || e.pgrp == sid || tagged)
            result << e.pid;
    }
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
        qCDebug(lcTurns).noquote() << "reaped orphan" << pid;
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
