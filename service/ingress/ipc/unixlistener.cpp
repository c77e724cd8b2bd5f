#include "ingress/ipc/unixlistener.h"

#include "ingress/ipc/ipclogging.h"

#include <QFile>
#include <QSocketNotifier>
#include <QTimer>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace sluice {

UnixListener::UnixListener(QObject *parent)
    : QObject(parent)
{}

UnixListener::~UnixListener()
{
    close();
}

bool UnixListener::listen(const QString &path, QString *error)
{
    const QByteArray native = QFile::encodeName(path);
    sockaddr_un addr = {};
    addr.sun_family = AF_UNIX;
    if (size_t(native.size()) >= sizeof(addr.sun_path)) {
        *error = QStringLiteral("socket path %1 is too long").arg(path);
        return false;
    }
    std::memcpy(addr.sun_path, native.constData(), size_t(native.size()));
    m_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (m_fd < 0) {
        *error = QStringLiteral("cannot create a socket: %1")
                     .arg(QString::fromLocal8Bit(strerror(errno)));
        return false;
    }
    // Created private (umask 077 while binding), so no other user ever sees it open.
    const mode_t old = ::umask(077);
    const int bound = ::bind(m_fd, reinterpret_cast<const sockaddr *>(&addr), sizeof(addr));
    const int bindErrno = errno;
    ::umask(old);
    if (bound != 0 || ::listen(m_fd, SOMAXCONN) != 0) {
        *error = QStringLiteral("cannot listen on %1: %2")
                     .arg(path, QString::fromLocal8Bit(strerror(bound != 0 ? bindErrno : errno)));
        ::close(m_fd);
        m_fd = -1;
        return false;
    }
    ::chmod(native.constData(), 0600);
    m_path = path;
    m_removeOnClose = true;
    watch();
    return true;
}

void UnixListener::adopt(int descriptor, const QString &path, bool removeOnClose)
{
    m_fd = descriptor;
    ::fcntl(m_fd, F_SETFD, FD_CLOEXEC);
    ::fcntl(m_fd, F_SETFL, ::fcntl(m_fd, F_GETFL) | O_NONBLOCK);
    m_path = path;
    m_removeOnClose = removeOnClose;
    watch();
}

void UnixListener::watch()
{
    m_spare = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    m_notifier = new QSocketNotifier(m_fd, QSocketNotifier::Read, this);
    m_notifier->setEnabled(m_accepting);
    connect(m_notifier, &QSocketNotifier::activated, this, &UnixListener::onReadable);
}

void UnixListener::setAccepting(bool accepting)
{
    m_accepting = accepting;
    if (m_notifier)
        m_notifier->setEnabled(accepting);
}

void UnixListener::closeDescriptor()
{
    if (m_fd < 0)
        return;
    delete m_notifier;
    m_notifier = nullptr;
    ::close(m_fd);
    m_fd = -1;
    if (m_spare >= 0) {
        ::close(m_spare);
        m_spare = -1;
    }
}

void UnixListener::close()
{
    if (m_fd < 0)
        return;
    closeDescriptor();
    if (m_removeOnClose)
        QFile::remove(m_path);
}

void UnixListener::pause()
{
    // No descriptor even for the spare: wait a moment instead of spinning on the backlog.
    m_notifier->setEnabled(false);
    QTimer::singleShot(100, this, [this] {
        if (m_notifier) {
            if (m_spare < 0)
                m_spare = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
            m_notifier->setEnabled(m_accepting);
        }
    });
}

void UnixListener::onReadable()
{
    while (m_accepting) {
        const int client = ::accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (client >= 0) {
            m_exhaustedLogged = false;
            Q_EMIT accepted(client);
            continue;
        }
        const int err = errno;
        if (err == EINTR || err == ECONNABORTED)
            continue;
        if ((err == EMFILE || err == ENFILE) && m_spare >= 0) {
            // Take the waiting client with the spare descriptor and let it go, so it is not
            // left hanging and the notifier does not fire for it again and again.
            ::close(m_spare);
            const int refused = ::accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (refused >= 0)
                ::close(refused);
            m_spare = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
            if (m_spare < 0)
                pause();
            if (!m_exhaustedLogged) {
                m_exhaustedLogged = true;
                qCWarning(lcIpcServer).noquote()
                    << "out of file descriptors: refusing local-socket clients until some "
                       "close (still listening)";
            }
            if (refused >= 0)
                continue;
        } else if (err == EMFILE || err == ENFILE) {
            pause();
        } else if (err != EAGAIN && err != EWOULDBLOCK) {
            qCWarning(lcIpcServer).noquote()
                << "accept on the local socket failed:" << QString::fromLocal8Bit(strerror(err));
        }
        return;
    }
}

} // namespace sluice
