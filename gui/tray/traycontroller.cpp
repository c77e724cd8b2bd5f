#include "tray/traycontroller.h"

#include "core/agentsmodel.h"
#include "core/serviceconnection.h"
#include "tray/trayactions.h"
#include "tray/trayicons.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QMenu>
#include <QTimer>

namespace sluice::gui {

TrayController::TrayController(ServiceConnection *connection, TrayActions *actions,
                               AgentsModel *agents, QObject *parent)
    : QObject(parent)
    , m_conn(connection)
    , m_actions(actions)
    , m_agents(agents)
    , m_menuTick(new QTimer(this))
    , m_menu(new QMenu)
    , m_agentsMenu(new QMenu(tr("Active agents"), m_menu))
    , m_stateAction(new QAction(m_menu))
    , m_tray(new QSystemTrayIcon(this))
{
    m_menu->setObjectName(QStringLiteral("trayMenu"));
    m_agentsMenu->setObjectName(QStringLiteral("agentsMenu"));
    m_stateAction->setObjectName(QStringLiteral("stateAction"));
    m_stateAction->setEnabled(false);
    m_menu->setAccessibleName(tr("Sluice tray menu"));
    m_agentsMenu->setAccessibleName(tr("Active agents"));

    m_menu->addAction(m_stateAction);
    m_menu->addMenu(m_agentsMenu);
    m_menu->addSeparator();
    m_menu->addAction(actions->start());
    m_menu->addAction(actions->drain());
    m_menu->addAction(actions->cancelDrain());
    m_menu->addAction(actions->stop());
    m_menu->addAction(actions->restart());
    m_menu->addAction(actions->forceRestart());
    m_menu->addSeparator();
    m_menu->addAction(actions->sendTest());
    m_menu->addAction(actions->openPanel());
    m_menu->addAction(actions->settings());
    m_menu->addAction(actions->quit());
    // Elapsed times in the agent entries move on while the menu is open.
    m_menuTick->setInterval(1000);
    connect(m_menuTick, &QTimer::timeout, this, &TrayController::refreshElapsed);
    connect(m_menu, &QMenu::aboutToShow, this, [this] {
        rebuildAgentsMenu();
        m_menuTick->start();
    });
    connect(m_menu, &QMenu::aboutToHide, m_menuTick, &QTimer::stop);

    m_tray->setContextMenu(m_menu);
    connect(m_tray, &QSystemTrayIcon::activated, this,
            [this](QSystemTrayIcon::ActivationReason reason) {
                // One click toggles the panel; a double click is two clicks already.
                if (reason == QSystemTrayIcon::Trigger)
                    Q_EMIT activated();
            });
    connect(m_conn, &ServiceConnection::statusChanged, this, &TrayController::update);
    connect(m_agents, &QAbstractItemModel::modelReset, this, &TrayController::rebuildAgentsMenu);
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
    const TrayPresentation p =
        presentStatus(m_conn->effectiveState(), m_conn->activeAgents(), m_conn->accepting(),
                      m_conn->detail(), m_conn->offline());
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

static QString agentEntryText(const AgentsModel *agents, int row)
{
    return TrayController::tr("%1 — turn %2 (%3)")
        .arg(agents->session(row), agents->turnId(row),
             AgentsModel::formatElapsed(agents->elapsedSeconds(row)));
}

void TrayController::refreshElapsed()
{
    const QList<QAction *> entries = m_agentsMenu->actions();
    for (int row = 0; row < entries.size() && row < m_agents->rowCount(); ++row)
        entries.at(row)->setText(agentEntryText(m_agents, row));
}

void TrayController::rebuildAgentsMenu()
{
    // The agents list is refreshed every few seconds while turns run: an entry the user has
    // open must survive that, so the same turns only get their texts and states updated.
    QStringList ids;
    const int count = m_conn->isReachable() ? m_agents->rowCount() : 0;
    for (int row = 0; row < count; ++row)
        ids << m_agents->turnId(row);
    if (ids == m_shownIds && !m_agentsMenu->actions().isEmpty()) {
        refreshElapsed();
        for (QAction *entry : m_agentsMenu->actions())
            if (QMenu *sub = entry->menu())
                for (QAction *a : sub->actions())
                    if (a->objectName().startsWith(QLatin1String("interrupt:")))
                        a->setEnabled(m_presentation.interruptEnabled);
        return;
    }
    m_shownIds = ids;
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
    const int n = m_conn->isReachable() ? m_agents->rowCount() : 0;
    m_agentsMenu->setTitle(tr("Active agents (%1)").arg(n));
    m_agentsMenu->setEnabled(n > 0);
    for (int row = 0; row < n; ++row) {
        const QString id = m_agents->turnId(row);
        const QString session = m_agents->session(row);
        QMenu *sub = m_agentsMenu->addMenu(agentEntryText(m_agents, row));
        sub->setObjectName(QStringLiteral("agent:%1").arg(id));
        sub->setAccessibleName(tr("Turn %1 of session %2").arg(id, session));
        QAction *info = sub->addAction(
            tr("pid %1, %2")
                .arg(m_agents->data(m_agents->index(row, AgentsModel::Pid)).toString(),
                     m_agents->data(m_agents->index(row, AgentsModel::State)).toString()));
        info->setEnabled(false);
        QAction *interrupt = sub->addAction(tr("Interrupt"));
        interrupt->setObjectName(QStringLiteral("interrupt:%1").arg(id));
        interrupt->setEnabled(m_presentation.interruptEnabled);
        connect(interrupt, &QAction::triggered, this,
                [this, id, session] { m_actions->interruptTurn(id, session); });
    }
}

} // namespace sluice::gui
