// sluicectl start / stop / restart / status with and without a service-manager unit (a fake
// systemctl on PATH), and the drain left from before a stop (docs/reference.md §4, §12).
#include "testhelpers.h"

#include "sluice/atomicjson.h"
#include "sluice/paths.h"
#include "sluice/processidentity.h"

#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

using namespace sluice;
using namespace sluice::test;

class TstCtlStart : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void leftoverDrainIsClearedByStartUnlessKept();
    void startStopRestartThroughTheServiceManager();

private:
    static qint64 runningPid(const QString &home);
    static void killLeftover(const QString &home);
    QTemporaryDir m_units;
};

void TstCtlStart::initTestCase()
{
    for (const char *v : {"INVOCATION_ID", "NOTIFY_SOCKET", "XPC_SERVICE_NAME"})
        qunsetenv(v);
    QVERIFY(m_units.isValid());
    qputenv("SLUICE_UNIT_DIR", m_units.path().toUtf8()); // never the host's own units
}

qint64 TstCtlStart::runningPid(const QString &home)
{
    const JsonFile f = readJsonFile(HomePaths(home).stateFile());
    const qint64 pid = f.object.value(QStringLiteral("pid")).toInteger(-1);
    return pid > 0 && ProcessIdentity::isAlive(pid) &&
                   ProcessIdentity::commandLine(pid).contains(home)
               ? pid
               : -1;
}

void TstCtlStart::killLeftover(const QString &home)
{
    // A service started by sluicectl or the fake manager is not the fixture's child.
    const qint64 pid = runningPid(home);
    if (pid > 0)
        ::kill(pid_t(pid), SIGKILL);
}

void TstCtlStart::leftoverDrainIsClearedByStartUnlessKept()
{
    ServiceFixture f;
    QVERIFY(f.start());
    const QStringList home{QStringLiteral("--home"), f.home()};
    const QStringList json = home + QStringList{QStringLiteral("--json")};
    const QStringList startArgs{QStringLiteral("--"), QStringLiteral("--socket"), f.socketPath(),
                                QStringLiteral("--http-port"), QStringLiteral("0")};
    auto cleanup = qScopeGuard([&] { killLeftover(f.home()); });

    CtlResult r = runCtl(json + QStringList{QStringLiteral("drain")});
    QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
    r = runCtl(json + QStringList{QStringLiteral("stop")});
    QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
    QCOMPARE(f.waitForExit(), 0);

    // Stopped with the marker in place: doctor says what the next start will do.
    r = runCtl(home + QStringList{QStringLiteral("doctor")});
    QVERIFY2(r.out.contains("it will start draining") && r.out.contains("--keep-drain"),
             qPrintable(describe(r)));

    // --keep-drain: it comes up draining, and every way of looking says why and how to end it.
    r = runCtl(json + QStringList{QStringLiteral("start"), QStringLiteral("--keep-drain")} +
               startArgs);
    QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
    QCOMPARE(r.json.value("state").toString(), QStringLiteral("draining"));
    QVERIFY(!r.json.contains("cleared_drain"));
    r = runCtl(json + QStringList{QStringLiteral("status")});
    const QJsonObject leftover = r.json.value("drain").toObject().value("leftover").toObject();
    QVERIFY2(leftover.value("principal").toString().startsWith(QLatin1String("sluicectl")),
             qPrintable(describe(r)));
    QCOMPARE(leftover.value("cancel").toString(), QStringLiteral("sluicectl cancel-drain"));
    QVERIFY(leftover.value("age_s").toDouble(-1) >= 0);
    QVERIFY(!leftover.value("requested_at").toString().isEmpty());
    r = runCtl(home + QStringList{QStringLiteral("status")});
    QVERIFY2(r.out.contains("left from before it started") &&
                 r.out.contains("`sluicectl cancel-drain` ends it"),
             qPrintable(describe(r)));
    r = runCtl(home + QStringList{QStringLiteral("doctor")});
    QVERIFY2(r.out.contains("drain left from before it started") &&
                 r.out.contains("sluicectl cancel-drain"),
             qPrintable(describe(r)));
    r = runCtl(home + QStringList{QStringLiteral("start")});
    QVERIFY2(r.exitCode == 0 && r.out.contains("already running") &&
                 r.out.contains("left from before it started"),
             qPrintable(describe(r)));
    r = runCtl(json + QStringList{QStringLiteral("stop")});
    QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));

    // A plain start clears it and says so.
    r = runCtl(home + QStringList{QStringLiteral("start")} + startArgs);
    QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
    QVERIFY2(r.out.contains("cleared a drain left from before the last stop (principal "
                            "sluicectl"),
             qPrintable(describe(r)));
    QVERIFY2(r.out.contains("sluiced is running"), qPrintable(describe(r)));
    r = runCtl(json + QStringList{QStringLiteral("status")});
    QCOMPARE(r.json.value("state").toString(), QStringLiteral("running"));
    QVERIFY(r.json.value("drain").isNull());
    r = runCtl(json + QStringList{QStringLiteral("stop")});
    QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
}

void TstCtlStart::startStopRestartThroughTheServiceManager()
{
    QTemporaryDir homeDir;
    QTemporaryDir bin;
    QTemporaryDir run;
    QVERIFY(homeDir.isValid() && bin.isValid() && run.isValid());
    const QString home = homeDir.path();
    const QString socket = run.filePath(QStringLiteral("s.sock"));
    const QString log = bin.filePath(QStringLiteral("systemctl.log"));
    const QString state = bin.filePath(QStringLiteral("unit-state"));
    auto cleanup = qScopeGuard([&] { killLeftover(home); });

    // The unit `sluicectl service install` would write names this HOME.
    {
        QFile unit(m_units.filePath(QStringLiteral("sluiced.service")));
        QVERIFY(unit.open(QIODevice::WriteOnly));
        unit.write("[Service]\nExecStart=" + ServiceFixture::binary("sluiced").toUtf8() +
                   " --home " + home.toUtf8() +
                   " --supervised\n[Install]\nWantedBy=default.target\n");
    }
    // A systemctl that does what the manager would: start sluiced detached, stop it through
    // the unit's ExecStop= (sluicectl stop, run with INVOCATION_ID as systemd does).
    const QString sluiced = ServiceFixture::binary(QStringLiteral("sluiced"));
    const QString sluicectl = ServiceFixture::binary(QStringLiteral("sluicectl"));
    const QString script =
        QStringLiteral(
            "#!/bin/sh\n"
            "echo \"$@\" >> '%1'\n"
            "[ \"$1\" = --user ] && shift\n"
            "up() { setsid '%3' --home '%4' --socket '%5' --http-port 0 </dev/null >/dev/null "
            "2>&1 & echo active > '%2'; }\n"
            "down() { INVOCATION_ID=fake '%6' --home '%4' stop >/dev/null 2>&1; "
            "echo inactive > '%2'; }\n"
            "case \"$1\" in\n"
            "start) up ;;\n"
            "stop) down ;;\n"
            "restart) down; up ;;\n"
            "is-active) s=$(cat '%2' 2>/dev/null || echo inactive); echo $s; "
            "[ \"$s\" = active ] ;;\n"
            "esac\n")
            .arg(log, state, sluiced, home, socket, sluicectl);
    {
        QFile f(bin.filePath(QStringLiteral("systemctl")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(script.toUtf8());
        f.close();
        f.setPermissions(f.permissions() | QFile::ExeOwner);
    }
    QProcessEnvironment env;
    env.insert(QStringLiteral("PATH"),
               bin.path() + QLatin1Char(':') + qEnvironmentVariable("PATH"));
    env.insert(QStringLiteral("SLUICE_UNIT_DIR"), m_units.path());
    const QStringList base{QStringLiteral("--home"), home};
    auto loggedCommands = [&] {
        QFile f(log);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    };

    // Options after -- belong to the unit, not to a start through it.
    CtlResult r = runCtl(base + QStringList{QStringLiteral("start"), QStringLiteral("--"),
                                            QStringLiteral("--http-port"), QStringLiteral("0")},
                         env);
    QCOMPARE(r.exitCode, 2);

    r = runCtl(base + QStringList{QStringLiteral("--json"), QStringLiteral("start")}, env);
    QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
    QCOMPARE(r.json.value("via").toString(), QStringLiteral("systemd-user"));
    QCOMPARE(r.json.value("state").toString(), QStringLiteral("running"));
    QVERIFY(loggedCommands().contains("--user start sluiced.service"));
    const qint64 first = runningPid(home);
    QVERIFY(first > 0);

    r = runCtl(base + QStringList{QStringLiteral("status")}, env);
    QVERIFY2(r.exitCode == 0 && r.out.contains("sluiced.service (systemd-user") &&
                 r.out.contains("): active"),
             qPrintable(describe(r)));

    // A running service restarts itself (a hand-off keeps the manager's view through MAINPID=);
    // --wait returns once the new process serves.
    r = runCtl(base + QStringList{QStringLiteral("--json"), QStringLiteral("restart"),
                                  QStringLiteral("--wait")},
               env);
    QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
    QVERIFY(!loggedCommands().contains("restart"));
    const qint64 second = r.json.value("pid").toInteger();
    QVERIFY(second > 0 && second != first);
    QCOMPARE(runningPid(home), second);
    QVERIFY(ServiceFixture::waitFor([&] { return !ProcessIdentity::isAlive(first); }));

    r = runCtl(base + QStringList{QStringLiteral("stop")}, env);
    QVERIFY2(r.exitCode == 0 && r.out.contains("through `systemctl --user stop sluiced.service`"),
             qPrintable(describe(r)));
    QVERIFY(!ProcessIdentity::isAlive(second));

    // Stopped: status says so, and names the unit and its state.
    r = runCtl(base + QStringList{QStringLiteral("status")}, env);
    QCOMPARE(r.exitCode, 3);
    QVERIFY2(r.err.contains("sluiced.service (systemd-user") && r.err.contains("inactive"),
             qPrintable(describe(r)));

    // A stopped one is the manager's to restart.
    r = runCtl(base + QStringList{QStringLiteral("--json"), QStringLiteral("restart"),
                                  QStringLiteral("--wait")},
               env);
    QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
    QVERIFY(loggedCommands().contains("--user restart sluiced.service"));
    const qint64 third = r.json.value("pid").toInteger();
    QVERIFY(third > 0 && runningPid(home) == third);
    r = runCtl(base + QStringList{QStringLiteral("stop")}, env);
    QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
    QVERIFY(!ProcessIdentity::isAlive(third));

    // Without a unit, status says how to get one.
    QFile::remove(m_units.filePath(QStringLiteral("sluiced.service")));
    r = runCtl(base + QStringList{QStringLiteral("status")}, env);
    QVERIFY2(r.err.contains("sluicectl service install"), qPrintable(describe(r)));
}

QTEST_GUILESS_MAIN(TstCtlStart)
#include "tst_ctlstart.moc"
