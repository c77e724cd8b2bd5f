#pragma once
#include "core/traypresentation.h"

#include <QJsonObject>
#include <QObject>
#include <functional>

class QAction;

namespace sluice::gui {

class ServiceConnection;
class Notifier;

// The user's commands, shared by the tray menu and the control panel buttons: Drain, Cancel
// drain, Stop, Restart, Force restart (asks first), Interrupt, Open control panel, Quit tray.
// Each sends its command through the ServiceConnection; results and failures (including
// timeouts) come back as message(). Enabled/visible follow the one TrayPresentation.
class TrayActions : public QObject
{
    Q_OBJECT
public:
    TrayActions(ServiceConnection *connection, Notifier *notifier, QObject *parent = nullptr);

    QAction *drain() const { return m_drain; }
    QAction *cancelDrain() const { return m_cancelDrain; }
    QAction *stop() const { return m_stop; }
    QAction *restart() const { return m_restart; }
    QAction *forceRestart() const { return m_forceRestart; }
    QAction *openPanel() const { return m_openPanel; }
    QAction *quit() const { return m_quit; }

    void interruptTurn(const QString &turnId, const QString &session);
    void apply(const TrayPresentation &p);

Q_SIGNALS:
    void message(const QString &text, bool isError);
    void openPanelRequested();
    void quitRequested();

private:
    // Sends cmd (a Protocol::Cmd); a success is reported with okMessage(), asked when the reply
    // comes. Failures arrive through ServiceConnection::actionFailed.
    void sendCommand(const char *cmd, const QJsonObject &args, std::function<QString()> okMessage);
    void onForceRestart();
    // The confirmation text for a force restart: what will be interrupted.
    QString forceRestartQuestion() const;
    // A modal QMessageBox (object name "forceRestartConfirm"); true to go ahead.
    static bool confirm(const QString &title, const QString &text);

    ServiceConnection *m_conn;
    Notifier *m_notifier;
    QAction *m_drain;
    QAction *m_cancelDrain;
    QAction *m_stop;
    QAction *m_restart;
    QAction *m_forceRestart;
    QAction *m_openPanel;
    QAction *m_quit;
};

} // namespace sluice::gui
