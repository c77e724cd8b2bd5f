// The units an administrator deploys: the generated system unit (dedicated user, state and
// work folders, sandbox) passes `systemd-analyze verify` and rates an exposure of at most 4.0
// in `systemd-analyze security`; a user unit without a user bus is explained, not passed
// through. docs/service-managers.md.
#include "testhelpers.h"
#include "toolrun.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace sluice::test;

namespace {
bool hasLine(const QString &unit, const QString &line)
{
    return unit.split(QLatin1Char('\n')).contains(line);
}
} // namespace

class TstDeployUnits : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void systemUnitRunsAsTheDedicatedUser();
    void systemUnitVerifies();
    void systemUnitExposureIsAtMostFour();
    void systemUnitWithOwnHomeKeepsItWritable();
    void missingUserBusIsExplained();

private:
    QProcessEnvironment env(const QString &systemctl = QString()) const
    {
        QProcessEnvironment e;
        e.insert(QStringLiteral("SLUICE_UNIT_DIR"), m_units->path());
        e.insert(QStringLiteral("SLUICE_SYSTEMCTL"),
                 systemctl.isEmpty() ? QStringLiteral("none") : systemctl);
        return e;
    }
    // `service install --system --dry-run` with no HOME named: the dedicated user's unit.
    CtlResult dryRunSystem(const QStringList &extra = {}) const
    {
        return runCtl(QStringList{QStringLiteral("--json")} + extra +
                          QStringList{QStringLiteral("service"), QStringLiteral("install"),
                                      QStringLiteral("--system"), QStringLiteral("--dry-run"),
                                      QStringLiteral("--platform"), QStringLiteral("systemd")},
                      env());
    }
    // The dedicated user's unit in a file for systemd-analyze; empty when it cannot be made.
    QString systemUnitFile() const
    {
        const CtlResult r = dryRunSystem();
        if (r.exitCode != 0) {
            qWarning("%s", qPrintable(describe(r)));
            return {};
        }
        const QString path = m_scratch->path() + QStringLiteral("/sluiced.service");
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return {};
        f.write(r.json.value(QStringLiteral("content")).toString().toUtf8());
        return path;
    }
    std::unique_ptr<QTemporaryDir> m_units, m_scratch;
};

void TstDeployUnits::init()
{
    m_units = std::make_unique<QTemporaryDir>();
    m_scratch = std::make_unique<QTemporaryDir>();
}

void TstDeployUnits::systemUnitRunsAsTheDedicatedUser()
{
    const CtlResult r = dryRunSystem();
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));
    const QString unit = r.json.value(QStringLiteral("content")).toString();
    for (const char *line :
         {"User=sluice", "StateDirectory=sluice", "StateDirectoryMode=0700",
          "CacheDirectory=sluice", "WorkingDirectory=/var/lib/sluice",
          "Environment=SLUICE_HOME=/var/lib/sluice", "ProtectSystem=strict", "ProtectHome=yes",
          "PrivateTmp=yes", "NoNewPrivileges=yes", "UMask=0077",
          "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
          "CapabilityBoundingSet=", "Delegate=yes", "KillMode=mixed",
          "Documentation=man:sluiced(8) man:sluicectl(1)", "WantedBy=multi-user.target"})
        QVERIFY2(hasLine(unit, QString::fromLatin1(line)), line);
    QVERIFY(unit.contains(QStringLiteral(" --home /var/lib/sluice --supervised\n")));
    // The user is created before the unit is enabled.
    const QJsonArray commands = r.json.value(QStringLiteral("commands")).toArray();
    QCOMPARE(commands.at(0).toArray().at(0).toString(), QStringLiteral("systemd-sysusers"));
    QVERIFY(commands.at(0).toArray().at(2).toString().startsWith(QStringLiteral("u sluice ")));
    QCOMPARE(r.json.value(QStringLiteral("path")).toString(),
             m_units->path() + QStringLiteral("/sluiced.service"));
}

void TstDeployUnits::systemUnitVerifies()
{
    const QString analyze = QStandardPaths::findExecutable(QStringLiteral("systemd-analyze"));
    if (analyze.isEmpty())
        QSKIP("systemd-analyze is not installed (Debian: apt-get install systemd)");
    const QString path = systemUnitFile();
    QVERIFY(!path.isEmpty());
    // The man pages are checked where they are installed (tst_package); here only the unit.
    const ToolRun v =
        runTool(analyze, {QStringLiteral("verify"), QStringLiteral("--man=no"), path});
    QVERIFY2(v.exitCode == 0, v.out.constData());
    QVERIFY2(!v.out.contains("sluiced.service:"), v.out.constData());
}

void TstDeployUnits::systemUnitExposureIsAtMostFour()
{
    const QString analyze = QStandardPaths::findExecutable(QStringLiteral("systemd-analyze"));
    if (analyze.isEmpty())
        QSKIP("systemd-analyze is not installed (Debian: apt-get install systemd)");
    const QString path = systemUnitFile();
    QVERIFY(!path.isEmpty());
    const ToolRun s =
        runTool(analyze, {QStringLiteral("security"), QStringLiteral("--offline=true"),
                          QStringLiteral("--no-pager"), path});
    static const QRegularExpression overall(
        QStringLiteral("Overall exposure level for sluiced\\.service: ([0-9.]+) (\\S+)"));
    const QRegularExpressionMatch m = overall.match(QString::fromUtf8(s.out));
    if (!m.hasMatch() && s.out.contains("offline"))
        QSKIP(qPrintable(QStringLiteral("this systemd-analyze has no --offline: ") +
                         QString::fromUtf8(s.out.left(300))));
    QVERIFY2(m.hasMatch(), s.out.constData());
    const double exposure = m.captured(1).toDouble();
    qInfo("systemd-analyze security exposure of the system unit: %.1f %s", exposure,
          qPrintable(m.captured(2)));
    QVERIFY2(exposure <= 4.0, s.out.constData());
}

void TstDeployUnits::systemUnitWithOwnHomeKeepsItWritable()
{
    QTemporaryDir home;
    const CtlResult r = dryRunSystem({QStringLiteral("--home"), home.path()});
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));
    const QString unit = r.json.value(QStringLiteral("content")).toString();
    QVERIFY2(hasLine(unit, QStringLiteral("ReadWritePaths=") + home.path()), qPrintable(unit));
    QVERIFY(hasLine(unit, QStringLiteral("ProtectHome=read-only")));
    QVERIFY(hasLine(unit, QStringLiteral("ProtectSystem=strict")));
    QVERIFY(!unit.contains(QStringLiteral("StateDirectory=")));
    QVERIFY(!unit.contains(QStringLiteral("User=sluice")));
    QVERIFY(unit.contains(QStringLiteral("--home ") + home.path()));
}

void TstDeployUnits::missingUserBusIsExplained()
{
#ifdef Q_OS_WIN
    QSKIP("the fake systemctl is a /bin/sh script");
#endif
    // What systemctl --user says outside a login session.
    const QString fake = m_scratch->path() + QStringLiteral("/systemctl");
    QFile script(fake);
    QVERIFY(script.open(QIODevice::WriteOnly));
    script.write("#!/bin/sh\necho 'Failed to connect to bus: No medium found' >&2\nexit 1\n");
    script.close();
    QFile::setPermissions(fake,
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    QTemporaryDir home;
    const CtlResult r = runCtl({QStringLiteral("--home"), home.path(), QStringLiteral("--json"),
                                QStringLiteral("service"), QStringLiteral("install"),
                                QStringLiteral("--platform"), QStringLiteral("systemd")},
                               env(fake));
    QVERIFY2(r.oneDocument && r.exitCode == 1, qPrintable(describe(r)));
    const QJsonObject error = r.json.value(QStringLiteral("error")).toObject();
    QCOMPARE(error.value(QStringLiteral("code")).toString(), QStringLiteral("no_user_bus"));
    const QString message = error.value(QStringLiteral("message")).toString();
    for (const char *hint :
         {"login session", "loginctl enable-linger", "--system", "No medium found"})
        QVERIFY2(message.contains(QLatin1String(hint)), qPrintable(message));
    // The unit itself was written: registering it later needs nothing else.
    QVERIFY(QFile::exists(m_units->path() + QStringLiteral("/sluiced.service")));
}

QTEST_GUILESS_MAIN(TstDeployUnits)
#include "tst_deployunits.moc"
