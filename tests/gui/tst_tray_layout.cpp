// The control panel at 200 % (QT_SCALE_FACTOR=2): it fits 800×500 logical pixels with every
// button inside the window; a HOME where no service ever ran explains itself with a Start
// button; the window title names the app once; a click on the tray icon toggles the panel;
// sluice-tray --help and --version need no display.
#include "core/serviceconnection.h"
#include "core/translations.h"
#include "core/traysettings.h"
#include "tray/controlpanel.h"
#include "tray/trayactions.h"
#include "tray/trayapp.h"
#include "tray/traycontroller.h"

#include "servicefixture.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QLabel>
#include <QProcess>
#include <QPushButton>
#include <QTemporaryDir>
#include <QtTest>

using namespace sluice::gui;
using sluice::test::ServiceFixture;

class TstTrayLayout : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void panelFitsAt200Percent_data();
    void panelFitsAt200Percent();
    void firstRunExplainsItselfAndClickToggles();
    void helpAndVersionWithoutDisplay();

private:
    QTemporaryDir m_config;
};

void TstTrayLayout::initTestCase()
{
    QCOMPARE(qApp->devicePixelRatio(), 2.0);
}

void TstTrayLayout::panelFitsAt200Percent_data()
{
    QTest::addColumn<QString>("locale");
    QTest::newRow("en") << "en_US";
    QTest::newRow("de") << "de_DE"; // the longer German labels must fit too
}

void TstTrayLayout::panelFitsAt200Percent()
{
    QFETCH(QString, locale);
    installTranslations(qApp, QLocale(locale));
    QTemporaryDir home;
    TraySettings settings(m_config.filePath(QStringLiteral("tray.conf")));
    TrayApp app(home.path(), /*tray=*/true, nullptr, &settings);
    app.start();
    ControlPanel *panel = app.panel();
    const QSize min = panel->minimumSizeHint().expandedTo(panel->minimumSize());
    QVERIFY2(min.width() <= 800 && min.height() <= 500,
             qPrintable(QStringLiteral("minimum %1×%2").arg(min.width()).arg(min.height())));
    panel->raiseWindow();
    QVERIFY(QTest::qWaitForWindowExposed(panel));
    panel->resize(800, 500);
    QTRY_COMPARE(panel->size(), QSize(800, 500));
    QCoreApplication::processEvents();
    // Every visible button lies wholly inside the window.
    const QRect inside = panel->rect();
    for (QAbstractButton *b : panel->findChildren<QAbstractButton *>()) {
        if (!b->isVisibleTo(panel) || b->window() != panel)
            continue;
        const QRect r(b->mapTo(panel, QPoint(0, 0)), b->size());
        QVERIFY2(inside.contains(r), qPrintable(b->objectName() + QStringLiteral(" at %1,%2 %3×%4")
                                                                      .arg(r.x())
                                                                      .arg(r.y())
                                                                      .arg(r.width())
                                                                      .arg(r.height())));
    }
    installTranslations(qApp, QLocale(QStringLiteral("en_US")));
}

void TstTrayLayout::firstRunExplainsItselfAndClickToggles()
{
    QTemporaryDir home;
    TraySettings settings(m_config.filePath(QStringLiteral("tray.conf")));
    TrayApp app(home.path(), /*tray=*/true, nullptr, &settings);
    app.start();
    ControlPanel *panel = app.panel();
    QCOMPARE(panel->windowTitle(), QStringLiteral("Sluice — control panel"));
    // No display name: the platform appends none to the title.
    QVERIFY(!panel->windowTitle().endsWith(QGuiApplication::applicationDisplayName()) ||
            QGuiApplication::applicationDisplayName() == QCoreApplication::applicationName());
    QCOMPARE(app.connection()->offline(), Offline::FirstRun);
    QCOMPARE(app.tray()->iconKey(), QStringLiteral("stopped"));
    QVERIFY(app.actions()->start()->isVisible() && app.actions()->start()->isEnabled());
    QVERIFY(!app.actions()->stop()->isEnabled());

    // A click on the icon opens the panel; the next one hides it again.
    Q_EMIT app.tray()->trayIcon()->activated(QSystemTrayIcon::Trigger);
    QTRY_VERIFY(panel->isVisible());
    QVERIFY(panel->firstRunBanner()->isVisible());
    QVERIFY(panel->firstRunBanner()->text().contains(QStringLiteral("No Sluice service")));
    auto *start = panel->findChild<QPushButton *>(QStringLiteral("firstRunStartButton"));
    QVERIFY(start && start->isVisible() && start->isEnabled());
    QVERIFY(panel->stateLabel()->text().contains(QStringLiteral("not started yet")));
    Q_EMIT app.tray()->trayIcon()->activated(QSystemTrayIcon::Trigger);
    QTRY_VERIFY(!panel->isVisible());
    Q_EMIT app.tray()->trayIcon()->activated(QSystemTrayIcon::Trigger);
    QTRY_VERIFY(panel->isVisible());
}

void TstTrayLayout::helpAndVersionWithoutDisplay()
{
    const QString exe = ServiceFixture::binary(QStringLiteral("sluice-tray"));
    QVERIFY2(QFile::exists(exe), "build sluice-tray first");
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    // A platform that needs a display, and none: a QApplication would abort here.
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("xcb"));
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    for (const QString &arg : {QStringLiteral("--help"), QStringLiteral("--version")}) {
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(exe, {arg});
        QVERIFY(p.waitForFinished(20000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
        const QByteArray out = p.readAllStandardOutput();
        QVERIFY2(out.contains(arg == QLatin1String("--help") ? "--home" : "sluice-tray "),
                 out.constData());
    }
}

int main(int argc, char *argv[])
{
    qputenv("QT_SCALE_FACTOR", "2");
    QApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("sluice-tray"));
    TstTrayLayout test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_tray_layout.moc"
