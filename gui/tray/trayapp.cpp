#include "tray/trayapp.h"

#include "core/agentsmodel.h"
#include "core/desktopnotifications.h"
#include "core/guilogging.h"
#include "core/serviceconnection.h"
#include "core/traysettings.h"
#include "tray/controlpanel.h"
#include "tray/settingsdialog.h"
#include "tray/trayactions.h"
#include "tray/traycontroller.h"

#include <QApplication>
#include <QPointer>

namespace sluice::gui {

TrayApp::TrayApp(const QString &home, bool trayAvailable, QObject *parent, TraySettings *settings)
    : QObject(parent)
    , m_trayAvailable(trayAvailable)
    , m_ownSettings(settings ? nullptr : std::make_unique<TraySettings>())
    , m_settings(settings ? settings : m_ownSettings.get())
    , m_conn(new ServiceConnection(home, this))
    , m_notifier(new Notifier(m_conn, this))
    , m_agents(new AgentsModel(this))
    , m_actions(new TrayActions(m_conn, m_notifier, m_agents, this))
    , m_tray(new TrayController(m_conn, m_actions, m_agents, this))
    , m_panel(new ControlPanel(m_conn, m_agents, m_actions))
    , m_desktop(new DesktopNotifications(QString(), this))
{
    m_panel->setAttribute(Qt::WA_DeleteOnClose, false);
    m_panel->setQuitOnClose(!trayAvailable);
    m_actions->setDialogParent(
        [this]() -> QWidget * { return m_panel->isVisible() ? m_panel : nullptr; });
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
    connect(m_actions, &TrayActions::settingsRequested, this, &TrayApp::openSettings);
    connect(m_actions, &TrayActions::turnSent, this, &TrayApp::openPanel);
    connect(m_actions, &TrayActions::quitRequested, qApp, &QApplication::quit);
    connect(m_tray, &TrayController::activated, this, &TrayApp::togglePanel);
    connect(m_notifier, &Notifier::notify, this, &TrayApp::showNotification);
}

TrayApp::~TrayApp()
{
    // Quitting is not news: nothing the teardown changes may be announced.
    disconnect(m_notifier, nullptr, this, nullptr);
    delete m_panel;
}

void TrayApp::setDesktopNotifications(DesktopNotifications *notifications)
{
    delete m_desktop;
    m_desktop = notifications;
    m_desktop->setParent(this);
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

void TrayApp::togglePanel()
{
    m_panel->toggleWindow();
}

void TrayApp::openSettings()
{
    SettingsDialog dialog(m_settings, m_conn->home(), m_panel->isVisible() ? m_panel : nullptr);
    if (dialog.exec() == QDialog::Accepted)
        m_panel->showMessage(dialog.apply(), false);
}

void TrayApp::showNotification(Notifier::Kind kind, const QString &title, const QString &text)
{
    if (!m_settings->notificationEnabled(kind)) {
        qCDebug(lcTray).noquote() << "notification switched off:" << Notifier::kindKey(kind);
        return;
    }
    const bool urgent = kind == Notifier::Unreachable;
    if (m_panel->isVisible())
        m_panel->showMessage(title + QStringLiteral(": ") + text, urgent);
    if (!m_desktop->available()) {
        showFallback(kind, title, text);
        return;
    }
    QPointer<TrayApp> self(this);
    m_desktop->show(title, text, urgent, [self, kind, title, text](bool delivered) {
        if (!self)
            return;
        if (delivered)
            Q_EMIT self->notificationShown(kind, QStringLiteral("desktop"));
        else
            self->showFallback(kind, title, text);
    });
}

void TrayApp::showFallback(Notifier::Kind kind, const QString &title, const QString &text)
{
    const auto icon =
        kind == Notifier::Unreachable ? QSystemTrayIcon::Warning : QSystemTrayIcon::Information;
    if (m_tray->showMessage(title, text, icon)) {
        Q_EMIT notificationShown(kind, QStringLiteral("tray"));
        return;
    }
    if (!m_panel->isVisible())
        m_panel->showMessage(title + QStringLiteral(": ") + text, kind == Notifier::Unreachable);
    Q_EMIT notificationShown(kind, QStringLiteral("panel"));
}

} // namespace sluice::gui
