#include "tray/trayapp.h"

#include "core/agentsmodel.h"
#include "core/guilogging.h"
#include "core/serviceconnection.h"
#include "tray/controlpanel.h"
#include "tray/trayactions.h"
#include "tray/traycontroller.h"

#include <QApplication>

namespace sluice::gui {

TrayApp::TrayApp(const QString &home, bool trayAvailable, QObject *parent)
    : QObject(parent)
    , m_trayAvailable(trayAvailable)
    , m_conn(new ServiceConnection(home, this))
    , m_notifier(new Notifier(m_conn, this))
    , m_agents(new AgentsModel(this))
    , m_actions(new TrayActions(m_conn, m_notifier, this))
    , m_tray(new TrayController(m_conn, m_actions, this))
    , m_panel(new ControlPanel(m_conn, m_agents, m_actions))
{
    m_panel->setAttribute(Qt::WA_DeleteOnClose, false);
    m_panel->setQuitOnClose(!trayAvailable);
    connect(m_conn, &ServiceConnection::agentsChanged, this, [this] {
        m_agents->setAgents(m_conn->isReachable() ? m_conn->agents() : QJsonArray());
    });
    connect(m_conn, &ServiceConnection::statusChanged, this, [this] {
        if (!m_conn->isReachable() && m_agents->rowCount() > 0)
            m_agents->setAgents({});
    });
    connect(m_tray, &TrayController::presentationChanged, m_panel,
            &ControlPanel::applyPresentation);
    m_panel->applyPresentation(m_tray->presentation());
    connect(m_actions, &TrayActions::message, m_panel, &ControlPanel::showMessage);
    connect(m_actions, &TrayActions::message, this, [this](const QString &text, bool isError) {
        // Failures reach the user even with the panel closed.
        if (isError && !m_panel->isVisible())
            m_tray->showMessage(QStringLiteral("Sluice"), text, QSystemTrayIcon::Warning);
    });
    connect(m_actions, &TrayActions::openPanelRequested, this, &TrayApp::openPanel);
    connect(m_actions, &TrayActions::quitRequested, qApp, &QApplication::quit);
    connect(m_tray, &TrayController::activated, this, &TrayApp::openPanel);
    connect(m_notifier, &Notifier::notify, this, &TrayApp::showNotification);
}

TrayApp::~TrayApp()
{
    delete m_panel;
}

void TrayApp::start()
{
    m_conn->start();
    if (m_trayAvailable) {
        m_tray->show();
    } else {
        qCInfo(lcTray) << "no system tray: opening the control panel as a window";
        openPanel();
    }
}

void TrayApp::openPanel()
{
    m_panel->raiseWindow();
}

void TrayApp::showNotification(Notifier::Kind kind, const QString &title, const QString &text)
{
    const auto icon =
        kind == Notifier::Unreachable ? QSystemTrayIcon::Warning : QSystemTrayIcon::Information;
    if (!m_tray->showMessage(title, text, icon) || m_panel->isVisible())
        m_panel->showMessage(title + QStringLiteral(": ") + text, kind == Notifier::Unreachable);
}

} // namespace sluice::gui
