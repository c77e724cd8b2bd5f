#include "app/instancelock.h"

#include "app/daemonlogging.h"

#include <QDeadlineTimer>
#include <QLockFile>
#include <QThread>

namespace sluice {

InstanceLock::InstanceLock(const QString &path)
    : m_path(path)
    , m_lock(std::make_unique<QLockFile>(path))
{
    // A lifetime lock: never stale by age (the default 30 s would let a second instance
    // steal a busy one's lock). QLockFile still treats a lock whose holder is dead (pid
    // gone, or reused by another program) as stale, so a SIGKILL never blocks a start.
    m_lock->setStaleLockTime(0);
}

InstanceLock::~InstanceLock()
{
    release();
}

InstanceLock::Result InstanceLock::acquire(int waitMs)
{
    // tryLock(timeout) sleeps between attempts; this runs before the event loop starts,
    // so nothing else waits on it.
    if (m_lock->tryLock(qMax(0, waitMs))) {
        qCInfo(lcLock).noquote() << "lock acquired:" << m_path;
        return Result::Acquired;
    }
    switch (m_lock->error()) {
    case QLockFile::LockFailedError: {
        qint64 pid = -1;
        QString host, app;
        if (m_lock->getLockInfo(&pid, &host, &app))
            m_holderPid = pid;
        m_error = QStringLiteral("already running (pid %1)").arg(m_holderPid);
        return Result::HeldByOther;
    }
    case QLockFile::PermissionError:
        m_error = QStringLiteral("cannot create lock file %1: permission denied").arg(m_path);
        return Result::Error;
    default:
        m_error = QStringLiteral("cannot create lock file %1").arg(m_path);
        return Result::Error;
    }
}

void InstanceLock::release()
{
    if (m_lock && m_lock->isLocked()) {
        m_lock->unlock();
        qCInfo(lcLock).noquote() << "lock released";
    }
}

} // namespace sluice
