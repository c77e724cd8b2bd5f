#pragma once
#include "ingress/http/httprequest.h"

#include <QByteArray>
#include <QObject>

class QTcpSocket;
class QTimer;

namespace sluice {

// One client connection: parses requests one after another (keep-alive, pipelining), hands
// each to the API and writes the responses strictly in request order — the next pipelined
// request is parsed only after the previous one was answered. Slow clients are cut off: no
// new request within the idle limit -> closed; a request not complete within the request
// limit -> 408 and closed. Every limit violation is answered once, then the socket closes.
class HttpConnection : public QObject
{
    Q_OBJECT
public:
    struct Limits
    {
        HttpRequestParser::Limits parser;
        int idleTimeoutMs = 10000;
        int requestTimeoutMs = 30000;
        qint64 maxBufferedBytes = 1024 * 1024; // pipelined bytes waiting to be parsed
    };

    HttpConnection(QTcpSocket *socket, const Limits &limits, QObject *parent = nullptr);
    ~HttpConnection() override;

    // Answers the request handed out by requestReady(). Exactly once per request.
    void respond(const HttpResponse &response);

Q_SIGNALS:
    void requestReady(const sluice::HttpRequest &request);
    void closed();

private:
    void onReadyRead();
    void processBuffer();
    void failAndClose(int status, const QString &message);
    void closeNow();

    QTcpSocket *m_socket;
    Limits m_limits;
    HttpRequestParser m_parser;
    QByteArray m_buffer;
    QTimer *m_idleTimer;
    QTimer *m_requestTimer;
    bool m_busy = false;     // a request was handed out and not answered yet
    bool m_keepAlive = true; // of the request being answered
    bool m_closing = false;
};

} // namespace sluice
