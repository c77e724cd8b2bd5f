// sluicectl against the real service: every command, --json as one document, exit codes.
#include "testhelpers.h"

#include "sluice/atomicjson.h"
#include "sluice/paths.h"
#include "sluice/plannedstopmarker.h"
#include "sluice/processidentity.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

using namespace sluice;
using namespace sluice::test;

class TstCtl : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void notRunningExits3_data();
    void notRunningExits3();
    void usageErrorsExit2_data();
    void usageErrorsExit2();
    void everyCommandAgainstTheService();
    void restartStopStart();
    void stopWaitsForTheWholeStopBudget();
    void startDuringAStopWaitsThenStarts();
    void stopDuringARestartStopsTheReplacement();
    void stopDuringAHandoffStopsBothGenerations();
    void sendWaitFailedTurnIsAnError();
    void doctorFindsStaleLeftovers();

private:
    static void killLeftover(const QString &home);
    // Starts `sluicectl --home HOME stop` and waits until it says it is stopping.
    static bool startStop(QProcess &ctl, const QString &home, QByteArray *out);
    QTemporaryDir m_units;
};

bool TstCtl::startStop(QProcess &ctl, const QString &home, QByteArray *out)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("SLUICE_HOME"));
    ctl.setProcessEnvironment(env);
    ctl.start(ServiceFixture::binary(QStringLiteral("sluicectl")),
              {QStringLiteral("--home"), home, QStringLiteral("stop")});
    return ServiceFixture::waitFor(
        [&] {
            *out += ctl.readAllStandardOutput();
            return out->contains("stopping sluiced");
        },
        15000);
}

void TstCtl::killLeftover(const QString &home)
{
    // A service started by sluicectl (start / restart) is not the fixture's child.
    const JsonFile f = readJsonFile(HomePaths(home).stateFile());
    const qint64 pid = f.object.value(QStringLiteral("pid")).toInteger(-1);
    if (pid > 0 && ProcessIdentity::isAlive(pid) &&
        ProcessIdentity::commandLine(pid).contains(home))
        ::kill(pid_t(pid), SIGKILL);
}

void TstCtl::notRunningExits3_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("status") << QStringList{QStringLiteral("status")};
    QTest::newRow("agents") << QStringList{QStringLiteral("agents")};
    QTest::newRow("drain") << QStringList{QStringLiteral("drain")};
    QTest::newRow("drain --wait") << QStringList{QStringLiteral("drain"), QStringLiteral("--wait")};
    QTest::newRow("cancel-drain") << QStringList{QStringLiteral("cancel-drain")};
    QTest::newRow("stop") << QStringList{QStringLiteral("stop")};
    QTest::newRow("restart") << QStringList{QStringLiteral("restart")};
    QTest::newRow("send") << QStringList{QStringLiteral("send"), QStringLiteral("s1"),
                                         QStringLiteral("hi")};
    QTest::newRow("turn") << QStringList{QStringLiteral("turn"), QStringLiteral("t-1")};
    QTest::newRow("interrupt") << QStringList{QStringLiteral("interrupt"), QStringLiteral("t-1")};
}

void TstCtl::notRunningExits3()
{
    QFETCH(QStringList, args);
    QTemporaryDir home;
    const CtlResult r =
        runCtl(QStringList{QStringLiteral("--home"), home.path(), QStringLiteral("--json")} + args);
    QVERIFY2(r.oneDocument, qPrintable(describe(r)));
    QCOMPARE(r.exitCode, 3);
    QCOMPARE(r.json.value(QStringLiteral("ok")).toBool(true), false);
    QCOMPARE(
        r.json.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString(),
        QStringLiteral("not_running"));
    // Without --json: nothing on stdout, a message on stderr, the same exit code.
    const CtlResult text = runCtl(QStringList{QStringLiteral("--home"), home.path()} + args);
    QCOMPARE(text.exitCode, 3);
    QVERIFY(!text.err.isEmpty());
    // The parser accepts the single-dash spelling too; it must give JSON, not text.
    const CtlResult dash =
        runCtl(QStringList{QStringLiteral("--home"), home.path(), QStringLiteral("-json")} + args);
    QVERIFY2(dash.oneDocument && dash.exitCode == 3, qPrintable(describe(dash)));
}

void TstCtl::usageErrorsExit2_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("no command") << QStringList{};
    QTest::newRow("unknown command") << QStringList{QStringLiteral("frobnicate")};
    QTest::newRow("unknown option")
        << QStringList{QStringLiteral("drain"), QStringLiteral("--bogus")};
    QTest::newRow("option of another command")
        << QStringList{QStringLiteral("status"), QStringLiteral("--force")};
    QTest::newRow("send without text") << QStringList{QStringLiteral("send"), QStringLiteral("s1")};
    QTest::newRow("bad session") << QStringList{
        QStringLiteral("send"), QStringLiteral("bad session!"), QStringLiteral("x")};
    QTest::newRow("interrupt nothing") << QStringList{QStringLiteral("interrupt")};
    QTest::newRow("interrupt bad session") << QStringList{
        QStringLiteral("interrupt"), QStringLiteral("--session"), QStringLiteral("bad session!")};
    QTest::newRow("timeout not a number")
        << QStringList{QStringLiteral("stop"), QStringLiteral("--timeout"), QStringLiteral("soon")};
    QTest::newRow("service without verb") << QStringList{QStringLiteral("service")};
    QTest::newRow("send --timeout without --wait")
        << QStringList{QStringLiteral("send"), QStringLiteral("s1"), QStringLiteral("x"),
                       QStringLiteral("--timeout"), QStringLiteral("5")};
    QTest::newRow("start with a stray argument")
        << QStringList{QStringLiteral("start"), QStringLiteral("now")};
    QTest::newRow("service bad verb")
        << QStringList{QStringLiteral("service"), QStringLiteral("explode")};
}

void TstCtl::usageErrorsExit2()
{
    QFETCH(QStringList, args);
    QTemporaryDir home;
    const CtlResult r =
        runCtl(QStringList{QStringLiteral("--home"), home.path(), QStringLiteral("--json")} + args);
    QVERIFY2(r.oneDocument, qPrintable(describe(r)));
    QCOMPARE(r.exitCode, 2);
    QCOMPARE(
        r.json.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString(),
        QStringLiteral("usage"));
}

void TstCtl::everyCommandAgainstTheService()
{
    ServiceFixture f;
    QVERIFY(f.start({QStringLiteral("--agent-command"), blockingAgent(f)}));
    const QStringList base{QStringLiteral("--home"), f.home(), QStringLiteral("--json")};
    auto ctl = [&](const QStringList &args) { return runCtl(base + args); };

    CtlResult r = ctl({QStringLiteral("status")});
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));
    QCOMPARE(r.json.value(QStringLiteral("state")).toString(), QStringLiteral("running"));
    QVERIFY(r.json.contains(QStringLiteral("supervisor")));
    const CtlResult text = runCtl({QStringLiteral("--home"), f.home(), QStringLiteral("status")});
    QCOMPARE(text.exitCode, 0);
    QVERIFY(text.out.contains("running"));

    // send --wait prints the output of a finished turn.
    r = ctl({QStringLiteral("send"), QStringLiteral("s1"), QStringLiteral("hello"),
             QStringLiteral("--wait")});
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));
    QCOMPARE(r.json.value(QStringLiteral("state")).toString(), QStringLiteral("done"));
    QVERIFY(
        r.json.value(QStringLiteral("output")).toString().contains(QStringLiteral("reply: hello")));
    const QString doneTurn = r.json.value(QStringLiteral("turn_id")).toString();

    r = ctl({QStringLiteral("turn"), doneTurn});
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));
    QCOMPARE(r.json.value(QStringLiteral("turn_id")).toString(), doneTurn);
    r = ctl({QStringLiteral("turn"), QStringLiteral("t-does-not-exist")});
    QVERIFY2(r.oneDocument && r.exitCode == 1, qPrintable(describe(r)));

    // A blocked turn, then agents / interrupt --session.
    r = ctl({QStringLiteral("send"), QStringLiteral("s2"), QStringLiteral("block me")});
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));
    QVERIFY(ServiceFixture::waitFor([&] { return f.readState().activeAgents == 1; }));
    r = ctl({QStringLiteral("agents")});
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));
    QCOMPARE(r.json.value(QStringLiteral("agents")).toArray().size(), 1);
    r = ctl({QStringLiteral("interrupt"), QStringLiteral("--session"), QStringLiteral("s2")});
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));
    QCOMPARE(r.json.value(QStringLiteral("interrupted")).toInt(), 1);
    QVERIFY(ServiceFixture::waitFor([&] { return f.readState().activeAgents == 0; }));
    r = ctl({QStringLiteral("interrupt"), QStringLiteral("t-unknown")});
    QVERIFY2(r.oneDocument && (r.exitCode == 0 || r.exitCode == 1), qPrintable(describe(r)));

    // drain / cancel-drain.
    r = ctl({QStringLiteral("drain")});
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));
    QCOMPARE(r.json.value(QStringLiteral("accepting")).toBool(true), false);
    r = ctl({QStringLiteral("send"), QStringLiteral("s3"), QStringLiteral("refused")});
    QVERIFY2(r.oneDocument && r.exitCode == 1, qPrintable(describe(r)));
    QCOMPARE(
        r.json.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString(),
        QStringLiteral("draining"));
    r = ctl({QStringLiteral("cancel-drain")});
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));
    QCOMPARE(r.json.value(QStringLiteral("was_draining")).toBool(), true);

    // drain --wait returns only once the running turn is done.
    r = ctl({QStringLiteral("send"), QStringLiteral("s4"), QStringLiteral("block again")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(ServiceFixture::waitFor([&] { return f.readState().activeAgents == 1; }));
    QProcess waiter;
    waiter.start(ServiceFixture::binary(QStringLiteral("sluicectl")),
                 base + QStringList{QStringLiteral("drain"), QStringLiteral("--wait"),
                                    QStringLiteral("--timeout"), QStringLiteral("40")});
    QVERIFY(waiter.waitForStarted());
    QVERIFY(f.waitForState(QStringLiteral("draining")));
    QVERIFY(!waiter.waitForFinished(300)); // the turn still runs (not a sleep: a bound)
    release(f);
    QVERIFY(waiter.waitForFinished(30000));
    QCOMPARE(waiter.exitCode(), 0);
    const QJsonObject waited = QJsonDocument::fromJson(waiter.readAllStandardOutput()).object();
    QCOMPARE(waited.value(QStringLiteral("active_agents")).toInt(-1), 0);
    QCOMPARE(waited.value(QStringLiteral("ok")).toBool(), true);
    QCOMPARE(ctl({QStringLiteral("cancel-drain")}).exitCode, 0);

    // doctor on a healthy HOME.
    r = ctl({QStringLiteral("doctor")});
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));
    QVERIFY(r.json.value(QStringLiteral("checks")).toArray().size() >= 8);
    // A token readable by others is a failed check and a non-zero exit.
    QFile::setPermissions(HomePaths(f.home()).controlToken(), QFileDevice::ReadOwner |
                                                                  QFileDevice::WriteOwner |
                                                                  QFileDevice::ReadOther);
    r = ctl({QStringLiteral("doctor")});
    QVERIFY2(r.oneDocument && r.exitCode == 1, qPrintable(describe(r)));
    QCOMPARE(r.json.value(QStringLiteral("verdict")).toString(), QStringLiteral("fail"));
    QFile::setPermissions(HomePaths(f.home()).controlToken(),
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner);

    // stop writes the marker, signals and waits: exit 0, the service exited 0 (planned).
    r = ctl({QStringLiteral("stop"), QStringLiteral("--timeout"), QStringLiteral("30")});
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));
    QCOMPARE(f.waitForExit(20000), 0);
    QCOMPARE(f.readState().desiredState, DesiredState::Stopped);

    r = ctl({QStringLiteral("shutdown-report")});
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));
    QCOMPARE(r.json.value(QStringLiteral("cause")).toString(), QStringLiteral("planned"));
    QVERIFY(!r.json.value(QStringLiteral("phases")).toArray().isEmpty());

    r = ctl({QStringLiteral("status")});
    QVERIFY2(r.oneDocument && r.exitCode == 3, qPrintable(describe(r)));
    r = ctl({QStringLiteral("stop")});
    QVERIFY2(r.oneDocument && r.exitCode == 3, qPrintable(describe(r)));
    // After a planned stop, --if-desired does not start it.
    r = ctl({QStringLiteral("start"), QStringLiteral("--if-desired")});
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));
    QCOMPARE(r.json.value(QStringLiteral("started")).toBool(true), false);
}

void TstCtl::restartStopStart()
{
    ServiceFixture f;
    QVERIFY(f.start());
    const QString home = f.home();
    const QStringList base{QStringLiteral("--home"), home, QStringLiteral("--json")};
    auto cleanup = qScopeGuard([&] { killLeftover(home); });

    // restart without a service manager: a replacement starts and the old one exits 0.
    const qint64 oldPid = f.pid();
    CtlResult r = runCtl(base + QStringList{QStringLiteral("restart")});
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));
    QCOMPARE(r.json.value(QStringLiteral("accepted")).toBool(), true);
    QCOMPARE(f.waitForExit(30000), 0);
    QVERIFY(ServiceFixture::waitFor(
        [&] {
            const RuntimeStatus s = f.readState();
            return s.pid != oldPid && s.pid > 0 && s.state == GatewayState::Running;
        },
        30000));
    r = runCtl(base + QStringList{QStringLiteral("status")});
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));

    // start while running: nothing to do.
    r = runCtl(base + QStringList{QStringLiteral("start")});
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));
    QCOMPARE(r.json.value(QStringLiteral("already_running")).toBool(), true);

    r = runCtl(base + QStringList{QStringLiteral("stop"), QStringLiteral("--timeout"),
                                  QStringLiteral("30")});
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));

    // start (explicit) brings it back even after a planned stop; extra options after --.
    r = runCtl(base + QStringList{QStringLiteral("start"), QStringLiteral("--"),
                                  QStringLiteral("--http-port"), QStringLiteral("0")});
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));
    QCOMPARE(r.json.value(QStringLiteral("started")).toBool(), true);
    QCOMPARE(r.json.value(QStringLiteral("state")).toString(), QStringLiteral("running"));
    r = runCtl(base + QStringList{QStringLiteral("stop"), QStringLiteral("--timeout"),
                                  QStringLiteral("30")});
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));

    // An unexpected death keeps desired_state running: --if-desired starts it.
    r = runCtl(base + QStringList{QStringLiteral("start"), QStringLiteral("--"),
                                  QStringLiteral("--http-port"), QStringLiteral("0")});
    QCOMPARE(r.exitCode, 0);
    const qint64 pid = r.json.value(QStringLiteral("pid")).toInteger();
    ::kill(pid_t(pid), SIGTERM); // no marker: unexpected signal
    QVERIFY(ServiceFixture::waitFor([&] { return !ProcessIdentity::isAlive(pid); }, 30000));
    QCOMPARE(f.readState().desiredState, DesiredState::Running);
    r = runCtl(base + QStringList{QStringLiteral("start"), QStringLiteral("--if-desired"),
                                  QStringLiteral("--"), QStringLiteral("--http-port"),
                                  QStringLiteral("0")});
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));
    QCOMPARE(r.json.value(QStringLiteral("started")).toBool(), true);
    r = runCtl(base + QStringList{QStringLiteral("stop"), QStringLiteral("--timeout"),
                                  QStringLiteral("30")});
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));
}

void TstCtl::stopWaitsForTheWholeStopBudget()
{
    // Without --timeout, stop waits at least as long as the service's own stop budget (drain
    // timeout + interrupt grace + 30 s): a long interrupt grace must not make it give up early.
    ServiceFixture f;
    QVERIFY(f.start({QStringLiteral("--drain-timeout"), QStringLiteral("1"),
                     QStringLiteral("--interrupt-grace"), QStringLiteral("50")}));
    const CtlResult r = runCtl(
        {QStringLiteral("--home"), f.home(), QStringLiteral("--json"), QStringLiteral("stop")});
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));
    QVERIFY2(r.json.value(QStringLiteral("timeout_s")).toDouble() >= 1 + 50 + 30,
             qPrintable(describe(r)));
    QCOMPARE(f.waitForExit(30000), 0);
}

void TstCtl::startDuringAStopWaitsThenStarts()
{
    // `start` while a stop is under way must not answer "already running" (nothing would run
    // a moment later): it waits for the exit and then starts a new service.
    ServiceFixture f;
    QVERIFY(f.start({QStringLiteral("--agent-command"), blockingAgent(f),
                     QStringLiteral("--drain-timeout"), QStringLiteral("3")}));
    const QString home = f.home();
    auto cleanup = qScopeGuard([&] { killLeftover(home); });
    const qint64 oldPid = f.pid();
    QVERIFY(f.call(QStringLiteral("send"), {{"session", "s1"}, {"text", "block"}}).ok);
    QVERIFY(ServiceFixture::waitFor([&] { return f.readState().activeAgents == 1; }, 15000));
    QVERIFY(f.call(QStringLiteral("stop")).ok);
    QVERIFY(ServiceFixture::waitFor([&] { return f.readState().state == GatewayState::Stopping; },
                                    15000));

    const QStringList base{QStringLiteral("--home"), home, QStringLiteral("--json")};
    CtlResult r = runCtl(base + QStringList{QStringLiteral("start"), QStringLiteral("--"),
                                            QStringLiteral("--http-port"), QStringLiteral("0")});
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));
    QVERIFY2(r.json.value(QStringLiteral("started")).toBool(), qPrintable(describe(r)));
    QVERIFY(r.json.value(QStringLiteral("pid")).toInteger() != oldPid);
    QCOMPARE(f.waitForExit(30000), 0);
    r = runCtl(base + QStringList{QStringLiteral("stop"), QStringLiteral("--timeout"),
                                  QStringLiteral("30")});
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));
}

void TstCtl::stopDuringARestartStopsTheReplacement()
{
    // A stop that arrives while a (classic) restart drains: the old process still restarts
    // (the cause is decided once) and, without a service manager, starts its replacement.
    // `stop` must stop that one too instead of reporting "stopped" while a service runs.
    ServiceFixture f;
    QVERIFY(f.start(
        {QStringLiteral("--agent-command"), blockingAgent(f), QStringLiteral("--no-handoff")}));
    const QString home = f.home();
    auto cleanup = qScopeGuard([&] { killLeftover(home); });
    const qint64 oldPid = f.pid();
    QVERIFY(f.call(QStringLiteral("send"), {{"session", "s1"}, {"text", "block"}}).ok);
    QVERIFY(ServiceFixture::waitFor([&] { return f.readState().activeAgents == 1; }, 15000));
    QVERIFY(f.call(QStringLiteral("restart"), {{"force", false}}).ok);
    QVERIFY(ServiceFixture::waitFor([&] { return f.readState().state == GatewayState::Stopping; },
                                    15000));

    QProcess ctl;
    QByteArray out;
    QVERIFY(startStop(ctl, home, &out));
    release(f); // the drain ends: the old process restarts
    QCOMPARE(f.waitForExit(30000), 0);
    QVERIFY(ctl.waitForFinished(60000));
    out += ctl.readAllStandardOutput();
    QVERIFY2(ctl.exitCode() == 0, out.constData());
    QVERIFY2(out.contains("replacement"), out.constData());
    const RuntimeStatus last = f.readState();
    QVERIFY(last.pid != oldPid);
    QVERIFY2(!ProcessIdentity::isSameProcess(last.pid, last.startTime), out.constData());
    QCOMPARE(last.state, GatewayState::Stopped);
    QCOMPARE(last.desiredState, DesiredState::Stopped);
}

void TstCtl::stopDuringAHandoffStopsBothGenerations()
{
    // After a hand-off the successor serves while the predecessor finishes a turn: `stop`
    // stops the successor, which tells the predecessor to finish within the same drain and
    // exits only after it; both end, and the state file says stopped.
    ServiceFixture f;
    QVERIFY(f.start({QStringLiteral("--agent-command"), blockingAgent(f)}));
    const QString home = f.home();
    auto cleanup = qScopeGuard([&] { killLeftover(home); });
    const qint64 oldPid = f.pid();
    QVERIFY(f.call(QStringLiteral("send"), {{"session", "s1"}, {"text", "block"}}).ok);
    QVERIFY(ServiceFixture::waitFor([&] { return f.readState().activeAgents == 1; }, 15000));
    QVERIFY(f.call(QStringLiteral("restart"), {{"force", false}}).ok);
    qint64 successor = -1;
    QVERIFY(ServiceFixture::waitFor(
        [&] {
            const RuntimeStatus st = f.readState();
            successor = st.pid;
            return st.pid != oldPid && st.state == GatewayState::Running;
        },
        15000));

    QProcess ctl;
    QByteArray out;
    QVERIFY(startStop(ctl, home, &out));
    QVERIFY(pidAlive(successor)); // waits for its predecessor's turn
    release(f);
    QCOMPARE(f.waitForExit(30000), 0);
    QVERIFY(ctl.waitForFinished(60000));
    out += ctl.readAllStandardOutput();
    QVERIFY2(ctl.exitCode() == 0, out.constData());
    QVERIFY(ServiceFixture::waitFor([&] { return !pidAlive(successor); }, 30000));
    const RuntimeStatus last = f.readState();
    QCOMPARE(last.pid, successor);
    QCOMPARE(last.state, GatewayState::Stopped);
    QCOMPARE(last.desiredState, DesiredState::Stopped);
}

void TstCtl::sendWaitFailedTurnIsAnError()
{
    // A turn that fails makes `send --wait` exit 1 with the documented error shape.
    ServiceFixture f;
    QVERIFY(f.start({QStringLiteral("--agent-command"),
                     f.writeAgentScript(QStringLiteral("fail.sh"),
                                        QStringLiteral("cat >/dev/null\necho nope\nexit 3\n"))}));
    const CtlResult r = runCtl({QStringLiteral("--home"), f.home(), QStringLiteral("--json"),
                                QStringLiteral("send"), QStringLiteral("s1"), QStringLiteral("x"),
                                QStringLiteral("--wait")});
    QVERIFY2(r.oneDocument && r.exitCode == 1, qPrintable(describe(r)));
    QCOMPARE(r.json.value(QStringLiteral("ok")).toBool(true), false);
    QCOMPARE(r.json.value(QStringLiteral("exit_code")).toInt(), 1);
    QCOMPARE(
        r.json.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString(),
        QStringLiteral("turn_failed"));
    QCOMPARE(r.json.value(QStringLiteral("state")).toString(), QStringLiteral("failed"));
    QVERIFY(r.json.value(QStringLiteral("output")).toString().contains(QStringLiteral("nope")));
}

void TstCtl::initTestCase()
{
    // These tests expect the unsupervised behaviour (a restart starts its own replacement),
    // also when the test runner itself runs under systemd.
    for (const char *v : {"INVOCATION_ID", "NOTIFY_SOCKET", "XPC_SERVICE_NAME"})
        qunsetenv(v);
    // doctor looks for an installed unit: never the real user's.
    qputenv("SLUICE_UNIT_DIR", m_units.path().toUtf8());
}

void TstCtl::doctorFindsStaleLeftovers()
{
    QTemporaryDir home;
    const HomePaths paths(home.path());
    QVERIFY(paths.ensureHome());
    // A pid that surely belonged to a process that is gone now.
    QProcess gone;
    gone.start(QStringLiteral("true"), QStringList());
    QVERIFY(gone.waitForFinished(10000));
    const qint64 deadPid = gone.processId() > 0 ? gone.processId() : 999999;

    // A drain marker from another machine instantiation, a planned-stop marker naming a dead
    // process, a lock left by a dead process.
    QVERIFY(writeJsonAtomically(paths.drainMarker(),
                                {{QStringLiteral("action"), QStringLiteral("drain")},
                                 {QStringLiteral("epoch"), QStringLiteral("another-boot")},
                                 {QStringLiteral("requested_at"), isoUtcNow()}}));
    QVERIFY(PlannedStopMarker(paths.plannedStopMarker()).write(deadPid, -1, false));
    QFile lock(paths.lockFile());
    QVERIFY(lock.open(QIODevice::WriteOnly));
    lock.write(QByteArray::number(deadPid) + "\nsluiced\n" + QSysInfo::machineHostName().toUtf8() +
               "\n");
    lock.close();

    const CtlResult r = runCtl({QStringLiteral("--home"), home.path(), QStringLiteral("--json"),
                                QStringLiteral("doctor")});
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));
    QCOMPARE(r.json.value(QStringLiteral("verdict")).toString(), QStringLiteral("warn"));
    QHash<QString, QString> verdicts;
    const QJsonArray checks = r.json.value(QStringLiteral("checks")).toArray();
    for (const QJsonValue &v : checks)
        verdicts.insert(v.toObject().value(QStringLiteral("name")).toString(),
                        v.toObject().value(QStringLiteral("verdict")).toString());
    QCOMPARE(verdicts.value(QStringLiteral("drain_marker")), QStringLiteral("warn"));
    QCOMPARE(verdicts.value(QStringLiteral("planned_stop_marker")), QStringLiteral("warn"));
    QCOMPARE(verdicts.value(QStringLiteral("lock")), QStringLiteral("ok"));
    QVERIFY(r.out.contains("left by dead pid"));
}

QTEST_GUILESS_MAIN(TstCtl)
#include "tst_ctl.moc"
