#pragma once
#include "core/traypresentation.h"

#include "sluice/servicecontrol.h"

#include <QJsonObject>
#include <QObject>
#include <functional>

class QAction;
class QWidget;

namespace sluice::gui {

class AgentsModel;
class ServiceConnection;
class Notifier;

// The user's commands, shared by the tray menu and the control panel buttons: Start service,
// Drain, Cancel drain, Stop, Restart, Force restart (asks first), Interrupt, Send test message,
// Settings, Open control panel, Quit tray. Commands to a running service go through the
// ServiceConnection; Start — and Stop / Restart when a service-manager unit is installed for
// this HOME — go through ServiceControl, so the manager's view stays true. Results and failures
// (including timeouts) come back as message(). Enabled/visible follow the one TrayPresentation.
class TrayActions : public QObject
{
    Q_OBJECT
public:
    TrayActions(ServiceConnection *connection, Notifier *notifier, AgentsModel *agents,
                QObject *parent = nullptr);

    QAction *start() const { return m_start; }
    QAction *drain() const { return m_drain; }
    QAction *cancelDrain() const { return m_cancelDrain; }
    QAction *stop() const { return m_stop; }
    QAction *restart() const { return m_restart; }
    QAction *forceRestart() const { return m_forceRestart; }
    QAction *sendTest() const { return m_sendTest; }
    QAction *settings() const { return m_settings; }
    QAction *openPanel() const { return m_openPanel; }
    QAction *quit() const { return m_quit; }

    void interruptTurn(const QString &turnId, const QString &session);
    void apply(const TrayPresentation &p);
    // Sends a message as a turn of session (the Send test message dialog's work).
    void sendMessage(const QString &session, const QString &text);
    // Whether Start/Stop/Restart go through a service manager (a unit is installed).
    bool managed() const;
    bool serviceControlBusy() const;

    // Where dialogs open over (the control panel when visible).
    void setDialogParent(std::function<QWidget *()> parent) { m_dialogParent = std::move(parent); }

Q_SIGNALS:
    void message(const QString &text, bool isError);
    void openPanelRequested();
    void settingsRequested();
    void quitRequested();
    void turnSent(const QString &turnId, const QString &session);

private:
    // Sends cmd (a Protocol::Cmd); a success is reported with okMessage(), asked when the reply
    // comes. Failures arrive through ServiceConnection::actionFailed.
    void sendCommand(const char *cmd, const QJsonObject &args, std::function<QString()> okMessage);
    void runServiceControl(ServiceControl::Action action);
    void onServiceControlFinished(const ServiceControl::Result &result);
    void onForceRestart();
    void onSendTest();
    // The confirmation text for a force restart: what will be interrupted, with elapsed times
    // as they are now.
    QString forceRestartQuestion() const;
    QWidget *dialogParent() const { return m_dialogParent ? m_dialogParent() : nullptr; }

    ServiceConnection *m_conn;
    Notifier *m_notifier;
    AgentsModel *m_agents;
    ServiceControl *m_control;
    std::function<QWidget *()> m_dialogParent;
    QAction *m_start;
    QAction *m_drain;
    QAction *m_cancelDrain;
    QAction *m_stop;
    QAction *m_restart;
    QAction *m_forceRestart;
    QAction *m_sendTest;
    QAction *m_settings;
    QAction *m_openPanel;
    QAction *m_quit;
    TrayPresentation m_presentation;
};

} // namespace sluice::gui
