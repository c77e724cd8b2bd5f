// Live output (IPC `follow`, HTTP server-sent events) and the recent-turns list, against the
// real sluiced (docs/protocol.md "Recent turns and live output", docs/http.md).
#include "testhelpers.h"

#include "sluice/protocol.h"

#include <QJsonArray>
#include <QLocalSocket>
#include <QTcpSocket>
#include <QtTest>

using namespace sluice;
using namespace sluice::test;

namespace {
// What one follower got of one stream: the bytes, where they were, and what it was told it lost.
struct Received
{
    QByteArray data;
    qint64 skipped = 0;
    qint64 nextOffset = -1; // where the next chunk should start
    bool contiguous = true; // every chunk started where the last one ended (+ skipped)
    void add(qint64 offset, const QByteArray &bytes, qint64 lost)
    {
        if (nextOffset >= 0 && offset != nextOffset + lost)
            contiguous = false;
        data += bytes;
        skipped += lost;
        nextOffset = offset + bytes.size();
    }
};

// Parses server-sent events: (event name, data object) pairs.
QList<QPair<QByteArray, QJsonObject>> parseEvents(const QByteArray &body)
{
    QList<QPair<QByteArray, QJsonObject>> out;
    const QList<QByteArray> blocks = body.split('\n');
    QByteArray name;
    for (const QByteArray &line : blocks) {
        if (line.startsWith("event: "))
            name = line.mid(7);
        else if (line.startsWith("data: "))
            out.append({name, QJsonDocument::fromJson(line.mid(6)).object()});
    }
    return out;
}

// Reads until the peer closes the connection (a server-sent-event stream ends so).
bool readUntilClosed(QTcpSocket &s, QByteArray *into, int timeoutMs = 20000)
{
    ServiceFixture::waitFor(
        [&] {
            s.waitForReadyRead(50);
            *into += s.readAll();
            return s.state() == QAbstractSocket::UnconnectedState;
        },
        timeoutMs);
    *into += s.readAll();
    return s.state() == QAbstractSocket::UnconnectedState;
}

qint64 rssBytes(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong() * 1024;
    return -1;
}
} // namespace

class TstLiveOutput : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void sseStreamsATurnFromItsFirstChunkToTheEnd();
    void ipcFollowContinuesAtTheReplysOffset();
    void unknownTurnsAreNotFound();
    void aFollowerIsNeverIdle();
    void slowFollowersNeverDelayAnythingAndStayBounded();
    void turnsListFiltersLimitsAndQueue();

private:
    QString agent();
    void go(const QString &name = QStringLiteral("go"));
    quint16 port() const { return quint16(m_f->httpPort()); }
    std::unique_ptr<ServiceFixture> m_f;
};

// "block": prints a first line (and one on stderr), waits for the file `go`, then finishes.
// "fail": exits 3. "flood": waits for `go`, then 2 MB on stdout and FloodLines lines of
// LineBytes on stderr. Anything else: one line at once.
constexpr int FloodLines = 5000;
constexpr int LineBytes = 8000;

QString TstLiveOutput::agent()
{
    return m_f->writeAgentScript(
        QStringLiteral("agent.sh"),
        QStringLiteral("msg=$(cat)\n"
                       "case \"$msg\" in\n"
                       "*fail*) echo \"failing: $msg\"; exit 3 ;;\n"
                       "*block*) echo \"first: $msg\"; echo \"err: $msg\" >&2\n"
                       "  while [ ! -f '%1/go' ]; do sleep 0.05; done ;;\n"
                       "*flood*) while [ ! -f '%1/go' ]; do sleep 0.05; done\n"
                       "  head -c 2000000 /dev/zero | tr '\\000' y\n"
                       "  awk 'BEGIN { s = sprintf(\"%%3s\", \"\"); gsub(/ /, \"x\", s);"
                       " for (i = 0; i < %2; i++) print s > \"/dev/stderr\" }' ;;\n"
                       "esac\n"
                       "echo \"reply: $msg\"\n")
            .arg(m_f->scriptsDir())
            .arg(FloodLines)
            .arg(LineBytes));
}

void TstLiveOutput::go(const QString &name)
{
    QFile file(m_f->scriptsDir() + QLatin1Char('/') + name);
    QVERIFY(file.open(QIODevice::WriteOnly));
}

void TstLiveOutput::init()
{
    m_f = std::make_unique<ServiceFixture>();
    QStringList args{QStringLiteral("--agent-command"), agent()};
    if (QByteArray(QTest::currentTestFunction()) == "aFollowerIsNeverIdle")
        args << QStringLiteral("--ipc-idle-timeout") << QStringLiteral("1");
    QVERIFY(m_f->start(args));
    QVERIFY(port() > 0);
}

void TstLiveOutput::cleanup()
{
    if (m_f)
        m_f->killAll();
    m_f.reset();
}

void TstLiveOutput::sseStreamsATurnFromItsFirstChunkToTheEnd()
{
    const QString id = sendTurn(*m_f, QStringLiteral("sse"), QStringLiteral("block one"));
    QVERIFY(!id.isEmpty());
    QTcpSocket s;
    s.connectToHost(QStringLiteral("127.0.0.1"), port());
    QVERIFY(s.waitForConnected(10000));
    s.write(requestBytes("GET", "/v1/turns/" + id.toUtf8() + "/events", m_f->token()));
    QByteArray buffer;
    // The head and the first line arrive while the turn still runs (it waits for `go`).
    QVERIFY2(ServiceFixture::waitFor(
                 [&] {
                     s.waitForReadyRead(50);
                     buffer += s.readAll();
                     return buffer.contains("first: block one");
                 },
                 20000),
             buffer.constData());
    QCOMPARE(m_f->call(QStringLiteral("turn"), {{QStringLiteral("turn_id"), id}})
                 .body.value(QStringLiteral("state"))
                 .toString(),
             QStringLiteral("running"));
    QVERIFY(buffer.startsWith("HTTP/1.1 200 OK\r\n"));
    QVERIFY(buffer.contains("Content-Type: text/event-stream"));
    go();
    QVERIFY2(readUntilClosed(s, &buffer), "the stream ends with the turn");

    const QByteArray body = buffer.mid(buffer.indexOf("\r\n\r\n") + 4);
    const auto events = parseEvents(body);
    QVERIFY(events.size() >= 2);
    Received out;
    Received err;
    for (int i = 0; i + 1 < events.size(); ++i) {
        QCOMPARE(events[i].first, QByteArray("output"));
        const QJsonObject d = events[i].second;
        Received &r = d.value("stream").toString() == QLatin1String("stderr") ? err : out;
        r.add(d.value("offset").toInteger(), d.value("data").toString().toUtf8(),
              d.value("skipped").toInteger());
    }
    QCOMPARE(events.last().first, QByteArray("end"));
    QCOMPARE(events.last().second.value("state").toString(), QStringLiteral("done"));
    QCOMPARE(events.last().second.value("exit_code").toInt(-1), 0);
    QCOMPARE(out.data, QByteArray("first: block one\nreply: block one\n"));
    QVERIFY(out.contiguous);
    QCOMPARE(out.skipped, 0);
    QCOMPARE(err.data, QByteArray("err: block one\n"));

    // A finished turn: its whole output, then the end, at once.
    QTcpSocket s2;
    s2.connectToHost(QStringLiteral("127.0.0.1"), port());
    QVERIFY(s2.waitForConnected(10000));
    s2.write(requestBytes("GET", "/v1/turns/" + id.toUtf8() + "/events", m_f->token()));
    QByteArray all;
    QVERIFY(readUntilClosed(s2, &all));
    const auto finished = parseEvents(all.mid(all.indexOf("\r\n\r\n") + 4));
    QCOMPARE(finished.size(), 2);
    QCOMPARE(finished[0].second.value("data").toString(),
             QStringLiteral("first: block one\nreply: block one\n"));
    QCOMPARE(finished[1].first, QByteArray("end"));
}

void TstLiveOutput::ipcFollowContinuesAtTheReplysOffset()
{
    const QString id = sendTurn(*m_f, QStringLiteral("ipc"), QStringLiteral("block two"));
    QVERIFY(!id.isEmpty());
    QVERIFY(waitForLog(*m_f, QStringLiteral("err: block two")));
    auto client = m_f->newClient();
    QVERIFY(client);
    Received out;
    QJsonObject end;
    int ends = 0;
    connect(client.get(), &IpcClient::eventReceived, this,
            [&](const QString &name, const QJsonObject &ev) {
                if (name == QLatin1String("turn_output") &&
                    ev.value("stream").toString() == QLatin1String("stdout"))
                    out.add(ev.value("offset").toInteger(), ev.value("data").toString().toUtf8(),
                            ev.value("skipped").toInteger());
                if (name == QLatin1String("turn")) {
                    end = ev;
                    ++ends;
                }
            });
    const IpcReply r = ServiceFixture::callOn(client.get(), QStringLiteral("follow"),
                                              {{QStringLiteral("turn_id"), id}});
    QVERIFY2(r.ok, qPrintable(r.errorMessage));
    QCOMPARE(r.body.value("state").toString(), QStringLiteral("running"));
    QCOMPARE(r.body.value("session").toString(), QStringLiteral("ipc"));
    const QByteArray first = r.body.value("output").toString().toUtf8();
    QCOMPARE(r.body.value("offset").toInteger(), qint64(first.size()));
    QVERIFY(first.startsWith("first: block two"));
    // Following twice changes nothing (one set of events).
    QVERIFY(ServiceFixture::callOn(client.get(), QStringLiteral("follow"),
                                   {{QStringLiteral("turn_id"), id}})
                .ok);
    go();
    QVERIFY(ServiceFixture::waitFor([&] { return ends > 0; }));
    QCOMPARE(end.value("state").toString(), QStringLiteral("done"));
    QCOMPARE(end.value("exit_code").toInt(-1), 0);
    QCOMPARE(end.value("turn_id").toString(), id);
    QCOMPARE(first + out.data, QByteArray("first: block two\nreply: block two\n"));
    if (out.nextOffset >= 0)
        QVERIFY(out.contiguous);
    // The follow ended with the turn: unfollow says so.
    const IpcReply u = ServiceFixture::callOn(client.get(), QStringLiteral("unfollow"),
                                              {{QStringLiteral("turn_id"), id}});
    QVERIFY(u.ok);
    QCOMPARE(u.body.value("followed").toBool(true), false);
    QCOMPARE(ends, 1);
}

void TstLiveOutput::unknownTurnsAreNotFound()
{
    const IpcReply r =
        m_f->call(QStringLiteral("follow"), {{QStringLiteral("turn_id"), QStringLiteral("t-0")}});
    QVERIFY(!r.ok);
    QCOMPARE(r.errorCode, QStringLiteral("not_found"));
    QCOMPARE(m_f->call(QStringLiteral("follow")).errorCode, QStringLiteral("bad_request"));
    QCOMPARE(http(port(), "GET", "/v1/turns/t-0/events", m_f->token()).status, 404);
    QCOMPARE(http(port(), "GET", "/v1/turns/t-0/events").status, 401);
}

void TstLiveOutput::aFollowerIsNeverIdle()
{
    // A follower sends nothing while it waits for a long turn: the idle rule (here 1 s) is
    // not for it, as it is not for subscribers.
    const QString id = sendTurn(*m_f, QStringLiteral("idle"), QStringLiteral("block idle"));
    QVERIFY(!id.isEmpty());
    auto follower = m_f->newClient();
    auto idler = m_f->newClient();
    QVERIFY(follower && idler);
    bool followerGone = false;
    bool idlerGone = false;
    bool ended = false;
    connect(follower.get(), &IpcClient::disconnected, this, [&] { followerGone = true; });
    connect(idler.get(), &IpcClient::disconnected, this, [&] { idlerGone = true; });
    connect(follower.get(), &IpcClient::eventReceived, this,
            [&](const QString &name, const QJsonObject &) { ended = ended || name == "turn"; });
    QVERIFY(ServiceFixture::callOn(follower.get(), QStringLiteral("follow"),
                                   {{QStringLiteral("turn_id"), id}})
                .ok);
    QVERIFY(ServiceFixture::callOn(idler.get(), QStringLiteral("status")).ok);
    QVERIFY(ServiceFixture::waitFor([&] { return idlerGone; })); // the idle time has passed
    QVERIFY(!followerGone);
    go();
    QVERIFY(ServiceFixture::waitFor([&] { return ended; }));
    QVERIFY(!followerGone);
}

void TstLiveOutput::slowFollowersNeverDelayAnythingAndStayBounded()
{
    const QString id = sendTurn(*m_f, QStringLiteral("flood"), QStringLiteral("flood"));
    QVERIFY(!id.isEmpty());
    QVERIFY(ServiceFixture::waitFor([&] {
        return m_f->call(QStringLiteral("turn"), {{QStringLiteral("turn_id"), id}})
                   .body.value("state")
                   .toString() == QLatin1String("running");
    }));

    // Two followers that never read: one on the socket, one over HTTP. Qt's own read buffer is
    // kept tiny so the bytes stay in the service's hands.
    QLocalSocket ipcSlow;
    ipcSlow.setReadBufferSize(4096);
    ipcSlow.connectToServer(m_f->socketPath());
    QVERIFY(ipcSlow.waitForConnected(10000));
    ipcSlow.write(requestFrame(1, QStringLiteral("follow"), {{QStringLiteral("turn_id"), id}}));
    QVERIFY(ipcSlow.waitForBytesWritten(10000));
    QTcpSocket sseSlow;
    sseSlow.setReadBufferSize(4096);
    sseSlow.connectToHost(QStringLiteral("127.0.0.1"), port());
    QVERIFY(sseSlow.waitForConnected(10000));
    sseSlow.write(requestBytes("GET", "/v1/turns/" + id.toUtf8() + "/events", m_f->token()));
    QVERIFY(sseSlow.waitForBytesWritten(10000));

    // And one that reads everything.
    auto reader = m_f->newClient();
    QVERIFY(reader);
    Received fastErr;
    bool fastEnded = false;
    connect(reader.get(), &IpcClient::eventReceived, this,
            [&](const QString &name, const QJsonObject &ev) {
                if (name == QLatin1String("turn_output") &&
                    ev.value("stream").toString() == QLatin1String("stderr"))
                    fastErr.add(ev.value("offset").toInteger(),
                                ev.value("data").toString().toUtf8(),
                                ev.value("skipped").toInteger());
                if (name == QLatin1String("turn"))
                    fastEnded = true;
            });
    QVERIFY(ServiceFixture::callOn(reader.get(), QStringLiteral("follow"),
                                   {{QStringLiteral("turn_id"), id}})
                .ok);
    // Both slow followers are registered once a status round trip has gone through after them.
    QVERIFY(m_f->call(QStringLiteral("status")).ok);
    const qint64 rssBefore = rssBytes(m_f->pid());
    go();

    // The turn runs to its end and the reading follower gets all of it, while the service
    // keeps answering.
    QVERIFY(ServiceFixture::waitFor([&] { return fastEnded; }, 120000));
    QVERIFY(m_f->call(QStringLiteral("status")).ok);
    const QJsonObject turn = m_f->waitForTurn(id);
    QCOMPARE(turn.value("state").toString(), QStringLiteral("done"));
    const qint64 stderrTotal = qint64(FloodLines) * (LineBytes + 1);
    QCOMPARE(fastErr.data.size() + fastErr.skipped, stderrTotal);
    QVERIFY(fastErr.contiguous);
    const qint64 rssAfter = rssBytes(m_f->pid());
    qInfo("sluiced RSS: %lld KiB before the flood, %lld KiB after (two followers not reading, "
          "%lld KiB of stderr)",
          rssBefore / 1024, rssAfter / 1024, stderrTotal / 1024);
    // Without the bound the two unread streams alone would hold the whole flood twice.
    QVERIFY2(rssAfter - rssBefore < stderrTotal, "memory grew with what the followers left unread");

    // The slow IPC follower was never dropped; what it missed it is told about, exactly.
    ipcSlow.setReadBufferSize(0); // now it reads
    Received ipcErr;
    bool ipcEnded = false;
    while (!ipcEnded) {
        QJsonObject frame;
        QVERIFY2(readFrame(ipcSlow, &frame, 30000), "the slow follower was dropped");
        if (frame.value("event").toString() == QLatin1String("turn_output") &&
            frame.value("stream").toString() == QLatin1String("stderr"))
            ipcErr.add(frame.value("offset").toInteger(), frame.value("data").toString().toUtf8(),
                       frame.value("skipped").toInteger());
        if (frame.value("event").toString() == QLatin1String("turn"))
            ipcEnded = true;
    }
    QVERIFY(ipcErr.skipped > 0);
    QCOMPARE(ipcErr.data.size() + ipcErr.skipped, stderrTotal);
    QVERIFY(ipcErr.contiguous);

    // So is the slow HTTP follower, which then gets the end and a closed stream.
    sseSlow.setReadBufferSize(0);
    QByteArray sse;
    QVERIFY(ServiceFixture::waitFor(
        [&] {
            sseSlow.waitForReadyRead(50);
            sse += sseSlow.readAll();
            return sse.contains("event: end");
        },
        60000));
    Received sseErr;
    for (const auto &e : parseEvents(sse.mid(sse.indexOf("\r\n\r\n") + 4))) {
        if (e.first == "output" && e.second.value("stream").toString() == QLatin1String("stderr"))
            sseErr.add(e.second.value("offset").toInteger(),
                       e.second.value("data").toString().toUtf8(),
                       e.second.value("skipped").toInteger());
    }
    QVERIFY(sseErr.skipped > 0);
    QCOMPARE(sseErr.data.size() + sseErr.skipped, stderrTotal);
}

void TstLiveOutput::turnsListFiltersLimitsAndQueue()
{
    QStringList done;
    for (int i = 0; i < 3; ++i) {
        const QString id = sendTurn(*m_f, QStringLiteral("alpha"), QStringLiteral("a%1").arg(i));
        QCOMPARE(m_f->waitForTurn(id).value("state").toString(), QStringLiteral("done"));
        done << id;
    }
    const QString failed = sendTurn(*m_f, QStringLiteral("beta"), QStringLiteral("fail me"));
    QCOMPARE(m_f->waitForTurn(failed).value("state").toString(), QStringLiteral("failed"));
    const QString running = sendTurn(*m_f, QStringLiteral("gamma"), QStringLiteral("block g1"));
    const QString queued = sendTurn(*m_f, QStringLiteral("gamma"), QStringLiteral("block g2"));
    QVERIFY(waitForLog(*m_f, QStringLiteral("err: block g1")));

    auto list = [&](const QJsonObject &args) {
        const IpcReply r = m_f->call(QStringLiteral("turns"), args);
        if (!r.ok)
            qWarning("turns: %s", qPrintable(r.errorMessage));
        return r.body.value("turns").toArray();
    };
    auto ids = [](const QJsonArray &a) {
        QStringList out;
        for (const QJsonValue &v : a)
            out << v.toObject().value("turn_id").toString();
        return out;
    };

    const QJsonArray all = list({});
    QCOMPARE(ids(all), (QStringList{queued, running, failed, done[2], done[1], done[0]}));
    QCOMPARE(ids(list({{"limit", 2}})), (QStringList{queued, running}));
    QCOMPARE(ids(list({{"session", "alpha"}})), (QStringList{done[2], done[1], done[0]}));
    QCOMPARE(ids(list({{"session", "alpha"}, {"limit", 1}})), QStringList{done[2]});
    QCOMPARE(ids(list({{"state", "failed"}})), QStringList{failed});
    QCOMPARE(ids(list({{"state", "queued"}})), QStringList{queued});
    QCOMPARE(ids(list({{"session", "nobody"}})), QStringList());

    const QJsonObject q = all.at(0).toObject();
    QCOMPARE(q.value("state").toString(), QStringLiteral("queued"));
    QCOMPARE(q.value("queue_position").toInt(), 1);
    QVERIFY(q.value("started_at").isNull());
    QVERIFY(q.value("duration_s").isNull());
    const QJsonObject r = all.at(1).toObject();
    QCOMPARE(r.value("state").toString(), QStringLiteral("running"));
    QVERIFY(!r.contains("queue_position"));
    QVERIFY(r.value("duration_s").toDouble(-1) >= 0);
    QVERIFY(r.value("exit_code").isNull());
    QCOMPARE(r.value("preview").toString(), QStringLiteral("first: block g1\n"));
    const QJsonObject f = all.at(2).toObject();
    QCOMPARE(f.value("exit_code").toInt(), 3);
    const QJsonObject d = all.at(3).toObject();
    QCOMPARE(d.value("state").toString(), QStringLiteral("done"));
    QCOMPARE(d.value("exit_code").toInt(-1), 0);
    QCOMPARE(d.value("preview").toString(), QStringLiteral("reply: a2\n"));
    QVERIFY(d.value("duration_s").toDouble(-1) >= 0);
    QVERIFY(!d.value("finished_at").toString().isEmpty());

    for (const QJsonObject &bad :
         {QJsonObject{{"limit", 0}}, QJsonObject{{"limit", 201}}, QJsonObject{{"limit", "5"}},
          QJsonObject{{"state", "bogus"}}, QJsonObject{{"session", "no spaces"}}})
        QCOMPARE(m_f->call(QStringLiteral("turns"), bad).errorCode, QStringLiteral("bad_request"));

    // The same over HTTP.
    const HttpReply h = http(port(), "GET", "/v1/turns?session=alpha&limit=2", m_f->token());
    QCOMPARE(h.status, 200);
    QCOMPARE(ids(h.json().value("turns").toArray()), (QStringList{done[2], done[1]}));
    QCOMPARE(ids(http(port(), "GET", "/v1/turns?state=running", m_f->token())
                     .json()
                     .value("turns")
                     .toArray()),
             QStringList{running});
    QCOMPARE(http(port(), "GET", "/v1/turns?limit=500", m_f->token()).status, 400);
    QCOMPARE(http(port(), "GET", "/v1/turns?limit=x", m_f->token()).status, 400);
    QCOMPARE(http(port(), "GET", "/v1/turns").status, 401);

    // And sluicectl.
    const CtlResult ctl = runCtl({QStringLiteral("--home"), m_f->home(), QStringLiteral("turns"),
                                  QStringLiteral("--session"), QStringLiteral("gamma")});
    QVERIFY2(ctl.exitCode == 0, qPrintable(describe(ctl)));
    QVERIFY2(ctl.out.contains("queued #1") && ctl.out.contains(running.toUtf8()),
             qPrintable(describe(ctl)));
    const CtlResult json =
        runCtl({QStringLiteral("--home"), m_f->home(), QStringLiteral("--json"),
                QStringLiteral("turns"), QStringLiteral("--limit"), QStringLiteral("1")});
    QVERIFY2(json.oneDocument, qPrintable(describe(json)));
    QCOMPARE(json.json.value("turns").toArray().size(), 1);
    QCOMPARE(runCtl({QStringLiteral("--home"), m_f->home(), QStringLiteral("turns"),
                     QStringLiteral("--limit"), QStringLiteral("0")})
                 .exitCode,
             2);
    go();
}

QTEST_GUILESS_MAIN(TstLiveOutput)
#include "tst_liveoutput.moc"
