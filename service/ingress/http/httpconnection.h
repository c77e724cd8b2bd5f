#pragma once
#include "ingress/http/httprequest.h"

#include <QByteArray>
#include <QElapsedTimer>
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
        // A new connection must send its first request line within this: half-open
        // connections (connect, then nothing) go early instead of holding a slot for 30 s.
        int firstLineTimeoutMs = 2000;
        qint64 maxBufferedBytes = 1024 * 1024; // pipelined bytes waiting to be parsed
    };

    HttpConnection(QTcpSocket *socket, const Limits &limits, QObject *parent = nullptr);
    ~HttpConnection() override;

    // Answers the request handed out by requestReady(). Exactly once per request.
    void respond(const HttpResponse &response);

    // For making room at the connection cap: not answering a request now, and how long ago
    // it last did anything; one that never sent a request line goes first.
    bool isBusy() const { return m_busy; }
    bool hasSentARequestLine() const { return m_firstLineSeen; }
    qint64 idleMs() const { return m_lastActivity.elapsed(); }
    void closeNow();

    // A streamed answer (server-sent events) to the request handed out: a 200 head with
    // `contentType`, no length, `Connection: close`; then write() pieces until endStream().
    // Timers are off while it streams; what the client sends meanwhile is discarded.
    void beginStream(const QByteArray &contentType);
    void write(const QByteArray &bytes);
    void endStream();
    bool isStreaming() const { return m_streaming; }
    qint64 pendingBytes() const; // written but not yet taken by the peer

Q_SIGNALS:
    void requestReady(const sluice::HttpRequest &request);
    void closed();

private:
    void onReadyRead();
    void processBuffer();
    void failAndClose(int status, const QString &message);

    QTcpSocket *m_socket;
    Limits m_limits;
    HttpRequestParser m_parser;
    QByteArray m_buffer;
    QTimer *m_idleTimer;
    QTimer *m_requestTimer;
    QTimer *m_firstLineTimer;
    QElapsedTimer m_lastActivity;
    bool m_firstLineSeen = false;
    bool m_busy = false;     // a request was handed out and not answered yet
    bool m_keepAlive = true; // of the request being answered
    bool m_closing = false;
    bool m_streaming = false;
};

} // namespace sluice
