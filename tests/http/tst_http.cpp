// The HTTP API of docs/reference.md §11 against the real sluiced.
#include "testhelpers.h"

#include "ingress/http/controltoken.h"
#include "ingress/http/httprequest.h"

#include "sluice/paths.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QtTest>

using namespace sluice;
using namespace sluice::test;

class TstHttp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void probesAndAuth();
    void limitsAndMalformedInput();
    void turnsDrainAndReadiness();
    void metricsIsPrometheusText();
    void keepAliveAndPipelining();
    void slowAndEndlessClientsAreCutOff();
    void stopAndRestart();
    void parserUnit();
    void tokenUnit();
    void badHttpAddressIsAUsageError();

private:
    quint16 port() const { return quint16(m_f->readState().httpPort); }
    QByteArray token() const
    {
        QFile f(HomePaths(m_f->home()).controlToken());
        return f.open(QIODevice::ReadOnly) ? f.readAll().trimmed() : QByteArray();
    }
    std::unique_ptr<ServiceFixture> m_f;
};

void TstHttp::init()
{
    const QByteArray fn = QTest::currentTestFunction();
    if (fn == "parserUnit" || fn == "tokenUnit" || fn == "badHttpAddressIsAUsageError")
        return; // in-process checks: no service

    // Short slow-client limits, so the timeout checks stay quick.
    m_f = std::make_unique<ServiceFixture>();
    QVERIFY(m_f->start({QStringLiteral("--agent-command"), blockingAgent(*m_f),
                        QStringLiteral("--http-request-timeout"), QStringLiteral("1.5"),
                        QStringLiteral("--http-idle-timeout"), QStringLiteral("1.5")}));
    QVERIFY(port() > 0);
    QCOMPARE(token().size(), 64); // 256 bits in hex
    QFileInfo tokenInfo(HomePaths(m_f->home()).controlToken());
    QCOMPARE(tokenInfo.permissions() & ~(QFileDevice::ReadUser | QFileDevice::WriteUser),
             QFileDevice::ReadOwner | QFileDevice::WriteOwner);
}

void TstHttp::cleanup()
{
    if (m_f && QFile::exists(m_f->scriptsDir()))
        release(*m_f);
    m_f.reset();
}

void TstHttp::probesAndAuth()
{
    HttpReply r = http(port(), "GET", "/healthz");
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(QStringLiteral("ok")).toBool(), true);
    r = http(port(), "GET", "/readyz");
    QCOMPARE(r.status, 200);

    r = http(port(), "GET", "/api/status");
    QCOMPARE(r.status, 401);
    QVERIFY(r.header("www-authenticate").startsWith("Bearer"));
    r = http(port(), "GET", "/api/status", "0123456789abcdef");
    QCOMPARE(r.status, 401);
    r = http(port(), "GET", "/api/status", token() + "x");
    QCOMPARE(r.status, 401);
    r = http(port(), "POST", "/api/gateway/drain", "wrong", "{}");
    QCOMPARE(r.status, 401);
    QCOMPARE(m_f->readState().state, GatewayState::Running); // nothing happened

    r = http(port(), "GET", "/api/status", token());
    QCOMPARE(r.status, 200);
    QCOMPARE(r.header("content-type"), QByteArray("application/json"));
    QCOMPARE(r.json().value(QStringLiteral("state")).toString(), QStringLiteral("running"));
    QCOMPARE(r.json().value(QStringLiteral("http_port")).toInt(), int(port()));
    r = http(port(), "GET", "/api/agents", token());
    QCOMPARE(r.status, 200);
    QVERIFY(r.json().value(QStringLiteral("agents")).isArray());

    QCOMPARE(http(port(), "GET", "/nope", token()).status, 404);
    QCOMPARE(http(port(), "GET", "/api/gateway/drain", token()).status, 405);
    QCOMPARE(http(port(), "DELETE", "/v1/turns", token()).status, 405);
    QCOMPARE(http(port(), "GET", "/v1/turns/t-unknown", token()).status, 404);
}

void TstHttp::limitsAndMalformedInput()
{
    // 413 from Content-Length alone, before any body byte is sent; then the connection closes.
    QTcpSocket s;
    s.connectToHost(QStringLiteral("127.0.0.1"), port());
    QVERIFY(s.waitForConnected(10000));
    s.write("POST /v1/turns HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token() +
            "\r\nContent-Length: 70000\r\n\r\n");
    QByteArray buffer;
    HttpReply r = readResponse(s, buffer);
    QCOMPARE(r.status, 413);
    QVERIFY(waitClosed(s));

    // Chunked bodies are refused (411), documented in docs/http.md.
    r = http(port(), "POST", "/v1/turns", token(), {}, "Transfer-Encoding: chunked\r\n");
    QCOMPARE(r.status, 411);

    // Malformed JSON: 400, and it never starts a drain.
    r = http(port(), "POST", "/api/gateway/drain", token(), "{\"action\": \"drain\"");
    QCOMPARE(r.status, 400);
    r = http(port(), "POST", "/api/gateway/drain", token(), "[1,2]");
    QCOMPARE(r.status, 400);
    r = http(port(), "POST", "/api/gateway/drain", token(), "{\"action\":\"explode\"}");
    QCOMPARE(r.status, 400);
    r = http(port(), "POST", "/api/gateway/drain", token(), "{\"suppress_notification\":\"yes\"}");
    QCOMPARE(r.status, 400);
    r = http(port(), "POST", "/v1/turns", token(), "{not json}");
    QCOMPARE(r.status, 400);
    r = http(port(), "POST", "/v1/turns", token(), "{\"session\":\"bad session!\",\"text\":\"x\"}");
    QCOMPARE(r.status, 400);
    r = http(port(), "GET", "/api/status", token());
    QCOMPARE(r.json().value(QStringLiteral("state")).toString(), QStringLiteral("running"));
    QCOMPARE(m_f->readState().state, GatewayState::Running);
    QVERIFY(!QFile::exists(HomePaths(m_f->home()).drainMarker()));
    QCOMPARE(http(port(), "GET", "/readyz").status, 200);
}

void TstHttp::turnsDrainAndReadiness()
{
    HttpReply r = http(port(), "POST", "/v1/turns", token(),
                       "{\"session\":\"web-1\",\"text\":\"please block\"}");
    QCOMPARE(r.status, 202);
    const QString turnId = r.json().value(QStringLiteral("turn_id")).toString();
    QVERIFY(!turnId.isEmpty());
    r = http(port(), "GET", "/v1/turns/" + turnId.toUtf8(), token());
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(QStringLiteral("turn_id")).toString(), turnId);

    // Drain: answered after the gate is closed, so readiness is already off when we look.
    r = http(port(), "POST", "/api/gateway/drain", token(), {});
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(QStringLiteral("draining")).toBool(), true);
    QCOMPARE(r.json().value(QStringLiteral("action")).toString(), QStringLiteral("drain"));
    QVERIFY(!r.json().value(QStringLiteral("requested_at")).toString().isEmpty());
    r = http(port(), "GET", "/readyz");
    QCOMPARE(r.status, 503);
    QCOMPARE(r.json().value(QStringLiteral("state")).toString(), QStringLiteral("draining"));

    // A new turn while draining: 503 + Retry-After, error "draining".
    r = http(port(), "POST", "/v1/turns", token(), "{\"session\":\"web-2\",\"text\":\"x\"}");
    QCOMPARE(r.status, 503);
    QVERIFY(r.header("retry-after").toInt() > 0);
    QCOMPARE(r.json().value(QStringLiteral("error")).toString(), QStringLiteral("draining"));
    // The running turn is untouched.
    r = http(port(), "GET", "/v1/turns/" + turnId.toUtf8(), token());
    QCOMPARE(r.json().value(QStringLiteral("state")).toString(), QStringLiteral("running"));

    r = http(port(), "POST", "/api/gateway/drain", token(), "{\"action\":\"cancel\"}");
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(QStringLiteral("was_draining")).toBool(), true);
    QCOMPARE(http(port(), "GET", "/readyz").status, 200);

    release(*m_f);
    QVERIFY(ServiceFixture::waitFor([&] {
        return http(port(), "GET", "/v1/turns/" + turnId.toUtf8(), token())
                   .json()
                   .value(QStringLiteral("state"))
                   .toString() == QLatin1String("done");
    }));
    r = http(port(), "GET", "/v1/turns/" + turnId.toUtf8(), token());
    QVERIFY(r.json()
                .value(QStringLiteral("output"))
                .toString()
                .contains(QStringLiteral("please block")));
}

void TstHttp::metricsIsPrometheusText()
{
    QCOMPARE(http(port(), "GET", "/metrics").status, 401);
    QCOMPARE(
        http(port(), "POST", "/v1/turns", token(), "{\"session\":\"m\",\"text\":\"quick\"}").status,
        202);
    QVERIFY(ServiceFixture::waitFor([&] {
        return http(port(), "GET", "/metrics", token())
            .body.contains("sluice_turns_total{outcome=\"done\"} 1");
    }));
    const HttpReply r = http(port(), "GET", "/metrics", token());
    QCOMPARE(r.status, 200);
    QVERIFY(r.header("content-type").startsWith("text/plain; version=0.0.4"));
    // The text exposition grammar, line by line.
    static const QRegularExpression sample(QStringLiteral(
        R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*")(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*")*\})? -?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?( -?[0-9]+)?$)"));
    static const QRegularExpression help(QStringLiteral(R"(^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$)"));
    static const QRegularExpression type(QStringLiteral(
        R"(^# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary|untyped)$)"));
    QVERIFY(r.body.endsWith('\n'));
    const QStringList lines =
        QString::fromUtf8(r.body).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QSet<QString> typed;
    for (const QString &line : lines) {
        if (line.startsWith(QLatin1String("# TYPE"))) {
            QVERIFY2(type.match(line).hasMatch(), qPrintable(line));
            const QString family = line.section(QLatin1Char(' '), 2, 2);
            QVERIFY2(!typed.contains(family), qPrintable(QStringLiteral("duplicate ") + line));
            typed.insert(family);
        } else if (line.startsWith(QLatin1String("# HELP"))) {
            QVERIFY2(help.match(line).hasMatch(), qPrintable(line));
        } else {
            QVERIFY2(sample.match(line).hasMatch(), qPrintable(line));
            const QString family = line.section(QRegularExpression(QStringLiteral("[{ ]")), 0, 0);
            QVERIFY2(typed.contains(family), qPrintable(QStringLiteral("no TYPE for ") + line));
        }
    }
    for (const char *needed :
         {"sluice_state{state=\"running\"} 1", "sluice_accepting 1", "sluice_active_agents 0",
          "sluice_queued_turns 0", "sluice_last_drain_duration_seconds",
          "sluice_last_stop_duration_seconds"})
        QVERIFY2(r.body.contains(needed), needed);
}

void TstHttp::keepAliveAndPipelining()
{
    QTcpSocket s;
    s.connectToHost(QStringLiteral("127.0.0.1"), port());
    QVERIFY(s.waitForConnected(10000));
    QByteArray buffer;
    // Keep-alive: two requests, one after the other, on one connection.
    s.write(requestBytes("GET", "/healthz"));
    HttpReply a = readResponse(s, buffer);
    QCOMPARE(a.status, 200);
    QCOMPARE(a.header("connection"), QByteArray("keep-alive"));
    s.write(requestBytes("GET", "/api/status", token()));
    HttpReply b = readResponse(s, buffer);
    QCOMPARE(b.status, 200);
    QCOMPARE(b.json().value(QStringLiteral("state")).toString(), QStringLiteral("running"));

    // Pipelining: three requests in one write, answered in order.
    s.write(requestBytes("GET", "/api/agents", token()) + requestBytes("GET", "/nope", token()) +
            requestBytes("GET", "/healthz"));
    const HttpReply p1 = readResponse(s, buffer);
    const HttpReply p2 = readResponse(s, buffer);
    const HttpReply p3 = readResponse(s, buffer);
    QCOMPARE(p1.status, 200);
    QVERIFY(p1.json().contains(QStringLiteral("agents")));
    QCOMPARE(p2.status, 404);
    QCOMPARE(p3.status, 200);
    QCOMPARE(p3.json().value(QStringLiteral("ok")).toBool(), true);

    // Connection: close is honoured.
    s.write(requestBytes("GET", "/healthz", {}, {}, "Connection: close\r\n"));
    const HttpReply last = readResponse(s, buffer);
    QCOMPARE(last.status, 200);
    QCOMPARE(last.header("connection"), QByteArray("close"));
    QVERIFY(waitClosed(s));
}

void TstHttp::slowAndEndlessClientsAreCutOff()
{
    // A header block that never ends: cut off at 16 KiB with 431, then closed.
    {
        QTcpSocket s;
        s.connectToHost(QStringLiteral("127.0.0.1"), port());
        QVERIFY(s.waitForConnected(10000));
        s.write("GET /healthz HTTP/1.1\r\nHost: x\r\n");
        QByteArray buffer;
        for (int i = 0; i < 400 && s.state() == QAbstractSocket::ConnectedState; ++i) {
            s.write("X-Filler-" + QByteArray::number(i) + ": " + QByteArray(60, 'a') + "\r\n");
            s.waitForBytesWritten(1000);
            if (s.bytesAvailable() || s.waitForReadyRead(1))
                break;
        }
        const HttpReply r = readResponse(s, buffer);
        QCOMPARE(r.status, 431);
        QVERIFY(waitClosed(s));
    }
    // A request line that never ends (no newline at all).
    {
        QTcpSocket s;
        s.connectToHost(QStringLiteral("127.0.0.1"), port());
        QVERIFY(s.waitForConnected(10000));
        s.write("GET /" + QByteArray(20000, 'a'));
        QByteArray buffer;
        const HttpReply r = readResponse(s, buffer);
        QCOMPARE(r.status, 431);
        QVERIFY(waitClosed(s));
    }
    // A slow client that stops in the middle of a request: 408 after the request limit.
    {
        QTcpSocket s;
        s.connectToHost(QStringLiteral("127.0.0.1"), port());
        QVERIFY(s.waitForConnected(10000));
        s.write("GET /healthz HTTP/1.1\r\nHost: x\r\n");
        QByteArray buffer;
        const HttpReply r = readResponse(s, buffer, 15000);
        QCOMPARE(r.status, 408);
        QVERIFY(waitClosed(s));
    }
    // An idle keep-alive connection is closed without a response.
    {
        QTcpSocket s;
        s.connectToHost(QStringLiteral("127.0.0.1"), port());
        QVERIFY(s.waitForConnected(10000));
        QVERIFY(waitClosed(s, 15000));
    }
    QCOMPARE(http(port(), "GET", "/healthz").status, 200); // still serving
}

void TstHttp::stopAndRestart()
{
    const qint64 oldPid = m_f->pid();
    HttpReply r = http(port(), "POST", "/api/gateway/restart", token(), "{\"force\":\"no\"}");
    QCOMPARE(r.status, 400);
    r = http(port(), "POST", "/api/gateway/restart", token(), "{\"force\":false}");
    QCOMPARE(r.status, 202);
    QCOMPARE(r.json().value(QStringLiteral("accepted")).toBool(), true);
    QCOMPARE(m_f->waitForExit(30000), 0);
    // Without a service manager the service starts its replacement (new pid, new free port).
    QVERIFY(ServiceFixture::waitFor(
        [&] {
            const RuntimeStatus s = m_f->readState();
            return s.pid != oldPid && s.state == GatewayState::Running && s.httpPort > 0;
        },
        30000));
    const qint64 newPid = m_f->readState().pid;
    r = http(port(), "POST", "/api/gateway/stop", token(), {});
    QCOMPARE(r.status, 202);
    QCOMPARE(r.json().value(QStringLiteral("accepted")).toBool(), true);
    QVERIFY(ServiceFixture::waitFor(
        [&] {
            const RuntimeStatus s = m_f->readState();
            return s.pid == newPid && s.state == GatewayState::Stopped;
        },
        30000));
    QCOMPARE(m_f->readState().exitCode.value_or(-1), 0);
}

void TstHttp::initTestCase()
{
    // These tests expect the unsupervised behaviour (a restart starts its own replacement),
    // also when the test runner itself runs under systemd.
    for (const char *v : {"INVOCATION_ID", "NOTIFY_SOCKET", "XPC_SERVICE_NAME"})
        qunsetenv(v);
}

void TstHttp::parserUnit()
{
    auto parseAll = [](QByteArray bytes, int *status) {
        HttpRequestParser p;
        const auto r = p.parse(bytes);
        *status = p.errorStatus();
        return r;
    };
    int status = 0;
    QCOMPARE(parseAll("GET /x HTTP/1.1\r\nHost: a\r\n\r\n", &status),
             HttpRequestParser::Result::Complete);
    QCOMPARE(parseAll("GET /x HTTP/1.1\r\nHost: a\r\n", &status),
             HttpRequestParser::Result::NeedMore);
    QCOMPARE(parseAll("GARBAGE\r\n\r\n", &status), HttpRequestParser::Result::Error);
    QCOMPARE(status, 400);
    QCOMPARE(parseAll("GET /x HTTP/2.0\r\n\r\n", &status), HttpRequestParser::Result::Error);
    QCOMPARE(status, 505);
    QCOMPARE(parseAll("GET /x HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", &status),
             HttpRequestParser::Result::Error);
    QCOMPARE(status, 400);
    QCOMPARE(
        parseAll("POST /x HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", &status),
        HttpRequestParser::Result::Error);
    QCOMPARE(status, 400);
    QCOMPARE(parseAll("POST /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n", &status),
             HttpRequestParser::Result::Error);
    QCOMPARE(status, 400);
    QCOMPARE(parseAll("POST /x HTTP/1.1\r\nContent-Length: 65537\r\n\r\n", &status),
             HttpRequestParser::Result::Error);
    QCOMPARE(status, 413);
    // Only a token is a header name or method, only digits a Content-Length, and no value
    // holds a CR or NUL: what a proxy in front may read differently is refused.
    for (const QByteArray &bad : {
             QByteArray("POST /x HTTP/1.1\r\nContent-Length : 4\r\n\r\nbody"),
             QByteArray("POST /x HTTP/1.1\r\nContent-Length\t: 4\r\n\r\nbody"),
             QByteArray("GET /x HTTP/1.1\r\n\vHost: a\r\n\r\n"),
             QByteArray("GET /x HTTP/1.1\r\nBad/Name: a\r\n\r\n"),
             QByteArray("GET /x HTTP/1.1\r\nX-A: a\rb\r\n\r\n"),
             QByteArray("GET /x HTTP/1.1\r\nX-A: a\0b\r\n\r\n", 29),
             QByteArray("POST /x HTTP/1.1\r\nContent-Length: +4\r\n\r\nbody"),
             QByteArray("POST /x HTTP/1.1\r\nContent-Length: 4 4\r\n\r\nbody"),
             QByteArray("POST /x HTTP/1.1\r\nContent-Length: 0x4\r\n\r\nbody"),
             QByteArray("POST /x HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n"),
             QByteArray("G\x01T /x HTTP/1.1\r\n\r\n"),
         }) {
        QCOMPARE(parseAll(bad, &status), HttpRequestParser::Result::Error);
        QCOMPARE(status, 400);
    }
    QCOMPARE(parseAll("POST /x HTTP/1.1\r\nContent-Length: \t 4 \r\nX-Empty:\r\n\r\nbody", &status),
             HttpRequestParser::Result::Complete);

    // Bytes split anywhere; the body and the next pipelined request stay apart.
    HttpRequestParser p;
    const QByteArray wire = "POST /a%2Fb?q=1 HTTP/1.1\r\nContent-Length: 4\r\nConnection: "
                            "close\r\n\r\nbodyGET /next HTTP/1.0\r\n\r\n";
    QByteArray buffer;
    int complete = 0;
    QList<HttpRequest> got;
    for (char ch : wire) {
        buffer += ch;
        while (p.parse(buffer) == HttpRequestParser::Result::Complete) {
            got << p.takeRequest();
            ++complete;
        }
    }
    QCOMPARE(complete, 2);
    QCOMPARE(got[0].method, QByteArray("POST"));
    QCOMPARE(got[0].path, QByteArray("/a/b"));
    QCOMPARE(got[0].body, QByteArray("body"));
    QCOMPARE(got[0].keepAlive, false);
    QCOMPARE(got[1].path, QByteArray("/next"));
    QCOMPARE(got[1].keepAlive, false); // HTTP/1.0 without keep-alive
}

void TstHttp::tokenUnit()
{
    const QByteArray a = ControlToken::generate();
    QCOMPARE(a.size(), 64);
    QVERIFY(a != ControlToken::generate());
    QVERIFY(ControlToken::constantTimeEquals(a, a));
    QVERIFY(!ControlToken::constantTimeEquals(a, a.left(63)));
    QVERIFY(!ControlToken::constantTimeEquals(a, a + "0"));
    QVERIFY(!ControlToken::constantTimeEquals(a, QByteArray()));
    QVERIFY(!ControlToken::constantTimeEquals(QByteArray(), QByteArray()));
    QTemporaryDir dir;
    const QString path = dir.path() + QStringLiteral("/control.token");
    bool created = false;
    const QByteArray t = ControlToken::loadOrCreate(path, nullptr, &created);
    QVERIFY(created);
    QCOMPARE(ControlToken::read(path), t);
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                    QFileDevice::ReadOther);
    QCOMPARE(ControlToken::loadOrCreate(path, nullptr, &created), t); // kept
    QVERIFY(!created);
    QVERIFY(!(QFileInfo(path).permissions() & QFileDevice::ReadOther)); // tightened
}

void TstHttp::badHttpAddressIsAUsageError()
{
    QTemporaryDir home;
    QProcess p;
    p.start(ServiceFixture::binary(QStringLiteral("sluiced")),
            {QStringLiteral("--home"), home.path(), QStringLiteral("--http-address"),
             QStringLiteral("not-an-address")});
    QVERIFY(p.waitForFinished(20000));
    QCOMPARE(p.exitCode(), 78);
    QVERIFY(p.readAllStandardError().contains("http-address"));
}

QTEST_GUILESS_MAIN(TstHttp)
#include "tst_http.moc"
