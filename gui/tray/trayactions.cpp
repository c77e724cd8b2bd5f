#include "tray/trayactions.h"

#include "core/agentsmodel.h"
#include "core/notifier.h"
#include "core/serviceconnection.h"

#include "sluice/protocol.h"

#include <QAbstractButton>
#include <QAction>
#include <QJsonArray>
#include <QJsonObject>
#include <QMessageBox>

namespace sluice::gui {

static QAction *makeAction(const QString &text, const char *name, QObject *parent)
{
    auto *a = new QAction(text, parent);
    a->setObjectName(QLatin1String(name));
    return a;
}

TrayActions::TrayActions(ServiceConnection *connection, Notifier *notifier, QObject *parent)
    : QObject(parent)
    , m_conn(connection)
    , m_notifier(notifier)

    , m_drain(makeAction(QStringLiteral("Drain"), "drainAction", this))
    , m_cancelDrain(makeAction(QStringLiteral("Cancel drain"), "cancelDrainAction", this))
    , m_stop(makeAction(QStringLiteral("Stop"), "stopAction", this))
    , m_restart(makeAction(QStringLiteral("Restart"), "restartAction", this))
    , m_forceRestart(makeAction(QStringLiteral("Force restart…"), "forceRestartAction", this))
    , m_openPanel(makeAction(QStringLiteral("Open control panel"), "openPanelAction", this))
    , m_quit(makeAction(QStringLiteral("Quit tray"), "quitAction", this))
{
    m_drain->setToolTip(QStringLiteral("Refuse new turns and let the running ones finish"));
    m_cancelDrain->setToolTip(QStringLiteral("Accept new turns again"));
    m_stop->setToolTip(QStringLiteral("Planned stop: drain, then exit"));
    m_restart->setToolTip(QStringLiteral("Drain, then restart the gateway"));
    m_forceRestart->setToolTip(QStringLiteral("Restart now, interrupting running turns"));
    m_quit->setToolTip(QStringLiteral("Close the tray; the gateway keeps running"));

    connect(m_conn, &ServiceConnection::actionFailed, this,
            [this](const QString &msg) { Q_EMIT message(msg, true); });

    connect(m_drain, &QAction::triggered, this, [this] {
        sendCommand(Protocol::Cmd::Drain, {{"principal", "tray"}}, [this] {
            return QStringLiteral("Draining: new turns are refused; %1 running turn(s) may finish.")
                .arg(m_conn->activeAgents());
        });
    });
    connect(m_cancelDrain, &QAction::triggered, this, [this] {
        sendCommand(Protocol::Cmd::CancelDrain, {},
                    [] { return QStringLiteral("Drain cancelled: accepting new turns."); });
    });
    connect(m_stop, &QAction::triggered, this, [this] {
        m_notifier->markManualStop();
        sendCommand(Protocol::Cmd::Stop, {},
                    [] { return QStringLiteral("Stopping: running turns get their drain time."); });
    });
    connect(m_restart, &QAction::triggered, this, [this] {
        m_notifier->markManualRestart();
        sendCommand(Protocol::Cmd::Restart, {{"force", false}},
                    [] { return QStringLiteral("Restarting after the drain."); });
    });
    connect(m_forceRestart, &QAction::triggered, this, &TrayActions::onForceRestart);
    connect(m_openPanel, &QAction::triggered, this, &TrayActions::openPanelRequested);
    connect(m_quit, &QAction::triggered, this, &TrayActions::quitRequested);
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
    m_drain->setVisible(p.drainVisible);
    m_drain->setEnabled(p.drainEnabled);
    m_cancelDrain->setVisible(p.cancelDrainVisible);
    m_cancelDrain->setEnabled(p.cancelDrainEnabled);
    m_stop->setEnabled(p.stopEnabled);
    m_restart->setEnabled(p.restartEnabled);
    m_forceRestart->setEnabled(p.forceRestartEnabled);
}

QString TrayActions::forceRestartQuestion() const
{
    const QJsonArray agents = m_conn->agents();
    if (agents.isEmpty())
        return QStringLiteral("Force restart now?\n\nNo agent turn is running, so nothing will "
                              "be interrupted.");
    QStringList lines;
    for (const QJsonValue &v : agents) {
        const QJsonObject o = v.toObject();
        const QJsonValue id = o.value(QLatin1String("turn_id"));
        lines << QStringLiteral("  • session %1 (turn %2, running %3)")
                     .arg(o.value(QLatin1String("session")).toString(),
                          id.isString() ? id.toString() : QString::number(id.toInteger()),
                          AgentsModel::formatElapsed(
                              // Bounded first: a double out of range must never be cast.
                              qint64(qBound(0.0, o.value(QLatin1String("elapsed_s")).toDouble(),
                                            1e12))));
    }
    const int n = int(agents.size());
    return QStringLiteral("Force restart now?\n\nThis interrupts %1 active turn%2 without "
                          "waiting for %3 to finish:\n%4\n\nTheir sessions are marked to resume "
                          "after the restart.")
        .arg(n)
        .arg(n == 1 ? QString() : QStringLiteral("s"))
        .arg(n == 1 ? QStringLiteral("it") : QStringLiteral("them"))
        .arg(lines.join(QLatin1Char('\n')));
}

void TrayActions::onForceRestart()
{
    if (!confirm(QStringLiteral("Force restart Sluice"), forceRestartQuestion())) {
        Q_EMIT message(QStringLiteral("Force restart cancelled."), false);
        return;
    }
    m_notifier->markManualRestart();
    sendCommand(Protocol::Cmd::Restart, {{"force", true}},
                [] { return QStringLiteral("Force restart under way."); });
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
        return QStringLiteral("Interrupted turn %1 (session %2).").arg(turnId, session);
    });
}

bool TrayActions::confirm(const QString &title, const QString &text)
{
    QMessageBox box(QMessageBox::Warning, title, text, QMessageBox::Yes | QMessageBox::Cancel);
    box.setObjectName(QStringLiteral("forceRestartConfirm"));
    box.setDefaultButton(QMessageBox::Cancel);
    box.button(QMessageBox::Yes)->setText(QStringLiteral("Force restart"));
    return box.exec() == QMessageBox::Yes;
}

} // namespace sluice::gui
