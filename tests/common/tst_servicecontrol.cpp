#include "sluice/drainmarker.h"
#include "sluice/epoch.h"
#include "sluice/paths.h"
#include "sluice/servicecontrol.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace sluice;

// ServiceControl against definition files in a temporary $SLUICE_UNIT_DIR and a fake systemctl
// (a shell script named by $SLUICE_SYSTEMCTL that records its arguments).
class TestServiceControl : public QObject
{
    Q_OBJECT
    QTemporaryDir m_units;
    QTemporaryDir m_home;
    QTemporaryDir m_bin;
    QString argsFile() const { return m_bin.filePath(QStringLiteral("args")); }

    void writeFile(const QString &path, const QByteArray &content, bool executable = false)
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(content);
        f.close();
        if (executable)
            f.setPermissions(f.permissions() | QFile::ExeOwner);
    }
    void installUnit(const QString &home, const QByteArray &target = "default.target")
    {
        writeFile(m_units.filePath(QStringLiteral("sluiced.service")),
                  "[Service]\nExecStart=/usr/bin/sluiced --home " + home.toUtf8() +
                      " --supervised\n[Install]\nWantedBy=" + target + "\n");
    }
    // A systemctl that records "$@" and answers with `output` and `code`.
    void fakeSystemctl(const QByteArray &output, int code)
    {
        const QString script = m_bin.filePath(QStringLiteral("systemctl"));
        writeFile(script,
                  "#!/bin/sh\necho \"$@\" >> '" + argsFile().toUtf8() + "'\necho '" + output +
                      "'\nexit " + QByteArray::number(code) + "\n",
                  true);
        qputenv("SLUICE_SYSTEMCTL", script.toUtf8());
    }
    QByteArray recordedArgs() const
    {
        QFile f(argsFile());
        return f.open(QIODevice::ReadOnly) ? f.readAll().trimmed() : QByteArray();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_units.isValid() && m_home.isValid() && m_bin.isValid());
        qputenv("SLUICE_UNIT_DIR", m_units.path().toUtf8());
        InstantiationEpoch::overrideCurrentForTesting(QStringLiteral("E1"));
    }
    void init()
    {
        QFile::remove(m_units.filePath(QStringLiteral("sluiced.service")));
        QFile::remove(argsFile());
        QFile::remove(HomePaths(m_home.path()).drainMarker());
        qunsetenv("SLUICE_SYSTEMCTL");
    }

    void nothingInstalled()
    {
        const ServiceControl::Unit u = ServiceControl::detect(m_home.path());
        QVERIFY(!u.installed());
        QCOMPARE(ServiceControl::managerName(u.manager), QStringLiteral("none"));
        QVERIFY(ServiceControl::managerCommand(u, ServiceControl::Action::Start).isEmpty());
    }

    void stopWithoutManagerIsTheServicesJob()
    {
        ServiceControl control(m_home.path());
        const ServiceControl::Result r = control.runAndWait(ServiceControl::Action::Stop);
        QVERIFY(!r.ok);
        QVERIFY(r.notApplicable);
        QVERIFY2(r.message.contains(QLatin1String("no service-manager unit")),
                 qPrintable(r.message));
    }

    void launchdAndWindowsCommands()
    {
        // The commands themselves are plain data: checked on every platform.
        const ServiceControl::Unit agent{ServiceControl::Manager::LaunchdAgent,
                                         QStringLiteral("io.sluice.sluiced"), QString()};
        const QStringList start =
            ServiceControl::managerCommand(agent, ServiceControl::Action::Start);
        QCOMPARE(start.value(0), QStringLiteral("launchctl"));
        QCOMPARE(start.value(1), QStringLiteral("kickstart"));
        QVERIFY(start.value(2).startsWith(QLatin1String("gui/")));
        QVERIFY(start.value(2).endsWith(QLatin1String("/io.sluice.sluiced")));
        QCOMPARE(ServiceControl::managerCommand(agent, ServiceControl::Action::Stop).mid(0, 3),
                 (QStringList{"launchctl", "kill", "SIGTERM"}));
        const ServiceControl::Unit daemon{ServiceControl::Manager::LaunchdDaemon,
                                          QStringLiteral("io.sluice.sluiced"), QString()};
        QCOMPARE(ServiceControl::managerCommand(daemon, ServiceControl::Action::Start).value(2),
                 QStringLiteral("system/io.sluice.sluiced"));
        const ServiceControl::Unit task{ServiceControl::Manager::WindowsTask,
                                        QStringLiteral("Sluice\\sluiced"), QString()};
        QCOMPARE(ServiceControl::managerCommand(task, ServiceControl::Action::Start),
                 (QStringList{"schtasks", "/Run", "/TN", "Sluice\\sluiced"}));
        // Stop and restart there are the planned-stop marker alone.
        QVERIFY(ServiceControl::managerCommand(task, ServiceControl::Action::Stop).isEmpty());
    }

#ifdef Q_OS_LINUX
    void unitForThisHomeIsFound()
    {
        installUnit(m_home.path());
        const ServiceControl::Unit u = ServiceControl::detect(m_home.path());
        QCOMPARE(u.manager, ServiceControl::Manager::SystemdUser);
        QCOMPARE(u.name, QStringLiteral("sluiced.service"));
        QCOMPARE(ServiceControl::managerCommand(u, ServiceControl::Action::Restart),
                 (QStringList{"systemctl", "--user", "restart", "sluiced.service"}));
    }

    void unitForAnotherHomeIsNotOurs()
    {
        installUnit(QStringLiteral("/somewhere/else"));
        QVERIFY(!ServiceControl::detect(m_home.path()).installed());
    }

    void systemUnitIsToldApartByItsTarget()
    {
        installUnit(m_home.path(), "multi-user.target");
        const ServiceControl::Unit u = ServiceControl::detect(m_home.path());
        QCOMPARE(u.manager, ServiceControl::Manager::SystemdSystem);
        QCOMPARE(ServiceControl::managerCommand(u, ServiceControl::Action::Stop),
                 (QStringList{"systemctl", "stop", "sluiced.service"}));
    }

    void startGoesThroughSystemctlAsynchronously()
    {
        installUnit(m_home.path());
        fakeSystemctl("", 0);
        ServiceControl control(m_home.path());
        QSignalSpy finished(&control, &ServiceControl::finished);
        control.run(ServiceControl::Action::Start);
        QVERIFY(control.isBusy()); // the fake systemctl runs while we return to the loop
        QVERIFY(finished.wait(30000));
        const auto r = finished.at(0).at(0).value<ServiceControl::Result>();
        QVERIFY2(r.ok, qPrintable(r.message));
        QCOMPARE(r.via, ServiceControl::Manager::SystemdUser);
        QCOMPARE(recordedArgs(), QByteArray("--user start sluiced.service"));
        QVERIFY(!control.isBusy());
    }

    void failureExplainsAMissingUserBus()
    {
        installUnit(m_home.path());
        fakeSystemctl("Failed to connect to bus: No medium found", 1);
        ServiceControl control(m_home.path());
        const auto r = control.runAndWait(ServiceControl::Action::Restart);
        QVERIFY(!r.ok);
        QVERIFY2(r.message.contains(QLatin1String("exit code 1")), qPrintable(r.message));
        QVERIFY2(r.message.contains(QLatin1String("loginctl enable-linger")),
                 qPrintable(r.message));
    }

    void missingToolIsAPlainSentence()
    {
        installUnit(m_home.path());
        qputenv("SLUICE_SYSTEMCTL", "none");
        ServiceControl control(m_home.path());
        const auto r = control.runAndWait(ServiceControl::Action::Start);
        QVERIFY(!r.ok);
        QVERIFY2(r.message.startsWith(QLatin1String("cannot run systemctl")),
                 qPrintable(r.message));
    }

    void startClearsALeftoverDrain()
    {
        installUnit(m_home.path());
        fakeSystemctl("", 0);
        const DrainMarker marker(HomePaths(m_home.path()).drainMarker(), QStringLiteral("E1"));
        QVERIFY(marker.write(QStringLiteral("ops"), false));
        ServiceControl control(m_home.path());
        const auto r = control.runAndWait(ServiceControl::Action::Start);
        QVERIFY2(r.ok, qPrintable(r.message));
        QVERIFY(r.drain.cleared);
        QCOMPARE(r.drain.principal, QStringLiteral("ops"));
        QVERIFY(r.drain.ageS >= 0);
        QVERIFY(!marker.evaluate().isActive());
        QCOMPARE(r.toJson().value("cleared_drain").toObject().value("principal").toString(),
                 QStringLiteral("ops"));
    }

    void keepDrainKeepsIt()
    {
        installUnit(m_home.path());
        fakeSystemctl("", 0);
        const DrainMarker marker(HomePaths(m_home.path()).drainMarker(), QStringLiteral("E1"));
        QVERIFY(marker.write(QStringLiteral("ops"), false));
        ServiceControl control(m_home.path());
        ServiceControl::Options options;
        options.keepDrain = true;
        const auto r = control.runAndWait(ServiceControl::Action::Start, options);
        QVERIFY2(r.ok, qPrintable(r.message));
        QVERIFY(!r.drain.cleared);
        QVERIFY(marker.evaluate().isActive());
    }

    void stateComesFromTheManager()
    {
        installUnit(m_home.path());
        fakeSystemctl("activating", 3);
        ServiceControl control(m_home.path());
        QCOMPARE(control.queryStateAndWait(), QStringLiteral("activating"));
        QCOMPARE(recordedArgs(), QByteArray("--user is-active sluiced.service"));
    }
#endif
};

QTEST_GUILESS_MAIN(TestServiceControl)
#include "tst_servicecontrol.moc"
