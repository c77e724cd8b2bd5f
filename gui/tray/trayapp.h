#pragma once
#include "core/notifier.h"

#include <QObject>
#include <QString>

namespace sluice::gui {

class AgentsModel;
class ControlPanel;
class ServiceConnection;
class TrayActions;
class TrayController;

// Wires the parts of sluice-tray together for one HOME: the connection, the notifier, the
// models, the tray icon + menu and the control panel. Where no system tray exists the panel
// opens as a normal window and closing it quits.
class TrayApp : public QObject
{
    Q_OBJECT
public:
    TrayApp(const QString &home, bool trayAvailable, QObject *parent = nullptr);
    ~TrayApp() override;

    void start(); // connects to the service; shows the tray icon or the panel

    ServiceConnection *connection() const { return m_conn; }
    Notifier *notifier() const { return m_notifier; }
    AgentsModel *agentsModel() const { return m_agents; }
    TrayActions *actions() const { return m_actions; }
    TrayController *tray() const { return m_tray; }
    ControlPanel *panel() const { return m_panel; }

public Q_SLOTS:
    void openPanel();

private:
    void showNotification(Notifier::Kind kind, const QString &title, const QString &text);

    bool m_trayAvailable;
    ServiceConnection *m_conn;
    Notifier *m_notifier;
    AgentsModel *m_agents;
    TrayActions *m_actions;
    TrayController *m_tray;
    ControlPanel *m_panel;
};

} // namespace sluice::gui
