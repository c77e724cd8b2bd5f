#pragma once
#include "sluice/ipcframing.h"

#include <QJsonObject>
#include <QObject>
#include <QString>
#include <functional>
#include <map>

class QLocalSocket;
class QTimer;

namespace sluice {

struct IpcReply
{
    bool ok = false;
    QJsonObject body;  // the whole reply object (fields sit at the top level)
    QString errorCode; // from the wire, or "timeout" / "disconnected" (client-side)
    QString errorMessage;
};

// Asynchronous local-socket client (docs/reference.md §10). Never blocks: no waitFor* calls,
// replies matched by id with per-request timeouts, events delivered as signals. Used by sluicectl,
// the tray and the tests.
class IpcClient : public QObject
{
    Q_OBJECT
public:
    using ReplyHandler = std::function<void(const IpcReply &)>;

    explicit IpcClient(QObject *parent = nullptr);
    ~IpcClient() override;

    // The socket path (or pipe name). See socketForHome() to find it from HOME.
    void setServerName(const QString &name);
    QString serverName() const { return m_serverName; }

    // When on, a lost or failed connection is retried with backoff (initialMs doubling up to
    // maxMs) until disconnectFromServer(). Off by default.
    void setAutoReconnect(bool on, int initialMs = 200, int maxMs = 5000);

    // A local connection may succeed, and emit connected(), before this returns (check
    // isConnected() afterwards); connectFailed() is always emitted later from the event loop.
    void connectToServer();
    void disconnectFromServer();
    bool isConnected() const;

    // Sends {"v":1,"id":N,"cmd":cmd,...args}. The handler runs exactly once: with the reply,
    // or with errorCode "timeout" after timeoutMs, or "disconnected" if the connection drops.
    // Returns the request id. When not connected the handler gets "disconnected" (queued, not
    // called re-entrantly). Handlers still pending when the client is destroyed are dropped
    // uncalled (they may capture objects being destroyed with it).
    qint64 request(const QString &cmd, const QJsonObject &args, ReplyHandler handler,
                   int timeoutMs = 10000);

    // Reads HOME/gateway_state.json for the socket; falls back to the default path for HOME.
    static QString socketForHome(const QString &home);

Q_SIGNALS:
    void connected();
    void disconnected();
    void connectFailed(const QString &reason);
    void eventReceived(const QString &name, const QJsonObject &event);
    void protocolError(const QString &reason);

private:
    struct Pending
    {
        ReplyHandler handler;
        QTimer *timer = nullptr;
    };
    void onReadyRead();
    void onSocketConnected();
    void onSocketDisconnected();
    void onSocketError();
    void scheduleReconnect();
    void failAll(const QString &code, const QString &message);
    void expire(qint64 id);
    void dispatch(const QJsonObject &frame);

    QString m_serverName;
    QLocalSocket *m_socket = nullptr;
    QTimer *m_reconnectTimer = nullptr;
    bool m_autoReconnect = false;
    bool m_wantConnected = false;
    bool m_connected = false; // our view: connected() emitted and disconnected() not yet
    int m_backoffInitialMs = 200;
    int m_backoffMaxMs = 5000;
    int m_backoffMs = 200;
    qint64 m_nextId = 1;
    std::map<qint64, Pending> m_pending;
    FrameDecoder m_decoder{Framing::MaxServerFrame};
};

} // namespace sluice
