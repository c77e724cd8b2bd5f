#include "tray/trayactions.h"

#include "core/agentsmodel.h"
#include "core/notifier.h"
#include "core/serviceconnection.h"

#include "sluice/protocol.h"

#include <QAbstractButton>
#include <QAction>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QJsonArray>
#include <QJsonObject>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QTimer>

namespace sluice::gui {

static QAction *makeAction(const QString &text, const QString &tip, const char *name,
                           QObject *parent)
{
    auto *a = new QAction(text, parent);
    a->setObjectName(QLatin1String(name));
    a->setToolTip(tip);
    a->setStatusTip(tip);
    return a;
}

TrayActions::TrayActions(ServiceConnection *connection, Notifier *notifier, AgentsModel *agents,
                         QObject *parent)
    : QObject(parent)
    , m_conn(connection)
    , m_notifier(notifier)
    , m_agents(agents)
    , m_control(new ServiceControl(connection->home(), this))
    , m_start(makeAction(tr("Start service"), tr("Start the Sluice gateway for this HOME"),
                         "startAction", this))
    , m_drain(makeAction(tr("Drain"), tr("Refuse new turns and let the running ones finish"),
                         "drainAction", this))
    , m_cancelDrain(
          makeAction(tr("Cancel drain"), tr("Accept new turns again"), "cancelDrainAction", this))
    , m_stop(makeAction(tr("Stop"), tr("Planned stop: drain, then exit"), "stopAction", this))
    , m_restart(
          makeAction(tr("Restart"), tr("Drain, then restart the gateway"), "restartAction", this))
    , m_forceRestart(makeAction(tr("Force restart…"), tr("Restart now, interrupting running turns"),
                                "forceRestartAction", this))
    , m_sendTest(makeAction(tr("Send test message…"),
                            tr("Send a message to an agent and watch the reply"), "sendTestAction",
                            this))
    , m_settings(makeAction(tr("Settings…"), tr("Notifications, autostart and HOME"),
                            "settingsAction", this))
    , m_openPanel(makeAction(tr("Open control panel"), tr("Show the control panel window"),
                             "openPanelAction", this))
    , m_quit(makeAction(tr("Quit tray"), tr("Close the tray; the gateway keeps running"),
                        "quitAction", this))
{
    m_start->setEnabled(false);
    m_sendTest->setEnabled(false);
    connect(m_conn, &ServiceConnection::actionFailed, this,
            [this](const QString &msg) { Q_EMIT message(msg, true); });
    connect(m_control, &ServiceControl::finished, this, &TrayActions::onServiceControlFinished);

    connect(m_start, &QAction::triggered, this,
            [this] { runServiceControl(ServiceControl::Action::Start); });
    connect(m_drain, &QAction::triggered, this, [this] {
        sendCommand(Protocol::Cmd::Drain, {{"principal", "tray"}}, [this] {
            return tr("Draining: new turns are refused; %n running turn(s) may finish.", nullptr,
                      m_conn->activeAgents());
        });
    });
    connect(m_cancelDrain, &QAction::triggered, this, [this] {
        sendCommand(Protocol::Cmd::CancelDrain, {},
                    [] { return tr("Drain cancelled: accepting new turns."); });
    });
    connect(m_stop, &QAction::triggered, this, [this] {
        m_notifier->markManualStop();
        if (managed()) {
            runServiceControl(ServiceControl::Action::Stop);
            return;
        }
        sendCommand(Protocol::Cmd::Stop, {},
                    [] { return tr("Stopping: running turns get their drain time."); });
    });
    connect(m_restart, &QAction::triggered, this, [this] {
        m_notifier->markManualRestart();
        if (managed()) {
            runServiceControl(ServiceControl::Action::Restart);
            return;
        }
        sendCommand(Protocol::Cmd::Restart, {{"force", false}},
                    [] { return tr("Restarting after the drain."); });
    });
    connect(m_forceRestart, &QAction::triggered, this, &TrayActions::onForceRestart);
    connect(m_sendTest, &QAction::triggered, this, &TrayActions::onSendTest);
    connect(m_settings, &QAction::triggered, this, &TrayActions::settingsRequested);
    connect(m_openPanel, &QAction::triggered, this, &TrayActions::openPanelRequested);
    connect(m_quit, &QAction::triggered, this, &TrayActions::quitRequested);
}

bool TrayActions::managed() const
{
    return ServiceControl::detect(m_conn->home()).installed();
}

bool TrayActions::serviceControlBusy() const
{
    return m_control->isBusy();
}

void TrayActions::runServiceControl(ServiceControl::Action action)
{
    if (m_control->isBusy()) {
        Q_EMIT message(tr("The service manager is still busy with the last request."), true);
        return;
    }
    m_start->setEnabled(false); // until the service answers or the start fails
    if (action == ServiceControl::Action::Start)
        Q_EMIT message(tr("Starting the service…"), false);
    m_control->run(action);
}

void TrayActions::onServiceControlFinished(const ServiceControl::Result &result)
{
    if (result.notApplicable) {
        // No manager after all: the service itself stops or restarts.
        if (result.action == ServiceControl::Action::Stop)
            sendCommand(Protocol::Cmd::Stop, {},
                        [] { return tr("Stopping: running turns get their drain time."); });
        else
            sendCommand(Protocol::Cmd::Restart, {{"force", false}},
                        [] { return tr("Restarting after the drain."); });
        return;
    }
    apply(m_presentation);
    if (!result.ok) {
        Q_EMIT message(result.message, true);
        return;
    }
    QString text = result.message;
    if (result.drain.cleared)
        text += QLatin1Char(' ') +
                tr("A drain left from before the last stop (asked for by %1) was cleared.")
                    .arg(result.drain.principal.isEmpty() ? tr("someone") : result.drain.principal);
    Q_EMIT message(text, false);
}

void TrayActions::sendCommand(const char *cmd, const QJsonObject &args,
                              std::function<QString()> okMessage)
{
    m_conn->send(QLatin1String(cmd), args, [this, okMessage](const IpcReply &r) {
        if (r.ok)
            Q_EMIT message(okMessage(), false);
    });
}

void TrayActions::apply(const TrayPresentation &p)
{
    m_presentation = p;
    m_start->setVisible(p.startVisible);
    m_start->setEnabled(p.startVisible && !m_control->isBusy());
    m_drain->setVisible(p.drainVisible);
    m_drain->setEnabled(p.drainEnabled);
    m_cancelDrain->setVisible(p.cancelDrainVisible);
    m_cancelDrain->setEnabled(p.cancelDrainEnabled);
    m_stop->setEnabled(p.stopEnabled);
    m_restart->setEnabled(p.restartEnabled);
    m_forceRestart->setEnabled(p.forceRestartEnabled);
    m_sendTest->setEnabled(p.sendEnabled);
}

QString TrayActions::forceRestartQuestion() const
{
    const int n = m_agents->rowCount();
    if (n == 0)
        return tr("Force restart now?\n\nNo agent turn is running, so nothing will be "
                  "interrupted.");
    QStringList lines;
    for (int row = 0; row < n; ++row)
        lines << tr("  • session %1 (turn %2, running %3)")
                     .arg(m_agents->session(row), m_agents->turnId(row),
                          AgentsModel::formatElapsed(m_agents->elapsedSeconds(row)));
    return tr("Force restart now?\n\nThis interrupts %n active turn(s) without waiting for "
              "them to finish:\n%1\n\nTheir sessions are marked to resume after the restart.",
              nullptr, n)
        .arg(lines.join(QLatin1Char('\n')));
}

void TrayActions::onForceRestart()
{
    QMessageBox box(QMessageBox::Warning, tr("Force restart Sluice"), forceRestartQuestion(),
                    QMessageBox::Yes | QMessageBox::Cancel, dialogParent());
    box.setObjectName(QStringLiteral("forceRestartConfirm"));
    box.setDefaultButton(QMessageBox::Cancel);
    box.button(QMessageBox::Yes)->setText(tr("Force restart"));
    // The turns keep running while the question is open: their times move on too.
    QTimer tick;
    connect(&tick, &QTimer::timeout, &box, [&box, this] { box.setText(forceRestartQuestion()); });
    tick.start(1000);
    if (box.exec() != QMessageBox::Yes) {
        Q_EMIT message(tr("Force restart cancelled."), false);
        return;
    }
    m_notifier->markManualRestart();
    sendCommand(Protocol::Cmd::Restart, {{"force", true}},
                [] { return tr("Force restart under way."); });
}

void TrayActions::onSendTest()
{
    QDialog dialog(dialogParent());
    dialog.setObjectName(QStringLiteral("sendTestDialog"));
    dialog.setWindowTitle(tr("Send test message"));
    auto *form = new QFormLayout(&dialog);
    auto *session = new QLineEdit(QStringLiteral("tray-test"), &dialog);
    session->setObjectName(QStringLiteral("sessionEdit"));
    session->setAccessibleName(tr("Session"));
    session->setValidator(new QRegularExpressionValidator(
        QRegularExpression(QStringLiteral("[A-Za-z0-9._:@-]{1,128}")), session));
    auto *text = new QPlainTextEdit(tr("Hello from the Sluice tray."), &dialog);
    text->setObjectName(QStringLiteral("messageEdit"));
    text->setAccessibleName(tr("Message"));
    text->setTabChangesFocus(true);
    form->addRow(tr("&Session:"), session);
    form->addRow(tr("&Message:"), text);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Send"));
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    connect(session, &QLineEdit::textChanged, &dialog, [session, buttons] {
        buttons->button(QDialogButtonBox::Ok)->setEnabled(session->hasAcceptableInput());
    });
    if (dialog.exec() != QDialog::Accepted)
        return;
    sendMessage(session->text(), text->toPlainText());
}

void TrayActions::sendMessage(const QString &session, const QString &text)
{
    m_conn->send(QLatin1String(Protocol::Cmd::Send), {{"session", session}, {"text", text}},
                 [this, session](const IpcReply &r) {
                     if (!r.ok)
                         return;
                     const QJsonValue idv = r.body.value(QLatin1String("turn_id"));
                     const QString id =
                         idv.isString() ? idv.toString() : QString::number(idv.toInteger());
                     Q_EMIT message(tr("Sent to session %1 as turn %2.").arg(session, id), false);
                     Q_EMIT turnSent(id, session);
                 });
}

void TrayActions::interruptTurn(const QString &turnId, const QString &session)
{
    // Send the id exactly as the service gave it (number or string).
    QJsonValue id(turnId);
    const QJsonArray agents = m_conn->agents();
    for (const QJsonValue &v : agents) {
        const QJsonValue raw = v.toObject().value(QLatin1String("turn_id"));
        if ((raw.isString() ? raw.toString() : QString::number(raw.toInteger())) == turnId)
            id = raw;
    }
    sendCommand(Protocol::Cmd::Interrupt, {{"turn_id", id}}, [turnId, session] {
        return tr("Interrupted turn %1 (session %2).").arg(turnId, session);
    });
}

} // namespace sluice::gui
