// Desktop notifications: with a notification service on D-Bus (a private dbus-daemon and a
// fake org.freedesktop.Notifications in this process) the tray's notifications reach it, with
// title, text and urgency; a kind switched off in the settings is not shown; without a service
// the tray falls back (the panel here, as the offscreen platform has no tray).
#include "core/desktopnotifications.h"
#include "core/notifier.h"
#include "core/traysettings.h"
#include "tray/controlpanel.h"
#include "tray/trayapp.h"

#include <QDBusConnection>
#include <QDeadlineTimer>
#include <QLabel>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace sluice::gui;

// What a notification daemon would receive.
class FakeNotificationService : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Notifications")
public:
    struct Shown
    {
        QString app, summary, body;
        int urgency = -1;
    };
    QList<Shown> shown;

public Q_SLOTS:
    uint Notify(const QString &app, uint, const QString &, const QString &summary,
                const QString &body, const QStringList &, const QVariantMap &hints, int)
    {
        shown.append({app, summary, body, hints.value(QStringLiteral("urgency")).toInt()});
        return uint(shown.size());
    }
};

// Starts a private session bus; its address, or empty when it does not come up.
static QString startBus(QProcess &bus)
{
    bus.start(QStandardPaths::findExecutable(QStringLiteral("dbus-daemon")),
              {QStringLiteral("--session"), QStringLiteral("--nofork"),
               QStringLiteral("--print-address=1")});
    if (!bus.waitForStarted(10000))
        return QString();
    QDeadlineTimer deadline(10000);
    while (!bus.canReadLine() && !deadline.hasExpired())
        QTest::qWait(20);
    return QString::fromUtf8(bus.readLine()).trimmed();
}

class TstTrayNotifications : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void reachTheDesktopService();
    void switchedOffKindsAreNotShown();
    void fallBackWithoutAService();

private:
    QProcess m_bus;
    QString m_address;
    QTemporaryDir m_dir;
    FakeNotificationService m_service;
};

void TstTrayNotifications::initTestCase()
{
    qRegisterMetaType<Notifier::Kind>();
    const QString daemon = QStandardPaths::findExecutable(QStringLiteral("dbus-daemon"));
    if (daemon.isEmpty())
        QSKIP("dbus-daemon is not installed (Debian package dbus-daemon)");
    m_address = startBus(m_bus);
    QVERIFY(!m_address.isEmpty());
    QDBusConnection server = QDBusConnection::connectToBus(m_address, QStringLiteral("server"));
    QVERIFY(server.isConnected());
    QVERIFY(server.registerObject(QLatin1String(DesktopNotifications::Path), &m_service,
                                  QDBusConnection::ExportAllSlots));
    QVERIFY(server.registerService(QLatin1String(DesktopNotifications::Service)));
}

void TstTrayNotifications::cleanupTestCase()
{
    QDBusConnection::disconnectFromBus(QStringLiteral("server"));
    if (m_bus.state() != QProcess::NotRunning) {
        m_bus.terminate();
        m_bus.waitForFinished(5000);
    }
}

void TstTrayNotifications::reachTheDesktopService()
{
    TraySettings settings(m_dir.filePath(QStringLiteral("a.conf")));
    QTemporaryDir home;
    TrayApp app(home.path(), true, nullptr, &settings);
    app.setDesktopNotifications(new DesktopNotifications(m_address));
    QSignalSpy shown(&app, &TrayApp::notificationShown);
    m_service.shown.clear();
    Q_EMIT app.notifier()->notify(Notifier::Unreachable, QStringLiteral("Sluice is not reachable"),
                                  QStringLiteral("The gateway does not answer."));
    QTRY_COMPARE_WITH_TIMEOUT(shown.size(), 1, 10000);
    QCOMPARE(shown.first().at(1).toString(), QStringLiteral("desktop"));
    QCOMPARE(m_service.shown.size(), 1);
    QCOMPARE(m_service.shown.first().app, QStringLiteral("Sluice"));
    QCOMPARE(m_service.shown.first().summary, QStringLiteral("Sluice is not reachable"));
    QCOMPARE(m_service.shown.first().body, QStringLiteral("The gateway does not answer."));
    QCOMPARE(m_service.shown.first().urgency, 2); // critical
    Q_EMIT app.notifier()->notify(Notifier::DrainFinished, QStringLiteral("Drain finished"),
                                  QStringLiteral("safe"));
    QTRY_COMPARE_WITH_TIMEOUT(m_service.shown.size(), 2, 10000);
    QCOMPARE(m_service.shown.last().urgency, 1); // normal
}

void TstTrayNotifications::switchedOffKindsAreNotShown()
{
    TraySettings settings(m_dir.filePath(QStringLiteral("b.conf")));
    settings.setNotificationEnabled(Notifier::StopComplete, false);
    QVERIFY(!TraySettings(m_dir.filePath(QStringLiteral("b.conf")))
                 .notificationEnabled(Notifier::StopComplete)); // stored
    QTemporaryDir home;
    TrayApp app(home.path(), true, nullptr, &settings);
    app.setDesktopNotifications(new DesktopNotifications(m_address));
    QSignalSpy shown(&app, &TrayApp::notificationShown);
    m_service.shown.clear();
    Q_EMIT app.notifier()->notify(Notifier::StopComplete, QStringLiteral("Sluice stopped"),
                                  QStringLiteral("off"));
    Q_EMIT app.notifier()->notify(Notifier::RestartComplete, QStringLiteral("Sluice restarted"),
                                  QStringLiteral("on"));
    QTRY_COMPARE_WITH_TIMEOUT(shown.size(), 1, 10000);
    QCOMPARE(shown.first().at(0).value<Notifier::Kind>(), Notifier::RestartComplete);
    QCOMPARE(m_service.shown.size(), 1);
    QCOMPARE(m_service.shown.first().summary, QStringLiteral("Sluice restarted"));
}

void TstTrayNotifications::fallBackWithoutAService()
{
    // A bus without a notification service: the Notify call fails, the panel shows it.
    QProcess bare;
    const QString address = startBus(bare);
    QVERIFY(!address.isEmpty());
    {
        TraySettings settings(m_dir.filePath(QStringLiteral("c.conf")));
        QTemporaryDir home;
        TrayApp app(home.path(), true, nullptr, &settings);
        app.setDesktopNotifications(new DesktopNotifications(address));
        QSignalSpy shown(&app, &TrayApp::notificationShown);
        Q_EMIT app.notifier()->notify(Notifier::DrainFinished, QStringLiteral("Drain finished"),
                                      QStringLiteral("safe to restart"));
        QTRY_COMPARE_WITH_TIMEOUT(shown.size(), 1, 15000);
        QCOMPARE(shown.first().at(1).toString(), QStringLiteral("panel"));
        QVERIFY(app.panel()->messageLabel()->text().contains(QStringLiteral("safe to restart")));
    }
    bare.terminate();
    bare.waitForFinished(5000);
}

QTEST_MAIN(TstTrayNotifications)
#include "tst_tray_notifications.moc"
