#include "ingress/ipc/ipcconnection.h"

#include "ingress/commanddispatcher.h"
#include "ingress/ipc/ipclogging.h"
#include "ingress/ipc/ipcserver.h"

#include "sluice/protocol.h"
#include "sluice/states.h"

#include <QLocalSocket>
#include <QPointer>
#include <QTimer>

namespace sluice {

namespace {
qint64 monotonicMs()
{
    static QElapsedTimer clock;
    if (!clock.isValid())
        clock.start();
    return clock.elapsed();
}

constexpr int FramesPerPass = 64;                    // then yield to the event loop (fairness)
constexpr qint64 ReadChunk = 256 * 1024;             // bytes moved from the socket per step
constexpr qint64 SocketReadBuffer = 2 * 1024 * 1024; // back-pressure on a flooding client
} // namespace

IpcConnection::IpcConnection(quint64 id, QLocalSocket *socket, CommandDispatcher *dispatcher,
                             const IpcServer::Limits &limits, QObject *parent)
    : QObject(parent)
    , m_id(id)
    , m_socket(socket)
    , m_dispatcher(dispatcher)
    , m_limits(limits)
    , m_decoder(Framing::MaxClientFrame)
    , m_stallTimer(new QTimer(this))
    , m_idleTimer(new QTimer(this))
{
    m_lastActivity = monotonicMs();
    m_idleTimer->setSingleShot(true);
    m_idleTimer->setInterval(m_limits.idleTimeoutMs);
    connect(m_idleTimer, &QTimer::timeout, this, [this] {
        if (m_subscribed || !m_follows.isEmpty())
            return; // waiting for events is what a subscriber or a follower does
        drop(QStringLiteral("idle for %1 s").arg(m_idleTimer->interval() / 1000));
    });
    m_idleTimer->start();
    m_socket->setParent(this);
    m_socket->setReadBufferSize(SocketReadBuffer);
    m_stallTimer->setSingleShot(true);
    m_stallTimer->setInterval(m_limits.stallTimeoutMs);
    connect(m_stallTimer, &QTimer::timeout, this, [this] {
        drop(QStringLiteral("stalled in the middle of a frame for %1 ms")
                 .arg(m_stallTimer->interval()));
    });
    connect(m_socket, &QLocalSocket::readyRead, this, &IpcConnection::onReadyRead);
    connect(m_socket, &QLocalSocket::disconnected, this, [this] {
        if (!m_gone) {
            m_gone = true;
            qCDebug(lcIpcServer).noquote() << "client" << m_id << "disconnected";
            Q_EMIT closed(m_id);
        }
    });
    qCDebug(lcIpcServer).noquote() << "client" << m_id << "connected";
    if (m_socket->bytesAvailable() > 0)
        QTimer::singleShot(0, this, &IpcConnection::onReadyRead);
}

IpcConnection::~IpcConnection() = default;

void IpcConnection::onReadyRead()
{
    processFrames();
}

void IpcConnection::processFrames()
{
    m_processScheduled = false;
    if (m_gone || m_closing)
        return;
    bool progressed = false;
    int handled = 0;
    while (handled < FramesPerPass && !m_gone && !m_closing) {
        QJsonObject request;
        const FrameDecoder::Result r = m_decoder.next(&request);
        if (r == FrameDecoder::Result::Frame) {
            ++handled;
            progressed = true;
            handleRequest(request);
            continue;
        }
        if (r == FrameDecoder::Result::Failed) {
            failAndClose(QString::fromLatin1(Protocol::Error::BadFrame), m_decoder.errorString());
            return;
        }
        // NeedMore: move the next chunk from the socket into the decoder.
        if (m_socket->bytesAvailable() <= 0)
            break;
        m_decoder.feed(m_socket->read(ReadChunk));
    }
    if (m_gone || m_closing)
        return;
    if (handled >= FramesPerPass && !m_processScheduled) {
        m_processScheduled = true;
        QTimer::singleShot(0, this, &IpcConnection::processFrames);
    }
    // The stall clock runs from the start of a frame; a completed frame restarts it.
    if (!m_decoder.hasPartialFrame())
        m_stallTimer->stop();
    else if (progressed || !m_stallTimer->isActive())
        m_stallTimer->start();
}

void IpcConnection::handleRequest(const QJsonObject &request)
{
    m_lastActivity = monotonicMs();
    m_idleTimer->start();
    qint64 id = 0;
    const QJsonValue idValue = request.value(QStringLiteral("id"));
    const bool idOk = idValue.isDouble() && idValue.toDouble() == double(idValue.toInteger());
    if (idOk)
        id = idValue.toInteger();

    const QJsonValue v = request.value(QStringLiteral("v"));
    if (v.isUndefined()) {
        send(Protocol::errorReply(id, QString::fromLatin1(Protocol::Error::BadRequest),
                                  QStringLiteral("missing protocol version 'v'")));
        return;
    }
    if (!v.isDouble() || v.toDouble() != double(Protocol::Version)) {
        send(Protocol::errorReply(
            id, QString::fromLatin1(Protocol::Error::UnsupportedVersion),
            QStringLiteral("this service speaks protocol version %1").arg(Protocol::Version)));
        return;
    }
    if (!idOk) {
        send(Protocol::errorReply(id, QString::fromLatin1(Protocol::Error::BadRequest),
                                  QStringLiteral("'id' must be an integer")));
        return;
    }
    const QJsonValue cmdValue = request.value(QStringLiteral("cmd"));
    if (!cmdValue.isString() || cmdValue.toString().isEmpty()) {
        send(Protocol::errorReply(id, QString::fromLatin1(Protocol::Error::BadRequest),
                                  QStringLiteral("'cmd' must be a non-empty string")));
        return;
    }
    const QString cmd = cmdValue.toString();
    QJsonObject args = request;
    args.remove(QStringLiteral("v"));
    args.remove(QStringLiteral("id"));
    args.remove(QStringLiteral("cmd"));

    if (cmd == QLatin1String(Protocol::Cmd::Hello)) {
        const QJsonValue client = args.value(QStringLiteral("client"));
        if (client.isString())
            m_clientName = client.toString().left(128);
    } else if (cmd == QLatin1String(Protocol::Cmd::Subscribe)) {
        m_subscribed = true;
    }
    qCDebug(lcIpcServer).noquote() << "client" << m_id << "cmd" << cmd << "id" << id;

    RequestContext context;
    context.source = RequestSource::Ipc;
    context.principal = m_clientName.isEmpty() ? QStringLiteral("ipc") : m_clientName;
    context.clientId = m_id;
    QPointer<IpcConnection> self(this);
    m_dispatcher->dispatch(cmd, args, context, [self, id, cmd](const CommandResult &result) {
        if (!self)
            return;
        if (result.ok) {
            QJsonObject fields = result.fields;
            self->onFollowReply(cmd, result, &fields);
            self->send(Protocol::reply(id, fields));
        } else
            self->send(Protocol::errorReply(id, result.errorCode, result.message));
    });
}

void IpcConnection::sendEvent(const QString &event, const QJsonObject &fields)
{
    send(Protocol::event(event, fields));
}

void IpcConnection::onFollowReply(const QString &cmd, const CommandResult &result,
                                  QJsonObject *fields)
{
    const QString turnId = result.fields.value(QStringLiteral("turn_id")).toString();
    if (cmd == QLatin1String(Protocol::Cmd::Unfollow)) {
        fields->insert(QStringLiteral("followed"), m_follows.remove(turnId) > 0);
        return;
    }
    if (cmd != QLatin1String(Protocol::Cmd::Follow))
        return;
    TurnState state = TurnState::Queued;
    fromWireName(result.fields.value(QStringLiteral("state")).toString(), &state);
    if (isFinal(state) || m_follows.contains(turnId))
        return; // an ended turn's reply is all there is; a second follow changes nothing
    FollowCursor f;
    f.stdoutFrom = result.fields.value(QStringLiteral("offset")).toInteger();
    m_follows.insert(turnId, f);
}

void IpcConnection::sendTurnOutput(const QString &turnId, const QString &stream, qint64 offset,
                                   const QByteArray &data)
{
    auto it = m_follows.find(turnId);
    if (it == m_follows.end() || m_gone)
        return;
    std::optional<QJsonObject> fields =
        it->next(stream, offset, data, m_socket->bytesToWrite() > m_limits.maxFollowPending);
    if (!fields)
        return;
    fields->insert(QStringLiteral("turn_id"), turnId);
    sendEvent(QString::fromLatin1(Protocol::Event::TurnOutput), *fields);
}

void IpcConnection::endFollow(const QString &turnId, const QJsonObject &fields)
{
    auto it = m_follows.find(turnId);
    if (it == m_follows.end())
        return;
    const QList<QJsonObject> tail = it->tail();
    m_follows.erase(it);
    for (QJsonObject chunk : tail) {
        chunk.insert(QStringLiteral("turn_id"), turnId);
        sendEvent(QString::fromLatin1(Protocol::Event::TurnOutput), chunk);
    }
    if (!m_subscribed) // a subscriber has this very event from the broadcast
        sendEvent(QString::fromLatin1(Protocol::Event::Turn), fields);
}

void IpcConnection::send(const QJsonObject &object)
{
    if (m_gone || m_socket->state() != QLocalSocket::ConnectedState)
        return;
    // A client that does not read: its queue grows until the bound, then it is dropped.
    if (m_socket->bytesToWrite() > m_limits.maxPendingOutput) {
        drop(QStringLiteral("more than %1 bytes of replies and events queued unread")
                 .arg(m_limits.maxPendingOutput));
        return;
    }
    m_socket->write(Framing::encode(object));
}

void IpcConnection::failAndClose(const QString &code, const QString &message)
{
    qCInfo(lcIpcServer).noquote()
        << QStringLiteral("client %1: %2 (%3); closing").arg(m_id).arg(code, message);
    send(Protocol::errorReply(0, code, message));
    close();
}

void IpcConnection::close()
{
    if (m_gone || m_closing)
        return;
    m_closing = true;
    m_stallTimer->stop();
    // Flushes what is queued (bounded), then disconnects; `disconnected` emits closed().
    m_socket->disconnectFromServer();
    if (m_socket->state() == QLocalSocket::UnconnectedState && !m_gone) {
        m_gone = true;
        Q_EMIT closed(m_id);
    } else {
        // Never wait for ever on a client that does not read.
        QTimer::singleShot(2000, this, [this] {
            if (!m_gone)
                drop(QStringLiteral("did not take its last bytes"));
        });
    }
}

void IpcConnection::drop(const QString &why)
{
    if (m_gone)
        return;
    qCWarning(lcIpcServer).noquote() << QStringLiteral("dropping client %1: %2").arg(m_id).arg(why);
    m_gone = true;
    m_stallTimer->stop();
    m_socket->abort();
    Q_EMIT closed(m_id);
}

} // namespace sluice
