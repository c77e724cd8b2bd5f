#include "sluice/ipcclient.h"

#include "sluice/atomicjson.h"
#include "sluice/jsonnumber.h"
#include "sluice/logging.h"
#include "sluice/paths.h"
#include "sluice/protocol.h"

#include <QJsonValue>
#include <QLocalSocket>
#include <QPointer>
#include <QTimer>

namespace {
// Why a connect failed, as a sentence a person can act on (Qt's own strings, such as
// "QLocalSocket::connectToServer: Invalid name", name its internals instead).
QString connectFailure(QLocalSocket::LocalSocketError error, const QString &server)
{
    switch (error) {
    case QLocalSocket::ServerNotFoundError:
        return QStringLiteral("nothing listens at %1 (the service is not running)").arg(server);
    case QLocalSocket::ConnectionRefusedError:
        return QStringLiteral("the service at %1 refused the connection (it may be starting or "
                              "stopping)")
            .arg(server);
    case QLocalSocket::SocketAccessError:
        return QStringLiteral("no permission to connect to %1").arg(server);
    case QLocalSocket::SocketTimeoutError:
        return QStringLiteral("%1 did not answer in time").arg(server);
    case QLocalSocket::PeerClosedError:
        return QStringLiteral("the service at %1 closed the connection").arg(server);
    case QLocalSocket::SocketResourceError:
        return QStringLiteral("out of resources (descriptors) to connect to %1").arg(server);
    default:
        return QStringLiteral("cannot connect to %1").arg(server);
    }
}
} // namespace

namespace sluice {

IpcClient::IpcClient(QObject *parent)
    : QObject(parent)
    , m_socket(new QLocalSocket(this))
    , m_reconnectTimer(new QTimer(this))
{
    m_reconnectTimer->setSingleShot(true);
    connect(m_reconnectTimer, &QTimer::timeout, this, [this] {
        if (m_wantConnected && m_socket->state() == QLocalSocket::UnconnectedState)
            connectToServer();
    });
    connect(m_socket, &QLocalSocket::connected, this, &IpcClient::onSocketConnected);
    connect(m_socket, &QLocalSocket::disconnected, this, &IpcClient::onSocketDisconnected);
    connect(m_socket, &QLocalSocket::errorOccurred, this, &IpcClient::onSocketError);
    connect(m_socket, &QLocalSocket::readyRead, this, &IpcClient::onReadyRead);
}

IpcClient::~IpcClient()
{
    // Drop pending handlers uncalled: they may capture objects that die with us.
    m_pending.clear();
    m_socket->disconnect(this);
}

void IpcClient::setServerName(const QString &name)
{
    m_serverName = name;
}

void IpcClient::setAutoReconnect(bool on, int initialMs, int maxMs)
{
    m_autoReconnect = on;
    m_backoffInitialMs = qMax(1, initialMs);
    m_backoffMaxMs = qMax(m_backoffInitialMs, maxMs);
    m_backoffMs = m_backoffInitialMs;
    if (!on)
        m_reconnectTimer->stop();
}

void IpcClient::connectToServer()
{
    m_wantConnected = true;
    m_reconnectTimer->stop();
    if (m_socket->state() != QLocalSocket::UnconnectedState)
        return;
    m_decoder = FrameDecoder(Framing::MaxServerFrame);
    m_socket->connectToServer(m_serverName);
}

void IpcClient::disconnectFromServer()
{
    m_wantConnected = false;
    m_reconnectTimer->stop();
    m_socket->abort();
    if (m_connected) // abort() did not report it
        onSocketDisconnected();
    failAll(QString::fromLatin1(Protocol::Error::Disconnected),
            QStringLiteral("disconnected by the client"));
}

bool IpcClient::isConnected() const
{
    return m_connected && m_socket->state() == QLocalSocket::ConnectedState;
}

qint64 IpcClient::request(const QString &cmd, const QJsonObject &args, ReplyHandler handler,
                          int timeoutMs)
{
    const qint64 id = m_nextId++;
    if (!isConnected()) {
        QTimer::singleShot(0, this, [handler = std::move(handler)] {
            IpcReply r;
            r.errorCode = QString::fromLatin1(Protocol::Error::Disconnected);
            r.errorMessage = QStringLiteral("not connected to the service");
            if (handler)
                handler(r);
        });
        return id;
    }
    Pending p;
    p.handler = std::move(handler);
    p.timer = new QTimer(this);
    p.timer->setSingleShot(true);
    connect(p.timer, &QTimer::timeout, this, [this, id] { expire(id); });
    p.timer->start(qMax(0, timeoutMs));
    m_pending.emplace(id, std::move(p));
    m_socket->write(Framing::encode(Protocol::request(id, cmd, args)));
    return id;
}

QString IpcClient::socketForHome(const QString &home)
{
    const HomePaths paths(home);
    const JsonFile state = readJsonFile(paths.stateFile());
    if (state.isObject()) {
        const QString socket = state.object.value(QLatin1String("socket")).toString();
        if (!socket.isEmpty())
            return socket;
    }
    return paths.defaultSocketPath();
}

void IpcClient::onReadyRead()
{
    QPointer<IpcClient> self(this);
    m_decoder.feed(m_socket->readAll());
    for (;;) {
        QJsonObject frame;
        const FrameDecoder::Result r = m_decoder.next(&frame);
        if (r == FrameDecoder::Result::NeedMore)
            return;
        if (r == FrameDecoder::Result::Failed) {
            const QString reason = m_decoder.errorString();
            qCWarning(lcIpc).noquote() << "bad frame from the service:" << reason;
            Q_EMIT protocolError(reason);
            if (!self)
                return;
            m_socket->abort();
            if (m_connected) // abort() did not report it
                onSocketDisconnected();
            return;
        }
        dispatch(frame);
        if (!self) // a handler or slot destroyed us
            return;
    }
}

void IpcClient::dispatch(const QJsonObject &frame)
{
    const QJsonValue idValue = frame.value(QLatin1String("id"));
    if (idValue.isDouble()) {
        const std::optional<qint64> id = jsonInteger(idValue);
        const auto it = id ? m_pending.find(*id) : m_pending.end();
        if (it == m_pending.end()) {
            qCDebug(lcIpc).noquote()
                << "reply for unknown or expired request" << idValue.toDouble();
            return;
        }
        Pending p = std::move(it->second);
        m_pending.erase(it);
        delete p.timer;
        IpcReply reply;
        reply.body = frame;
        reply.ok = frame.value(QLatin1String("ok")).toBool(false);
        if (!reply.ok) {
            const QJsonObject error = frame.value(QLatin1String("error")).toObject();
            reply.errorCode = error.value(QLatin1String("code")).toString();
            reply.errorMessage = error.value(QLatin1String("message")).toString();
        }
        if (p.handler)
            p.handler(reply);
        return;
    }
    const QJsonValue name = frame.value(QLatin1String("event"));
    if (name.isString()) {
        Q_EMIT eventReceived(name.toString(), frame);
        return;
    }
    qCDebug(lcIpc).noquote() << "ignoring a frame with neither id nor event";
}

void IpcClient::onSocketConnected()
{
    m_connected = true;
    m_backoffMs = m_backoffInitialMs;
    Q_EMIT connected();
}

void IpcClient::onSocketDisconnected()
{
    if (!m_connected)
        return;
    m_connected = false;
    QPointer<IpcClient> self(this);
    failAll(QString::fromLatin1(Protocol::Error::Disconnected),
            QStringLiteral("the connection to the service was lost"));
    if (!self)
        return;
    Q_EMIT disconnected();
    if (self)
        scheduleReconnect();
}

void IpcClient::onSocketError()
{
    if (m_connected)
        return; // disconnected() follows and handles it
    const QString reason = connectFailure(m_socket->error(), m_serverName);
    qCDebug(lcIpc).noquote()
        << QStringLiteral("cannot connect: %1 (%2)").arg(reason, m_socket->errorString());
    // Queued: QLocalSocket reports a missing server inside connectToServer(), and a caller
    // that starts waiting for connectFailed() only after that call must still see it.
    QMetaObject::invokeMethod(
        this,
        [this, reason] {
            if (m_connected)
                return;
            QPointer<IpcClient> self(this);
            Q_EMIT connectFailed(reason);
            if (self)
                scheduleReconnect();
        },
        Qt::QueuedConnection);
}

void IpcClient::scheduleReconnect()
{
    if (!m_autoReconnect || !m_wantConnected || m_reconnectTimer->isActive())
        return;
    m_reconnectTimer->start(m_backoffMs);
    m_backoffMs = qMin(m_backoffMs * 2, m_backoffMaxMs);
}

void IpcClient::failAll(const QString &code, const QString &message)
{
    // Take the table first: a handler may issue new requests or destroy this client.
    std::map<qint64, Pending> pending;
    pending.swap(m_pending);
    for (auto &entry : pending)
        delete entry.second.timer;
    IpcReply r;
    r.errorCode = code;
    r.errorMessage = message;
    for (auto &entry : pending) {
        if (entry.second.handler)
            entry.second.handler(r);
    }
}

void IpcClient::expire(qint64 id)
{
    const auto it = m_pending.find(id);
    if (it == m_pending.end())
        return;
    Pending p = std::move(it->second);
    m_pending.erase(it);
    p.timer->deleteLater(); // we are inside its timeout signal
    IpcReply r;
    r.errorCode = QString::fromLatin1(Protocol::Error::Timeout);
    r.errorMessage = QStringLiteral("no reply within the time limit");
    if (p.handler)
        p.handler(r);
}

} // namespace sluice
