// The sources the installers are built from: the WiX file (also built into a real MSI and
// inspected by tests/windows/msi-check.sh in the Windows part of the test command) and the
// property lists are well-formed and keep the lifecycle rules of
// docs/installers.md (planned stop before files change, KeepAlive only on failure, a stop
// budget that covers the drain).
#include <QFile>
#include <QFileInfo>
#include <QMap>
#include <QTest>
#include <QXmlStreamReader>

namespace {

QByteArray readSource(const QString &relative)
{
    QFile f(QStringLiteral(SLUICE_SOURCE_DIR "/") + relative);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

// A minimal property-list reader: the top-level dict's keys with their scalar values
// ("true"/"false" for booleans, "dict"/"array" for containers) plus nested dict entries as
// "Parent.Key". Enough to check the keys launchd reads.
QMap<QString, QString> readPlist(const QByteArray &xml, QString *error)
{
    QMap<QString, QString> out;
    QXmlStreamReader r(xml);
    QStringList dictPath;
    QString pendingKey;
    while (!r.atEnd()) {
        r.readNext();
        if (r.isStartElement()) {
            const auto name = r.name();
            if (name == u"key") {
                pendingKey = r.readElementText();
            } else if (name == u"dict") {
                if (!pendingKey.isEmpty()) {
                    out.insert((dictPath.mid(1) + QStringList{pendingKey}).join(u'.'),
                               QStringLiteral("dict"));
                    dictPath << pendingKey;
                } else {
                    dictPath << QString(); // the root dict
                }
                pendingKey.clear();
            } else if (name == u"true" || name == u"false") {
                out.insert((dictPath.mid(1) + QStringList{pendingKey}).join(u'.'), name.toString());
                pendingKey.clear();
            } else if (name == u"string" || name == u"integer") {
                const QString text = r.readElementText();
                if (!pendingKey.isEmpty())
                    out.insert((dictPath.mid(1) + QStringList{pendingKey}).join(u'.'), text);
                pendingKey.clear();
            } else if (name == u"array") {
                out.insert((dictPath.mid(1) + QStringList{pendingKey}).join(u'.'),
                           QStringLiteral("array"));
                r.skipCurrentElement();
                pendingKey.clear();
            }
        } else if (r.isEndElement() && r.name() == u"dict") {
            if (!dictPath.isEmpty())
                dictPath.removeLast();
        }
    }
    if (r.hasError())
        *error = r.errorString();
    return out;
}

} // namespace

class TestInstallers : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void wixSourceIsWellFormedAndStopsFirst()
    {
        const QByteArray wxs = readSource(QStringLiteral("installer/windows/Sluice.wxs"));
        QVERIFY(!wxs.isEmpty());
        QXmlStreamReader r(wxs);
        QMap<QString, QString> fileName;   // File Id -> Name
        QMap<QString, QString> actionFile; // CustomAction Id -> FileKey
        QMap<QString, QString> exeCommand; // CustomAction Id -> ExeCommand
        QMap<QString, int> sequence;       // Custom Action -> Sequence
        QMap<QString, QString> condition;  // Custom Action -> its condition (element text)
        while (!r.atEnd()) {
            r.readNext();
            if (!r.isStartElement())
                continue;
            const auto attrs = r.attributes();
            const QString id = attrs.value(QLatin1String("Id")).toString();
            if (r.name() == u"File")
                fileName.insert(id, attrs.value(QLatin1String("Name")).toString());
            if (r.name() == u"CustomAction") {
                actionFile.insert(id, attrs.value(QLatin1String("FileKey")).toString());
                exeCommand.insert(id, attrs.value(QLatin1String("ExeCommand")).toString());
            }
            if (r.name() == u"Custom") {
                const QString action = attrs.value(QLatin1String("Action")).toString();
                sequence.insert(action, attrs.value(QLatin1String("Sequence")).toInt());
                condition.insert(action, r.readElementText());
            }
        }
        QVERIFY2(!r.hasError(), qPrintable(r.errorString()));
        // The planned stop (sluicectl.exe stop) runs before InstallValidate (1400 in the
        // standard sequence), i.e. before any file is touched, on repair, removal and upgrade.
        QCOMPARE(fileName.value(actionFile.value(QStringLiteral("PlannedStop"))),
                 QStringLiteral("sluicectl.exe"));
        QVERIFY(exeCommand.value(QStringLiteral("PlannedStop")).startsWith(QStringLiteral("stop")));
        QVERIFY(sequence.value(QStringLiteral("PlannedStop")) > 0);
        QVERIFY(sequence.value(QStringLiteral("PlannedStop")) < 1400);
        QVERIFY(
            condition.value(QStringLiteral("PlannedStop")).contains(QStringLiteral("Installed")));
        QVERIFY(condition.value(QStringLiteral("PlannedStop"))
                    .contains(QStringLiteral("WIX_UPGRADE_DETECTED")));
        // The logon task: registered after InstallFinalize (6600), removed before the files.
        QCOMPARE(exeCommand.value(QStringLiteral("RegisterService")),
                 QStringLiteral("service install --force"));
        QVERIFY(sequence.value(QStringLiteral("RegisterService")) > 6600);
        QVERIFY(sequence.value(QStringLiteral("UnregisterService")) < 1400);
        // The tray's Run-key login item, with the tray (built on Windows only).
        QCOMPARE(fileName.value(actionFile.value(QStringLiteral("InstallAutostart"))),
                 QStringLiteral("sluice-tray.exe"));
        QCOMPARE(exeCommand.value(QStringLiteral("InstallAutostart")),
                 QStringLiteral("--install-autostart"));
        QVERIFY(condition.value(QStringLiteral("InstallAutostart"))
                    .contains(QStringLiteral("AUTOSTART = \"1\"")));
        QVERIFY(sequence.value(QStringLiteral("RemoveAutostart")) < 1400);
    }

    void launchAgentKeepsAliveOnlyOnFailure()
    {
        QString error;
        const auto plist = readPlist(
            readSource(QStringLiteral("installer/macos/io.sluice.sluiced.plist.in")), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(plist.value(QStringLiteral("Label")), QStringLiteral("io.sluice.sluiced"));
        QCOMPARE(plist.value(QStringLiteral("ProgramArguments")), QStringLiteral("array"));
        QCOMPARE(plist.value(QStringLiteral("RunAtLoad")), QStringLiteral("true"));
        QCOMPARE(plist.value(QStringLiteral("KeepAlive")), QStringLiteral("dict"));
        QCOMPARE(plist.value(QStringLiteral("KeepAlive.SuccessfulExit")), QStringLiteral("false"));
        // Default drain 30 s + interrupt grace 5 s + 30 s reserve (docs/reference.md §6, §9).
        QVERIFY(plist.value(QStringLiteral("ExitTimeOut")).toInt() >= 65);
        QVERIFY(plist.value(QStringLiteral("ThrottleInterval")).toInt() >= 10);
        QVERIFY(plist.contains(QStringLiteral("StandardErrorPath")));
    }

    void appBundleIsAMenuBarApp()
    {
        QString error;
        const auto plist =
            readPlist(readSource(QStringLiteral("installer/macos/Info.plist.in")), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(plist.value(QStringLiteral("CFBundleExecutable")), QStringLiteral("sluice-tray"));
        QCOMPARE(plist.value(QStringLiteral("LSUIElement")), QStringLiteral("true"));
    }

    void macosScriptsStopBeforeReplacing()
    {
        const QByteArray pre = readSource(QStringLiteral("installer/macos/scripts/preinstall"));
        QVERIFY(pre.contains("sluicectl\" stop") || pre.contains("$ctl\" stop"));
#ifdef Q_OS_WIN
        QSKIP("Windows has no execute bit to check on the macOS scripts");
#endif
        QVERIFY(QFileInfo(QStringLiteral(SLUICE_SOURCE_DIR "/installer/macos/scripts/postinstall"))
                    .isExecutable());
    }

    void macosBundleComesFromTheInstallTree()
    {
        // The same install rules as the Debian package: staged with cmake --install, never
        // copied out of the build folder.
        const QByteArray script = readSource(QStringLiteral("installer/macos/build.sh"));
        QVERIFY(script.contains("cmake --install \"$build\" --prefix \"$stage\""));
        QVERIFY(script.contains("libexec/sluice/sluice-demo-agent"));
        QVERIFY(!script.contains("$build/bin"));
    }
};

QTEST_GUILESS_MAIN(TestInstallers)
#include "tst_installers.moc"
