// Planned-stop marker, signals, restart (supervised and not), force-restart and session
// resume, against the real sluiced.
#include "testhelpers.h"

#include "sluice/atomicjson.h"
#include "sluice/lifecyclemarkers.h"
#include "sluice/paths.h"
#include "sluice/plannedstopmarker.h"
#include "sluice/processidentity.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace sluice;
using namespace sluice::test;

class TestLifecycleRestart : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void plannedStopMarkerNamingServiceStopsIt();
    void plannedStopMarkerNamingOtherIsIgnored();
    void markerOfOldLifeAtStartIsNotActedOn();
    void malformedMarkerIsToleratedAndRestartMarkerRestarts();
    void sigtermWithoutMarkerIsUnexpected();
    void sigtermWithMarkerIsPlanned();
    void supervisedRestartExits75AndResumes();
    void unsupervisedRestartStartsReplacement_data();
    void unsupervisedRestartStartsReplacement();
    void forceRestartInterruptsAtOnce();
    void killDuringDrainStillResumes();

private:
    QString resumeAgent(ServiceFixture &fx, const QString &marks);
    QList<qint64> m_cleanupPids;
    QString m_cleanupDir;
};

void TestLifecycleRestart::init()
{
    for (const char *v : {"INVOCATION_ID", "NOTIFY_SOCKET", "XPC_SERVICE_NAME",
                          "SLUICE_TEST_HANG_PHASE", "SLUICE_TEST_WATCHDOG_S"})
        qunsetenv(v);
    m_cleanupPids.clear();
    m_cleanupDir.clear();
}

void TestLifecycleRestart::cleanup()
{
    if (!m_cleanupDir.isEmpty())
        m_cleanupPids += recordedPids(m_cleanupDir);
    killPids(m_cleanupPids);
}

// First run: records its pid, says it started and sleeps. A resumed run (SLUICE_RESUME=1)
// writes `<marks>/resumed` with its session and exits 0.
QString TestLifecycleRestart::resumeAgent(ServiceFixture &fx, const QString &marks)
{
    return fx.writeAgentScript(
        QStringLiteral("resume.sh"),
        QStringLiteral("if [ \"$SLUICE_RESUME\" = 1 ]; then\n"
                       "  echo \"$SLUICE_SESSION\" > '%1/resumed.tmp'; mv '%1/resumed.tmp' "
                       "'%1/resumed'; exit 0\nfi\n"
                       "echo $$ >> '%1/tree.pid'\ntouch '%1/started'\nexec sleep 300\n")
            .arg(marks));
}

void TestLifecycleRestart::plannedStopMarkerNamingServiceStopsIt()
{
    ServiceFixture fx;
    QVERIFY(fx.start());
    const PlannedStopMarker marker(HomePaths(fx.home()).plannedStopMarker());
    QVERIFY(marker.write(fx.pid(), ProcessIdentity::startTime(fx.pid()), false));
    QCOMPARE(fx.waitForExit(), 0);
    const RuntimeStatus st = fx.readState();
    QCOMPARE(st.state, GatewayState::Stopped);
    QCOMPARE(st.desiredState, DesiredState::Stopped);
    QVERIFY(!QFile::exists(marker.path())); // consumed
    QCOMPARE(lastShutdown(fx).value("cause").toString(), QStringLiteral("planned"));
}

void TestLifecycleRestart::plannedStopMarkerNamingOtherIsIgnored()
{
    ServiceFixture fx;
    QVERIFY(fx.start());
    const PlannedStopMarker marker(HomePaths(fx.home()).plannedStopMarker());
    const qint64 other = QCoreApplication::applicationPid(); // alive, not the service
    QVERIFY(marker.write(other, ProcessIdentity::startTime(other), false));
    const QString line = QStringLiteral("names another process (pid %1)").arg(other);
    QVERIFY(waitForLog(fx, line));
    QCOMPARE(fx.readState().state, GatewayState::Running);
    QCOMPARE(fx.process()->state(), QProcess::Running);
    QVERIFY(QFile::exists(marker.path())); // left alone (younger than 60 s)

    QVERIFY(fx.call(QStringLiteral("stop")).ok);
    QCOMPARE(fx.waitForExit(), 0);
    QCOMPARE(fx.logText().count(line), 1);

    // Logged once, not on every periodic re-check (its age, which grows, is no news): a
    // marker 57 s old is re-checked a few times before it is old enough to be removed.
    ServiceFixture gx;
    QVERIFY(gx.start());
    const PlannedStopMarker aging(HomePaths(gx.home()).plannedStopMarker());
    QVERIFY(writeJsonAtomically(
        aging.path(),
        QJsonObject{{"target_pid", other},
                    {"target_start_time", ProcessIdentity::startTime(other)},
                    {"stopper_pid", other},
                    {"written_at", toIsoUtc(QDateTime::currentDateTimeUtc().addSecs(-57))},
                    {"restart", false}}));
    QVERIFY(ServiceFixture::waitFor([&] { return !QFile::exists(aging.path()); }, 30000));
    QVERIFY(gx.logText().contains(QStringLiteral("removing a stale planned-stop marker")));
    QCOMPARE(gx.logText().count(line), 1);
    QVERIFY(gx.call(QStringLiteral("stop")).ok);
    QCOMPARE(gx.waitForExit(), 0);
}

void TestLifecycleRestart::markerOfOldLifeAtStartIsNotActedOn()
{
    ServiceFixture fx;
    QVERIFY(fx.start());
    const qint64 oldPid = fx.pid();
    const qint64 oldStart = ProcessIdentity::startTime(oldPid);
    QVERIFY(fx.call(QStringLiteral("stop")).ok);
    QCOMPARE(fx.waitForExit(), 0);

    // A stopper's marker for the previous life, still present when the next one starts.
    const PlannedStopMarker marker(HomePaths(fx.home()).plannedStopMarker());
    QVERIFY(marker.write(oldPid, oldStart, false));
    QVERIFY(fx.start());
    QVERIFY(waitForLog(fx, QStringLiteral("names another process (pid %1)").arg(oldPid)));
    QCOMPARE(fx.readState().state, GatewayState::Running);

    // An old one (written 2 minutes ago) is removed.
    const QJsonObject old{{"target_pid", oldPid},
                          {"target_start_time", oldStart},
                          {"stopper_pid", 1},
                          {"written_at", toIsoUtc(QDateTime::currentDateTimeUtc().addSecs(-120))},
                          {"restart", false}};
    QVERIFY(writeJsonAtomically(marker.path(), old));
    QVERIFY(ServiceFixture::waitFor([&] { return !QFile::exists(marker.path()); }));
    QCOMPARE(fx.readState().state, GatewayState::Running);
    QCOMPARE(fx.process()->state(), QProcess::Running);
    QVERIFY(fx.call(QStringLiteral("stop")).ok);
    QCOMPARE(fx.waitForExit(), 0);
}

void TestLifecycleRestart::malformedMarkerIsToleratedAndRestartMarkerRestarts()
{
    ServiceFixture fx;
    QVERIFY(fx.start({QStringLiteral("--supervised")}));
    const PlannedStopMarker marker(HomePaths(fx.home()).plannedStopMarker());
    QVERIFY(writeFileAtomically(marker.path(), QByteArray("{\"target_pid\": ")));
    QVERIFY(waitForLog(fx, QStringLiteral("unreadable or malformed")));
    QCOMPARE(fx.readState().state, GatewayState::Running);
    QCOMPARE(fx.process()->state(), QProcess::Running);
    QVERIFY(QFile::exists(marker.path())); // young: left alone, never acted on

    QVERIFY(marker.write(fx.pid(), ProcessIdentity::startTime(fx.pid()), true));
    QCOMPARE(fx.waitForExit(), 75);
    QCOMPARE(lastShutdown(fx).value("cause").toString(), QStringLiteral("restart"));
    QVERIFY(fx.readState().restartRequested);
    QVERIFY(!QFile::exists(marker.path()));
}

void TestLifecycleRestart::sigtermWithoutMarkerIsUnexpected()
{
    ServiceFixture fx;
    QVERIFY(fx.start());
    const qint64 pid = fx.pid();
    fx.sendSignal(SIGTERM);
    QCOMPARE(fx.waitForExit(), 1);
    const RuntimeStatus st = fx.readState();
    QCOMPARE(st.state, GatewayState::Stopped);
    QCOMPARE(st.desiredState, DesiredState::Running);
    QCOMPARE(st.exitCode.value_or(-1), 1);
    const QJsonObject report = lastShutdown(fx);
    QCOMPARE(report.value("cause").toString(), QStringLiteral("unexpected_signal"));
    QCOMPARE(report.value("snapshot").toObject().value("signal").toString(),
             QStringLiteral("SIGTERM"));
    QVERIFY(serviceLog(fx).contains(QLatin1String("Forensics: signal=SIGTERM")));
    // The diagnostic is asynchronous: wait for its header.
    const QString diag = HomePaths(fx.home()).diagLog();
    QVERIFY(ServiceFixture::waitFor(
        [&] { return readText(diag).contains(QLatin1String("signal=SIGTERM (15)")); }, 20000));
    QVERIFY(readText(diag).contains(QStringLiteral("target_pid=%1").arg(pid)));
}

void TestLifecycleRestart::sigtermWithMarkerIsPlanned()
{
    ServiceFixture fx;
    QVERIFY(fx.start());
    const PlannedStopMarker marker(HomePaths(fx.home()).plannedStopMarker());
    QVERIFY(marker.write(fx.pid(), ProcessIdentity::startTime(fx.pid()), false));
    fx.sendSignal(SIGTERM);
    QCOMPARE(fx.waitForExit(), 0);
    const RuntimeStatus st = fx.readState();
    QCOMPARE(st.desiredState, DesiredState::Stopped);
    QCOMPARE(lastShutdown(fx).value("cause").toString(), QStringLiteral("planned"));
    QVERIFY(!QFile::exists(HomePaths(fx.home()).diagLog()) ||
            !readText(HomePaths(fx.home()).diagLog()).contains(QLatin1String("signal=SIGTERM")));
}

void TestLifecycleRestart::supervisedRestartExits75AndResumes()
{
    ServiceFixture fx;
    QTemporaryDir marks;
    m_cleanupDir = marks.path();
    const QStringList args{QStringLiteral("--agent-command"), resumeAgent(fx, marks.path()),
                           QStringLiteral("--drain-timeout"), QStringLiteral("0"),
                           QStringLiteral("--supervised")};
    QVERIFY(fx.start(args));
    QVERIFY(!sendTurn(fx, QStringLiteral("resume-me")).isEmpty());
    QVERIFY(ServiceFixture::waitFor([&] { return QFile::exists(marks.filePath("started")); }));

    const IpcReply r = fx.call(QStringLiteral("restart"), QJsonObject{{"force", false}});
    QVERIFY2(r.ok, qPrintable(r.errorCode));
    QCOMPARE(fx.waitForExit(), 75);
    const HomePaths paths(fx.home());
    const JsonFile pending = readJsonFile(paths.restartPending());
    QVERIFY(pending.isObject());
    QCOMPARE(pending.object.value("via_service").toBool(), true);
    QCOMPARE(pending.object.value("force").toBool(true), false);
    QVERIFY(!pending.object.value("requested_at").toString().isEmpty());
    const RuntimeStatus st = fx.readState();
    QCOMPARE(st.state, GatewayState::Stopped);
    QCOMPARE(st.desiredState, DesiredState::Running);
    QCOMPARE(st.restartRequested, true);
    QCOMPARE(st.exitCode.value_or(-1), 75);
    QCOMPARE(lastShutdown(fx).value("cause").toString(), QStringLiteral("restart"));

    // The "service manager" starts it again: the interrupted session runs again with
    // SLUICE_RESUME=1, and .restart_pending.json is consumed.
    QVERIFY(fx.start(args));
    QVERIFY(ServiceFixture::waitFor([&] { return QFile::exists(marks.filePath("resumed")); }));
    QCOMPARE(readText(marks.filePath("resumed")).trimmed(), QStringLiteral("resume-me"));
    QVERIFY(ServiceFixture::waitFor([&] { return !QFile::exists(paths.restartPending()); }));
    QVERIFY(waitForLog(fx, QStringLiteral("restart finished")));
    QVERIFY(fx.call(QStringLiteral("stop")).ok);
    QCOMPARE(fx.waitForExit(), 0);
}

void TestLifecycleRestart::unsupervisedRestartStartsReplacement_data()
{
    QTest::addColumn<bool>("inheritedManagerVariables");
    QTest::addColumn<bool>("handoff");
    QTest::newRow("hand-off, clean environment") << false << true;
    // A shell of a terminal that runs as a systemd user unit (or macOS Terminal) passes these
    // on; sluiced started from it is still not supervised: exit 75 would restart nothing.
    QTest::newRow("hand-off, variables inherited from a shell") << true << true;
    QTest::newRow("classic, clean environment") << false << false;
    QTest::newRow("classic, variables inherited from a shell") << true << false;
}

void TestLifecycleRestart::unsupervisedRestartStartsReplacement()
{
    QFETCH(bool, inheritedManagerVariables);
    QFETCH(bool, handoff);
    if (inheritedManagerVariables) {
        qputenv("INVOCATION_ID", "0123456789abcdef0123456789abcdef");
        qputenv("XPC_SERVICE_NAME", "0");
    }
    ServiceFixture fx;
    QVERIFY(fx.start(handoff ? QStringList() : QStringList{QStringLiteral("--no-handoff")}));
    const qint64 oldPid = fx.pid();
    QVERIFY(fx.call(QStringLiteral("restart")).ok);
    QCOMPARE(fx.waitForExit(), 0);
    qint64 newPid = -1;
    const bool replaced = ServiceFixture::waitFor(
        [&] {
            const RuntimeStatus st = fx.readState();
            if (st.pid > 0 && st.pid != oldPid && st.state == GatewayState::Running) {
                newPid = st.pid;
                return true;
            }
            return false;
        },
        30000);
    if (newPid > 0)
        m_cleanupPids << newPid; // never leave the replacement behind
    QVERIFY(replaced);
    QVERIFY(pidAlive(newPid));
    // Consumed by the new one, right after it starts serving (a hand-off writes none).
    QVERIFY(ServiceFixture::waitFor(
        [&] { return !QFile::exists(HomePaths(fx.home()).restartPending()); }));
    QCOMPARE(fx.logText().contains(QStringLiteral("hand-off done")), handoff);
    // Stop the replacement the planned way (SIGINT) and wait for it to go.
    ::kill(pid_t(newPid), SIGINT);
    QVERIFY(ServiceFixture::waitFor([&] { return !pidAlive(newPid); }, 30000));
    QCOMPARE(fx.readState().desiredState, DesiredState::Stopped);
}

void TestLifecycleRestart::forceRestartInterruptsAtOnce()
{
    ServiceFixture fx;
    QTemporaryDir marks;
    m_cleanupDir = marks.path();
    QVERIFY(fx.start({QStringLiteral("--agent-command"), resumeAgent(fx, marks.path()),
                      QStringLiteral("--drain-timeout"), QStringLiteral("60"),
                      QStringLiteral("--supervised")}));
    QVERIFY(!sendTurn(fx, QStringLiteral("s1")).isEmpty());
    QVERIFY(ServiceFixture::waitFor([&] { return QFile::exists(marks.filePath("started")); }));
    QElapsedTimer t;
    t.start();
    QVERIFY(fx.call(QStringLiteral("restart"), QJsonObject{{"force", true}}).ok);
    QCOMPARE(fx.waitForExit(), 75);
    qInfo("force-restart took %lld ms", t.elapsed());
    QVERIFY(t.elapsed() < 30000); // far below the 60 s drain
    const QJsonObject report = lastShutdown(fx);
    QCOMPARE(report.value("cause").toString(), QStringLiteral("force_restart"));
    QCOMPARE(report.value("interrupted").toBool(), true);
    const QJsonArray phases = report.value("phases").toArray();
    QCOMPARE(phases.at(3).toObject().value("name").toString(), QStringLiteral("drain"));
    QVERIFY(phases.at(3).toObject().value("duration_s").toDouble() < 1.0);
    QCOMPARE(readJsonFile(HomePaths(fx.home()).restartPending()).object.value("force").toBool(),
             true);
}

void TestLifecycleRestart::killDuringDrainStillResumes()
{
    ServiceFixture fx;
    QTemporaryDir marks;
    m_cleanupDir = marks.path();
    const QStringList args{QStringLiteral("--agent-command"), resumeAgent(fx, marks.path()),
                           QStringLiteral("--drain-timeout"), QStringLiteral("60")};
    QVERIFY(fx.start(args));
    QVERIFY(!sendTurn(fx, QStringLiteral("hard-kill")).isEmpty());
    QVERIFY(ServiceFixture::waitFor([&] { return QFile::exists(marks.filePath("started")); }));
    QVERIFY(fx.call(QStringLiteral("stop")).ok);
    QVERIFY(waitForLog(fx, QStringLiteral("Shutdown phase: drain at +")));
    fx.sendSignal(SIGKILL);
    fx.waitForExit();
    killPids(recordedPids(marks.path())); // the orphaned agent of the killed service

    QVERIFY(fx.start(args));
    QVERIFY(ServiceFixture::waitFor([&] { return QFile::exists(marks.filePath("resumed")); }));
    QCOMPARE(readText(marks.filePath("resumed")).trimmed(), QStringLiteral("hard-kill"));
    QVERIFY(fx.call(QStringLiteral("stop")).ok);
    QCOMPARE(fx.waitForExit(), 0);
}

QTEST_GUILESS_MAIN(TestLifecycleRestart)
#include "tst_lifecycle_restart.moc"
