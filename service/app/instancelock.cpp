#include "app/instancelock.h"

#include "app/daemonlogging.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QLockFile>
#include <QSysInfo>
#include <QThread>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#endif

namespace sluice {

InstanceLock::InstanceLock(const QString &path)
    : m_path(path)
{}

InstanceLock::~InstanceLock()
{
    release();
}

#ifdef Q_OS_UNIX

namespace {
qint64 holderIn(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    bool ok = false;
    const qint64 pid = f.readLine().trimmed().toLongLong(&ok);
    return ok ? pid : -1;
}
} // namespace

InstanceLock::Result InstanceLock::acquire(int waitMs)
{
    const QByteArray native = QFile::encodeName(m_path);
    const int fd = ::open(native.constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        m_error = errno == EACCES
                      ? QStringLiteral("cannot create lock file %1: permission denied").arg(m_path)
                      : QStringLiteral("cannot create lock file %1: %2")
                            .arg(m_path, QString::fromLocal8Bit(strerror(errno)));
        return Result::Error;
    }
    // This runs before the event loop starts, so nothing else waits while we poll.
    const QDeadlineTimer deadline(qMax(0, waitMs));
    while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK && errno != EINTR) {
            m_error = QStringLiteral("cannot lock %1: %2")
                          .arg(m_path, QString::fromLocal8Bit(strerror(errno)));
            ::close(fd);
            return Result::Error;
        }
        if (deadline.hasExpired()) {
            ::close(fd);
            m_holderPid = holderIn(m_path);
            m_error = QStringLiteral("already running (pid %1)").arg(m_holderPid);
            return Result::HeldByOther;
        }
        QThread::msleep(50);
    }
    m_fd = fd;
    writeHolder();
    qCInfo(lcLock).noquote() << "lock acquired:" << m_path;
    return Result::Acquired;
}

InstanceLock::Result InstanceLock::adopt(int descriptor)
{
    ::fcntl(descriptor, F_SETFD, FD_CLOEXEC); // agents must never hold it
    // The same open file as the predecessor's: the lock it holds is ours already, and
    // flock() on it succeeds at once. Anything else means the hand-off went wrong.
    if (::flock(descriptor, LOCK_EX | LOCK_NB) != 0) {
        m_error = QStringLiteral("the inherited lock descriptor %1 does not hold %2")
                      .arg(descriptor)
                      .arg(m_path);
        ::close(descriptor);
        return Result::Error;
    }
    m_fd = descriptor;
    writeHolder();
    qCInfo(lcLock).noquote() << "lock taken over from the predecessor:" << m_path;
    return Result::Acquired;
}

bool InstanceLock::writeHolder()
{
    const QByteArray holder = QByteArray::number(qint64(::getpid())) + "\nsluiced\n" +
                              QSysInfo::machineHostName().toUtf8() + '\n';
    return ::ftruncate(m_fd, 0) == 0 &&
           ::pwrite(m_fd, holder.constData(), size_t(holder.size()), 0) == holder.size();
}

void InstanceLock::release()
{
    if (m_fd < 0)
        return;
    // Closing (no LOCK_UN) releases the lock only when no other process shares this open
    // file: a hand-off successor that gives up must leave its predecessor's lock alone.
    ::close(m_fd);
    m_fd = -1;
    qCInfo(lcLock) << "lock released";
}

#else

InstanceLock::Result InstanceLock::acquire(int waitMs)
{
    m_lock = std::make_unique<QLockFile>(m_path);
    // A lifetime lock: never stale by age (the default 30 s would let a second instance
    // steal a busy one's lock). QLockFile still treats a lock whose holder is dead (pid
    // gone, or reused by another program) as stale, so a crash never blocks a start.
    m_lock->setStaleLockTime(0);
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

InstanceLock::Result InstanceLock::adopt(int)
{
    m_error = QStringLiteral("a lock cannot be handed over on this platform");
    return Result::Error;
}

bool InstanceLock::writeHolder()
{
    return true;
}

void InstanceLock::release()
{
    if (m_lock && m_lock->isLocked()) {
        m_lock->unlock();
        qCInfo(lcLock).noquote() << "lock released";
    }
}

#endif

} // namespace sluice
