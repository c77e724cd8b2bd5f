#include "ingress/http/httprequest.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace sluice {

namespace {

// RFC 9110 §5.6.2: method and field names are tokens (1*tchar).
bool isToken(const QByteArray &s)
{
    if (s.isEmpty())
        return false;
    for (const char c : s) {
        const bool tchar = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                           (c >= 'A' && c <= 'Z') || QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
        if (!tchar)
            return false;
    }
    return true;
}

bool isDigits(const QByteArray &s)
{
    if (s.isEmpty())
        return false;
    for (const char c : s) {
        if (c < '0' || c > '9')
            return false;
    }
    return true;
}

} // namespace

QByteArray HttpRequest::header(const QByteArray &lowerName) const
{
    for (const auto &h : headers)
        if (h.first == lowerName)
            return h.second;
    return {};
}

HttpResponse HttpResponse::json(int status, const QJsonObject &object)
{
    HttpResponse r;
    r.status = status;
    r.body = QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
    return r;
}

HttpResponse HttpResponse::error(int status, const QByteArray &code, const QString &message)
{
    return json(status, QJsonObject{{QStringLiteral("ok"), false},
                                    {QStringLiteral("error"), QString::fromLatin1(code)},
                                    {QStringLiteral("message"), message}});
}

QByteArray HttpResponse::reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 202:
        return "Accepted";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 411:
        return "Length Required";
    case 413:
        return "Content Too Large";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Status";
    }
}

QByteArray HttpResponse::serialize(bool keepAlive) const
{
    QByteArray out;
    out.reserve(body.size() + 256);
    out += "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    out += "Content-Type: " + contentType + "\r\n";
    out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    out += "Cache-Control: no-store\r\n";
    for (const auto &h : headers)
        out += h.first + ": " + h.second + "\r\n";
    out += (keepAlive && !close) ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
    out += "\r\n";
    out += body;
    return out;
}

HttpRequestParser::Result HttpRequestParser::fail(int status, const QString &message)
{
    m_errorStatus = status;
    m_errorMessage = message;
    return Result::Error;
}

HttpRequestParser::Result HttpRequestParser::parse(QByteArray &buffer)
{
    if (m_errorStatus)
        return Result::Error;
    if (!m_haveHeaders) {
        // Tolerate empty lines between pipelined requests (RFC 9112 §2.2).
        qsizetype skip = 0;
        while (skip < buffer.size() && (buffer[skip] == '\r' || buffer[skip] == '\n'))
            ++skip;
        if (skip)
            buffer.remove(0, skip);
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end < 0) {
            if (buffer.size() > m_limits.maxHeaderBytes)
                return fail(431, QStringLiteral("request line or header block over %1 bytes")
                                     .arg(m_limits.maxHeaderBytes));
            return Result::NeedMore;
        }
        if (end + 4 > m_limits.maxHeaderBytes)
            return fail(431, QStringLiteral("request line or header block over %1 bytes")
                                 .arg(m_limits.maxHeaderBytes));
        const QByteArray block = buffer.left(end);
        buffer.remove(0, end + 4);
        const Result r = parseHeaders(block);
        if (r == Result::Error)
            return r;
        m_haveHeaders = true;
    }
    if (buffer.size() < m_contentLength)
        return Result::NeedMore;
    m_request.body = buffer.left(m_contentLength);
    buffer.remove(0, m_contentLength);
    return Result::Complete;
}

HttpRequestParser::Result HttpRequestParser::parseHeaders(const QByteArray &block)
{
    m_request = HttpRequest();
    m_contentLength = 0;
    const QList<QByteArray> lines = block.split('\n');
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    if (requestLine.size() != 3 || !isToken(requestLine[0]) || !requestLine[1].startsWith('/'))
        return fail(400, QStringLiteral("malformed request line"));
    m_request.method = requestLine[0];
    m_request.target = requestLine[1];
    m_request.version = requestLine[2];
    if (m_request.version != "HTTP/1.1" && m_request.version != "HTTP/1.0")
        return fail(505, QStringLiteral("only HTTP/1.0 and HTTP/1.1 are supported"));
    const qsizetype q = m_request.target.indexOf('?');
    m_request.path =
        QByteArray::fromPercentEncoding(q < 0 ? m_request.target : m_request.target.left(q));

    bool haveLength = false;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        QByteArray line = lines[i];
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.isEmpty())
            continue;
        if (line[0] == ' ' || line[0] == '\t')
            return fail(400, QStringLiteral("obsolete header folding"));
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            return fail(400, QStringLiteral("malformed header line"));
        // Not trimmed: "Content-Length :" or "\vHost:" is a 400 (RFC 9112 §5.1), never that
        // header, since a proxy in front may read the line differently.
        const QByteArray name = line.left(colon).toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (!isToken(name))
            return fail(400, QStringLiteral("malformed header name"));
        if (value.contains('\r') || value.contains('\0')) // RFC 9110 §5.5
            return fail(400, QStringLiteral("malformed header value"));
        if (name == "content-length") {
            // 1*DIGIT only: toLongLong() alone would take "+5" and " 5".
            bool ok = false;
            const qint64 n = isDigits(value) ? value.toLongLong(&ok) : -1;
            if (!ok || n < 0 || (haveLength && n != m_contentLength))
                return fail(400, QStringLiteral("bad Content-Length"));
            haveLength = true;
            m_contentLength = n;
        } else if (name == "transfer-encoding") {
            // Bodies are small JSON documents; a client must send Content-Length.
            return fail(411, QStringLiteral("chunked request bodies are not accepted; send "
                                            "Content-Length"));
        }
        m_request.headers.append({name, value});
    }
    // Decided from Content-Length before a single body byte is read.
    if (m_contentLength > m_limits.maxBodyBytes)
        return fail(413, QStringLiteral("request body over %1 bytes").arg(m_limits.maxBodyBytes));

    const QByteArray connection = m_request.header("connection").toLower();
    if (m_request.version == "HTTP/1.0")
        m_request.keepAlive = connection.contains("keep-alive");
    else
        m_request.keepAlive = !connection.contains("close");
    return Result::NeedMore;
}

HttpRequest HttpRequestParser::takeRequest()
{
    HttpRequest r = std::move(m_request);
    m_request = HttpRequest();
    m_haveHeaders = false;
    m_contentLength = 0;
    return r;
}

} // namespace sluice
