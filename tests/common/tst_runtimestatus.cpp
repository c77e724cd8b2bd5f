#include "sluice/atomicjson.h"
#include "sluice/runtimestatus.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>
#include <QtNumeric>

#include <limits>

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

    // Numbers an integer field cannot hold read as missing (a cast of them is undefined).
    void outOfRangeNumbers_data()
    {
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<QByteArray>("value"); // JSON text
        QTest::addColumn<qint64>("expected");  // the field after fromJson; -2 = exit_code null
        const RuntimeStatus def;
        auto rows = [&](const char *key, qint64 fallback) {
            const QByteArray k(key);
            auto row = [&](const char *name, const char *value, qint64 expected) {
                QTest::newRow((k + ' ' + name).constData()) << k << QByteArray(value) << expected;
            };
            row("1e300", "1e300", fallback);
            row("-1e300", "-1e300", fallback);
            row("2^63", "9223372036854775808", fallback);
            row("-1e19", "-1e19", fallback);
            row("2^64", "18446744073709551616", fallback);
            row("fractional", "77.5", fallback);
            row("tiny fraction", "77.0000001", fallback);
            row("string 1e300", "\"1e300\"", fallback);
            row("string NaN", "\"NaN\"", fallback);
            row("string inf", "\"inf\"", fallback);
            row("string 2^63", "\"9223372036854775808\"", fallback);
            row("string fractional", "\"77.5\"", fallback);
            row("whole in exponent form", "7.7e1", 77);
            row("whole with .0", "77.0", 77);
            row("plain", "77", 77);
        };
        rows("pid", def.pid);
        rows("start_time", def.startTime);
        rows("active_agents", def.activeAgents);
        rows("http_port", def.httpPort);
        rows("exit_code", -2);
        // Narrower fields: in range for qint64, not for them.
        QTest::newRow("pid 2^32") << QByteArray("pid") << QByteArray("4294967296") << def.pid;
        QTest::newRow("pid 2^32 + 77 (no wrap)")
            << QByteArray("pid") << QByteArray("4294967373") << def.pid;
        QTest::newRow("pid negative") << QByteArray("pid") << QByteArray("-5") << def.pid;
        QTest::newRow("active_agents 2^31")
            << QByteArray("active_agents") << QByteArray("2147483648") << qint64(def.activeAgents);
        QTest::newRow("http_port 65536")
            << QByteArray("http_port") << QByteArray("65536") << qint64(def.httpPort);
        QTest::newRow("http_port 2^32 + 80")
            << QByteArray("http_port") << QByteArray("4294967376") << qint64(def.httpPort);
        QTest::newRow("exit_code 2^31")
            << QByteArray("exit_code") << QByteArray("2147483648") << qint64(-2);
        QTest::newRow("exit_code 2^32 (no wrap to 0)")
            << QByteArray("exit_code") << QByteArray("4294967296") << qint64(-2);
        QTest::newRow("start_time INT64_MAX")
            << QByteArray("start_time") << QByteArray("9223372036854775807")
            << std::numeric_limits<qint64>::max();
        QTest::newRow("start_time INT64_MIN")
            << QByteArray("start_time") << QByteArray("-9223372036854775808")
            << std::numeric_limits<qint64>::min();
    }
    void outOfRangeNumbers()
    {
        QFETCH(QByteArray, key);
        QFETCH(QByteArray, value);
        QFETCH(qint64, expected);
        QJsonParseError error;
        const QJsonDocument doc =
            QJsonDocument::fromJson("{\"" + key + "\":" + value + "}", &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        const RuntimeStatus s = RuntimeStatus::fromJson(doc.object());
        qint64 got = 0;
        if (key == "pid")
            got = s.pid;
        else if (key == "start_time")
            got = s.startTime;
        else if (key == "active_agents")
            got = s.activeAgents;
        else if (key == "http_port")
            got = s.httpPort;
        else
            got = s.exitCode.value_or(-2);
        QCOMPARE(got, expected);
    }

    // Values JSON text cannot carry but a QJsonObject built in code can.
    void nonFiniteNumbers()
    {
        for (double d : {qQNaN(), qInf(), -qInf()}) {
            const QJsonObject o{{"pid", d},
                                {"start_time", d},
                                {"active_agents", d},
                                {"http_port", d},
                                {"exit_code", d}};
            const RuntimeStatus s = RuntimeStatus::fromJson(o);
            QCOMPARE(s, RuntimeStatus());
        }
    }
};

QTEST_GUILESS_MAIN(TestRuntimeStatus)
#include "tst_runtimestatus.moc"
