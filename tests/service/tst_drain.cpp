// External drain (docs/reference.md §4) against the real sluiced: the marker file, IPC drain and
// cancel, idempotence, stale markers, and a running turn that a drain does not touch.
#include "testhelpers.h"

#include "sluice/atomicjson.h"
#include "sluice/epoch.h"
#include "sluice/paths.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

using namespace sluice;
using namespace sluice::test;

namespace {

QJsonObject markerContent(const QString &epoch)
{
    return {{QStringLiteral("action"), QStringLiteral("drain")},
            {QStringLiteral("requested_at"), isoUtcNow()},
            {QStringLiteral("principal"), QStringLiteral("by-hand")},
            {QStringLiteral("epoch"), epoch},
            {QStringLiteral("suppress_notification"), false}};
}

// Writes the marker under another name first and renames it into place, so the service
// never sees a half-made marker (nor, for the expired case, a fresh mtime).
bool placeMarker(const QString &home, const QByteArray &content, const QDateTime &mtime = {})
{
    const QString tmp = home + QStringLiteral("/marker.tmp");
    QFile f(tmp);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    f.write(content);
    f.close();
    if (mtime.isValid()) {
        QFile t(tmp);
        if (!t.open(QIODevice::ReadWrite) ||
            !t.setFileTime(mtime, QFileDevice::FileModificationTime))
            return false;
    }
    return QFile::rename(tmp, HomePaths(home).drainMarker());
}

QString sendError(ServiceFixture &f, const QString &session = QStringLiteral("s1"))
{
    const IpcReply r =
        f.call(QStringLiteral("send"), {{QStringLiteral("session"), session},
                                        {QStringLiteral("text"), QStringLiteral("hi")}});
    return r.ok ? QString() : r.errorCode;
}

} // namespace

class TestDrain : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void markerByHandEntersAndLeavesDrain();
    void markerWrittenWhileDownIsHonouredFromTheStart();
    void ipcDrainIsAcknowledgedAfterTheGateClosesAndIsIdempotent();
    void runningTurnIsNotTouchedByADrain();
    void otherEpochMarkerIsIgnoredAndRemoved();
    void expiredMarkerIsIgnoredAndRemoved();
    void corruptMarkerDrains();
    void drainRequestedDuringAStopHoldsForTheNextStart();
};

namespace {
// An agent that says it started (scripts/started) and finishes once scripts/release exists.
QString holdingAgent(ServiceFixture &f)
{
    return f.writeAgentScript(QStringLiteral("hold.sh"),
                              QStringLiteral("cat > /dev/null\n"
                                             "touch '%1/started'\n"
                                             "while [ ! -e '%1/release' ]; do sleep 0.05; done\n"
                                             "echo finished\n")
                                  .arg(f.scriptsDir()));
}
} // namespace

void TestDrain::markerByHandEntersAndLeavesDrain()
{
    ServiceFixture f;
    QVERIFY(f.start());
    QElapsedTimer timer;
    timer.start();
    QVERIFY(placeMarker(f.home(),
                        QJsonDocument(markerContent(InstantiationEpoch::current())).toJson()));
    QVERIFY(f.waitForState(QStringLiteral("draining"), 5000));
    qInfo("marker -> draining in %lld ms", timer.elapsed());
    const RuntimeStatus s = f.readState();
    QCOMPARE(s.accepting, false);
    QVERIFY(s.drain.has_value());
    QCOMPARE(s.drain->source, QStringLiteral("marker"));
    QCOMPARE(s.drain->principal, QStringLiteral("by-hand"));
    QCOMPARE(sendError(f), QStringLiteral("draining"));

    timer.restart();
    QVERIFY(QFile::remove(HomePaths(f.home()).drainMarker()));
    QVERIFY(f.waitForState(QStringLiteral("running"), 5000));
    qInfo("marker removed -> running in %lld ms", timer.elapsed());
    QCOMPARE(f.readState().accepting, true);
    QVERIFY(!f.readState().drain.has_value());
    QCOMPARE(sendError(f), QString());
}

void TestDrain::markerWrittenWhileDownIsHonouredFromTheStart()
{
    ServiceFixture f;
    QVERIFY(placeMarker(f.home(),
                        QJsonDocument(markerContent(InstantiationEpoch::current())).toJson()));
    QVERIFY(f.start({}, QStringLiteral("draining")));
    QCOMPARE(f.readState().accepting, false);
    // The first state the service ever wrote was already draining (it logs its first one).
    QVERIFY2(f.logText().contains(QStringLiteral("serving; state draining, accepting false")),
             qPrintable(f.logText().right(2000)));
    QVERIFY(!f.logText().contains(QStringLiteral("serving; state running")));
    QCOMPARE(sendError(f), QStringLiteral("draining"));
}

void TestDrain::ipcDrainIsAcknowledgedAfterTheGateClosesAndIsIdempotent()
{
    ServiceFixture f;
    QVERIFY(f.start());
    auto watcher = f.newClient();
    QVERIFY(watcher);
    QList<QJsonObject> statusEvents;
    connect(watcher.get(), &IpcClient::eventReceived, this,
            [&](const QString &name, const QJsonObject &e) {
                if (name == QLatin1String("status"))
                    statusEvents << e;
            });
    QVERIFY(ServiceFixture::callOn(watcher.get(), QStringLiteral("subscribe")).ok);

    auto actor = f.newClient();
    QVERIFY(actor);
    IpcReply r = ServiceFixture::callOn(actor.get(), QStringLiteral("drain"),
                                        {{QStringLiteral("principal"), QStringLiteral("tester")}});
    QVERIFY2(r.ok, qPrintable(r.errorCode + r.errorMessage));
    QCOMPARE(r.body.value(QStringLiteral("state")).toString(), QStringLiteral("draining"));
    QCOMPARE(r.body.value(QStringLiteral("accepting")).toBool(true), false);
    // Right after the acknowledgement: refused, and the marker is on disk.
    r = ServiceFixture::callOn(actor.get(), QStringLiteral("send"),
                               {{QStringLiteral("session"), QStringLiteral("s1")},
                                {QStringLiteral("text"), QStringLiteral("x")}});
    QVERIFY(!r.ok);
    QCOMPARE(r.errorCode, QStringLiteral("draining"));
    const JsonFile marker = readJsonFile(HomePaths(f.home()).drainMarker());
    QVERIFY(marker.isObject());
    QCOMPARE(marker.object.value(QStringLiteral("principal")).toString(), QStringLiteral("tester"));
    QCOMPARE(marker.object.value(QStringLiteral("epoch")).toString(),
             InstantiationEpoch::current());
    QCOMPARE(f.readState().state, GatewayState::Draining); // acknowledged once on disk
    QCOMPARE(f.readState().drain->source, QStringLiteral("ipc"));
    QCOMPARE(f.readState().drain->principal, QStringLiteral("tester"));

    // The watcher saw exactly one status event (draining); it arrived before its own next
    // reply, so a status round-trip on the same connection flushes the ordering.
    QVERIFY(ServiceFixture::callOn(watcher.get(), QStringLiteral("status")).ok);
    QCOMPARE(statusEvents.size(), 1);
    QCOMPARE(statusEvents.last().value(QStringLiteral("state")).toString(),
             QStringLiteral("draining"));

    // Repeat: same answer, no new event.
    r = ServiceFixture::callOn(actor.get(), QStringLiteral("drain"));
    QVERIFY(r.ok);
    QCOMPARE(r.body.value(QStringLiteral("state")).toString(), QStringLiteral("draining"));
    QVERIFY(ServiceFixture::callOn(watcher.get(), QStringLiteral("status")).ok);
    QCOMPARE(statusEvents.size(), 1);

    r = ServiceFixture::callOn(actor.get(), QStringLiteral("cancel_drain"));
    QVERIFY(r.ok);
    QCOMPARE(r.body.value(QStringLiteral("state")).toString(), QStringLiteral("running"));
    QCOMPARE(r.body.value(QStringLiteral("was_draining")).toBool(), true);
    QVERIFY(!QFile::exists(HomePaths(f.home()).drainMarker()));
    QVERIFY(ServiceFixture::callOn(watcher.get(), QStringLiteral("status")).ok);
    QCOMPARE(statusEvents.size(), 2);
    QCOMPARE(statusEvents.last().value(QStringLiteral("state")).toString(),
             QStringLiteral("running"));

    r = ServiceFixture::callOn(actor.get(), QStringLiteral("cancel_drain"));
    QVERIFY(r.ok);
    QCOMPARE(r.body.value(QStringLiteral("was_draining")).toBool(true), false);
    QVERIFY(ServiceFixture::callOn(watcher.get(), QStringLiteral("status")).ok);
    QCOMPARE(statusEvents.size(), 2);
    QCOMPARE(sendError(f), QString());
    QCOMPARE(f.readState().state, GatewayState::Running); // acknowledged once on disk

    // A client that introduced itself as sluicectl drains with source "cli".
    auto cli = f.newClient();
    QVERIFY(cli);
    QVERIFY(ServiceFixture::callOn(cli.get(), QStringLiteral("hello"),
                                   {{QStringLiteral("client"), QStringLiteral("sluicectl")}})
                .ok);
    QVERIFY(ServiceFixture::callOn(cli.get(), QStringLiteral("drain")).ok);
    QCOMPARE(f.readState().state, GatewayState::Draining); // acknowledged once on disk
    QCOMPARE(f.readState().drain->source, QStringLiteral("cli"));
    QCOMPARE(f.readState().drain->principal, QStringLiteral("sluicectl"));
}

void TestDrain::runningTurnIsNotTouchedByADrain()
{
    ServiceFixture f;
    const QString dir = f.scriptsDir();
    const QString agent = holdingAgent(f);
    QVERIFY(f.start({QStringLiteral("--agent-command"), agent}));
    IpcReply r = f.call(QStringLiteral("send"), {{QStringLiteral("session"), QStringLiteral("s1")},
                                                 {QStringLiteral("text"), QStringLiteral("go")}});
    QVERIFY(r.ok);
    const QString turnId = r.body.value(QStringLiteral("turn_id")).toString();
    QVERIFY(
        ServiceFixture::waitFor([&] { return QFile::exists(dir + QStringLiteral("/started")); }));

    QVERIFY(f.call(QStringLiteral("drain")).ok);
    QCOMPARE(f.readState().state, GatewayState::Draining); // acknowledged once on disk
    r = f.call(QStringLiteral("agents"));
    QVERIFY(r.ok);
    const QJsonArray agents = r.body.value(QStringLiteral("agents")).toArray();
    QCOMPARE(agents.size(), 1);
    QCOMPARE(agents.at(0).toObject().value(QStringLiteral("turn_id")).toString(), turnId);
    QVERIFY(ServiceFixture::waitFor([&] { return f.readState().activeAgents == 1; }));

    QFile release(dir + QStringLiteral("/release"));
    QVERIFY(release.open(QIODevice::WriteOnly));
    release.close();
    const QJsonObject turn = f.waitForTurn(turnId);
    QCOMPARE(turn.value(QStringLiteral("state")).toString(), QStringLiteral("done"));
    QCOMPARE(turn.value(QStringLiteral("exit_code")).toInt(-1), 0);
    QCOMPARE(turn.value(QStringLiteral("output")).toString(), QStringLiteral("finished\n"));
    QCOMPARE(f.readState().state, GatewayState::Draining);
    QVERIFY(ServiceFixture::waitFor([&] { return f.readState().activeAgents == 0; }));
}

void TestDrain::otherEpochMarkerIsIgnoredAndRemoved()
{
    ServiceFixture f;
    QVERIFY(f.start());
    QVERIFY(placeMarker(f.home(),
                        QJsonDocument(markerContent(QStringLiteral("another-boot:1"))).toJson()));
    QVERIFY(ServiceFixture::waitFor(
        [&] { return !QFile::exists(HomePaths(f.home()).drainMarker()); }, 10000));
    QCOMPARE(f.readState().state, GatewayState::Running);
    QVERIFY(f.logText().contains(QStringLiteral("stale drain marker (other_epoch)")));
    QCOMPARE(sendError(f), QString());

    // Also at start: a leftover of another instantiation never drains a fresh service.
    ServiceFixture g;
    QVERIFY(placeMarker(g.home(),
                        QJsonDocument(markerContent(QStringLiteral("another-boot:1"))).toJson()));
    QVERIFY(g.start());
    QVERIFY(!QFile::exists(HomePaths(g.home()).drainMarker()));
}

void TestDrain::expiredMarkerIsIgnoredAndRemoved()
{
    ServiceFixture f;
    QVERIFY(f.start());
    QVERIFY(placeMarker(f.home(),
                        QJsonDocument(markerContent(InstantiationEpoch::current())).toJson(),
                        QDateTime::currentDateTimeUtc().addSecs(-7200)));
    QVERIFY(ServiceFixture::waitFor(
        [&] { return !QFile::exists(HomePaths(f.home()).drainMarker()); }, 10000));
    QCOMPARE(f.readState().state, GatewayState::Running);
    QVERIFY(f.logText().contains(QStringLiteral("stale drain marker (expired)")));
    QVERIFY(!f.logText().contains(QStringLiteral("drain entered")));

    // A short TTL expires a marker that was fresh when written: the drain ends by itself.
    ServiceFixture g;
    QVERIFY(g.start({QStringLiteral("--drain-marker-ttl"), QStringLiteral("2")}));
    QVERIFY(placeMarker(g.home(),
                        QJsonDocument(markerContent(InstantiationEpoch::current())).toJson()));
    QVERIFY(g.waitForState(QStringLiteral("draining"), 5000));
    QVERIFY(g.waitForState(QStringLiteral("running"), 10000));
    QVERIFY(!QFile::exists(HomePaths(g.home()).drainMarker()));
}

void TestDrain::corruptMarkerDrains()
{
    ServiceFixture f;
    QVERIFY(f.start());
    QVERIFY(placeMarker(f.home(), QByteArray("{\"action\": \"drain\", trunc")));
    QVERIFY(f.waitForState(QStringLiteral("draining"), 5000));
    QCOMPARE(f.readState().accepting, false);
    QVERIFY(QFile::exists(HomePaths(f.home()).drainMarker())); // not stale: kept
    QVERIFY(QFile::remove(HomePaths(f.home()).drainMarker()));
    QVERIFY(f.waitForState(QStringLiteral("running"), 5000));
}

// A stop wins over a drain, but the request is not lost: its marker makes the next start in
// this instantiation (here: the one after the stop) come up draining.
void TestDrain::drainRequestedDuringAStopHoldsForTheNextStart()
{
    ServiceFixture f;
    const QString dir = f.scriptsDir();
    const QString agent = holdingAgent(f);
    QVERIFY(f.start({QStringLiteral("--agent-command"), agent}));
    QVERIFY(f.call(QStringLiteral("send"), {{QStringLiteral("session"), QStringLiteral("s1")},
                                            {QStringLiteral("text"), QStringLiteral("go")}})
                .ok);
    QVERIFY(
        ServiceFixture::waitFor([&] { return QFile::exists(dir + QStringLiteral("/started")); }));
    QVERIFY(f.call(QStringLiteral("stop")).ok); // its drain phase waits for the turn
    QVERIFY(f.waitForState(QStringLiteral("stopping")));

    const IpcReply r = f.call(QStringLiteral("drain"));
    QVERIFY(r.ok);
    QCOMPARE(r.body.value(QStringLiteral("state")).toString(), QStringLiteral("stopping"));
    QCOMPARE(r.body.value(QStringLiteral("accepting")).toBool(true), false);
    QVERIFY(QFile::exists(HomePaths(f.home()).drainMarker()));

    QFile release(dir + QStringLiteral("/release"));
    QVERIFY(release.open(QIODevice::WriteOnly));
    release.close();
    QCOMPARE(f.waitForExit(), 0);
    QCOMPARE(f.readState().state, GatewayState::Stopped); // the stop was not reverted

    QVERIFY(f.start({QStringLiteral("--agent-command"), agent}, QStringLiteral("draining")));
    QCOMPARE(sendError(f), QStringLiteral("draining"));
}

QTEST_GUILESS_MAIN(TestDrain)
#include "tst_drain.moc"
