// The install tree and the Debian packages built from it (docs/installers.md): the staged
// file list, desktop-file-validate, appstreamcli validate and systemd-analyze verify on what
// was installed, a gateway run from the staged tree; then cpack -G DEB, lintian (no errors),
// dpkg -i, the installed programs, dpkg -r, dpkg --purge and nothing left behind.
#include "testhelpers.h"
#include "toolrun.h"

#include <QDirIterator>
#include <QElapsedTimer>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <unistd.h>

using namespace sluice::test;

namespace {
const QString BuildDir = QStringLiteral(SLUICE_BUILD_DIR);
const QString Version = QStringLiteral(SLUICE_VERSION);

QStringList expectedFiles()
{
    QStringList files{
        QStringLiteral("bin/sluiced"),
        QStringLiteral("bin/sluicectl"),
        QStringLiteral("libexec/sluice/sluice-demo-agent"),
        QStringLiteral("lib/systemd/system/sluiced.service"),
        QStringLiteral("lib/systemd/user/sluiced.service"),
        QStringLiteral("lib/sysusers.d/sluice.conf"),
        QStringLiteral("share/man/man8/sluiced.8.gz"),
        QStringLiteral("share/man/man1/sluicectl.1.gz"),
        QStringLiteral("share/bash-completion/completions/sluicectl"),
        QStringLiteral("share/zsh/vendor-completions/_sluicectl"),
        QStringLiteral("share/fish/vendor_completions.d/sluicectl.fish"),
        QStringLiteral("share/doc/sluice/copyright"),
        QStringLiteral("share/doc/sluice/changelog.gz"),
    };
#ifdef SLUICE_WITH_TRAY
    files << QStringLiteral("bin/sluice-tray") << QStringLiteral("share/man/man1/sluice-tray.1.gz")
          << QStringLiteral("share/applications/sluice-tray.desktop")
          << QStringLiteral("share/metainfo/io.sluice.Sluice.metainfo.xml")
          << QStringLiteral("share/icons/hicolor/scalable/apps/sluice-tray.svg")
          << QStringLiteral("share/doc/sluice-tray/copyright")
          << QStringLiteral("share/doc/sluice-tray/changelog.gz");
    for (int size : {16, 22, 24, 32, 48, 64, 128, 256})
        files << QStringLiteral("share/icons/hicolor/%1x%1/apps/sluice-tray.png").arg(size);
#endif
    files.sort();
    return files;
}

QStringList filesBelow(const QString &root)
{
    QStringList files;
    QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext())
        files << QDir(root).relativeFilePath(it.next());
    files.sort();
    return files;
}

// Starts BINDIR/sluiced on HOME, reaches it with BINDIR/sluicectl, runs one turn of the
// default agent (found by sluiced relative to itself) and stops it the planned way.
// Returns what went wrong, or nothing.
QString exerciseGateway(const QString &binDir, const QString &home)
{
    const QString ctl = binDir + QStringLiteral("/sluicectl");
    QProcess service;
    service.setProcessChannelMode(QProcess::MergedChannels);
    service.start(
        binDir + QStringLiteral("/sluiced"),
        {QStringLiteral("--home"), home, QStringLiteral("--http-port"), QStringLiteral("0")});
    if (!service.waitForStarted(10000))
        return QStringLiteral("sluiced did not start: ") + service.errorString();
    auto failWith = [&](const QString &what) {
        service.kill();
        service.waitForFinished(10000);
        return what + QStringLiteral("\nsluiced said: ") +
               QString::fromLocal8Bit(service.readAll());
    };
    ToolRun status;
    const bool up = sluice::test::ServiceFixture::waitFor(
        [&] {
            status = runTool(ctl, {QStringLiteral("--home"), home, QStringLiteral("status")});
            return status.exitCode == 0 || service.state() == QProcess::NotRunning;
        },
        30000);
    if (!up || status.exitCode != 0)
        return failWith(status.describe(QStringLiteral("sluicectl status")));
    if (!status.out.contains("running"))
        return failWith(status.describe(QStringLiteral("sluicectl status")));
    const ToolRun turn =
        runTool(ctl, {QStringLiteral("--home"), home, QStringLiteral("send"), QStringLiteral("pkg"),
                      QStringLiteral("hello"), QStringLiteral("--wait")});
    if (turn.exitCode != 0 || turn.out.trimmed().isEmpty())
        return failWith(turn.describe(QStringLiteral("sluicectl send --wait")));
    const ToolRun stop = runTool(ctl, {QStringLiteral("--home"), home, QStringLiteral("stop")});
    if (stop.exitCode != 0)
        return failWith(stop.describe(QStringLiteral("sluicectl stop")));
    if (!service.waitForFinished(30000))
        return failWith(QStringLiteral("sluiced did not exit after sluicectl stop"));
    if (service.exitStatus() != QProcess::NormalExit || service.exitCode() != 0)
        return QStringLiteral("sluiced exited %1 after a planned stop").arg(service.exitCode());
    return {};
}

bool packageInstalled(const QString &name)
{
    const ToolRun r =
        runTool(QStringLiteral("dpkg-query"),
                {QStringLiteral("-W"), QStringLiteral("-f=${db:Status-Status}"), name});
    return r.exitCode == 0 && r.out.trimmed() != "not-installed" && !r.out.trimmed().isEmpty();
}

// dpkg takes the package database lock; another apt or dpkg (a shared developer machine)
// may hold it for a while, so a locked database is waited for, anything else is an answer.
ToolRun dpkg(const QStringList &args)
{
    ToolRun r;
    sluice::test::ServiceFixture::waitFor(
        [&] {
            r = runTool(QStringLiteral("dpkg"), args, 300000);
            return !(r.exitCode != 0 && r.out.contains("lock"));
        },
        180000);
    return r;
}
} // namespace

class TstPackage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void stagedInstall();
    void debianPackage();
    void cleanupTestCase();

private:
    void validateInstalled(const QString &prefix, bool installedManPages);
    QStringList m_installed; // packages this test installed, purged even when it fails
};

void TstPackage::validateInstalled(const QString &prefix, bool installedManPages)
{
#ifdef SLUICE_WITH_TRAY
    const QString desktopValidate =
        QStandardPaths::findExecutable(QStringLiteral("desktop-file-validate"));
    if (desktopValidate.isEmpty()) {
        qWarning("desktop-file-validate not found (Debian: desktop-file-utils): not checked");
    } else {
        const ToolRun v = runTool(
            desktopValidate, {prefix + QStringLiteral("/share/applications/sluice-tray.desktop")});
        QVERIFY2(v.exitCode == 0 && v.out.trimmed().isEmpty(),
                 qPrintable(v.describe(desktopValidate)));
    }
    const QString appstream = QStandardPaths::findExecutable(QStringLiteral("appstreamcli"));
    if (appstream.isEmpty()) {
        qWarning("appstreamcli not found (Debian: appstream): the metainfo is not checked");
    } else {
        const ToolRun v = runTool(
            appstream,
            {QStringLiteral("validate"), QStringLiteral("--no-net"), QStringLiteral("--pedantic"),
             prefix + QStringLiteral("/share/metainfo/io.sluice.Sluice.metainfo.xml")});
        QVERIFY2(v.exitCode == 0, qPrintable(v.describe(appstream)));
        QVERIFY2(!v.out.contains("W:") && !v.out.contains("E:"), qPrintable(v.describe(appstream)));
    }
#endif
    const QString analyze = QStandardPaths::findExecutable(QStringLiteral("systemd-analyze"));
    if (analyze.isEmpty()) {
        qWarning("systemd-analyze not found (Debian: systemd): the units are not verified");
        return;
    }
    // The user manager's scope needs a runtime folder; a private one does for verifying.
    QTemporaryDir runtime;
    QProcessEnvironment userEnv = QProcessEnvironment::systemEnvironment();
    userEnv.insert(QStringLiteral("XDG_RUNTIME_DIR"), runtime.path());
    for (const bool user : {false, true}) {
        const QString path =
            prefix + (user ? QStringLiteral("/lib/systemd/user/sluiced.service")
                           : QStringLiteral("/lib/systemd/system/sluiced.service"));
        QStringList args;
        if (user)
            args << QStringLiteral("--user");
        args << QStringLiteral("verify");
        if (!installedManPages)
            args << QStringLiteral("--man=no"); // the staged pages are not on man's path
        args << path;
        const ToolRun v = runTool(analyze, args, 120000,
                                  user ? userEnv : QProcessEnvironment::systemEnvironment());
        QVERIFY2(v.exitCode == 0 && !v.out.contains("sluiced.service:"),
                 qPrintable(v.describe(analyze + QLatin1Char(' ') + args.join(QLatin1Char(' ')))));
    }
}

void TstPackage::stagedInstall()
{
    QTemporaryDir stage;
    const QString prefix = stage.path() + QStringLiteral("/usr");
    const ToolRun install =
        runTool(QStringLiteral(SLUICE_CMAKE_COMMAND),
                {QStringLiteral("--install"), BuildDir, QStringLiteral("--prefix"), prefix});
    QVERIFY2(install.exitCode == 0,
             qPrintable(install.describe(QStringLiteral("cmake --install"))));
    QCOMPARE(filesBelow(stage.path() + QStringLiteral("/usr")), expectedFiles());

    // The units name the programs where this prefix put them.
    QFile unit(prefix + QStringLiteral("/lib/systemd/user/sluiced.service"));
    QVERIFY(unit.open(QIODevice::ReadOnly));
    const QByteArray userUnit = unit.readAll();
    QVERIFY2(userUnit.contains("\nExecStart=" + prefix.toUtf8() + "/bin/sluiced --supervised\n"),
             userUnit.constData());
    validateInstalled(prefix, false);

    QTemporaryDir home;
    const QString problem = exerciseGateway(prefix + QStringLiteral("/bin"), home.path());
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TstPackage::debianPackage()
{
    if (QStandardPaths::findExecutable(QStringLiteral("dpkg")).isEmpty() ||
        QStandardPaths::findExecutable(QStringLiteral("dpkg-deb")).isEmpty())
        QSKIP("dpkg is not installed: the Debian package is neither built nor installed here");
    QElapsedTimer clock;
    clock.start();
    QTemporaryDir out;
    const ToolRun cpack =
        runTool(QStringLiteral(SLUICE_CPACK_COMMAND),
                {QStringLiteral("-G"), QStringLiteral("DEB"), QStringLiteral("--config"),
                 BuildDir + QStringLiteral("/CPackConfig.cmake"), QStringLiteral("-B"), out.path()},
                300000);
    QVERIFY2(cpack.exitCode == 0, qPrintable(cpack.describe(QStringLiteral("cpack -G DEB"))));
    const QString arch = QString::fromLatin1(
        runTool(QStringLiteral("dpkg"), {QStringLiteral("--print-architecture")}).out.trimmed());
    QStringList debs{out.path() + QStringLiteral("/sluice_%1_%2.deb").arg(Version, arch)};
#ifdef SLUICE_WITH_TRAY
    debs << out.path() + QStringLiteral("/sluice-tray_%1_%2.deb").arg(Version, arch);
#endif
    for (const QString &deb : debs) {
        QVERIFY2(QFileInfo::exists(deb),
                 qPrintable(deb + QLatin1Char('\n') + QString::fromLocal8Bit(cpack.out)));
        qInfo("%s: %lld bytes", qPrintable(QFileInfo(deb).fileName()), QFileInfo(deb).size());
    }
    qInfo("cpack took %.1f s", clock.elapsed() / 1000.0);

    // A server must not pull in a GUI stack.
    const ToolRun depends = runTool(QStringLiteral("dpkg-deb"), {QStringLiteral("-f"), debs.first(),
                                                                 QStringLiteral("Depends")});
    QVERIFY2(depends.out.contains("libqt6core6"), depends.out.constData());
    for (const char *gui : {"libqt6gui", "libqt6widgets", "libqt6svg", "libgl", "libx11"})
        QVERIFY2(!depends.out.contains(gui), depends.out.constData());

    const QString lintian = QStandardPaths::findExecutable(QStringLiteral("lintian"));
    if (lintian.isEmpty()) {
        qWarning(
            "lintian not found (Debian: apt-get install lintian): the packages are not linted");
    } else {
        QElapsedTimer lintClock;
        lintClock.start();
        const ToolRun lint =
            runTool(lintian, QStringList{QStringLiteral("--no-cfg")} + debs, 300000);
        int tags = 0;
        for (const QByteArray &line : lint.out.split('\n'))
            if (line.size() > 3 && line.at(1) == ':') { // "E: pkg: tag", "W: …", "I: …"
                qInfo("lintian: %s", line.constData());
                ++tags;
            }
        QVERIFY2(lint.exitCode != -1, qPrintable(lint.describe(lintian)));
        QVERIFY2(!lint.out.contains("\nE: ") && !lint.out.startsWith("E: "),
                 qPrintable(lint.describe(lintian)));
        qInfo("lintian: %d tags, no error, in %.1f s", tags, lintClock.elapsed() / 1000.0);
    }

    if (::geteuid() != 0)
        QSKIP("dpkg -i needs root (CI runs as root): the packages were built and linted only");
    if (packageInstalled(QStringLiteral("sluice")) ||
        packageInstalled(QStringLiteral("sluice-tray")))
        QSKIP("a sluice package is already installed on this machine: not replacing it");

    m_installed = {QStringLiteral("sluice-tray"), QStringLiteral("sluice")};
    const ToolRun install = dpkg(QStringList{QStringLiteral("-i")} + debs);
    QVERIFY2(install.exitCode == 0, qPrintable(install.describe(QStringLiteral("dpkg -i"))));
    const ToolRun listed =
        runTool(QStringLiteral("dpkg-query"),
                {QStringLiteral("-L"), QStringLiteral("sluice"), QStringLiteral("sluice-tray")});
    QStringList files;
    for (const QByteArray &line : listed.out.split('\n'))
        if (QFileInfo(QString::fromLocal8Bit(line)).isFile())
            files << QString::fromLocal8Bit(line);
    QVERIFY(files.contains(QStringLiteral("/usr/libexec/sluice/sluice-demo-agent")));
    QVERIFY(files.contains(QStringLiteral("/usr/lib/systemd/system/sluiced.service")));

    const ToolRun version =
        runTool(QStringLiteral("/usr/bin/sluicectl"), {QStringLiteral("--version")});
    QVERIFY2(version.exitCode == 0 && version.out.contains(Version.toUtf8()),
             qPrintable(version.describe(QStringLiteral("sluicectl --version"))));
    QVERIFY2(runTool(QStringLiteral("getent"), {QStringLiteral("passwd"), QStringLiteral("sluice")})
                     .exitCode == 0,
             "postinst did not create the user sluice");
    validateInstalled(QStringLiteral("/usr"), true);
    QTemporaryDir home;
    const QString problem = exerciseGateway(QStringLiteral("/usr/bin"), home.path());
    QVERIFY2(problem.isEmpty(), qPrintable(problem));

    const ToolRun remove = dpkg(QStringList{QStringLiteral("-r")} + m_installed);
    QVERIFY2(remove.exitCode == 0, qPrintable(remove.describe(QStringLiteral("dpkg -r"))));
    for (const QString &file : files)
        QVERIFY2(!QFileInfo::exists(file),
                 qPrintable(file + QStringLiteral(" is left after dpkg -r")));
    const ToolRun purge = dpkg(QStringList{QStringLiteral("--purge")} + m_installed);
    QVERIFY2(purge.exitCode == 0, qPrintable(purge.describe(QStringLiteral("dpkg --purge"))));
    m_installed.clear();
    for (const char *name : {"sluice", "sluice-tray"})
        QVERIFY2(!packageInstalled(QString::fromLatin1(name)), name);
    for (const char *dir : {"/usr/libexec/sluice", "/usr/share/doc/sluice",
                            "/usr/share/doc/sluice-tray", "/var/lib/sluice", "/var/cache/sluice"})
        QVERIFY2(
            !QFileInfo::exists(QString::fromLatin1(dir)),
            qPrintable(QString::fromLatin1(dir) + QStringLiteral(" is left after dpkg --purge")));
    qInfo("the Debian package test took %.1f s", clock.elapsed() / 1000.0);
}

void TstPackage::cleanupTestCase()
{
    if (!m_installed.isEmpty())
        dpkg(QStringList{QStringLiteral("--purge")} + m_installed);
}

QTEST_GUILESS_MAIN(TstPackage)
#include "tst_package.moc"
