#pragma once
#include "core/notifier.h"

#include <QObject>
#include <QString>
#include <memory>

namespace sluice::gui {

class AgentsModel;
class ControlPanel;
class DesktopNotifications;
class ServiceConnection;
class TrayActions;
class TrayController;
class TraySettings;

// Wires the parts of sluice-tray together for one HOME: the connection, the notifier, the
// models, the tray icon + menu, the control panel and the settings. Where no system tray exists
// the panel opens as a normal window and closing it quits. Notifications go to the desktop's
// notification service where it answers, else to the tray balloon, else to the panel.
class TrayApp : public QObject
{
    Q_OBJECT
public:
    // settings: the user's (nullptr) or one the caller owns for as long as the app (tests).
    TrayApp(const QString &home, bool trayAvailable, QObject *parent = nullptr,
            TraySettings *settings = nullptr);
    ~TrayApp() override;

    void start(); // connects to the service; shows the tray icon or the panel

    ServiceConnection *connection() const { return m_conn; }
    Notifier *notifier() const { return m_notifier; }
    AgentsModel *agentsModel() const { return m_agents; }
    TrayActions *actions() const { return m_actions; }
    TrayController *tray() const { return m_tray; }
    ControlPanel *panel() const { return m_panel; }
    TraySettings *settings() const { return m_settings; }
    // Where notifications go; tests point it at a private bus.
    void setDesktopNotifications(DesktopNotifications *notifications);

public Q_SLOTS:
    void openPanel();
    void togglePanel();
    void openSettings();

Q_SIGNALS:
    // A notification was shown; via: "desktop", "tray" or "panel".
    void notificationShown(sluice::gui::Notifier::Kind kind, const QString &via);

private:
    void showNotification(Notifier::Kind kind, const QString &title, const QString &text);
    void showFallback(Notifier::Kind kind, const QString &title, const QString &text);

    bool m_trayAvailable;
    std::unique_ptr<TraySettings> m_ownSettings;
    TraySettings *m_settings;
    ServiceConnection *m_conn;
    Notifier *m_notifier;
    AgentsModel *m_agents;
    TrayActions *m_actions;
    TrayController *m_tray;
    ControlPanel *m_panel;
    DesktopNotifications *m_desktop;
};

} // namespace sluice::gui
