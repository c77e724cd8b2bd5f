// The local socket server (docs/reference.md §10) against the real sluiced: malformed frames and
// requests, error codes, subscriptions and ordering, a flooding client that never reads, and
// a client stalled mid-frame. Through it all the service keeps serving other clients.
#include "testhelpers.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

#include <sys/stat.h>

using namespace sluice;
using namespace sluice::test;

class TestIpcServer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void socketIsPrivate();
    void helloAndStatus();
    void badFramesGetBadFrameAndClose_data();
    void badFramesGetBadFrameAndClose();
    void badRequestsGetErrorCodes();
    void turnEventsAreOrderedBeforeTheReply();
    void floodingClientThatNeverReadsBlocksNobody();
    void clientStalledMidFrameIsDropped();

private:
    bool otherClientIsServed();
    std::unique_ptr<ServiceFixture> m_f;
};

void TestIpcServer::initTestCase()
{
    m_f = std::make_unique<ServiceFixture>();
    const QString agent = m_f->writeAgentScript(QStringLiteral("echo.sh"), QStringLiteral("cat\n"));
    QVERIFY(m_f->start({QStringLiteral("--agent-command"), agent}));
}

void TestIpcServer::cleanupTestCase()
{
    m_f.reset();
}

bool TestIpcServer::otherClientIsServed()
{
    auto c = m_f->newClient();
    if (!c)
        return false;
    // Generous: under a sanitizer build on a loaded 2-core machine a served request can take
    // seconds; a blocked service never answers at all.
    const IpcReply r = ServiceFixture::callOn(c.get(), QStringLiteral("status"), {}, 20000);
    return r.ok && r.body.value(QStringLiteral("state")).toString() == QLatin1String("running");
}

void TestIpcServer::socketIsPrivate()
{
    struct stat st = {};
    QCOMPARE(::stat(QFile::encodeName(m_f->socketPath()).constData(), &st), 0);
    QVERIFY(S_ISSOCK(st.st_mode));
    QCOMPARE(int(st.st_mode & 0777), 0600);
    const QString folder = QFileInfo(m_f->socketPath()).absolutePath();
    QCOMPARE(::stat(QFile::encodeName(folder).constData(), &st), 0);
    QCOMPARE(int(st.st_mode & 077), 0);
    QCOMPARE(m_f->readState().socket, m_f->socketPath());
}

void TestIpcServer::helloAndStatus()
{
    IpcReply r =
        m_f->call(QStringLiteral("hello"), {{QStringLiteral("client"), QStringLiteral("tst")}});
    QVERIFY(r.ok);
    QCOMPARE(r.body.value(QStringLiteral("protocol")).toInt(), 1);
    QCOMPARE(r.body.value(QStringLiteral("server")).toString(), QStringLiteral("sluiced"));
    const QJsonArray features = r.body.value(QStringLiteral("features")).toArray();
    QVERIFY(features.contains(QStringLiteral("drain")));
    QVERIFY(features.contains(QStringLiteral("shutdown_report")));

    r = m_f->call(QStringLiteral("status"));
    QVERIFY(r.ok);
    for (const char *key :
         {"state", "desired_state", "pid", "start_time", "epoch", "accepting", "active_agents",
          "drain", "exit_reason", "exit_code", "restart_requested", "socket", "http_port",
          "version", "updated_at", "uptime_s", "drain_timeout_s", "supervisor"})
        QVERIFY2(r.body.contains(QLatin1String(key)), key);
    QCOMPARE(r.body.value(QStringLiteral("pid")).toInteger(), m_f->pid());
    QCOMPARE(r.body.value(QStringLiteral("drain_timeout_s")).toDouble(), 30.0);
    // updated_at is an ISO-8601 UTC time in the reply too, not only in the file.
    const QDateTime updated = QDateTime::fromString(
        r.body.value(QStringLiteral("updated_at")).toString(), Qt::ISODateWithMs);
    QVERIFY2(updated.isValid(), qPrintable(r.body.value(QStringLiteral("updated_at")).toString()));

    r = m_f->call(QStringLiteral("metrics"));
    QVERIFY(r.ok);
    QVERIFY(r.body.value(QStringLiteral("turns_by_outcome")).isObject());
    r = m_f->call(QStringLiteral("shutdown_report"));
    QCOMPARE(r.errorCode, QStringLiteral("not_found")); // no stop recorded in a fresh HOME
}

void TestIpcServer::badFramesGetBadFrameAndClose_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("zero length") << lengthOnly(0);
    QTest::newRow("oversize length") << lengthOnly((1u << 20) + 1);
    QTest::newRow("huge length") << lengthOnly(0xFFFFFFFFu);
    QTest::newRow("not json") << rawFrame("this is not json");
    QTest::newRow("truncated json") << rawFrame("{\"v\":1,\"id\":1,");
    QTest::newRow("array") << rawFrame("[1,2,3]");
    QTest::newRow("string") << rawFrame("\"status\"");
}

void TestIpcServer::badFramesGetBadFrameAndClose()
{
    QFETCH(QByteArray, bytes);
    QLocalSocket socket;
    socket.connectToServer(m_f->socketPath());
    QVERIFY(socket.waitForConnected(5000));
    socket.write(bytes);
    QVERIFY(socket.waitForBytesWritten(5000));
    QJsonObject reply;
    QVERIFY(readFrame(socket, &reply));
    QCOMPARE(reply.value(QStringLiteral("ok")).toBool(true), false);
    QCOMPARE(
        reply.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString(),
        QStringLiteral("bad_frame"));
    QVERIFY(waitClosed(socket, 5000));
    QVERIFY(otherClientIsServed());
}

void TestIpcServer::badRequestsGetErrorCodes()
{
    QLocalSocket socket;
    socket.connectToServer(m_f->socketPath());
    QVERIFY(socket.waitForConnected(5000));
    struct Case
    {
        QByteArray frame;
        QString code;
        qint64 id;
    };
    const QList<Case> cases = {
        {requestFrame(1, QStringLiteral("no_such_command")), QStringLiteral("unknown_command"), 1},
        {requestFrame(2, QStringLiteral("send")), QStringLiteral("bad_request"), 2},
        {requestFrame(3, QStringLiteral("turn")), QStringLiteral("bad_request"), 3},
        {requestFrame(4, QStringLiteral("restart"),
                      {{QStringLiteral("force"), QStringLiteral("yes")}}),
         QStringLiteral("bad_request"), 4},
        {Framing::encode({{QStringLiteral("v"), 2},
                          {QStringLiteral("id"), 5},
                          {QStringLiteral("cmd"), QStringLiteral("status")}}),
         QStringLiteral("unsupported_version"), 5},
        {Framing::encode({{QStringLiteral("v"), 1}, {QStringLiteral("id"), 6}}),
         QStringLiteral("bad_request"), 6},
        {Framing::encode(
             {{QStringLiteral("id"), 7}, {QStringLiteral("cmd"), QStringLiteral("status")}}),
         QStringLiteral("bad_request"), 7},
        {requestFrame(8, QStringLiteral("interrupt"),
                      {{QStringLiteral("turn_id"), QStringLiteral("t-0")}}),
         QStringLiteral("not_found"), 8},
    };
    for (const Case &c : cases) {
        socket.write(c.frame);
        QJsonObject reply;
        QVERIFY(readFrame(socket, &reply));
        QCOMPARE(reply.value(QStringLiteral("id")).toInteger(), c.id);
        QCOMPARE(reply.value(QStringLiteral("ok")).toBool(true), false);
        QCOMPARE(reply.value(QStringLiteral("error"))
                     .toObject()
                     .value(QStringLiteral("code"))
                     .toString(),
                 c.code);
        QVERIFY(!reply.value(QStringLiteral("error"))
                     .toObject()
                     .value(QStringLiteral("message"))
                     .toString()
                     .isEmpty());
    }
    // The connection survives request errors.
    socket.write(requestFrame(9, QStringLiteral("status")));
    QJsonObject reply;
    QVERIFY(readFrame(socket, &reply));
    QCOMPARE(reply.value(QStringLiteral("id")).toInt(), 9);
    QCOMPARE(reply.value(QStringLiteral("ok")).toBool(), true);
    QCOMPARE(reply.value(QStringLiteral("v")).toInt(), 1);
    QVERIFY(otherClientIsServed());
}

void TestIpcServer::turnEventsAreOrderedBeforeTheReply()
{
    auto c = m_f->newClient();
    QVERIFY(c);
    QStringList seen; // events and the reply, in arrival order
    connect(c.get(), &IpcClient::eventReceived, this,
            [&](const QString &name, const QJsonObject &e) {
                if (name == QLatin1String("turn"))
                    seen << QStringLiteral("turn:") + e.value(QStringLiteral("state")).toString();
                else if (name == QLatin1String("agents"))
                    seen << QStringLiteral("agents");
            });
    QVERIFY(ServiceFixture::callOn(c.get(), QStringLiteral("subscribe")).ok);
    QString turnId;
    bool replied = false;
    c->request(QStringLiteral("send"),
               {{QStringLiteral("session"), QStringLiteral("ord")},
                {QStringLiteral("text"), QStringLiteral("hey")}},
               [&](const IpcReply &r) {
                   seen << QStringLiteral("reply");
                   turnId = r.body.value(QStringLiteral("turn_id")).toString();
                   replied = true;
               });
    QVERIFY(ServiceFixture::waitFor([&] { return replied; }));
    QVERIFY(ServiceFixture::waitFor([&] { return seen.contains(QStringLiteral("turn:done")); }));
    const int reply = seen.indexOf(QStringLiteral("reply"));
    QVERIFY2(seen.indexOf(QStringLiteral("turn:queued")) < reply, qPrintable(seen.join(u',')));
    QVERIFY2(seen.indexOf(QStringLiteral("turn:running")) < reply, qPrintable(seen.join(u',')));
    QVERIFY(seen.indexOf(QStringLiteral("agents")) >= 0);
    QCOMPARE(m_f->waitForTurn(turnId).value(QStringLiteral("output")).toString(),
             QStringLiteral("hey"));
}

void TestIpcServer::floodingClientThatNeverReadsBlocksNobody()
{
    QLocalSocket flood;
    flood.connectToServer(m_f->socketPath());
    QVERIFY(flood.waitForConnected(5000));
    // Many requests whose replies (~1 KB of status each) add up to far more than the
    // per-client bound; the test never reads them.
    const QByteArray one = requestFrame(1, QStringLiteral("status"));
    QByteArray batch;
    for (int i = 0; i < 1000; ++i)
        batch += one;
    QElapsedTimer timer;
    timer.start();
    int batches = 0;
    while (flood.state() == QLocalSocket::ConnectedState && timer.elapsed() < 30000 &&
           batches < 200) {
        flood.write(batch);
        flood.waitForBytesWritten(200);
        ++batches;
        // Meanwhile another client is answered promptly.
        if (batches % 20 == 0) {
            QElapsedTimer t;
            t.start();
            QVERIFY(otherClientIsServed());
            QVERIFY2(t.elapsed() < 20000, qPrintable(QString::number(t.elapsed())));
        }
    }
    // The flooder is dropped once its unread replies pass the bound.
    QVERIFY(ServiceFixture::waitFor(
        [&] { return m_f->logText().contains(QStringLiteral("replies and events queued unread")); },
        20000));
    QVERIFY(otherClientIsServed());
}

void TestIpcServer::clientStalledMidFrameIsDropped()
{
    QLocalSocket stalled;
    stalled.connectToServer(m_f->socketPath());
    QVERIFY(stalled.waitForConnected(5000));
    QByteArray partial = lengthOnly(100);
    partial += QByteArray("{\"v\":1,\"id\":1,");
    stalled.write(partial);
    QVERIFY(stalled.waitForBytesWritten(5000));
    QElapsedTimer timer;
    timer.start();
    // Other clients are served while it stalls.
    QVERIFY(otherClientIsServed());
    QVERIFY(waitClosed(stalled, 20000));
    const qint64 elapsed = timer.elapsed();
    qInfo("stalled client dropped after %lld ms", elapsed);
    QVERIFY2(elapsed >= 8000, qPrintable(QString::number(elapsed)));
    QVERIFY(otherClientIsServed());
}

QTEST_GUILESS_MAIN(TestIpcServer)
#include "tst_ipcserver.moc"
