// sluice-screenshooter: the docs pictures of sluice-tray (docs/images), used by
// tools/screenshots.sh. A separate program so the shipping sluice-tray carries no screenshot
// hook; it runs the same TrayApp against a service for the given HOME.
#include "screenshooter.h"

#include "core/guilogging.h"
#include "core/translations.h"
#include "tray/trayapp.h"

#include "sluice/paths.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QSystemTrayIcon>

using namespace sluice;
using namespace sluice::gui;

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("sluice-screenshooter"));
    QApplication::setOrganizationName(QStringLiteral("sluice"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Writes tray-icons.png, control-panel.png and tray-menu.png of "
                       "sluice-tray into DIR, then exits."));
    parser.addHelpOption();
    const QCommandLineOption homeOpt(QStringLiteral("home"),
                                     QStringLiteral("The gateway's HOME folder."),
                                     QStringLiteral("DIR"));
    const QCommandLineOption waitAgentOpt(QStringLiteral("wait-agent"),
                                          QStringLiteral("Wait until a turn is running."));
    const QCommandLineOption localeOpt(QStringLiteral("locale"),
                                       QStringLiteral("Show the tray in this language (de_DE); "
                                                      "the panel pictures get the suffix -de."),
                                       QStringLiteral("LOCALE"));
    parser.addOptions({homeOpt, waitAgentOpt, localeOpt});
    parser.addPositionalArgument(QStringLiteral("DIR"), QStringLiteral("Output folder."));
    parser.process(app);
    if (parser.positionalArguments().size() != 1)
        parser.showHelp(2);

    const QString home = HomePaths::resolveHome(parser.value(homeOpt));
    const QLocale locale = parser.isSet(localeOpt) ? QLocale(parser.value(localeOpt))
                                                   : QLocale(QStringLiteral("en_US"));
    const QString language = installTranslations(&app, locale);
    const QString suffix = parser.isSet(localeOpt) ? QLatin1Char('-') + language : QString();
    const bool trayAvailable = QSystemTrayIcon::isSystemTrayAvailable();
    // As in sluice-tray: without a tray the panel window is the app.
    QApplication::setQuitOnLastWindowClosed(!trayAvailable);
    TrayApp tray(home, trayAvailable);
    tray.start();
    ScreenShooter shooter(&tray, parser.positionalArguments().constFirst(),
                          parser.isSet(waitAgentOpt), suffix, parser.isSet(localeOpt));
    shooter.start();
    qCInfo(lcTray) << "screenshots of HOME" << home
                   << (trayAvailable ? "with the system tray" : "without a tray");
    return app.exec();
}
