// The HTTP/1.x request parser (service/ingress/http/httprequest): requests, pipelined, fed in
// pieces. Input: one control byte (low nibble: piece size; high nibble: 0 = the real limits,
// else small ones), then the bytes of the connection.
#include "fuzzsupport.h"

#include "ingress/http/httprequest.h"

using namespace sluice;

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    fuzz::quietQt();
    return 0;
}

namespace {

// RFC 9110 §5.6.2: a token is 1*tchar.
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
    for (const char c : s)
        if (c < '0' || c > '9')
            return false;
    return true;
}

void checkRequest(const HttpRequest &r)
{
    FUZZ_CHECK(isToken(r.method));
    FUZZ_CHECK(r.target.startsWith('/') && !r.target.contains(' '));
    FUZZ_CHECK(r.version == "HTTP/1.1" || r.version == "HTTP/1.0");
    for (const auto &h : r.headers) {
        // A name that is not a token ("Content-Length :", "\vHost") must not pass as another.
        FUZZ_CHECK(isToken(h.first));
        FUZZ_CHECK(h.first == h.first.toLower());
        FUZZ_CHECK(h.second == h.second.trimmed());
        FUZZ_CHECK(!h.second.contains('\r') && !h.second.contains('\n') &&
                   !h.second.contains('\0'));
        if (h.first == "content-length")
            FUZZ_CHECK(isDigits(h.second));
    }
    // The body is exactly Content-Length bytes (0 without one).
    const QByteArray length = r.header("content-length");
    FUZZ_CHECK(r.body.size() == (length.isEmpty() ? 0 : length.toLongLong()));
    FUZZ_CHECK(r.header("transfer-encoding").isEmpty());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const qsizetype piece = fuzz::chunkSize(data[0]);
    HttpRequestParser::Limits limits;
    if (const int small = data[0] >> 4) {
        limits.maxHeaderBytes = 16 << (small & 7);
        limits.maxBodyBytes = 4 << (small >> 1);
    }
    const QByteArray stream = fuzz::bytes(data + 1, size - 1);

    HttpRequestParser parser(limits);
    QByteArray buffer;
    qsizetype fed = 0;
    int requests = 0;
    bool error = false;
    while (fed < stream.size() && !error) {
        const QByteArray part = stream.mid(fed, piece);
        fed += part.size();
        buffer += part;
        for (;;) {
            const HttpRequestParser::Result r = parser.parse(buffer);
            if (r == HttpRequestParser::Result::NeedMore) {
                // What is held stays within the limits, whatever the peer sends.
                FUZZ_CHECK(buffer.size() <=
                           qMax(qint64(limits.maxHeaderBytes), limits.maxBodyBytes));
                break;
            }
            if (r == HttpRequestParser::Result::Error) {
                error = true;
                break;
            }
            const HttpRequest request = parser.takeRequest();
            checkRequest(request);
            FUZZ_CHECK(!parser.inRequest());
            ++requests;
        }
    }
    if (error) {
        const int status = parser.errorStatus();
        FUZZ_CHECK(status == 400 || status == 411 || status == 413 || status == 431 ||
                   status == 505);
        FUZZ_CHECK(!parser.errorMessage().isEmpty());
        FUZZ_CHECK(parser.parse(buffer) == HttpRequestParser::Result::Error);
        const QByteArray answer =
            HttpResponse::error(status, "bad_request", parser.errorMessage()).serialize(false);
        FUZZ_CHECK(answer.startsWith("HTTP/1.1 " + QByteArray::number(status) + ' '));
        FUZZ_CHECK(answer.contains("\r\nConnection: close\r\n\r\n"));
    }
    (void)requests;
    return 0;
}
