#include "sluice/atomicjson.h"
#include "sluice/ipcclient.h"
#include "sluice/ipcframing.h"
#include "sluice/paths.h"
#include "sluice/protocol.h"

#include <QLocalServer>
#include <QLocalSocket>
#include <QPointer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

#include <memory>

using namespace sluice;

// A tiny real server speaking the framing: "echo" replies with its args, "silent" never
// answers, "fail" answers an error, "emit" sends an event then replies, "hold"/"release"
// answer held requests in reverse order, "badframe" sends a zero-length frame.
class EchoServer : public QObject
{
    Q_OBJECT
public:
    explicit EchoServer(const QString &name)
        : m_name(name)
    {
        connect(&m_server, &QLocalServer::newConnection, this, &EchoServer::onNewConnection);
    }
    bool listen()
    {
        QLocalServer::removeServer(m_name);
        return m_server.listen(m_name);
    }
    void shutdown()
    {
        m_server.close();
        const auto clients = m_clients;
        for (QLocalSocket *s : clients) {
            if (s)
                s->disconnectFromServer();
        }
    }
    void closeClients()
    {
        const auto clients = m_clients;
        for (QLocalSocket *s : clients) {
            if (s)
                s->disconnectFromServer();
        }
    }
    void broadcast(const QJsonObject &o)
    {
        for (QLocalSocket *s : std::as_const(m_clients)) {
            if (s)
                s->write(Framing::encode(o));
        }
    }
    int received = 0;

private:
    void onNewConnection()
    {
        while (QLocalSocket *s = m_server.nextPendingConnection()) {
            m_clients.append(s);
            auto decoder = std::make_shared<FrameDecoder>();
            connect(s, &QLocalSocket::disconnected, s, &QObject::deleteLater);
            connect(s, &QLocalSocket::readyRead, this, [this, s, decoder] {
                decoder->feed(s->readAll());
                QJsonObject req;
                while (decoder->next(&req) == FrameDecoder::Result::Frame)
                    handle(s, req);
            });
        }
    }
    void handle(QLocalSocket *s, const QJsonObject &req)
    {
        ++received;
        const qint64 id = req.value(QLatin1String("id")).toInteger();
        const QString cmd = req.value(QLatin1String("cmd")).toString();
        if (cmd == QLatin1String("echo")) {
            QJsonObject fields = req;
            fields.remove(QStringLiteral("cmd"));
            s->write(Framing::encode(Protocol::reply(id, fields)));
        } else if (cmd == QLatin1String("fail")) {
            s->write(Framing::encode(Protocol::errorReply(id, QStringLiteral("draining"),
                                                          QStringLiteral("busy draining"))));
        } else if (cmd == QLatin1String("emit")) {
            s->write(Framing::encode(
                Protocol::event(QStringLiteral("status"), {{"state", "draining"}})));
            s->write(Framing::encode(Protocol::reply(id)));
        } else if (cmd == QLatin1String("hold")) {
            m_held.prepend(id);
        } else if (cmd == QLatin1String("release")) {
            QByteArray all;
            for (qint64 h : std::as_const(m_held))
                all += Framing::encode(Protocol::reply(h, {{"held", h}}));
            m_held.clear();
            all += Framing::encode(Protocol::reply(id));
            // Byte by byte: the client must reassemble.
            for (char c : all)
                s->write(&c, 1);
        } else if (cmd == QLatin1String("junkids")) {
            // Ids that are not the request's: fractional, huge, 2^63. Then the real reply.
            for (double junk : {double(id) + 0.5, 1e300, -1e300, 9223372036854775808.0})
                s->write(Framing::encode({{"v", 1}, {"id", junk}, {"ok", true}, {"junk", true}}));
            s->write(Framing::encode(Protocol::reply(id, {{"real", true}})));
        } else if (cmd == QLatin1String("badframe")) {
            s->write(QByteArray(4, '\0'));
        }
        // "silent": nothing
    }

    QString m_name;
    QLocalServer m_server;
    QList<QPointer<QLocalSocket>> m_clients;
    QList<qint64> m_held;
};

class TestIpcClient : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString name() const { return m_dir.filePath(QStringLiteral("t.sock")); }

    struct Result
    {
        int calls = 0;
        IpcReply reply;
    };
    static IpcClient::ReplyHandler recorder(const std::shared_ptr<Result> &r)
    {
        return [r](const IpcReply &reply) {
            ++r->calls;
            r->reply = reply;
        };
    }
    bool connectClient(IpcClient &c)
    {
        QSignalSpy spy(&c, &IpcClient::connected);
        c.setServerName(name());
        c.connectToServer();
        // A local connect may complete (and signal) inside connectToServer() itself.
        return spy.count() > 0 || spy.wait(10000);
    }

private Q_SLOTS:
    void requestReply()
    {
        EchoServer server(name());
        QVERIFY(server.listen());
        IpcClient c;
        QVERIFY(connectClient(c));
        QVERIFY(c.isConnected());
        auto r = std::make_shared<Result>();
        const qint64 id = c.request(QStringLiteral("echo"), {{"text", "hi"}}, recorder(r));
        QTRY_COMPARE_WITH_TIMEOUT(r->calls, 1, 10000);
        QVERIFY(r->reply.ok);
        QVERIFY(r->reply.errorCode.isEmpty());
        QCOMPARE(r->reply.body.value("id").toInteger(), id);
        QCOMPARE(r->reply.body.value("v").toInt(), 1);
        QCOMPARE(r->reply.body.value("text").toString(), QStringLiteral("hi"));
        const qint64 id2 = c.request(QStringLiteral("echo"), {}, recorder(r));
        QVERIFY(id2 != id);
        QTRY_COMPARE_WITH_TIMEOUT(r->calls, 2, 10000);
    }

    void repliesMatchedById()
    {
        EchoServer server(name());
        QVERIFY(server.listen());
        IpcClient c;
        QVERIFY(connectClient(c));
        QList<std::shared_ptr<Result>> held;
        QList<qint64> ids;
        for (int i = 0; i < 5; ++i) {
            held.append(std::make_shared<Result>());
            ids.append(c.request(QStringLiteral("hold"), {}, recorder(held.last())));
        }
        auto release = std::make_shared<Result>();
        c.request(QStringLiteral("release"), {}, recorder(release));
        QTRY_COMPARE_WITH_TIMEOUT(release->calls, 1, 10000);
        for (int i = 0; i < 5; ++i) {
            QCOMPARE(held[i]->calls, 1);
            QCOMPARE(held[i]->reply.body.value("held").toInteger(), ids[i]);
        }
    }

    void repliesWithJunkIdsIgnored()
    {
        EchoServer server(name());
        QVERIFY(server.listen());
        IpcClient c;
        QVERIFY(connectClient(c));
        auto r = std::make_shared<Result>();
        c.request(QStringLiteral("junkids"), {}, recorder(r));
        QTRY_COMPARE_WITH_TIMEOUT(r->calls, 1, 10000);
        QVERIFY(r->reply.body.value("real").toBool());
        QVERIFY(!r->reply.body.contains("junk"));
        QTest::qWait(50);
        QCOMPARE(r->calls, 1);
    }

    void errorReply()
    {
        EchoServer server(name());
        QVERIFY(server.listen());
        IpcClient c;
        QVERIFY(connectClient(c));
        auto r = std::make_shared<Result>();
        c.request(QStringLiteral("fail"), {}, recorder(r));
        QTRY_COMPARE_WITH_TIMEOUT(r->calls, 1, 10000);
        QVERIFY(!r->reply.ok);
        QCOMPARE(r->reply.errorCode, QStringLiteral("draining"));
        QCOMPARE(r->reply.errorMessage, QStringLiteral("busy draining"));
    }

    void timeoutWhenServerNeverAnswers()
    {
        EchoServer server(name());
        QVERIFY(server.listen());
        IpcClient c;
        QVERIFY(connectClient(c));
        auto r = std::make_shared<Result>();
        c.request(QStringLiteral("silent"), {}, recorder(r), 200);
        QTRY_COMPARE_WITH_TIMEOUT(r->calls, 1, 10000);
        QCOMPARE(r->reply.errorCode, QStringLiteral("timeout"));
        QVERIFY(!r->reply.ok);
        // Still connected and usable; the timed-out handler never runs again.
        auto r2 = std::make_shared<Result>();
        c.request(QStringLiteral("echo"), {}, recorder(r2));
        QTRY_COMPARE_WITH_TIMEOUT(r2->calls, 1, 10000);
        QVERIFY(r2->reply.ok);
        QCOMPARE(r->calls, 1);
    }

    void disconnectedWhenServerCloses()
    {
        EchoServer server(name());
        QVERIFY(server.listen());
        IpcClient c;
        QVERIFY(connectClient(c));
        QSignalSpy lost(&c, &IpcClient::disconnected);
        auto r = std::make_shared<Result>();
        c.request(QStringLiteral("silent"), {}, recorder(r), 60000);
        QTRY_COMPARE_WITH_TIMEOUT(server.received, 1, 10000);
        server.closeClients();
        QTRY_COMPARE_WITH_TIMEOUT(r->calls, 1, 10000);
        QCOMPARE(r->reply.errorCode, QStringLiteral("disconnected"));
        QTRY_COMPARE_WITH_TIMEOUT(lost.count(), 1, 10000);
        QVERIFY(!c.isConnected());
        QCOMPARE(r->calls, 1);
    }

    void requestWhenNotConnectedIsQueued()
    {
        IpcClient c;
        c.setServerName(name());
        auto r = std::make_shared<Result>();
        c.request(QStringLiteral("echo"), {}, recorder(r));
        QCOMPARE(r->calls, 0); // not re-entrant
        QTRY_COMPARE_WITH_TIMEOUT(r->calls, 1, 10000);
        QCOMPARE(r->reply.errorCode, QStringLiteral("disconnected"));
    }

    void eventsAsSignals()
    {
        EchoServer server(name());
        QVERIFY(server.listen());
        IpcClient c;
        QVERIFY(connectClient(c));
        QSignalSpy events(&c, &IpcClient::eventReceived);
        auto r = std::make_shared<Result>();
        c.request(QStringLiteral("emit"), {}, recorder(r));
        QTRY_COMPARE_WITH_TIMEOUT(r->calls, 1, 10000);
        QCOMPARE(events.count(), 1); // the event came before the reply
        QCOMPARE(events.at(0).at(0).toString(), QStringLiteral("status"));
        QCOMPARE(events.at(0).at(1).toJsonObject().value("state").toString(),
                 QStringLiteral("draining"));
        server.broadcast(Protocol::event(QStringLiteral("turn"), {{"turn_id", "t1"}}));
        QTRY_COMPARE_WITH_TIMEOUT(events.count(), 2, 10000);
        QCOMPARE(events.at(1).at(0).toString(), QStringLiteral("turn"));
    }

    void badFrameFromServer()
    {
        EchoServer server(name());
        QVERIFY(server.listen());
        IpcClient c;
        QVERIFY(connectClient(c));
        QSignalSpy errors(&c, &IpcClient::protocolError);
        QSignalSpy lost(&c, &IpcClient::disconnected);
        auto pending = std::make_shared<Result>();
        c.request(QStringLiteral("silent"), {}, recorder(pending), 60000);
        auto r = std::make_shared<Result>();
        c.request(QStringLiteral("badframe"), {}, recorder(r), 60000);
        QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 1, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(lost.count(), 1, 10000);
        QCOMPARE(pending->calls, 1);
        QCOMPARE(pending->reply.errorCode, QStringLiteral("disconnected"));
        QCOMPARE(r->calls, 1);
    }

    void connectFailedWithoutServer()
    {
        IpcClient c;
        QSignalSpy failed(&c, &IpcClient::connectFailed);
        c.setServerName(m_dir.filePath(QStringLiteral("nobody.sock")));
        c.connectToServer();
        QCOMPARE(failed.count(), 0); // never inside connectToServer(): callers wait after it
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 10000);
        // A sentence of ours, not Qt's "QLocalSocket::connectToServer: Invalid name".
        const QString reason = failed.at(0).at(0).toString();
        QVERIFY2(reason.startsWith(QLatin1String("nothing listens at ")), qPrintable(reason));
        QVERIFY2(!reason.contains(QLatin1String("QLocalSocket")), qPrintable(reason));
        QVERIFY(!c.isConnected());
    }

    void reconnectsAfterServerReturns()
    {
        auto server = std::make_unique<EchoServer>(name());
        QVERIFY(server->listen());
        IpcClient c;
        c.setAutoReconnect(true, 50, 400);
        QSignalSpy up(&c, &IpcClient::connected);
        QSignalSpy down(&c, &IpcClient::disconnected);
        QSignalSpy failed(&c, &IpcClient::connectFailed);
        c.setServerName(name());
        c.connectToServer();
        QTRY_COMPARE_WITH_TIMEOUT(up.count(), 1, 10000);
        server->shutdown();
        QTRY_COMPARE_WITH_TIMEOUT(down.count(), 1, 10000);
        server.reset();
        // Retries fail while nobody listens...
        QTRY_VERIFY_WITH_TIMEOUT(failed.count() >= 2, 10000);
        server = std::make_unique<EchoServer>(name());
        QVERIFY(server->listen());
        // ...and succeed once the server is back.
        QTRY_COMPARE_WITH_TIMEOUT(up.count(), 2, 10000);
        auto r = std::make_shared<Result>();
        c.request(QStringLiteral("echo"), {}, recorder(r));
        QTRY_COMPARE_WITH_TIMEOUT(r->calls, 1, 10000);
        QVERIFY(r->reply.ok);
        // An explicit disconnect stops the retries.
        c.disconnectFromServer();
        QVERIFY(!c.isConnected());
        QTRY_COMPARE_WITH_TIMEOUT(down.count(), 2, 10000);
        const int connects = up.count();
        QTest::qWait(300); // nothing may happen: no reconnect after an explicit disconnect
        QCOMPARE(up.count(), connects);
    }

    void handlerMayDestroyClient()
    {
        EchoServer server(name());
        QVERIFY(server.listen());
        auto *c = new IpcClient;
        QVERIFY(connectClient(*c));
        QPointer<IpcClient> guard(c);
        int calls = 0;
        c->request(QStringLiteral("echo"), {}, [&](const IpcReply &) {
            ++calls;
            delete c;
        });
        c->request(QStringLiteral("echo"), {}, [&](const IpcReply &) { ++calls; });
        QTRY_VERIFY_WITH_TIMEOUT(guard.isNull(), 10000);
        QTest::qWait(50);
        QCOMPARE(calls, 1); // the second is dropped with the client, not called on a dead one
    }

    void socketForHome()
    {
        QTemporaryDir home;
        const HomePaths paths(home.path());
        QCOMPARE(IpcClient::socketForHome(home.path()), paths.defaultSocketPath());
        QVERIFY(writeJsonAtomically(paths.stateFile(), {{"socket", "/some/where.sock"}}));
        QCOMPARE(IpcClient::socketForHome(home.path()), QStringLiteral("/some/where.sock"));
        QVERIFY(writeFileAtomically(paths.stateFile(), "garbage"));
        QCOMPARE(IpcClient::socketForHome(home.path()), paths.defaultSocketPath());
    }
};

QTEST_GUILESS_MAIN(TestIpcClient)
#include "tst_ipcclient.moc"
