// The stop sequence against the real sluiced: drain, interrupt, tree kill, event order,
// .clean_shutdown, last-shutdown.json and the watchdog.
#include "testhelpers.h"

#include "sluice/atomicjson.h"
#include "sluice/paths.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace sluice;
using namespace sluice::test;

class TestLifecycleStop : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void stopWithDrainZeroInterruptsRunningTurn();
    void interruptCarriesTheReason_data();
    void interruptCarriesTheReason();
    void drainWindowLetsShortTurnFinish();
    void drainTimeoutInterruptsAndKillsStubbornTree();
    void watchdogCutsHungStopShort();
    void secondSigintHurriesTheDrain();
    void sigusr1IsAGracefulRestart();
    void cleanup();

private:
    bool subscribe(ServiceFixture &fx, QStringList *log);
    QList<qint64> m_cleanupPids;
    QString m_marksDir;
};

void TestLifecycleStop::init()
{
    // Never inherit a service manager from the environment the tests run in.
    for (const char *v : {"INVOCATION_ID", "NOTIFY_SOCKET", "XPC_SERVICE_NAME",
                          "SLUICE_TEST_HANG_PHASE", "SLUICE_TEST_WATCHDOG_S"})
        qunsetenv(v);
    m_cleanupPids.clear();
}

void TestLifecycleStop::cleanup()
{
    killPids(m_cleanupPids);
    qunsetenv("SLUICE_TEST_HANG_PHASE");
    qunsetenv("SLUICE_TEST_WATCHDOG_S");
}

// Subscribes the fixture's shared client; every event name (and "turn:<state>", and
// "DISCONNECTED" when the connection drops) is appended to *log in arrival order.
bool TestLifecycleStop::subscribe(ServiceFixture &fx, QStringList *log)
{
    IpcClient *client = fx.client();
    connect(
        client, &IpcClient::eventReceived, this, [log](const QString &name, const QJsonObject &e) {
            if (name == QLatin1String("turn"))
                log->append(QStringLiteral("turn:") + e.value(QStringLiteral("state")).toString());
            else if (name == QLatin1String("shutdown"))
                log->append(QStringLiteral("shutdown:") +
                            e.value(QStringLiteral("reason")).toString());
            else
                log->append(name);
        });
    connect(client, &IpcClient::disconnected, this,
            [log] { log->append(QStringLiteral("DISCONNECTED")); });
    bool done = false, ok = false;
    client->request(QStringLiteral("subscribe"), {}, [&](const IpcReply &r) {
        ok = r.ok;
        done = true;
    });
    return ServiceFixture::waitFor([&] { return done; }, 15000) && ok;
}

void TestLifecycleStop::stopWithDrainZeroInterruptsRunningTurn()
{
    ServiceFixture fx;
    QTemporaryDir marks;
    const QString agent = fx.writeAgentScript(
        QStringLiteral("slow.sh"),
        QStringLiteral("echo $$ >> '%1/tree.pid'\ntouch '%1/started'\nexec sleep 300\n")
            .arg(marks.path()));
    QVERIFY(fx.start({QStringLiteral("--agent-command"), agent, QStringLiteral("--drain-timeout"),
                      QStringLiteral("0")}));
    QStringList events;
    QVERIFY(subscribe(fx, &events));
    const QString turnId = sendTurn(fx, QStringLiteral("s1"));
    QVERIFY(!turnId.isEmpty());
    QVERIFY(ServiceFixture::waitFor([&] { return QFile::exists(marks.filePath("started")); }));
    m_cleanupPids = recordedPids(marks.path());

    const IpcReply r = fx.call(QStringLiteral("stop"));
    QVERIFY2(r.ok, qPrintable(r.errorCode));
    QCOMPARE(fx.waitForExit(), 0);

    QVERIFY2(events.contains(QStringLiteral("shutdown:gateway shutting down")),
             qPrintable(events.join(',')));
    QVERIFY2(events.contains(QStringLiteral("turn:interrupted")), qPrintable(events.join(',')));
    QVERIFY(events.contains(QStringLiteral("shutdown_phase")));
    QVERIFY(serviceLog(fx).contains(QLatin1String("gateway shutting down")));

    const RuntimeStatus st = fx.readState();
    QCOMPARE(st.state, GatewayState::Stopped);
    QCOMPARE(st.desiredState, DesiredState::Stopped);
    QCOMPARE(st.exitCode.value_or(-1), 0);
    QVERIFY(!QFile::exists(HomePaths(fx.home()).cleanShutdown()));

    const QJsonObject report = lastShutdown(fx);
    QCOMPARE(report.value("cause").toString(), QStringLiteral("planned"));
    QCOMPARE(report.value("exit_code").toInt(-1), 0);
    QCOMPARE(report.value("interrupted").toBool(), true);
    QCOMPARE(phaseNames(report), allPhases());
    for (qint64 pid : std::as_const(m_cleanupPids))
        QTRY_VERIFY_WITH_TIMEOUT(!pidAlive(pid), 10000);
}

void TestLifecycleStop::interruptCarriesTheReason_data()
{
    QTest::addColumn<QString>("cmd");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<int>("exitCode");
    QTest::newRow("stop") << "stop"
                          << "gateway shutting down" << 0;
    QTest::newRow("restart") << "restart"
                             << "gateway restarting" << 75;
}

// While the agent holds on after its SIGTERM, the turn shows why it was interrupted.
void TestLifecycleStop::interruptCarriesTheReason()
{
    QFETCH(QString, cmd);
    QFETCH(QString, reason);
    QFETCH(int, exitCode);
    ServiceFixture fx;
    QTemporaryDir marks;
    const QString agent = fx.writeAgentScript(
        QStringLiteral("holdon.sh"),
        QStringLiteral("trap 'touch \"%1/term\"' TERM\necho $$ >> '%1/tree.pid'\n"
                       "touch '%1/started'\n"
                       "while [ ! -e '%1/release' ]; do sleep 0.05; done\nexit 3\n")
            .arg(marks.path()));
    QVERIFY(fx.start({QStringLiteral("--agent-command"), agent, QStringLiteral("--drain-timeout"),
                      QStringLiteral("0"), QStringLiteral("--interrupt-grace"),
                      QStringLiteral("20"), QStringLiteral("--supervised")}));
    const QString turnId = sendTurn(fx, QStringLiteral("s1"));
    QVERIFY(!turnId.isEmpty());
    QVERIFY(ServiceFixture::waitFor([&] { return QFile::exists(marks.filePath("started")); }));
    m_cleanupPids = recordedPids(marks.path());

    QVERIFY(fx.call(cmd).ok);
    QVERIFY(ServiceFixture::waitFor([&] { return QFile::exists(marks.filePath("term")); }));
    const IpcReply turn = fx.call(QStringLiteral("turn"), QJsonObject{{"turn_id", turnId}});
    QVERIFY2(turn.ok, qPrintable(turn.errorCode));
    QCOMPARE(turn.body.value("interrupt_reason").toString(), reason);
    QVERIFY(serviceLog(fx).contains(QStringLiteral("Shutdown phase: interrupt at +")));
    QVERIFY(!serviceLog(fx).contains(QStringLiteral("Shutdown phase: disconnect at +")));
    QFile release(marks.filePath("release"));
    QVERIFY(release.open(QIODevice::WriteOnly));
    release.close();
    QCOMPARE(fx.waitForExit(), exitCode);
    QCOMPARE(lastShutdown(fx).value("interrupted").toBool(), true);
}

void TestLifecycleStop::drainWindowLetsShortTurnFinish()
{
    ServiceFixture fx;
    QTemporaryDir marks;
    // Finishes as soon as the test creates `go` (after the stop began).
    const QString agent = fx.writeAgentScript(
        QStringLiteral("short.sh"),
        QStringLiteral("touch '%1/started'\nwhile [ ! -e '%1/go' ]; do sleep 0.05; done\n"
                       "echo finished\n")
            .arg(marks.path()));
    QVERIFY(fx.start({QStringLiteral("--agent-command"), agent, QStringLiteral("--drain-timeout"),
                      QStringLiteral("20")}));
    QStringList events;
    QVERIFY(subscribe(fx, &events));
    QVERIFY(!sendTurn(fx, QStringLiteral("s1")).isEmpty());
    QVERIFY(ServiceFixture::waitFor([&] { return QFile::exists(marks.filePath("started")); }));

    QVERIFY(fx.call(QStringLiteral("stop")).ok);
    QVERIFY(waitForLog(fx, QStringLiteral("Shutdown phase: drain at +")));
    QVERIFY(fx.waitForState(QStringLiteral("stopping"))); // the state file is written async
    QFile go(marks.filePath("go"));
    QVERIFY(go.open(QIODevice::WriteOnly));
    go.close();
    QCOMPARE(fx.waitForExit(), 0);

    QVERIFY2(events.contains(QStringLiteral("turn:done")), qPrintable(events.join(',')));
    QVERIFY(!events.contains(QStringLiteral("turn:interrupted")));
    QVERIFY(QFile::exists(HomePaths(fx.home()).cleanShutdown()));
    const QJsonObject report = lastShutdown(fx);
    QCOMPARE(report.value("interrupted").toBool(true), false);
    QCOMPARE(phaseNames(report), allPhases());
    // Offsets never go back; every phase line is in the log, in order.
    double prev = -1;
    const QJsonArray phases = report.value("phases").toArray();
    for (const QJsonValue &v : phases) {
        const double at = v.toObject().value("at_s").toDouble(-1);
        QVERIFY(at >= prev);
        QVERIFY(v.toObject().value("duration_s").toDouble(-1) >= 0);
        prev = at;
    }
    const QString log = serviceLog(fx);
    qsizetype pos = 0;
    for (const QString &name : allPhases()) {
        const qsizetype at = log.indexOf(QStringLiteral("Shutdown phase: %1 at +").arg(name), pos);
        QVERIFY2(at >= 0, qPrintable(name));
        pos = at;
    }
    QVERIFY(QRegularExpression(QStringLiteral("Shutdown phase: exit at \\+\\d+\\.\\d\\ds"))
                .match(log)
                .hasMatch());
}

void TestLifecycleStop::drainTimeoutInterruptsAndKillsStubbornTree()
{
    ServiceFixture fx;
    QTemporaryDir marks;
    // Ignores SIGTERM (and so do its children, which inherit the ignored disposition),
    // including a child that leaves the tree's process group.
    const QString agent = fx.writeAgentScript(
        QStringLiteral("stubborn.sh"),
        QStringLiteral("trap '' TERM\n"
                       "echo $$ >> '%1/tree.pid'\n"
                       "sleep 300 &\necho $! >> '%1/tree.pid'\n"
                       "( trap '' TERM; sleep 300 ) &\necho $! >> '%1/tree.pid'\n"
                       "touch '%1/started'\n"
                       "while :; do sleep 0.2; done\n")
            .arg(marks.path()));
    QVERIFY(
        fx.start({QStringLiteral("--agent-command"), agent, QStringLiteral("--drain-timeout"),
                  QStringLiteral("1"), QStringLiteral("--interrupt-grace"), QStringLiteral("1")}));
    QStringList events;
    QVERIFY(subscribe(fx, &events));
    QVERIFY(!sendTurn(fx, QStringLiteral("s1")).isEmpty());
    QVERIFY(ServiceFixture::waitFor([&] { return QFile::exists(marks.filePath("started")); }));
    m_cleanupPids = recordedPids(marks.path());
    QCOMPARE(m_cleanupPids.size(), 3);

    QVERIFY(fx.call(QStringLiteral("stop")).ok);
    QCOMPARE(fx.waitForExit(), 0);
    // Nothing of the tree survives.
    for (qint64 pid : std::as_const(m_cleanupPids))
        QTRY_VERIFY2_WITH_TIMEOUT(!pidAlive(pid), qPrintable(QString::number(pid)), 10000);
    // The client hears `interrupted` before its connection closes.
    QTRY_VERIFY_WITH_TIMEOUT(events.contains(QStringLiteral("DISCONNECTED")), 10000);
    const qsizetype interrupted = events.indexOf(QStringLiteral("turn:interrupted"));
    QVERIFY2(interrupted >= 0, qPrintable(events.join(',')));
    QVERIFY2(interrupted < events.indexOf(QStringLiteral("DISCONNECTED")),
             qPrintable(events.join(',')));

    const QJsonObject report = lastShutdown(fx);
    QCOMPARE(report.value("interrupted").toBool(), true);
    QCOMPARE(phaseNames(report), allPhases());
    const QJsonArray phases = report.value("phases").toArray();
    // The drain waited its timeout, the interrupt its grace (then the kill).
    QVERIFY(phases.at(3).toObject().value("duration_s").toDouble() >= 0.9);
    QVERIFY(phases.at(4).toObject().value("duration_s").toDouble() >= 0.9);
    QVERIFY(!QFile::exists(HomePaths(fx.home()).cleanShutdown()));
}

void TestLifecycleStop::watchdogCutsHungStopShort()
{
#ifndef SLUICE_FAULT_INJECTION
    QSKIP("needs a SLUICE_FAULT_INJECTION build (tools/dev.sh test): the stop must hang");
#endif
    ServiceFixture fx;
    QTemporaryDir marks;
    const QString agent = fx.writeAgentScript(
        QStringLiteral("slow.sh"),
        QStringLiteral("echo $$ >> '%1/tree.pid'\ntouch '%1/started'\nexec sleep 300\n")
            .arg(marks.path()));
    // Injected faults (docs/lifecycle.md): the drain never ends; the watchdog fires at 2 s.
    qputenv("SLUICE_TEST_HANG_PHASE", "drain");
    qputenv("SLUICE_TEST_WATCHDOG_S", "2");
    QVERIFY(fx.start({QStringLiteral("--agent-command"), agent, QStringLiteral("--drain-timeout"),
                      QStringLiteral("30")}));
    qunsetenv("SLUICE_TEST_HANG_PHASE");
    qunsetenv("SLUICE_TEST_WATCHDOG_S");
    QVERIFY(!sendTurn(fx, QStringLiteral("s1")).isEmpty());
    QVERIFY(ServiceFixture::waitFor([&] { return QFile::exists(marks.filePath("started")); }));
    m_cleanupPids = recordedPids(marks.path());

    QElapsedTimer t;
    t.start();
    QVERIFY(fx.call(QStringLiteral("stop")).ok);
    const int code = fx.waitForExit(30000);
    qInfo("stop cut short after %lld ms with exit code %d", t.elapsed(), code);
    QVERIFY(code != 0);
    QCOMPARE(code, 70);

    const QJsonObject report = lastShutdown(fx);
    QCOMPARE(report.value("exit_code").toInt(), 70);
    QCOMPARE(report.value("watchdog").toObject().value("phase").toString(),
             QStringLiteral("drain"));
    QVERIFY(report.value("watchdog").toObject().value("snapshot").toObject().contains("pid"));
    QVERIFY(report.value("snapshot").toObject().contains("signal"));
    const QStringList names = phaseNames(report);
    QCOMPARE(names, (QStringList{"begin", "notify", "mark_resume", "drain", "watchdog", "exit"}));
    QVERIFY(serviceLog(fx).contains(QLatin1String("Stop watchdog fired")));
    const RuntimeStatus st = fx.readState();
    if (st.state != GatewayState::Stopped)
        qWarning("%s\n%s", qPrintable(serviceLog(fx).right(3000)),
                 qPrintable(readText(HomePaths(fx.home()).stateFile())));
    QCOMPARE(st.state, GatewayState::Stopped);
    QCOMPARE(st.exitReason, QStringLiteral("watchdog"));
    QCOMPARE(st.exitCode.value_or(-1), 70);
    // The watchdog kills what the service started before it exits.
    for (qint64 pid : std::as_const(m_cleanupPids))
        QTRY_VERIFY_WITH_TIMEOUT(!pidAlive(pid), 10000);
}

void TestLifecycleStop::secondSigintHurriesTheDrain()
{
    ServiceFixture fx;
    QTemporaryDir marks;
    const QString agent = fx.writeAgentScript(
        QStringLiteral("slow.sh"),
        QStringLiteral("echo $$ >> '%1/tree.pid'\ntouch '%1/started'\nexec sleep 300\n")
            .arg(marks.path()));
    QVERIFY(fx.start({QStringLiteral("--agent-command"), agent, QStringLiteral("--drain-timeout"),
                      QStringLiteral("60")}));
    QVERIFY(!sendTurn(fx, QStringLiteral("s1")).isEmpty());
    QVERIFY(ServiceFixture::waitFor([&] { return QFile::exists(marks.filePath("started")); }));
    m_cleanupPids = recordedPids(marks.path());

    QElapsedTimer t;
    t.start();
    fx.sendSignal(SIGINT); // a planned stop: the drain would wait up to 60 s
    QVERIFY(waitForLog(fx, QStringLiteral("Shutdown phase: drain at +")));
    fx.sendSignal(SIGINT); // hurries it; the cause stays planned
    QCOMPARE(fx.waitForExit(), 0);
    qInfo("hurried stop took %lld ms", t.elapsed());
    QVERIFY(t.elapsed() < 30000);
    const QJsonObject report = lastShutdown(fx);
    QCOMPARE(report.value("cause").toString(), QStringLiteral("planned"));
    QCOMPARE(report.value("interrupted").toBool(), true);
    QCOMPARE(phaseNames(report), allPhases());
    QVERIFY(serviceLog(fx).contains(QLatin1String("hurrying it")));
    QCOMPARE(fx.readState().desiredState, DesiredState::Stopped);
}

void TestLifecycleStop::sigusr1IsAGracefulRestart()
{
    ServiceFixture fx;
    QVERIFY(fx.start({QStringLiteral("--supervised")}));
    fx.sendSignal(SIGUSR1);
    QCOMPARE(fx.waitForExit(), 75);
    QCOMPARE(lastShutdown(fx).value("cause").toString(), QStringLiteral("restart"));
    const RuntimeStatus st = fx.readState();
    QCOMPARE(st.desiredState, DesiredState::Running);
    QVERIFY(st.restartRequested);
    QVERIFY(QFile::exists(HomePaths(fx.home()).restartPending()));
    // A clean stop (nothing ran): .clean_shutdown is written, and removed by the next start.
    QVERIFY(QFile::exists(HomePaths(fx.home()).cleanShutdown()));
    QVERIFY(fx.start({QStringLiteral("--supervised")}));
    QVERIFY(ServiceFixture::waitFor(
        [&] { return !QFile::exists(HomePaths(fx.home()).cleanShutdown()); }));
    QVERIFY(ServiceFixture::waitFor(
        [&] { return !QFile::exists(HomePaths(fx.home()).restartPending()); }));
    QVERIFY(fx.call(QStringLiteral("stop")).ok);
    QCOMPARE(fx.waitForExit(), 0);
}

QTEST_GUILESS_MAIN(TestLifecycleStop)
#include "tst_lifecycle_stop.moc"
