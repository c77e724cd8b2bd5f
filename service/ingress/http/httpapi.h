#pragma once
#include "ingress/http/httpconnection.h"
#include "ingress/http/httprequest.h"
#include "ingress/http/turneventstreams.h"

#include <QHostAddress>
#include <QJsonObject>
#include <QObject>
#include <QPointer>

class QTcpServer;

namespace sluice {

class CommandDispatcher;

// The HTTP API of docs/reference.md §11 on a small QTcpServer-based HTTP/1.1 server (docs/http.md
// says why not QHttpServer). Routes map to the same dispatcher commands as IPC; it knows nothing of
// the daemon's classes. Bound to 127.0.0.1 unless configured otherwise.
class HttpApi : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QHostAddress address = QHostAddress(QHostAddress::LocalHost);
        int port = 47470; // 0 = any free port
        QByteArray token; // bearer token; empty = every authenticated route answers 401
        HttpConnection::Limits limits;
        int retryAfterS = 5; // Retry-After on 503
        int maxConnections = 128;
    };

    HttpApi(CommandDispatcher *dispatcher, const Options &options, QObject *parent = nullptr);
    ~HttpApi() override;

    bool listen(QString *error = nullptr);
    // Serves on an inherited listening socket (socket activation, hand-off restart).
    bool adopt(int descriptor, QString *error = nullptr);
    int descriptor() const; // of the listener; -1 when not listening
    // Off: new connections wait in the backlog for whoever else accepts on the socket.
    void setAccepting(bool accepting);
    bool isListening() const;
    int connectionCount() const { return m_connections; }
    quint16 port() const; // the bound port (also when 0 was asked for)
    QHostAddress address() const;
    // Closes the listener and every connection (the `disconnect` phase of a stop).
    void close();
    void setToken(const QByteArray &token) { m_options.token = token; }

    // Live output for GET /v1/turns/{id}/events (fed from the turns' output feed).
    void turnOutput(const QString &turnId, const QString &stream, qint64 offset,
                    const QByteArray &data);
    void turnEnded(const QString &turnId, const QJsonObject &fields); // {state, exit_code}
    int eventStreamCount() const { return m_events.openCount(); }

private:
    void onNewConnection();
    bool makeRoom();
    void handle(HttpConnection *connection, const HttpRequest &request);
    bool authorized(const HttpRequest &request) const;
    void route(QPointer<HttpConnection> connection, const HttpRequest &request);
    // Dispatches cmd and answers through `reply` (or the error mapping) on the connection.
    void call(QPointer<HttpConnection> connection, const QString &cmd, const QJsonObject &args,
              std::function<HttpResponse(const QJsonObject &fields)> reply);
    HttpResponse errorResponse(const QString &code, const QString &message) const;
    void routeTurns(QPointer<HttpConnection> connection, const HttpRequest &request);

    CommandDispatcher *m_dispatcher;
    Options m_options;
    QTcpServer *m_server;
    int m_connections = 0;
    TurnEventStreams m_events;
};

} // namespace sluice
