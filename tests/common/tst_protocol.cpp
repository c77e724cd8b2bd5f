#include "sluice/protocol.h"

#include <QTest>

using namespace sluice;

class TestProtocol : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void request()
    {
        const QJsonObject r =
            Protocol::request(7, QStringLiteral("send"), {{"session", "s1"}, {"text", "hi"}});
        QCOMPARE(r.value("v").toInt(), 1);
        QCOMPARE(r.value("id").toInteger(), qint64(7));
        QCOMPARE(r.value("cmd").toString(), QStringLiteral("send"));
        QCOMPARE(r.value("session").toString(), QStringLiteral("s1"));
        QCOMPARE(r.value("text").toString(), QStringLiteral("hi"));
        // Envelope keys win over same-named args.
        const QJsonObject r2 =
            Protocol::request(8, QStringLiteral("status"), {{"v", 99}, {"id", 1}, {"cmd", "x"}});
        QCOMPARE(r2.value("v").toInt(), 1);
        QCOMPARE(r2.value("id").toInt(), 8);
        QCOMPARE(r2.value("cmd").toString(), QStringLiteral("status"));
    }

    void replies()
    {
        const QJsonObject ok = Protocol::reply(3, {{"state", "running"}});
        QCOMPARE(ok.value("v").toInt(), 1);
        QCOMPARE(ok.value("id").toInt(), 3);
        QCOMPARE(ok.value("ok").toBool(), true);
        QCOMPARE(ok.value("state").toString(), QStringLiteral("running"));
        QCOMPARE(Protocol::reply(4, {{"ok", false}}).value("ok").toBool(), true);

        const QJsonObject err =
            Protocol::errorReply(5, QString::fromLatin1(Protocol::Error::Draining),
                                 QStringLiteral("the gateway is draining"));
        QCOMPARE(err.value("v").toInt(), 1);
        QCOMPARE(err.value("id").toInt(), 5);
        QCOMPARE(err.value("ok").toBool(true), false);
        QCOMPARE(err.value("error").toObject().value("code").toString(),
                 QStringLiteral("draining"));
        QCOMPARE(err.value("error").toObject().value("message").toString(),
                 QStringLiteral("the gateway is draining"));
    }

    void events()
    {
        const QJsonObject e =
            Protocol::event(QStringLiteral("status"), {{"state", "running"}, {"id", 4}});
        QCOMPARE(e.value("v").toInt(), 1);
        QCOMPARE(e.value("event").toString(), QStringLiteral("status"));
        QCOMPARE(e.value("state").toString(), QStringLiteral("running"));
        QVERIFY(!e.contains("id")); // an event never has an id
    }

    void commands()
    {
        const QStringList all = Protocol::allCommands();
        QCOMPARE(all.size(), 15);
        for (const char *c :
             {"hello", "status", "agents", "subscribe", "drain", "cancel_drain", "stop", "restart",
              "send", "turn", "interrupt", "shutdown_report", "turns", "follow", "unfollow"})
            QVERIFY2(all.contains(QLatin1String(c)), c);
    }

    void sessionNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("valid");
        QTest::newRow("simple") << "s1" << true;
        QTest::newRow("all classes") << "Ab9._:@-" << true;
        QTest::newRow("128") << QString(128, QLatin1Char('a')) << true;
        QTest::newRow("129") << QString(129, QLatin1Char('a')) << false;
        QTest::newRow("empty") << "" << false;
        QTest::newRow("space") << "a b" << false;
        QTest::newRow("slash") << "a/b" << false;
        QTest::newRow("non-ascii") << QString::fromUtf8("caf\xc3\xa9") << false;
    }
    void sessionNames()
    {
        QFETCH(QString, name);
        QFETCH(bool, valid);
        QCOMPARE(Protocol::isValidSessionName(name), valid);
    }
};

QTEST_GUILESS_MAIN(TestProtocol)
#include "tst_protocol.moc"
