#pragma once
#include <QObject>
#include <QString>
#include <functional>

namespace sluice::gui {

// Desktop notifications through the freedesktop.org notification service
// (org.freedesktop.Notifications on the session D-Bus), the way the desktop shows every other
// program's. The call is asynchronous; done(false) tells the caller to fall back (Qt's tray
// balloon) where no such service answers. Built without Qt DBus, or off Linux/BSD, it never
// delivers and always says so at once.
class DesktopNotifications : public QObject
{
    Q_OBJECT
public:
    // busAddress: a D-Bus address to use instead of the session bus (tests).
    explicit DesktopNotifications(const QString &busAddress = QString(), QObject *parent = nullptr);
    ~DesktopNotifications() override;

    bool available() const; // a bus to ask exists
    // urgent: shown as critical (e.g. unreachable). done runs once, from the event loop.
    void show(const QString &title, const QString &text, bool urgent,
              std::function<void(bool delivered)> done = {});

    static constexpr const char *Service = "org.freedesktop.Notifications";
    static constexpr const char *Path = "/org/freedesktop/Notifications";

private:
    QString m_connectionName;
    bool m_connected = false;
};

} // namespace sluice::gui
