// The typed states and their wire names (docs/reference.md §3, §6, §7).
#include "sluice/states.h"

#include <QMetaEnum>
#include <QTest>

using namespace sluice;

class TestStates : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void wireNames();
    void roundTrip();
    void unknownNamesAreRejected();
    void finalAndStopping();
};

void TestStates::wireNames()
{
    QCOMPARE(wireName(GatewayState::Starting), QStringLiteral("starting"));
    QCOMPARE(wireName(GatewayState::Running), QStringLiteral("running"));
    QCOMPARE(wireName(GatewayState::Draining), QStringLiteral("draining"));
    QCOMPARE(wireName(GatewayState::Stopping), QStringLiteral("stopping"));
    QCOMPARE(wireName(GatewayState::Stopped), QStringLiteral("stopped"));
    QCOMPARE(wireName(GatewayState::StartupFailed), QStringLiteral("startup_failed"));
    QCOMPARE(wireName(DesiredState::Running), QStringLiteral("running"));
    QCOMPARE(wireName(DesiredState::Stopped), QStringLiteral("stopped"));
    QCOMPARE(wireName(TurnState::Queued), QStringLiteral("queued"));
    QCOMPARE(wireName(TurnState::Running), QStringLiteral("running"));
    QCOMPARE(wireName(TurnState::Done), QStringLiteral("done"));
    QCOMPARE(wireName(TurnState::Failed), QStringLiteral("failed"));
    QCOMPARE(wireName(TurnState::Interrupted), QStringLiteral("interrupted"));
    QCOMPARE(wireName(TurnState::Refused), QStringLiteral("refused"));
    QCOMPARE(wireName(StopCause::Planned), QStringLiteral("planned"));
    QCOMPARE(wireName(StopCause::UnexpectedSignal), QStringLiteral("unexpected_signal"));
    QCOMPARE(wireName(StopCause::Restart), QStringLiteral("restart"));
    QCOMPARE(wireName(StopCause::ForceRestart), QStringLiteral("force_restart"));
}

template<typename Enum> static void checkRoundTrip()
{
    // Every enumerator the meta-object knows has a name, and the name parses back to it.
    const QMetaEnum meta = QMetaEnum::fromType<Enum>();
    QVERIFY(meta.keyCount() > 0);
    for (int i = 0; i < meta.keyCount(); ++i) {
        const Enum value = Enum(meta.value(i));
        const QString name = wireName(value);
        QVERIFY2(!name.isEmpty(), meta.key(i));
        Enum parsed = Enum(-1);
        QVERIFY2(fromWireName(name, &parsed), qPrintable(name));
        QCOMPARE(parsed, value);
    }
}

void TestStates::roundTrip()
{
    checkRoundTrip<GatewayState>();
    checkRoundTrip<DesiredState>();
    checkRoundTrip<TurnState>();
    checkRoundTrip<StopCause>();
}

void TestStates::unknownNamesAreRejected()
{
    GatewayState g = GatewayState::Running;
    QVERIFY(!fromWireName(u"Running", &g)); // the wire names are lower case
    QVERIFY(!fromWireName(u"", &g));
    QVERIFY(!fromWireName(u"startup-failed", &g));
    QCOMPARE(g, GatewayState::Running); // untouched
    DesiredState d = DesiredState::Stopped;
    QVERIFY(!fromWireName(u"draining", &d));
    QCOMPARE(d, DesiredState::Stopped);
    TurnState t = TurnState::Queued;
    QVERIFY(!fromWireName(u"finished", &t));
    StopCause c = StopCause::Planned;
    QVERIFY(!fromWireName(u"watchdog", &c)); // an exit reason, not a cause
}

void TestStates::finalAndStopping()
{
    QVERIFY(!isFinal(TurnState::Queued));
    QVERIFY(!isFinal(TurnState::Running));
    QVERIFY(isFinal(TurnState::Done));
    QVERIFY(isFinal(TurnState::Failed));
    QVERIFY(isFinal(TurnState::Interrupted));
    QVERIFY(isFinal(TurnState::Refused));
    QVERIFY(!isStopping(GatewayState::Running));
    QVERIFY(!isStopping(GatewayState::Draining));
    QVERIFY(isStopping(GatewayState::Stopping));
    QVERIFY(isStopping(GatewayState::Stopped));
}

QTEST_GUILESS_MAIN(TestStates)
#include "tst_states.moc"
