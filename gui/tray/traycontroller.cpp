#include "tray/traycontroller.h"

#include "core/agentsmodel.h"
#include "core/serviceconnection.h"
#include "tray/trayactions.h"
#include "tray/trayicons.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QMenu>

namespace sluice::gui {

TrayController::TrayController(ServiceConnection *connection, TrayActions *actions, QObject *parent)
    : QObject(parent)
    , m_conn(connection)
    , m_actions(actions)
    , m_menu(new QMenu)
    , m_agentsMenu(new QMenu(QStringLiteral("Active agents"), m_menu))
    , m_stateAction(new QAction(m_menu))
    , m_tray(new QSystemTrayIcon(this))
{
    m_menu->setObjectName(QStringLiteral("trayMenu"));
    m_agentsMenu->setObjectName(QStringLiteral("agentsMenu"));
    m_stateAction->setObjectName(QStringLiteral("stateAction"));
    m_stateAction->setEnabled(false);

    m_menu->addAction(m_stateAction);
    m_menu->addMenu(m_agentsMenu);
    m_menu->addSeparator();
    m_menu->addAction(actions->drain());
    m_menu->addAction(actions->cancelDrain());
    m_menu->addAction(actions->stop());
    m_menu->addAction(actions->restart());
    m_menu->addAction(actions->forceRestart());
    m_menu->addSeparator();
    m_menu->addAction(actions->openPanel());
    m_menu->addAction(actions->quit());
    // Elapsed times in the agent entries are refreshed whenever the menu opens.
    connect(m_menu, &QMenu::aboutToShow, this, &TrayController::rebuildAgentsMenu);

    m_tray->setContextMenu(m_menu);
    connect(m_tray, &QSystemTrayIcon::activated, this,
            [this](QSystemTrayIcon::ActivationReason reason) {
                if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
                    Q_EMIT activated();
            });
    connect(m_conn, &ServiceConnection::statusChanged, this, &TrayController::update);
    connect(m_conn, &ServiceConnection::agentsChanged, this, &TrayController::rebuildAgentsMenu);
    update();
    rebuildAgentsMenu();
}

TrayController::~TrayController()
{
    delete m_menu; // a QMenu cannot have a QObject parent that is not a widget
}

void TrayController::show()
{
    m_tray->show();
}

bool TrayController::showMessage(const QString &title, const QString &text,
                                 QSystemTrayIcon::MessageIcon icon)
{
    if (!m_tray->isVisible() || !QSystemTrayIcon::supportsMessages())
        return false;
    m_tray->showMessage(title, text, icon, 8000);
    return true;
}

void TrayController::update()
{
    const TrayPresentation p = presentStatus(m_conn->effectiveState(), m_conn->activeAgents(),
                                             m_conn->accepting(), m_conn->detail());
    if (p == m_presentation && !m_first)
        return;
    m_first = false;
    if (p.iconKey != m_presentation.iconKey || m_tray->icon().isNull())
        m_tray->setIcon(TrayIcons::icon(p.iconKey));
    m_presentation = p;
    m_tray->setToolTip(p.tooltip);
    m_stateAction->setText(p.stateLine);
    m_stateAction->setIcon(TrayIcons::icon(p.iconKey));
    m_actions->apply(p);
    rebuildAgentsMenu();
    Q_EMIT presentationChanged(p);
}

void TrayController::rebuildAgentsMenu()
{
    // clear() drops the entries but not the per-agent submenus (children of m_agentsMenu):
    // delete them too, or every rebuild leaks one QMenu per agent. Later, since one may be open.
    const QList<QAction *> old = m_agentsMenu->actions();
    for (QAction *a : old) {
        if (QMenu *sub = a->menu()) {
            sub->setObjectName(QString()); // no longer findable while it waits for deletion
            sub->deleteLater();
        }
    }
    m_agentsMenu->clear();
    const QJsonArray agents = m_conn->isReachable() ? m_conn->agents() : QJsonArray();
    m_agentsMenu->setTitle(QStringLiteral("Active agents (%1)").arg(agents.size()));
    m_agentsMenu->setEnabled(!agents.isEmpty());
    for (const QJsonValue &v : agents) {
        const QJsonObject o = v.toObject();
        const QJsonValue idv = o.value(QLatin1String("turn_id"));
        const QString id = idv.isString() ? idv.toString() : QString::number(idv.toInteger());
        const QString session = o.value(QLatin1String("session")).toString();
        QMenu *sub =
            m_agentsMenu->addMenu(QStringLiteral("%1 — turn %2 (%3)")
                                      .arg(session, id,
                                           AgentsModel::formatElapsed(qint64(
                                               o.value(QLatin1String("elapsed_s")).toDouble()))));
        sub->setObjectName(QStringLiteral("agent:%1").arg(id));
        QAction *info = sub->addAction(QStringLiteral("pid %1, %2")
                                           .arg(o.value(QLatin1String("pid")).toInteger())
                                           .arg(o.value(QLatin1String("state")).toString()));
        info->setEnabled(false);
        QAction *interrupt = sub->addAction(QStringLiteral("Interrupt"));
        interrupt->setObjectName(QStringLiteral("interrupt:%1").arg(id));
        interrupt->setEnabled(m_presentation.interruptEnabled);
        connect(interrupt, &QAction::triggered, this,
                [this, id, session] { m_actions->interruptTurn(id, session); });
    }
}

} // namespace sluice::gui
