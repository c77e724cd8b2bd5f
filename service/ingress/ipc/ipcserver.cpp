#include "ingress/ipc/ipcserver.h"

#include "ingress/commanddispatcher.h"
#include "ingress/ipc/ipcconnection.h"
#include "ingress/ipc/ipclogging.h"
#include "ingress/ipc/unixlistener.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLocalServer>
#include <QLocalSocket>
#include <QPointer>

#ifdef Q_OS_UNIX
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace sluice {

namespace {
#ifdef Q_OS_UNIX
// The socket file is 0600 and every peer's uid is checked; what its folder must guarantee is
// that nobody else can replace or remove it. A folder we create is 0700. Our own default
// folder (HOME/run) is tightened to 0700; a folder named by --socket is never changed: it
// must not be writable by others, or be sticky (1777, like /tmp: others cannot remove our
// socket there).
bool prepareSocketFolder(const QString &folder, bool ours, QString *error)
{
    if (!QFileInfo::exists(folder)) {
        if (!QDir().mkpath(folder)) {
            *error = QStringLiteral("cannot create socket folder %1").arg(folder);
            return false;
        }
        ::chmod(QFile::encodeName(folder).constData(), 0700);
        return true;
    }
    struct stat st = {};
    if (::stat(QFile::encodeName(folder).constData(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        *error = QStringLiteral("socket folder %1 is not a folder").arg(folder);
        return false;
    }
    const bool othersMayWrite = (st.st_mode & 022) != 0;
    if (ours && st.st_uid == ::getuid()) {
        if ((st.st_mode & 077) != 0) {
            qCInfo(lcIpcServer).noquote() << "tightening socket folder" << folder << "to 0700";
            if (::chmod(QFile::encodeName(folder).constData(), 0700) != 0) {
                *error = QStringLiteral("cannot make socket folder %1 private").arg(folder);
                return false;
            }
        }
        return true;
    }
    if (othersMayWrite && !(st.st_mode & S_ISVTX)) {
        *error = QStringLiteral("socket folder %1 is writable by others (mode %2) and not sticky: "
                                "anyone could replace the socket; use a private folder")
                     .arg(folder)
                     .arg(st.st_mode & 07777, 4, 8, QLatin1Char('0'));
        return false;
    }
    return true;
}
#endif
} // namespace

IpcServer::IpcServer(CommandDispatcher *dispatcher, const Limits &limits, QObject *parent)
    : QObject(parent)
    , m_dispatcher(dispatcher)
    , m_limits(limits)
{
#ifdef Q_OS_UNIX
    m_listener = new UnixListener(this);
    connect(m_listener, &UnixListener::accepted, this, [this](qintptr descriptor) {
        auto *socket = new QLocalSocket;
        if (!socket->setSocketDescriptor(descriptor)) {
            ::close(int(descriptor));
            delete socket;
            return;
        }
        adopt(socket);
    });
#else
    m_server = new QLocalServer(this);
    connect(m_server, &QLocalServer::newConnection, this, &IpcServer::onNewConnection);
#endif
}

IpcServer::~IpcServer()
{
    closeListener();
}

bool IpcServer::listen(const QString &path, bool ownFolder, QString *error, bool *inUse)
{
    if (inUse)
        *inUse = false;
#ifdef Q_OS_UNIX
    if (!prepareSocketFolder(QFileInfo(path).absolutePath(), ownFolder, error))
        return false;
    if (QFileInfo::exists(path)) {
        // Only remove a leftover once a connect attempt proves nobody listens on it. This runs
        // before the event loop serves anyone, so the short wait blocks nobody.
        QLocalSocket probe;
        probe.connectToServer(path);
        if (probe.waitForConnected(1000)) {
            probe.abort();
            if (inUse)
                *inUse = true;
            *error = QStringLiteral("another server is listening on %1").arg(path);
            return false;
        }
        qCInfo(lcIpcServer).noquote() << "removing leftover socket" << path;
        QLocalServer::removeServer(path);
    }
#endif
#ifdef Q_OS_UNIX
    if (!m_listener->listen(path, error))
        return false;
#else
    Q_UNUSED(ownFolder);                                        // a named pipe has no folder
    m_server->setSocketOptions(QLocalServer::UserAccessOption); // before listen()
    if (!m_server->listen(path)) {
        *error = QStringLiteral("cannot listen on %1: %2").arg(path, m_server->errorString());
        return false;
    }
#endif
    m_path = path;
    qCInfo(lcIpcServer).noquote() << "listening on" << path;
    return true;
}

void IpcServer::adoptListener(int descriptor, const QString &path, bool removeOnClose)
{
#ifdef Q_OS_UNIX
    m_listener->adopt(descriptor, path, removeOnClose);
    m_path = path;
    m_ownsSocketFile = removeOnClose;
    qCInfo(lcIpcServer).noquote() << "listening on the inherited socket" << path;
#else
    Q_UNUSED(descriptor)
    Q_UNUSED(path)
    Q_UNUSED(removeOnClose)
#endif
}

// The hand-off restart's listener calls: Unix only (a named pipe is never handed over; Windows
// restarts the classic way), so on Windows they do nothing and link no UnixListener.
void IpcServer::setOwnsSocketFile(bool owns)
{
    m_ownsSocketFile = owns;
#ifdef Q_OS_UNIX
    m_listener->setRemoveOnClose(owns);
#endif
}

int IpcServer::listenerDescriptor() const
{
#ifdef Q_OS_UNIX
    return m_listener->descriptor();
#else
    return -1;
#endif
}

void IpcServer::setAccepting(bool accepting)
{
#ifdef Q_OS_UNIX
    m_listener->setAccepting(accepting);
#else
    Q_UNUSED(accepting)
#endif
}

void IpcServer::releaseListener()
{
#ifdef Q_OS_UNIX
    m_listener->closeDescriptor();
#endif
}

bool IpcServer::isListening() const
{
#ifdef Q_OS_UNIX
    return m_listener->isListening();
#else
    return m_server->isListening();
#endif
}

void IpcServer::closeListener()
{
    if (!isListening())
        return;
#ifdef Q_OS_UNIX
    m_listener->close(); // removes the socket file
#else
    m_server->close();
#endif
    qCInfo(lcIpcServer).noquote() << "listener closed";
}

void IpcServer::disconnectAll()
{
    const QList<IpcConnection *> all = m_connections.values();
    for (IpcConnection *c : all)
        c->close();
}

bool IpcServer::peerAllowed(qintptr descriptor, QString *why) const
{
#ifdef Q_OS_LINUX
    struct ucred cred = {};
    socklen_t len = sizeof(cred);
    if (::getsockopt(int(descriptor), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
        *why = QStringLiteral("cannot read the peer's credentials");
        return false;
    }
    if (cred.uid != ::getuid()) {
        *why = QStringLiteral("peer uid %1 (pid %2) is not ours").arg(cred.uid).arg(cred.pid);
        return false;
    }
#elif defined(Q_OS_UNIX)
    // macOS / BSD: the peer's effective uid.
    uid_t uid = 0;
    gid_t gid = 0;
    if (::getpeereid(int(descriptor), &uid, &gid) != 0) {
        *why = QStringLiteral("cannot read the peer's credentials");
        return false;
    }
    if (uid != ::geteuid()) {
        *why = QStringLiteral("peer uid %1 is not ours").arg(uid);
        return false;
    }
#else
    Q_UNUSED(descriptor)
    Q_UNUSED(why)
#endif
    return true;
}

void IpcServer::onNewConnection()
{
    while (QLocalSocket *socket = m_server->nextPendingConnection())
        adopt(socket);
}

int IpcServer::connectionCap() const
{
    int cap = qMax(1, m_limits.maxConnections);
#ifdef Q_OS_UNIX
    // Half the descriptor table at most (read each time: it can be lowered from outside), so
    // turns, state.db and HTTP always have descriptors left and accept() never runs dry.
    struct rlimit files;
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY)
        cap = int(qMin<qint64>(cap, qMax<qint64>(8, qint64(files.rlim_cur) / 2)));
#endif
    return cap;
}

void IpcServer::makeRoom()
{
    // At the cap the least recently active connection goes, so a new client (a `status`, a
    // `stop`) always gets in, however many idle ones an agent opened.
    IpcConnection *oldest = nullptr;
    for (IpcConnection *c : std::as_const(m_connections)) {
        if (!oldest || c->lastActivity() < oldest->lastActivity())
            oldest = c;
    }
    if (!oldest)
        return;
    if (!m_capLogged) {
        m_capLogged = true;
        qCWarning(lcIpcServer).noquote()
            << QStringLiteral("%1 local-socket connections (the cap): closing the least "
                              "recently active ones to make room")
                   .arg(connectionCap());
    }
    m_connections.remove(oldest->id());
    oldest->close();
    oldest->deleteLater();
}

void IpcServer::adopt(QLocalSocket *socket)
{
    QString why;
    if (!peerAllowed(socket->socketDescriptor(), &why)) {
        qCWarning(lcIpcServer).noquote() << "rejected a connection:" << why;
        socket->abort();
        socket->deleteLater();
        return;
    }
    const int cap = connectionCap();
    while (m_connections.size() >= cap)
        makeRoom();
    if (m_connections.size() < cap / 2)
        m_capLogged = false;
    const quint64 id = m_nextId++;
    auto *connection = new IpcConnection(id, socket, m_dispatcher, m_limits, this);
    m_connections.insert(id, connection);
    connect(connection, &IpcConnection::closed, this, [this](quint64 closedId) {
        if (IpcConnection *c = m_connections.take(closedId))
            c->deleteLater();
    });
}

void IpcServer::broadcast(const QString &event, const QJsonObject &fields)
{
    const QList<IpcConnection *> all = m_connections.values();
    for (IpcConnection *c : all) {
        if (c->isSubscribed())
            c->sendEvent(event, fields);
    }
}

bool IpcServer::sendEvent(quint64 clientId, const QString &event, const QJsonObject &fields)
{
    IpcConnection *c = m_connections.value(clientId);
    if (!c)
        return false;
    c->sendEvent(event, fields);
    return true;
}

bool IpcServer::isSubscribed(quint64 clientId) const
{
    const IpcConnection *c = m_connections.value(clientId);
    return c && c->isSubscribed();
}

void IpcServer::deliverTurnOutput(const QString &turnId, const QString &stream, qint64 offset,
                                  const QByteArray &data)
{
    for (IpcConnection *c : std::as_const(m_connections))
        c->sendTurnOutput(turnId, stream, offset, data);
}

void IpcServer::endTurnFollow(const QString &turnId, const QJsonObject &fields)
{
    const QList<IpcConnection *> all = m_connections.values();
    for (IpcConnection *c : all)
        c->endFollow(turnId, fields);
}

} // namespace sluice
