// Service-manager definitions: the systemd unit (systemd-analyze verify), the launchd plist
// (parsed as a property list), the Windows task XML, install --dry-run, drift and --force.
#include "testhelpers.h"

#include "sluice/paths.h"
#include "supervisor/stopbudget.h"
#include "supervisor/unitgenerator.h"

#include <QDir>
#include <QJsonArray>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QVariantMap>
#include <QXmlStreamReader>
#include <QtTest>

using namespace sluice;
using namespace sluice::test;

// The fake systemctl is a /bin/sh script, which Windows cannot start.
#ifdef Q_OS_WIN
#define SKIP_WITHOUT_SH() QSKIP("the fake systemctl is a /bin/sh script")
#else
#define SKIP_WITHOUT_SH() static_cast<void>(0)
#endif

namespace {
// A minimal XML property-list reader: dict, array, string, integer, real, true, false.
QVariant readPlistValue(QXmlStreamReader &x)
{
    const QString tag = x.name().toString();
    if (tag == QLatin1String("dict")) {
        QVariantMap map;
        QString key;
        while (x.readNextStartElement()) {
            if (x.name() == QLatin1String("key"))
                key = x.readElementText();
            else
                map.insert(key, readPlistValue(x));
        }
        return map;
    }
    if (tag == QLatin1String("array")) {
        QVariantList list;
        while (x.readNextStartElement())
            list << readPlistValue(x);
        return list;
    }
    if (tag == QLatin1String("true") || tag == QLatin1String("false")) {
        x.skipCurrentElement();
        return tag == QLatin1String("true");
    }
    const QString text = x.readElementText();
    if (tag == QLatin1String("integer"))
        return text.toLongLong();
    if (tag == QLatin1String("real"))
        return text.toDouble();
    return text;
}

QVariantMap parsePlist(const QString &xml, QString *error)
{
    QXmlStreamReader x(xml);
    QVariantMap root;
    if (x.readNextStartElement() && x.name() == QLatin1String("plist") && x.readNextStartElement())
        root = readPlistValue(x).toMap();
    while (!x.atEnd())
        x.readNext();
    if (x.hasError())
        *error = x.errorString();
    return root;
}

UnitGenerator::Config config(UnitGenerator::Platform p)
{
    UnitGenerator::Config c;
    c.platform = p;
    c.home = QStringLiteral("/home/a b/sluice");
    c.sluiced = ServiceFixture::binary(QStringLiteral("sluiced"));
    c.sluicectl = ServiceFixture::binary(QStringLiteral("sluicectl"));
    c.drainTimeoutS = 120;
    c.interruptGraceS = 5;
    return c;
}
} // namespace

class TstUnits : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void systemdUnitVerifies();
    void socketActivationWritesThePair();
    void launchdPlistParses();
    void windowsTaskIsWellFormed();
    void dryRunWritesNothing();
    void installDriftForceUninstall();
    void bakedTimeoutsAreNotDrift();
    void fractionalConfigTimeoutRoundsUp();

private:
    QProcessEnvironment env() const
    {
        QProcessEnvironment e;
        e.insert(QStringLiteral("SLUICE_UNIT_DIR"), m_units->path());
        e.insert(QStringLiteral("SLUICE_SYSTEMCTL"),
                 m_tools->path() + QStringLiteral("/systemctl"));
        return e;
    }
    QString unitPath() const { return m_units->path() + QStringLiteral("/sluiced.service"); }
    QByteArray calls() const
    {
        QFile f(m_tools->path() + QStringLiteral("/calls"));
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }
    std::unique_ptr<QTemporaryDir> m_home, m_units, m_tools;
};

void TstUnits::init()
{
    m_home = std::make_unique<QTemporaryDir>();
    m_units = std::make_unique<QTemporaryDir>();
    m_tools = std::make_unique<QTemporaryDir>();
    // A fake systemctl that records how it was called.
    const QString fake = m_tools->path() + QStringLiteral("/systemctl");
    QFile script(fake);
    QVERIFY(script.open(QIODevice::WriteOnly));
    script.write("#!/bin/sh\necho \"$@\" >> \"$(dirname \"$0\")/calls\"\n"
                 "[ \"$2\" = is-active ] && echo inactive\nexit 0\n");
    script.close();
    QFile::setPermissions(fake,
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
}

void TstUnits::systemdUnitVerifies()
{
    SKIP_WITHOUT_SH();
    const CtlResult r = runCtl({QStringLiteral("--home"), m_home->path(), QStringLiteral("--json"),
                                QStringLiteral("service"), QStringLiteral("install"),
                                QStringLiteral("--platform"), QStringLiteral("systemd")},
                               env());
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));
    QFile f(unitPath());
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QString unit = QString::fromUtf8(f.readAll());
    for (const QString &line :
         {QStringLiteral("Type=notify"), QStringLiteral("KillMode=mixed"),
          QStringLiteral("Delegate=yes"), QStringLiteral("TimeoutStopSec=65"),
          QStringLiteral("Restart=on-failure"), QStringLiteral("RestartForceExitStatus=75"),
          QStringLiteral("RestartPreventExitStatus=78"),
          QStringLiteral("WorkingDirectory=") + m_home->path(), QStringLiteral("NotifyAccess=all")})
        QVERIFY2(unit.contains(QLatin1Char('\n') + line + QLatin1Char('\n')), qPrintable(line));
    QVERIFY(unit.contains(
        QStringLiteral("ExecStart=") + ServiceFixture::binary(QStringLiteral("sluiced")) +
        QStringLiteral(" --home ") + m_home->path() + QStringLiteral(" --supervised")));
    QVERIFY(unit.contains(QStringLiteral(" stop --timeout 65\n")));
    QVERIFY(calls().contains("--user daemon-reload"));
    QVERIFY(calls().contains("--user enable --now sluiced.service"));

    const QString analyze = QStandardPaths::findExecutable(QStringLiteral("systemd-analyze"));
    if (analyze.isEmpty())
        QSKIP("systemd-analyze is not installed: cannot verify the unit here");
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    // The unit's Documentation= man pages are only there once installed (tst_package).
    p.start(analyze, {QStringLiteral("verify"), QStringLiteral("--man=no"), unitPath()});
    QVERIFY(p.waitForFinished(30000));
    const QByteArray out = p.readAll();
    if (p.exitCode() != 0 &&
        (out.contains("Failed to connect") || out.contains("No such file or directory") ||
         out.contains("Failed to initialize manager")))
        QSKIP(qPrintable(QStringLiteral("systemd-analyze cannot run here: ") +
                         QString::fromUtf8(out)));
    QVERIFY2(p.exitCode() == 0, out.constData());
    QVERIFY2(!out.contains("sluiced.service:"), out.constData()); // no complaint about our unit
}

void TstUnits::socketActivationWritesThePair()
{
    SKIP_WITHOUT_SH();
    // `--socket-activation`: a sluiced.socket with the HOME's local socket and the HTTP port,
    // the service bound to it; both verify; kept by a later install, removed by uninstall.
    const QStringList base{QStringLiteral("--home"), m_home->path(), QStringLiteral("--json"),
                           QStringLiteral("service")};
    const QStringList sd{QStringLiteral("--platform"), QStringLiteral("systemd")};
    CtlResult r = runCtl(
        base + QStringList{QStringLiteral("install"), QStringLiteral("--socket-activation")} + sd,
        env());
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));
    const QString socketUnit = m_units->path() + QStringLiteral("/sluiced.socket");
    QCOMPARE(r.json.value(QStringLiteral("socket_path")).toString(), socketUnit);
    QFile f(socketUnit);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QString socket = QString::fromUtf8(f.readAll());
    f.close();
    for (const QString &line :
         {QStringLiteral("ListenStream=") + HomePaths(m_home->path()).defaultSocketPath(),
          QStringLiteral("ListenStream=127.0.0.1:47470"), QStringLiteral("SocketMode=0600"),
          QStringLiteral("WantedBy=sockets.target")})
        QVERIFY2(socket.contains(QLatin1Char('\n') + line + QLatin1Char('\n')), qPrintable(line));
    QFile unit(unitPath());
    QVERIFY(unit.open(QIODevice::ReadOnly));
    QVERIFY(unit.readAll().contains("\nRequires=sluiced.socket\n"));
    unit.close();
    QVERIFY(calls().contains("--user enable --now sluiced.socket"));

    const QString analyze = QStandardPaths::findExecutable(QStringLiteral("systemd-analyze"));
    if (!analyze.isEmpty()) {
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(analyze,
                {QStringLiteral("verify"), QStringLiteral("--man=no"), socketUnit, unitPath()});
        QVERIFY(p.waitForFinished(30000));
        const QByteArray out = p.readAll();
        QVERIFY2(p.exitCode() == 0 && !out.contains("sluiced."), out.constData());
    }

    r = runCtl(base + QStringList{QStringLiteral("install")} + sd, env()); // keeps the pair
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));
    QVERIFY(r.json.contains(QStringLiteral("socket_path")));
    r = runCtl(base + QStringList{QStringLiteral("uninstall")} + sd, env());
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));
    QVERIFY(!QFile::exists(socketUnit));
    QVERIFY(calls().contains("--user disable --now sluiced.service sluiced.socket"));
}

void TstUnits::launchdPlistParses()
{
    const UnitGenerator::Config c = config(UnitGenerator::Platform::Launchd);
    QString error;
    const QVariantMap plist = parsePlist(UnitGenerator::launchdPlist(c), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(plist.value(QStringLiteral("Label")).toString(), QStringLiteral("io.sluice.sluiced"));
    const QStringList argv = plist.value(QStringLiteral("ProgramArguments")).toStringList();
    QCOMPARE(argv.value(0), c.sluiced);
    QVERIFY(argv.contains(QStringLiteral("--home")));
    QCOMPARE(argv.value(argv.indexOf(QStringLiteral("--home")) + 1), c.home);
    QVERIFY(argv.contains(QStringLiteral("--supervised")));
    QCOMPARE(plist.value(QStringLiteral("RunAtLoad")).toBool(), true);
    const QVariantMap keepAlive = plist.value(QStringLiteral("KeepAlive")).toMap();
    QVERIFY(keepAlive.contains(QStringLiteral("SuccessfulExit")));
    QCOMPARE(keepAlive.value(QStringLiteral("SuccessfulExit")).toBool(), false);
    QCOMPARE(plist.value(QStringLiteral("ExitTimeOut")).toLongLong(), StopBudget::seconds(120, 5));
    QVERIFY(plist.value(QStringLiteral("ThrottleInterval")).toLongLong() > 0);
    QVERIFY(!plist.value(QStringLiteral("StandardOutPath")).toString().isEmpty());
    QVERIFY(!plist.value(QStringLiteral("StandardErrorPath")).toString().isEmpty());
    QCOMPARE(plist.value(QStringLiteral("EnvironmentVariables"))
                 .toMap()
                 .value(QStringLiteral("SLUICE_HOME"))
                 .toString(),
             c.home);

    // plutil, where present (macOS), must accept it too.
    const QString plutil = QStandardPaths::findExecutable(QStringLiteral("plutil"));
    if (!plutil.isEmpty()) {
        QTemporaryDir dir;
        const QString path = dir.path() + QStringLiteral("/x.plist");
        QFile out(path);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(UnitGenerator::launchdPlist(c).toUtf8());
        out.close();
        QCOMPARE(QProcess::execute(plutil, {QStringLiteral("-lint"), path}), 0);
    }
    // The commands: bootstrap on install, bootout on uninstall, in the user's GUI domain.
    const auto install = UnitGenerator::installCommands(c, QStringLiteral("/p.plist"));
    QCOMPARE(install.value(0).value(0), QStringLiteral("launchctl"));
    QCOMPARE(install.value(0).value(1), QStringLiteral("bootstrap"));
    QVERIFY(install.value(0).value(2).startsWith(QStringLiteral("gui/")));
    QCOMPARE(UnitGenerator::uninstallCommands(c, QStringLiteral("/p.plist")).value(0).value(1),
             QStringLiteral("bootout"));
}

void TstUnits::windowsTaskIsWellFormed()
{
    const UnitGenerator::Config c = config(UnitGenerator::Platform::WindowsTask);
    QXmlStreamReader x(UnitGenerator::windowsTaskXml(c).replace(QStringLiteral("UTF-16"),
                                                                QStringLiteral("UTF-8")));
    bool sawCommand = false, sawRestart = false;
    QString timeLimit, arguments;
    while (!x.atEnd()) {
        x.readNext();
        if (x.isStartElement() && x.name() == QLatin1String("Command"))
            sawCommand = x.readElementText() == c.sluiced;
        if (x.isStartElement() && x.name() == QLatin1String("RestartOnFailure"))
            sawRestart = true;
        if (x.isStartElement() && x.name() == QLatin1String("ExecutionTimeLimit"))
            timeLimit = x.readElementText();
        if (x.isStartElement() && x.name() == QLatin1String("Arguments"))
            arguments = x.readElementText();
    }
    QVERIFY2(!x.hasError(), qPrintable(x.errorString()));
    QVERIFY(sawCommand);
    QVERIFY(sawRestart);
    // Task Scheduler never ends a draining sluiced (no time limit): the stop is the planned-stop
    // marker, which `sluicectl stop` waits on for the stop budget.
    QCOMPARE(timeLimit, QStringLiteral("PT0S"));
    QVERIFY2(arguments.startsWith(QStringLiteral("--home")), qPrintable(arguments));
    const auto cmds = UnitGenerator::installCommands(c, QStringLiteral("C:/x.xml"));
    QCOMPARE(cmds.value(0).value(0), QStringLiteral("schtasks"));
    QVERIFY(cmds.value(0).contains(QStringLiteral("/XML")));
}

void TstUnits::dryRunWritesNothing()
{
    for (const char *platform : {"systemd", "launchd", "windows"}) {
        const CtlResult r = runCtl({QStringLiteral("--home"), m_home->path(),
                                    QStringLiteral("--json"), QStringLiteral("service"),
                                    QStringLiteral("install"), QStringLiteral("--dry-run"),
                                    QStringLiteral("--platform"), QString::fromLatin1(platform)},
                                   env());
        QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));
        QCOMPARE(r.json.value(QStringLiteral("dry_run")).toBool(), true);
        QVERIFY(r.json.value(QStringLiteral("path")).toString().startsWith(m_units->path()));
        QVERIFY(!r.json.value(QStringLiteral("content")).toString().isEmpty());
        QVERIFY(!r.json.value(QStringLiteral("commands")).toArray().isEmpty());
    }
    QCOMPARE(QDir(m_units->path()).entryList(QDir::NoDotAndDotDot | QDir::AllEntries).size(), 0);
    QVERIFY(calls().isEmpty()); // nothing registered either
    // Text mode prints the path and the content.
    const CtlResult text =
        runCtl({QStringLiteral("--home"), m_home->path(), QStringLiteral("service"),
                QStringLiteral("install"), QStringLiteral("--dry-run"),
                QStringLiteral("--platform"), QStringLiteral("systemd")},
               env());
    QCOMPARE(text.exitCode, 0);
    QVERIFY(text.out.contains(unitPath().toUtf8()));
    QVERIFY(text.out.contains("Type=notify"));
}

void TstUnits::installDriftForceUninstall()
{
    SKIP_WITHOUT_SH();
    const QStringList base{QStringLiteral("--home"), m_home->path(), QStringLiteral("--json"),
                           QStringLiteral("service")};
    const QStringList sd{QStringLiteral("--platform"), QStringLiteral("systemd")};
    CtlResult r = runCtl(base + QStringList{QStringLiteral("status")} + sd, env());
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));
    QCOMPARE(r.json.value(QStringLiteral("installed")).toBool(true), false);

    r = runCtl(base + QStringList{QStringLiteral("install")} + sd, env());
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));
    QFile f(unitPath());
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray generated = f.readAll();
    f.close();
    r = runCtl(base + QStringList{QStringLiteral("status")} + sd, env());
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));
    QCOMPARE(r.json.value(QStringLiteral("installed")).toBool(), true);
    QCOMPARE(r.json.value(QStringLiteral("drift")).toBool(true), false);

    // Someone edits the unit: drift in status and doctor; install refuses without --force.
    QByteArray edited = generated;
    edited.replace("TimeoutStopSec=65", "TimeoutStopSec=20");
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(edited);
    f.close();
    r = runCtl(base + QStringList{QStringLiteral("status")} + sd, env());
    QVERIFY2(r.oneDocument && r.exitCode == 1, qPrintable(describe(r)));
    QCOMPARE(r.json.value(QStringLiteral("drift")).toBool(), true);
    QVERIFY(r.json.value(QStringLiteral("differences"))
                .toArray()
                .contains(QStringLiteral("- TimeoutStopSec=20")));
    const CtlResult doc = runCtl({QStringLiteral("--home"), m_home->path(),
                                  QStringLiteral("--json"), QStringLiteral("doctor")},
                                 env());
    QVERIFY2(doc.oneDocument && doc.exitCode == 1, qPrintable(describe(doc))); // 20 s < budget
    QVERIFY(doc.out.contains("service_definition"));

    r = runCtl(base + QStringList{QStringLiteral("install")} + sd, env());
    QVERIFY2(r.oneDocument && r.exitCode == 1, qPrintable(describe(r)));
    QCOMPARE(
        r.json.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString(),
        QStringLiteral("drift"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), edited); // untouched
    f.close();

    r = runCtl(base + QStringList{QStringLiteral("install"), QStringLiteral("--force")} + sd,
               env());
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), generated);
    f.close();

    r = runCtl(base + QStringList{QStringLiteral("uninstall")} + sd, env());
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));
    QVERIFY(!QFile::exists(unitPath()));
    QVERIFY(calls().contains("--user disable --now sluiced.service"));
}

void TstUnits::bakedTimeoutsAreNotDrift()
{
    SKIP_WITHOUT_SH();
    const QStringList base{QStringLiteral("--home"), m_home->path(), QStringLiteral("--json"),
                           QStringLiteral("service")};
    CtlResult r =
        runCtl(base + QStringList{QStringLiteral("install"), QStringLiteral("--platform"),
                                  QStringLiteral("systemd"), QStringLiteral("--drain-timeout"),
                                  QStringLiteral("120")},
               env());
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));
    QCOMPARE(r.json.value(QStringLiteral("stop_budget_s")).toInteger(), 155);
    QFile f(unitPath());
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray unit = f.readAll();
    QVERIFY(unit.contains("\nTimeoutStopSec=155\n"));
    QVERIFY(unit.contains("--drain-timeout 120"));
    r = runCtl(base + QStringList{QStringLiteral("status"), QStringLiteral("--platform"),
                                  QStringLiteral("systemd")},
               env());
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));
    QCOMPARE(r.json.value(QStringLiteral("drift")).toBool(true), false);
}

void TstUnits::fractionalConfigTimeoutRoundsUp()
{
    // sluiced rounds a fractional drain timeout up for its stop budget (and its alignment
    // check); the unit's TimeoutStopSec must be at least that, never truncated below it.
    QFile conf(m_home->path() + QStringLiteral("/sluiced.conf"));
    QVERIFY(conf.open(QIODevice::WriteOnly));
    conf.write("drain-timeout = 2.5\ninterrupt-grace = 1.2\n");
    conf.close();
    QCOMPARE(HomePaths(m_home->path()).configFile(), conf.fileName());
    const CtlResult r =
        runCtl({QStringLiteral("--home"), m_home->path(), QStringLiteral("--json"),
                QStringLiteral("service"), QStringLiteral("install"), QStringLiteral("--dry-run"),
                QStringLiteral("--platform"), QStringLiteral("systemd")},
               env());
    QVERIFY2(r.oneDocument && r.exitCode == 0, qPrintable(describe(r)));
    QCOMPARE(r.json.value(QStringLiteral("stop_budget_s")).toInteger(), 3 + 2 + 30);
    QVERIFY(r.json.value(QStringLiteral("content"))
                .toString()
                .contains(QStringLiteral("\nTimeoutStopSec=35\n")));
}

QTEST_GUILESS_MAIN(TstUnits)
#include "tst_units.moc"
