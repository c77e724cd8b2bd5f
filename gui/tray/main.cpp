// sluice-tray: the tray icon and control panel of the Sluice agent gateway
// (docs/reference.md §13).
#include "core/autostart.h"
#include "core/guilogging.h"
#include "core/singleinstance.h"
#include "core/translations.h"
#include "core/traysettings.h"
#include "tray/trayapp.h"

#include "sluice/paths.h"
#include "sluice/version.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QLoggingCategory>
#include <QSystemTrayIcon>
#include <QTextStream>
#include <memory>

using namespace sluice;
using namespace sluice::gui;

namespace {

struct Options
{
    bool help = false;
    bool version = false;
    bool install = false;
    bool remove = false;
    bool noTray = false;
    QString home;
    QString helpText;
    QString error;
};

// Parsed before any GUI exists, so --help, --version and the autostart commands work without a
// display (a QApplication aborts when it cannot open one).
Options parseOptions(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QCoreApplication::translate("main", "Tray icon and control panel for Sluice."));
    const QCommandLineOption helpOpt(
        {QStringLiteral("h"), QStringLiteral("help")},
        QCoreApplication::translate("main", "Print this help and exit."));
    const QCommandLineOption versionOpt(
        QStringLiteral("version"),
        QCoreApplication::translate("main", "Print the version and exit."));
    const QCommandLineOption homeOpt(
        QStringLiteral("home"), QCoreApplication::translate("main", "The gateway's HOME folder."),
        QStringLiteral("DIR"));
    const QCommandLineOption installOpt(
        QStringLiteral("install-autostart"),
        QCoreApplication::translate("main", "Start sluice-tray at login, then exit."));
    const QCommandLineOption removeOpt(
        QStringLiteral("remove-autostart"),
        QCoreApplication::translate("main", "Remove the login item, then exit."));
    const QCommandLineOption noTrayOpt(
        QStringLiteral("no-tray"),
        QCoreApplication::translate("main", "Open the control panel as a window even where a "
                                            "system tray exists."));
    parser.addOptions({helpOpt, versionOpt, homeOpt, installOpt, removeOpt, noTrayOpt});
    Options o;
    if (!parser.parse(arguments)) {
        o.error = parser.errorText();
        return o;
    }
    o.help = parser.isSet(helpOpt);
    o.version = parser.isSet(versionOpt);
    o.install = parser.isSet(installOpt);
    o.remove = parser.isSet(removeOpt);
    o.noTray = parser.isSet(noTrayOpt);
    o.home = parser.value(homeOpt);
    o.helpText = parser.helpText();
    return o;
}

// The HOME: --home, else $SLUICE_HOME, else the one chosen in the settings, else the default.
QString chooseHome(const QString &fromOption)
{
    if (fromOption.isEmpty() && qEnvironmentVariableIsEmpty("SLUICE_HOME")) {
        const QString saved = TraySettings().home();
        if (!saved.isEmpty())
            return HomePaths::resolveHome(saved);
    }
    return HomePaths::resolveHome(fromOption);
}

void nameApplication()
{
    QCoreApplication::setApplicationName(QStringLiteral("sluice-tray"));
    QCoreApplication::setOrganizationName(QStringLiteral("sluice"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SLUICE_VERSION));
    // No display name: the platform would append it to every window title
    // ("Sluice — control panel — Sluice").
}

} // namespace

int main(int argc, char *argv[])
{
    // The tray's and the IPC client's debug lines (every reconnect attempt) are for whoever
    // asks for them with QT_LOGGING_RULES, which still wins over this.
    QLoggingCategory::setFilterRules(QStringLiteral("sluice.*.debug=false"));
    Options options;
    {
        QCoreApplication cli(argc, argv);
        nameApplication();
        installTranslations(&cli);
        options = parseOptions(QCoreApplication::arguments());
        QTextStream out(stdout);
        QTextStream err(stderr);
        if (!options.error.isEmpty()) {
            err << "sluice-tray: " << options.error << Qt::endl;
            return 78;
        }
        if (options.help) {
            out << options.helpText;
            return 0;
        }
        if (options.version) {
            out << "sluice-tray " << SLUICE_VERSION << Qt::endl;
            return 0;
        }
        if (options.install || options.remove) {
            const QString home = chooseHome(options.home);
            QString message;
            const bool ok =
                options.install
                    ? Autostart::install(QCoreApplication::applicationFilePath(), home, &message)
                    : Autostart::remove(&message);
            if (ok)
                out << message << Qt::endl;
            else
                err << "sluice-tray: " << message << Qt::endl;
            return ok ? 0 : 1;
        }
    }

    QApplication app(argc, argv);
    nameApplication();
    QApplication::setDesktopFileName(QStringLiteral("sluice-tray"));
    installTranslations(&app);
    const QString home = chooseHome(options.home);
    QTextStream out(stdout);

    const bool trayAvailable = !options.noTray && QSystemTrayIcon::isSystemTrayAvailable();
    std::unique_ptr<TrayApp> tray;
    SingleInstance instance(home);
    QObject::connect(&instance, &SingleInstance::handedOver, &app, [&out] {
        out << QCoreApplication::translate("main", "sluice-tray already runs for this HOME; "
                                                   "raised its window.")
            << Qt::endl;
        QCoreApplication::exit(0);
    });
    QObject::connect(&instance, &SingleInstance::becamePrimary, &app, [&] {
        // Without a tray the panel window is the app: closing it quits.
        QApplication::setQuitOnLastWindowClosed(!trayAvailable);
        tray = std::make_unique<TrayApp>(home, trayAvailable);
        QObject::connect(&instance, &SingleInstance::raiseRequested, tray.get(), [&tray] {
            qCInfo(lcTray) << "a second launch asked to raise the control panel";
            tray->openPanel();
        });
        tray->start();
        qCInfo(lcTray).noquote() << "sluice-tray for HOME" << home
                                 << (trayAvailable ? "in the system tray"
                                                   : "as a window (no tray)");
    });
    instance.start();
    const int rc = app.exec();
    tray.reset();
    return rc;
}
