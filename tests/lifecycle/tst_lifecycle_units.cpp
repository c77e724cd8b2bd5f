// Unit tests of the lifecycle building blocks that need no running service: the shutdown
// report, the signal bridge, the stop watchdog's budget and disarm, the restart policy, and
// the detached diagnostic (started from here, run by the real sluiced --diagnose).
#include "lifecycle/faultinjection.h"
#include "lifecycle/restartpolicy.h"
#include "lifecycle/shutdowndiagnostic.h"
#include "lifecycle/shutdownreport.h"
#include "lifecycle/signalbridge.h"
#include "lifecycle/stopwatchdog.h"
#include "supervisor/stopbudget.h"

#include "sluice/atomicjson.h"
#include "sluice/paths.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <unistd.h>

using namespace sluice;

class TestLifecycleUnits : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void reportPhasesAndFormat();
    void signalBridgeDeliversSignals();
    void watchdogBudgetAndDisarm();
    void restartPolicyDetectsSupervisors();
    void diagnosticStartsAtOnceEvenWhenToolsHang();

private:
    static QString readAll(const QString &path)
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
    }
};

void TestLifecycleUnits::reportPhasesAndFormat()
{
    QCOMPARE(ShutdownReport::phaseLine(QStringLiteral("drain"), 1.234),
             QStringLiteral("Shutdown phase: drain at +1.23s"));
    QCOMPARE(ShutdownReport::phaseLine(QStringLiteral("begin"), 0),
             QStringLiteral("Shutdown phase: begin at +0.00s"));

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("logs/last-shutdown.json"));
    ShutdownReport report(path);
    report.start(QStringLiteral("planned"));
    const QStringList names{"begin",     "notify",     "mark_resume", "drain",
                            "interrupt", "disconnect", "persist",     "exit"};
    double last = -1;
    for (const QString &n : names) {
        const double at = report.beginPhase(n);
        QVERIFY(at >= last);
        last = at;
    }
    report.setExitCode(0);
    report.setSnapshot(QJsonObject{{QStringLiteral("signal"), QStringLiteral("UNKNOWN")}});
    QVERIFY(report.write());
    const JsonFile f = readJsonFile(path);
    QVERIFY(f.isObject());
    QCOMPARE(f.object.value("cause").toString(), QStringLiteral("planned"));
    QCOMPARE(f.object.value("exit_code").toInt(-1), 0);
    QVERIFY(f.object.value("started_at").toString().endsWith(QLatin1Char('Z')));
    QVERIFY(f.object.value("total_s").toDouble(-1) >= 0);
    QCOMPARE(f.object.value("interrupted").toBool(true), false);
    QCOMPARE(f.object.value("snapshot").toObject().value("signal").toString(),
             QStringLiteral("UNKNOWN"));
    const QJsonArray phases = f.object.value("phases").toArray();
    QCOMPARE(phases.size(), names.size());
    double prevAt = -1;
    for (int i = 0; i < phases.size(); ++i) {
        const QJsonObject p = phases.at(i).toObject();
        QCOMPARE(p.value("name").toString(), names.at(i));
        QVERIFY(p.value("at_s").toDouble(-1) >= prevAt);
        QVERIFY(p.value("duration_s").toDouble(-1) >= 0);
        prevAt = p.value("at_s").toDouble();
    }
}

void TestLifecycleUnits::signalBridgeDeliversSignals()
{
    SignalBridge bridge;
    QVERIFY(bridge.install());
    QSignalSpy spy(&bridge, &SignalBridge::signalReceived);
    ::raise(SIGUSR1);
    ::raise(SIGHUP);
    QTRY_VERIFY_WITH_TIMEOUT(spy.count() >= 2, 10000);
    QCOMPARE(spy.at(0).at(0).toInt(), int(SIGUSR1));
    QCOMPARE(spy.at(1).at(0).toInt(), int(SIGHUP));
    // A second instance cannot take over the process-wide handlers.
    SignalBridge other;
    QVERIFY(!other.install());
}

void TestLifecycleUnits::watchdogBudgetAndDisarm()
{
    // The watchdog's limit is the one stop budget.
    qunsetenv("SLUICE_TEST_WATCHDOG_S");
    QCOMPARE(FaultInjection::watchdogBudgetMs(StopBudget::milliseconds(30, 5)), qint64(65000));
    QCOMPARE(FaultInjection::watchdogBudgetMs(StopBudget::milliseconds(0, 0)), qint64(30000));
    qputenv("SLUICE_TEST_WATCHDOG_S", "2.5");
    // Only a fault-injection build reads the variable; a release build ignores it.
    QCOMPARE(FaultInjection::watchdogBudgetMs(StopBudget::milliseconds(30, 5)),
             qint64(FaultInjection::isEnabled() ? 2500 : 65000));
    qunsetenv("SLUICE_TEST_WATCHDOG_S");

    // Disarmed before the limit: the handler never runs and the process goes on.
    std::atomic<bool> fired{false};
    {
        StopWatchdog dog;
        dog.arm(
            200, [&fired] { fired = true; }, 70);
        QVERIFY(dog.isArmed());
        dog.disarm();
        QVERIFY(!dog.isArmed());
    }
    QVERIFY(!fired);
}

void TestLifecycleUnits::restartPolicyDetectsSupervisors()
{
    QProcessEnvironment env;
    QVERIFY(!RestartPolicy::isSupervised(false, env));
    QVERIFY(RestartPolicy::isSupervised(true, env));
    for (const char *name : {"INVOCATION_ID", "NOTIFY_SOCKET", "XPC_SERVICE_NAME"}) {
        QProcessEnvironment e;
        e.insert(QLatin1String(name), QStringLiteral("x"));
        // Started by the manager itself: pid 1 (system) or the user manager.
        QVERIFY2(RestartPolicy::isSupervised(false, e, 1, QStringLiteral("systemd")), name);
        QVERIFY2(RestartPolicy::isSupervised(false, e, 4242, QStringLiteral("systemd")), name);
        QVERIFY2(RestartPolicy::isSupervised(false, e, 1, QStringLiteral("launchd")), name);
        // Inherited through a shell (a terminal run as a systemd user unit): nobody would
        // restart us after an exit 75.
        QVERIFY2(!RestartPolicy::isSupervised(false, e, 4242, QStringLiteral("bash")), name);
    }
    // macOS Terminal sets XPC_SERVICE_NAME=0 in every shell.
    QProcessEnvironment terminal;
    terminal.insert(QStringLiteral("XPC_SERVICE_NAME"), QStringLiteral("0"));
    QVERIFY(!RestartPolicy::isSupervised(false, terminal, 1, QStringLiteral("launchd")));
    QVERIFY(RestartPolicy::isSupervised(true, terminal, 4242, QStringLiteral("zsh")));
}

void TestLifecycleUnits::diagnosticStartsAtOnceEvenWhenToolsHang()
{
    const QString sluiced = QStringLiteral(SLUICE_BIN_DIR "/sluiced");
    QVERIFY2(QFile::exists(sluiced), qPrintable(sluiced));
    QTemporaryDir home;
    QTemporaryDir fakeBin;
    // Tools that hang: each records its pid, then sleeps far beyond the diagnostic's limit.
    for (const char *tool : {"ps", "dmesg", "journalctl"}) {
        const QString path = fakeBin.filePath(QLatin1String(tool));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(
            QStringLiteral("#!/bin/sh\necho $$ > '%1.pid'\nexec sleep 300\n").arg(path).toUtf8());
        f.close();
        QVERIFY(f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
    }
    const QByteArray oldPath = qgetenv("PATH");
    qputenv("PATH", fakeBin.path().toUtf8() + ':' + oldPath);

    QElapsedTimer t;
    t.start();
    qint64 pid = -1;
    const bool started = ShutdownDiagnostic::start(
        home.path(), SIGTERM, QCoreApplication::applicationPid(), &pid, sluiced);
    const qint64 ns = t.nsecsElapsed();
    qputenv("PATH", oldPath);
    qInfo("starting the diagnostic took %.2f ms", ns / 1e6);
    QVERIFY(started);
    QVERIFY(pid > 0);
    // The requirement is "returns at once" (< 50 ms); generous here for a loaded machine.
    QVERIFY2(ns < 500 * 1000000LL, qPrintable(QString::number(ns / 1e6)));

    const QString log = HomePaths(home.path()).diagLog();
    QTRY_VERIFY_WITH_TIMEOUT(readAll(log).contains(QLatin1String("signal=SIGTERM")), 10000);
    const QString header = readAll(log).section(QLatin1Char('\n'), 0, 0);
    QVERIFY2(QRegularExpression(
                 QStringLiteral("^=== sluiced shutdown diagnostic: signal=SIGTERM \\(15\\) "
                                "time=\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z "))
                 .match(header)
                 .hasMatch(),
             qPrintable(header));
    // The diagnostic ends by itself within its limit (5 s) despite three hung tools, and
    // kills them: no fake tool survives.
    QTRY_VERIFY_WITH_TIMEOUT(readAll(log).contains(QLatin1String("end of diagnostic")) ||
                                 readAll(log).contains(QLatin1String("cut short")),
                             15000);
    const QString text = readAll(log);
    QVERIFY2(text.contains(QLatin1String("ps timed out")), qPrintable(text));
    QVERIFY(text.contains(QLatin1String("--- service process tree")));
    for (const char *tool : {"ps", "dmesg", "journalctl"}) {
        const QString pidFile = fakeBin.filePath(QLatin1String(tool)) + QStringLiteral(".pid");
        if (!QFile::exists(pidFile))
            continue; // skipped (the limit was reached first)
        const QString toolPid = readAll(pidFile).trimmed();
        QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(QStringLiteral("/proc/%1/cmdline").arg(toolPid)) ||
                                     readAll(QStringLiteral("/proc/%1/stat").arg(toolPid))
                                         .contains(QLatin1String(") Z")),
                                 10000);
    }
}

QTEST_GUILESS_MAIN(TestLifecycleUnits)
#include "tst_lifecycle_units.moc"
