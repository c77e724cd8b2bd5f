#include "ingress/http/httpconnection.h"

#include "ingress/http/httplog.h"

#include <QTcpSocket>
#include <QTimer>

namespace sluice {

HttpConnection::HttpConnection(QTcpSocket *socket, const Limits &limits, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_limits(limits)
    , m_parser(limits.parser)
    , m_idleTimer(new QTimer(this))
    , m_requestTimer(new QTimer(this))
    , m_firstLineTimer(new QTimer(this))
{
    m_lastActivity.start();
    m_socket->setParent(this);
    m_firstLineTimer->setSingleShot(true);
    connect(m_firstLineTimer, &QTimer::timeout, this, [this] {
        qCDebug(lcHttp).noquote() << "no request line in time: closed";
        closeNow();
    });
    m_firstLineTimer->start(m_limits.firstLineTimeoutMs);
    m_idleTimer->setSingleShot(true);
    m_requestTimer->setSingleShot(true);
    connect(m_idleTimer, &QTimer::timeout, this, [this] {
        qCDebug(lcHttp).noquote() << "idle connection closed";
        closeNow();
    });
    connect(m_requestTimer, &QTimer::timeout, this, [this] {
        failAndClose(
            408,
            QStringLiteral("request not complete within %1 ms").arg(m_limits.requestTimeoutMs));
    });
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, [this] {
        m_idleTimer->stop();
        m_requestTimer->stop();
        m_firstLineTimer->stop();
        Q_EMIT closed();
    });
    m_idleTimer->start(m_limits.idleTimeoutMs);
}

HttpConnection::~HttpConnection() = default;

void HttpConnection::onReadyRead()
{
    if (m_closing || m_streaming) {
        m_socket->readAll(); // discard whatever follows an error
        return;
    }
    m_buffer += m_socket->readAll();
    m_lastActivity.start();
    if (!m_firstLineSeen && m_buffer.contains('\n')) {
        m_firstLineSeen = true;
        m_firstLineTimer->stop();
    }
    if (m_buffer.size() > m_limits.maxBufferedBytes) {
        failAndClose(400, QStringLiteral("too many pipelined bytes"));
        return;
    }
    processBuffer();
}

void HttpConnection::processBuffer()
{
    while (!m_busy && !m_closing) {
        if (m_buffer.isEmpty() && !m_parser.inRequest()) {
            m_requestTimer->stop();
            m_idleTimer->start(m_limits.idleTimeoutMs);
            return;
        }
        // Bytes of a request are here: the request clock runs, the idle clock does not.
        m_idleTimer->stop();
        if (!m_requestTimer->isActive())
            m_requestTimer->start(m_limits.requestTimeoutMs);
        const auto result = m_parser.parse(m_buffer);
        if (result == HttpRequestParser::Result::NeedMore)
            return;
        if (result == HttpRequestParser::Result::Error) {
            failAndClose(m_parser.errorStatus(), m_parser.errorMessage());
            return;
        }
        m_requestTimer->stop();
        HttpRequest request = m_parser.takeRequest();
        m_keepAlive = request.keepAlive;
        m_busy = true;
        Q_EMIT requestReady(request);
    }
}

void HttpConnection::respond(const HttpResponse &response)
{
    if (!m_busy || m_closing)
        return;
    m_busy = false;
    const bool keep = m_keepAlive && !response.close;
    m_socket->write(response.serialize(keep));
    if (!keep) {
        m_closing = true;
        m_socket->disconnectFromHost(); // after the bytes are written
        m_idleTimer->start(5000);       // a peer that never reads cannot keep us
        return;
    }
    // Answer the next pipelined request (if any) from the event loop, not recursively.
    QTimer::singleShot(0, this, &HttpConnection::processBuffer);
}

void HttpConnection::failAndClose(int status, const QString &message)
{
    if (m_closing)
        return;
    qCInfo(lcHttp).noquote() << "closing connection:" << status << message;
    m_idleTimer->stop();
    m_requestTimer->stop();
    m_closing = true;
    m_buffer.clear();
    QByteArray code = "bad_request";
    if (status == 413)
        code = "payload_too_large";
    else if (status == 431)
        code = "header_too_large";
    else if (status == 408)
        code = "request_timeout";
    else if (status == 411)
        code = "length_required";
    HttpResponse r = HttpResponse::error(status, code, message);
    r.close = true;
    m_socket->write(r.serialize(false));
    m_socket->disconnectFromHost();
    m_idleTimer->start(5000); // a peer that never reads cannot keep us
}

void HttpConnection::beginStream(const QByteArray &contentType)
{
    if (!m_busy || m_closing || m_streaming)
        return;
    m_streaming = true;
    m_idleTimer->stop();
    m_requestTimer->stop();
    m_buffer.clear();
    m_socket->write("HTTP/1.1 200 OK\r\nContent-Type: " + contentType +
                    "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n");
}

void HttpConnection::write(const QByteArray &bytes)
{
    if (m_streaming && !m_closing)
        m_socket->write(bytes);
}

void HttpConnection::endStream()
{
    if (!m_streaming || m_closing)
        return;
    m_closing = true;
    m_socket->disconnectFromHost(); // after the bytes are written
    m_idleTimer->start(5000);       // a peer that never reads cannot keep us
}

qint64 HttpConnection::pendingBytes() const
{
    return m_socket->bytesToWrite();
}

void HttpConnection::closeNow()
{
    m_closing = true;
    m_socket->disconnectFromHost();
    if (m_socket->state() != QAbstractSocket::UnconnectedState)
        m_socket->abort();
}

} // namespace sluice
