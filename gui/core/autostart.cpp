#include "core/autostart.h"

#include "sluice/atomicjson.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>

namespace sluice::gui {

#if defined(Q_OS_WIN)
static const char RunKey[] = "HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run";
static const char RunValue[] = "SluiceTray";
#endif

// Quotes an argument for a .desktop Exec line (Desktop Entry spec: double quotes, with \" \` \$
// \\ escaped inside).
static QString desktopQuote(const QString &arg)
{
    static const QString special = QStringLiteral(" \t\n\"'\\><~|&;$*?#()`");
    bool needs = arg.isEmpty();
    for (QChar c : arg)
        needs = needs || special.contains(c);
    if (!needs)
        return arg;
    QString out;
    for (QChar c : arg) {
        if (c == QLatin1Char('"') || c == QLatin1Char('`') || c == QLatin1Char('$') ||
            c == QLatin1Char('\\'))
            out += QLatin1Char('\\');
        out += c;
    }
    return QLatin1Char('"') + out + QLatin1Char('"');
}

#if defined(Q_OS_MACOS)
static QString xmlEscape(QString s)
{
    return s.replace(QLatin1Char('&'), QLatin1String("&amp;"))
        .replace(QLatin1Char('<'), QLatin1String("&lt;"))
        .replace(QLatin1Char('>'), QLatin1String("&gt;"));
}
#endif

QString Autostart::location()
{
#if defined(Q_OS_WIN)
    return QStringLiteral("%1\\%2").arg(QLatin1String(RunKey), QLatin1String(RunValue));
#elif defined(Q_OS_MACOS)
    return QDir::homePath() + QStringLiteral("/Library/LaunchAgents/io.sluice.tray.plist");
#else
    QString config = qEnvironmentVariable("XDG_CONFIG_HOME");
    if (config.isEmpty() || !QDir::isAbsolutePath(config))
        config = QDir::homePath() + QStringLiteral("/.config");
    return config + QStringLiteral("/autostart/sluice-tray.desktop");
#endif
}

QString Autostart::desktopEntry(const QString &executable, const QString &home)
{
    // Exec escaping: a literal % must be doubled in Exec values.
    QString exec = desktopQuote(executable) + QStringLiteral(" --home ") + desktopQuote(home);
    exec.replace(QLatin1Char('%'), QLatin1String("%%"));
    return QStringLiteral("[Desktop Entry]\n"
                          "Type=Application\n"
                          "Name=Sluice tray\n"
                          "GenericName=Agent gateway control\n"
                          "Comment=Tray icon and control panel for the Sluice agent gateway\n"
                          "Exec=%1\n"
                          "Icon=sluice-tray\n"
                          "Terminal=false\n"
                          "Categories=Utility;\n"
                          "StartupNotify=false\n"
                          // Wait for the panel so the tray icon has somewhere to go.
                          "X-GNOME-Autostart-enabled=true\n"
                          "X-GNOME-Autostart-Delay=5\n"
                          "X-KDE-autostart-after=panel\n"
                          "X-KDE-StartupNotify=false\n"
                          "X-LXQt-Need-Tray=true\n")
        .arg(exec);
}

bool Autostart::install(const QString &executable, const QString &home, QString *message)
{
#if defined(Q_OS_WIN)
    QSettings run(QLatin1String(RunKey), QSettings::NativeFormat);
    run.setValue(QLatin1String(RunValue),
                 QStringLiteral("\"%1\" --home \"%2\"")
                     .arg(QDir::toNativeSeparators(executable), QDir::toNativeSeparators(home)));
    run.sync();
    if (run.status() != QSettings::NoError) {
        *message = QCoreApplication::translate("Autostart", "could not write %1").arg(location());
        return false;
    }
    *message = QCoreApplication::translate("Autostart", "Installed login item: %1").arg(location());
    return true;
#else
    QByteArray content;
#if defined(Q_OS_MACOS)
    content = QStringLiteral("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                             "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
                             "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
                             "<plist version=\"1.0\">\n<dict>\n"
                             "  <key>Label</key><string>io.sluice.tray</string>\n"
                             "  <key>ProgramArguments</key>\n  <array>\n"
                             "    <string>%1</string>\n    <string>--home</string>\n"
                             "    <string>%2</string>\n  </array>\n"
                             "  <key>RunAtLoad</key><true/>\n"
                             "  <key>ProcessType</key><string>Interactive</string>\n"
                             "  <key>LimitLoadToSessionType</key><string>Aqua</string>\n"
                             "</dict>\n</plist>\n")
                  .arg(xmlEscape(executable), xmlEscape(home))
                  .toUtf8();
#else
    content = desktopEntry(executable, home).toUtf8();
#endif
    const QString path = location();
    if (!QDir().mkpath(QFileInfo(path).absolutePath())) {
        *message = QCoreApplication::translate("Autostart", "cannot create %1")
                       .arg(QFileInfo(path).absolutePath());
        return false;
    }
    QString error;
    if (!writeFileAtomically(path, content, &error)) {
        *message = QCoreApplication::translate("Autostart", "cannot write %1: %2").arg(path, error);
        return false;
    }
    *message =
        QCoreApplication::translate("Autostart", "Installed login item: %1 (starts %2 --home %3)")
            .arg(path, executable, home);
    return true;
#endif
}

bool Autostart::remove(QString *message)
{
#if defined(Q_OS_WIN)
    QSettings run(QLatin1String(RunKey), QSettings::NativeFormat);
    const bool had = run.contains(QLatin1String(RunValue));
    run.remove(QLatin1String(RunValue));
    run.sync();
#else
    const QString path = location();
    const bool had = QFile::exists(path);
    if (had && !QFile::remove(path)) {
        *message = QCoreApplication::translate("Autostart", "cannot remove %1").arg(path);
        return false;
    }
#endif
    *message =
        had ? QCoreApplication::translate("Autostart", "Removed login item: %1").arg(location())
            : QCoreApplication::translate("Autostart", "No login item to remove at %1")
                  .arg(location());
    return true;
}

} // namespace sluice::gui
