#pragma once
#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>

namespace sluice {

struct HttpRequest
{
    QByteArray method;
    QByteArray target;                            // as sent, e.g. /v1/turns/abc?x=1
    QByteArray path;                              // target without the query, percent-decoded
    QByteArray version;                           // HTTP/1.0 or HTTP/1.1
    QList<QPair<QByteArray, QByteArray>> headers; // names lower-cased, in order
    QByteArray body;
    bool keepAlive = true;

    QByteArray header(const QByteArray &lowerName) const;
};

struct HttpResponse
{
    int status = 200;
    QByteArray contentType = "application/json";
    QList<QPair<QByteArray, QByteArray>> headers; // extra headers
    QByteArray body;
    bool close = false; // send Connection: close and close after writing

    static HttpResponse json(int status, const QJsonObject &object);
    static HttpResponse error(int status, const QByteArray &code, const QString &message);
    static QByteArray reasonPhrase(int status);
    QByteArray serialize(bool keepAlive) const;
};

// Incremental HTTP/1.x request parser with hard limits. Bytes are fed as they arrive; a request
// is complete once its header block and Content-Length body are in. Anything it cannot or will
// not handle (a header block over the limit, a body over the limit, chunked bodies, a bad
// request line) is an error with the status to answer before closing the connection.
class HttpRequestParser
{
public:
    struct Limits
    {
        int maxHeaderBytes = 16 * 1024; // request line + header block
        qint64 maxBodyBytes = 64 * 1024;
    };
    enum class Result { NeedMore, Complete, Error };

    HttpRequestParser() = default;
    explicit HttpRequestParser(const Limits &limits)
        : m_limits(limits)
    {}

    // Consumes what it uses from the front of `buffer`.
    Result parse(QByteArray &buffer);
    HttpRequest takeRequest();
    // true once any byte of the current request has been consumed or is pending.
    bool inRequest() const { return m_haveHeaders; }

    int errorStatus() const { return m_errorStatus; }
    QString errorMessage() const { return m_errorMessage; }

private:
    Result fail(int status, const QString &message);
    Result parseHeaders(const QByteArray &block);

    Limits m_limits;
    HttpRequest m_request;
    bool m_haveHeaders = false;
    qint64 m_contentLength = 0;
    int m_errorStatus = 0;
    QString m_errorMessage;
};

} // namespace sluice
