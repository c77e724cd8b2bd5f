#include "ingress/inheritedsockets.h"

#include <QByteArray>
#include <QFile>
#include <QStringList>

#ifdef Q_OS_UNIX
#include <cstddef>
#include <cstdlib>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#endif

namespace sluice {

InheritedSockets InheritedSockets::takeFromEnvironment()
{
    InheritedSockets sockets;
#ifdef Q_OS_UNIX
    const QByteArray pid = qgetenv("LISTEN_PID");
    const QByteArray count = qgetenv("LISTEN_FDS");
    const QStringList names = QString::fromUtf8(qgetenv("LISTEN_FDNAMES")).split(QLatin1Char(':'));
    ::unsetenv("LISTEN_PID");
    ::unsetenv("LISTEN_FDS");
    ::unsetenv("LISTEN_FDNAMES");
    bool ok = false;
    if (pid.isEmpty() || pid.toLongLong(&ok) != qint64(::getpid()) || !ok)
        return sockets; // not meant for us (a parent's, passed on by a shell)
    const int n = count.toInt(&ok);
    if (!ok || n <= 0)
        return sockets;
    constexpr int First = 3; // SD_LISTEN_FDS_START
    for (int i = 0; i < n; ++i) {
        const int fd = First + i;
        ::fcntl(fd, F_SETFD, FD_CLOEXEC);
        const QString name = i < names.size() ? names.at(i) : QString();
        sockaddr_storage address = {};
        socklen_t length = sizeof(address);
        int listening = 0;
        socklen_t optLength = sizeof(listening);
        if (::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length) != 0 ||
            ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &optLength) != 0 ||
            !listening) {
            sockets.m_warnings << QStringLiteral("inherited descriptor %1 (%2) is not a listening "
                                                 "socket: ignored")
                                      .arg(fd)
                                      .arg(name.isEmpty() ? QStringLiteral("unnamed") : name);
            ::close(fd);
            continue;
        }
        const bool local = address.ss_family == AF_UNIX;
        const bool tcp = address.ss_family == AF_INET || address.ss_family == AF_INET6;
        if (local && sockets.m_local < 0 && (name.isEmpty() || name != QLatin1String("http"))) {
            sockets.m_local = fd;
            const auto *un = reinterpret_cast<const sockaddr_un *>(&address);
            const size_t max = length > offsetof(sockaddr_un, sun_path)
                                   ? length - offsetof(sockaddr_un, sun_path)
                                   : 0;
            sockets.m_localPath =
                QFile::decodeName(QByteArray(un->sun_path, int(qstrnlen(un->sun_path, max))));
        } else if (tcp && sockets.m_tcp < 0 && name != QLatin1String("ipc")) {
            sockets.m_tcp = fd;
        } else {
            sockets.m_warnings << QStringLiteral("inherited socket %1 (%2) is not one sluiced "
                                                 "uses: closed")
                                      .arg(fd)
                                      .arg(name.isEmpty() ? QStringLiteral("unnamed") : name);
            ::close(fd);
        }
    }
#endif
    return sockets;
}

} // namespace sluice
