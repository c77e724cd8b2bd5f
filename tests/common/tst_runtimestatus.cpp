#include "sluice/atomicjson.h"
#include "sluice/runtimestatus.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace sluice;

class TestRuntimeStatus : public QObject
{
    Q_OBJECT
    static RuntimeStatus full()
    {
        RuntimeStatus s;
        s.state = GatewayState::Draining;
        s.desiredState = DesiredState::Running;
        s.pid = 1234;
        s.startTime = 987654321;
        s.epoch = QStringLiteral("boot:42");
        s.accepting = false;
        s.activeAgents = 3;
        s.drain = DrainInfo{QStringLiteral("2026-11-23T09:30:00.000Z"), QStringLiteral("alice"),
                            QStringLiteral("cli"), true};
        s.exitReason = QStringLiteral("planned");
        s.exitCode = 0;
        s.restartRequested = true;
        s.socket = QStringLiteral("/tmp/s.sock");
        s.httpPort = 47470;
        s.version = QStringLiteral("0.1.0");
        s.updatedAt = QStringLiteral("2026-11-23T09:31:00.000Z");
        return s;
    }

private Q_SLOTS:
    void exactKeys()
    {
        const QJsonObject o = RuntimeStatus().toJson();
        QStringList keys = o.keys();
        keys.sort();
        QStringList expected = {"state",
                                "desired_state",
                                "pid",
                                "start_time",
                                "epoch",
                                "accepting",
                                "active_agents",
                                "drain",
                                "exit_reason",
                                "exit_code",
                                "restart_requested",
                                "socket",
                                "http_port",
                                "version",
                                "updated_at"};
        expected.sort();
        QCOMPARE(keys, expected);
    }

    void nullsWhenUnset()
    {
        const QJsonObject o = RuntimeStatus().toJson();
        QVERIFY(o.value("drain").isNull());
        QVERIFY(o.value("exit_reason").isNull());
        QVERIFY(o.value("exit_code").isNull());
        QCOMPARE(o.value("state").toString(), QStringLiteral("starting"));
        QCOMPARE(o.value("accepting").toBool(true), false);
    }

    void drainObject()
    {
        const QJsonObject d = full().toJson().value("drain").toObject();
        QStringList keys = d.keys();
        QCOMPARE(keys, QStringList({"principal", "since", "source", "suppress_notification"}));
        QCOMPARE(d.value("principal").toString(), QStringLiteral("alice"));
        QCOMPARE(d.value("suppress_notification").toBool(), true);
    }

    void roundTrip()
    {
        const RuntimeStatus s = full();
        QCOMPARE(RuntimeStatus::fromJson(s.toJson()), s);
        RuntimeStatus other = s;
        other.exitCode.reset();
        QVERIFY(other != s);
        QCOMPARE(RuntimeStatus::fromJson(other.toJson()), other);
        other.drain.reset();
        QCOMPARE(RuntimeStatus::fromJson(other.toJson()), other);
        const RuntimeStatus def;
        QCOMPARE(RuntimeStatus::fromJson(def.toJson()), def);
    }

    void roundTripThroughFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("gateway_state.json"));
        QVERIFY(writeJsonAtomically(path, full().toJson()));
        QCOMPARE(RuntimeStatus::fromJson(readJsonFile(path).object), full());
    }

    void defensiveFromJson()
    {
        const QJsonObject junk{{"state", 5},         {"pid", "77"},
                               {"accepting", "yes"}, {"drain", QJsonArray{1}},
                               {"exit_code", "x"},   {"http_port", QJsonValue()}};
        const RuntimeStatus s = RuntimeStatus::fromJson(junk);
        QCOMPARE(s.state, GatewayState::Starting);
        QCOMPARE(s.pid, qint64(77)); // numeric string accepted
        QCOMPARE(s.accepting, false);
        QVERIFY(!s.drain.has_value());
        QVERIFY(!s.exitCode.has_value());
        QCOMPARE(s.httpPort, -1);
        QCOMPARE(RuntimeStatus::fromJson(QJsonObject()), RuntimeStatus());
    }
};

QTEST_GUILESS_MAIN(TestRuntimeStatus)
#include "tst_runtimestatus.moc"
