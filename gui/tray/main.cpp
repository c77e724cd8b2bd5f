// sluice-tray: the tray icon and control panel of the Sluice agent gateway
// (docs/reference.md §13).
#include "core/autostart.h"
#include "core/guilogging.h"
#include "core/singleinstance.h"
#include "tray/trayapp.h"

#include "sluice/paths.h"
#include "sluice/version.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QSystemTrayIcon>
#include <QTextStream>
#include <memory>

using namespace sluice;
using namespace sluice::gui;

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("sluice-tray"));
    QApplication::setApplicationDisplayName(QStringLiteral("Sluice"));
    QApplication::setOrganizationName(QStringLiteral("sluice"));
    QApplication::setDesktopFileName(QStringLiteral("sluice-tray"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Tray icon and control panel for Sluice."));
    parser.addHelpOption();
    const QCommandLineOption versionOpt(QStringLiteral("version"),
                                        QStringLiteral("Print the version and exit."));
    const QCommandLineOption homeOpt(QStringLiteral("home"),
                                     QStringLiteral("The gateway's HOME folder."),
                                     QStringLiteral("DIR"));
    const QCommandLineOption installOpt(QStringLiteral("install-autostart"),
                                        QStringLiteral("Start sluice-tray at login, then exit."));
    const QCommandLineOption removeOpt(QStringLiteral("remove-autostart"),
                                       QStringLiteral("Remove the login item, then exit."));
    const QCommandLineOption noTrayOpt(QStringLiteral("no-tray"),
                                       QStringLiteral("Open the control panel as a window even "
                                                      "where a system tray exists."));
    parser.addOptions({versionOpt, homeOpt, installOpt, removeOpt, noTrayOpt});
    parser.process(app);

    QTextStream out(stdout);
    if (parser.isSet(versionOpt)) {
        out << "sluice-tray " << SLUICE_VERSION << Qt::endl;
        return 0;
    }
    const QString home = HomePaths::resolveHome(parser.value(homeOpt));

    if (parser.isSet(installOpt) || parser.isSet(removeOpt)) {
        QString message;
        const bool ok =
            parser.isSet(installOpt)
                ? Autostart::install(QApplication::applicationFilePath(), home, &message)
                : Autostart::remove(&message);
        if (ok)
            out << message << Qt::endl;
        else
            QTextStream(stderr) << "sluice-tray: " << message << Qt::endl;
        return ok ? 0 : 1;
    }

    const bool trayAvailable = !parser.isSet(noTrayOpt) && QSystemTrayIcon::isSystemTrayAvailable();
    std::unique_ptr<TrayApp> tray;
    SingleInstance instance(home);
    QObject::connect(&instance, &SingleInstance::handedOver, &app, [&out] {
        out << "sluice-tray already runs for this HOME; raised its window." << Qt::endl;
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
        qCInfo(lcTray) << "sluice-tray for HOME" << home
                       << (trayAvailable ? "in the system tray" : "as a window (no tray)");
    });
    instance.start();
    const int rc = app.exec();
    tray.reset();
    return rc;
}
