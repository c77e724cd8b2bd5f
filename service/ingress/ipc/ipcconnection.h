#pragma once
#include "ingress/followcursor.h"
#include "ingress/ipc/ipcserver.h"

#include "sluice/ipcframing.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QString>

class QLocalSocket;
class QTimer;

namespace sluice {

class CommandDispatcher;
struct CommandResult;

// One client of the local socket. Reads frames through FrameDecoder (1 MiB cap); a bad frame
// gets a bad_frame reply and the connection is closed; a partial frame stalled too long closes
// it; output is bounded (a client that never reads is dropped once too much is queued), so no
// client ever blocks the service or another client.
class IpcConnection : public QObject
{
    Q_OBJECT
public:
    IpcConnection(quint64 id, QLocalSocket *socket, CommandDispatcher *dispatcher,
                  const IpcServer::Limits &limits, QObject *parent = nullptr);
    ~IpcConnection() override;

    quint64 id() const { return m_id; }
    // Monotonic ms of the last request received (or of the connect).
    qint64 lastActivity() const { return m_lastActivity; }
    bool isSubscribed() const { return m_subscribed; }
    QString clientName() const { return m_clientName; }

    void sendEvent(const QString &event, const QJsonObject &fields);
    // `turn_output` when this connection follows the turn: stdout from the offset its
    // `follow` reply gave on, each chunk counted as skipped while the connection is over
    // Limits::maxFollowPending.
    void sendTurnOutput(const QString &turnId, const QString &stream, qint64 offset,
                        const QByteArray &data);
    void endFollow(const QString &turnId, const QJsonObject &fields);
    void close(); // flush what is queued, then disconnect

Q_SIGNALS:
    void closed(quint64 id);

private:
    void onReadyRead();
    void processFrames();
    void handleRequest(const QJsonObject &request);
    void send(const QJsonObject &object);
    void failAndClose(const QString &code, const QString &message);
    void drop(const QString &why);

    void onFollowReply(const QString &cmd, const CommandResult &result, QJsonObject *fields);

    quint64 m_id;
    QLocalSocket *m_socket;
    CommandDispatcher *m_dispatcher;
    IpcServer::Limits m_limits;
    FrameDecoder m_decoder;
    QTimer *m_stallTimer = nullptr;
    QTimer *m_idleTimer = nullptr;
    qint64 m_lastActivity = 0;
    QString m_clientName;
    QHash<QString, FollowCursor> m_follows; // by turn id
    bool m_subscribed = false;
    bool m_closing = false;
    bool m_processScheduled = false;
    bool m_gone = false;
};

} // namespace sluice
