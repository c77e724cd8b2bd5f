#include "ingress/ipc/ipcserver.h"

#include "app/daemonlogging.h"
#include "ingress/commanddispatcher.h"
#include "ingress/ipc/ipcconnection.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLocalServer>
#include <QLocalSocket>
#include <QPointer>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace sluice {

namespace {
#ifdef Q_OS_UNIX
// The socket's folder must be one only we can enter: create it 0700, or tighten it if it is
// ours; refuse a folder that belongs to someone else (e.g. /tmp itself).
bool preparePrivateFolder(const QString &folder, QString *error)
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
    if (st.st_uid != ::getuid()) {
        *error = QStringLiteral("socket folder %1 belongs to another user; use a private "
                                "folder (mode 0700)")
                     .arg(folder);
        return false;
    }
    if ((st.st_mode & 077) != 0) {
        qCInfo(lcIpcServer) << "tightening socket folder" << folder << "to 0700";
        if (::chmod(QFile::encodeName(folder).constData(), 0700) != 0) {
            *error = QStringLiteral("cannot make socket folder %1 private").arg(folder);
            return false;
        }
    }
    return true;
}
#endif
} // namespace

IpcServer::IpcServer(CommandDispatcher *dispatcher, const Limits &limits, QObject *parent)
    : QObject(parent)
    , m_dispatcher(dispatcher)
    , m_limits(limits)
    , m_server(new QLocalServer(this))
{
    connect(m_server, &QLocalServer::newConnection, this, &IpcServer::onNewConnection);
}

IpcServer::~IpcServer()
{
    closeListener();
}

bool IpcServer::listen(const QString &path, QString *error, bool *inUse)
{
    if (inUse)
        *inUse = false;
#ifdef Q_OS_UNIX
    if (!preparePrivateFolder(QFileInfo(path).absolutePath(), error))
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
        qCInfo(lcIpcServer) << "removing leftover socket" << path;
        QLocalServer::removeServer(path);
    }
#endif
    m_server->setSocketOptions(QLocalServer::UserAccessOption); // before listen()
    if (!m_server->listen(path)) {
        *error = QStringLiteral("cannot listen on %1: %2").arg(path, m_server->errorString());
        return false;
    }
#ifdef Q_OS_UNIX
    ::chmod(QFile::encodeName(path).constData(), 0600);
#endif
    m_path = path;
    qCInfo(lcIpcServer) << "listening on" << path;
    return true;
}

bool IpcServer::isListening() const
{
    return m_server->isListening();
}

void IpcServer::closeListener()
{
    if (m_server->isListening()) {
        m_server->close(); // removes the socket file
        qCInfo(lcIpcServer) << "listener closed";
    }
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
    while (QLocalSocket *socket = m_server->nextPendingConnection()) {
        QString why;
        if (!peerAllowed(socket->socketDescriptor(), &why)) {
            qCWarning(lcIpcServer).noquote() << "rejected a connection:" << why;
            socket->abort();
            socket->deleteLater();
            continue;
        }
        const quint64 id = m_nextId++;
        auto *connection = new IpcConnection(id, socket, m_dispatcher, m_limits, this);
        m_connections.insert(id, connection);
        connect(connection, &IpcConnection::closed, this, [this](quint64 closedId) {
            if (IpcConnection *c = m_connections.take(closedId))
                c->deleteLater();
        });
    }
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

} // namespace sluice
