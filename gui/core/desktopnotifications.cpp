#include "core/desktopnotifications.h"

#include "core/guilogging.h"

#include <QTimer>
#include <QVariantMap>

#ifdef SLUICE_HAVE_DBUS
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#endif

namespace sluice::gui {

DesktopNotifications::DesktopNotifications(const QString &busAddress, QObject *parent)
    : QObject(parent)
{
#ifdef SLUICE_HAVE_DBUS
    if (busAddress.isEmpty()) {
        m_connectionName = QDBusConnection::sessionBus().name();
        m_connected = QDBusConnection::sessionBus().isConnected();
    } else {
        m_connectionName = QStringLiteral("sluice-notifications-%1").arg(quintptr(this), 0, 16);
        m_connected = QDBusConnection::connectToBus(busAddress, m_connectionName).isConnected();
    }
#else
    Q_UNUSED(busAddress);
#endif
}

DesktopNotifications::~DesktopNotifications()
{
#ifdef SLUICE_HAVE_DBUS
    if (m_connectionName.startsWith(QLatin1String("sluice-notifications-")))
        QDBusConnection::disconnectFromBus(m_connectionName);
#endif
}

bool DesktopNotifications::available() const
{
    return m_connected;
}

void DesktopNotifications::show(const QString &title, const QString &text, bool urgent,
                                std::function<void(bool)> done)
{
    auto finish = [done](bool ok) {
        if (done)
            done(ok);
    };
#ifdef SLUICE_HAVE_DBUS
    if (m_connected) {
        QDBusMessage call =
            QDBusMessage::createMethodCall(QLatin1String(Service), QLatin1String(Path),
                                           QLatin1String(Service), QStringLiteral("Notify"));
        QVariantMap hints;
        hints.insert(QStringLiteral("urgency"), QVariant::fromValue(uchar(urgent ? 2 : 1)));
        hints.insert(QStringLiteral("desktop-entry"), QStringLiteral("sluice-tray"));
        call << QStringLiteral("Sluice") << uint(0) << QStringLiteral("sluice-tray") << title
             << text << QStringList() << hints << int(urgent ? 0 : 8000);
        QDBusConnection bus(m_connectionName);
        auto *watcher = new QDBusPendingCallWatcher(bus.asyncCall(call, 5000), this);
        connect(watcher, &QDBusPendingCallWatcher::finished, this,
                [watcher, finish](QDBusPendingCallWatcher *) {
                    const QDBusPendingReply<uint> reply = *watcher;
                    watcher->deleteLater();
                    if (reply.isError())
                        qCDebug(lcTray).noquote()
                            << "no desktop notification service:" << reply.error().name();
                    finish(!reply.isError());
                });
        return;
    }
#else
    Q_UNUSED(title);
    Q_UNUSED(text);
    Q_UNUSED(urgent);
#endif
    QTimer::singleShot(0, this, [finish] { finish(false); });
}

} // namespace sluice::gui
