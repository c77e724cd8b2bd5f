#pragma once
#include "core/traypresentation.h"

#include <QObject>
#include <QStringList>
#include <QSystemTrayIcon>

class QAction;
class QMenu;
class QTimer;

namespace sluice::gui {

class AgentsModel;
class ServiceConnection;
class TrayActions;

// The tray icon and its menu: a disabled state line, the active agents (each a submenu with
// Interrupt), Start service, Drain / Cancel drain, Stop, Restart, Force restart, Send test
// message, Open control panel, Settings, Quit tray. Icon, tooltip and menu are all set from one
// TrayPresentation in update(); the agents' elapsed times tick while the menu is open. The icon
// and menu objects exist even where no system tray does (tests use them directly); show() only
// makes the icon visible.
class TrayController : public QObject
{
    Q_OBJECT
public:
    TrayController(ServiceConnection *connection, TrayActions *actions, AgentsModel *agents,
                   QObject *parent = nullptr);
    ~TrayController() override;

    QSystemTrayIcon *trayIcon() const { return m_tray; }
    QMenu *menu() const { return m_menu; }
    QMenu *agentsMenu() const { return m_agentsMenu; }
    QAction *stateAction() const { return m_stateAction; }
    TrayPresentation presentation() const { return m_presentation; }
    QString tooltip() const { return m_presentation.tooltip; }
    QString iconKey() const { return m_presentation.iconKey; }

    void show();
    // Shows a balloon when the icon is visible; returns false when there is no tray to show it.
    bool showMessage(const QString &title, const QString &text,
                     QSystemTrayIcon::MessageIcon icon = QSystemTrayIcon::Information);

public Q_SLOTS:
    void update();

Q_SIGNALS:
    void presentationChanged(const sluice::gui::TrayPresentation &p);
    void activated(); // left click (double click on desktops that send both)

private:
    void rebuildAgentsMenu();
    void refreshElapsed(); // the agent entries' times, in place

    ServiceConnection *m_conn;
    TrayActions *m_actions;
    AgentsModel *m_agents;
    QTimer *m_menuTick;
    QMenu *m_menu;
    QMenu *m_agentsMenu;
    QAction *m_stateAction;
    QSystemTrayIcon *m_tray;
    TrayPresentation m_presentation;
    QStringList m_shownIds; // the turns the agents menu lists now
    bool m_first = true;
};

} // namespace sluice::gui
