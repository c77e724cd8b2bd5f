#include "screenshooter.h"

#include "core/guilogging.h"
#include "core/serviceconnection.h"
#include "core/turnsmodel.h"
#include "tray/controlpanel.h"
#include "tray/trayapp.h"
#include "tray/traycontroller.h"
#include "tray/trayicons.h"

#include <QApplication>
#include <QDir>
#include <QJsonArray>
#include <QMenu>
#include <QPainter>
#include <QPointer>
#include <QScreen>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>

namespace sluice::gui {

ScreenShooter::ScreenShooter(TrayApp *app, const QString &dir, bool waitForAgent,
                             const QString &suffix, bool panelOnly, QObject *parent)
    : QObject(parent)
    , m_app(app)
    , m_dir(dir)
    , m_waitForAgent(waitForAgent)
    , m_suffix(suffix)
    , m_panelOnly(panelOnly)
{}

QString ScreenShooter::file(const QString &name) const
{
    return m_dir + QLatin1Char('/') + name + m_suffix + QStringLiteral(".png");
}

// All five state icons at tray sizes (and 2x) on a light and a dark panel.
static void writeIconSheet(const QString &path)
{
    const QStringList keys = TrayIcons::keys();
    const QList<int> sizes{16, 22, 24, 32, 64};
    const int cell = 76, labelW = 90, rowH = 80;
    QImage sheet(labelW + cell * int(sizes.size()) * 2, 24 + rowH * int(keys.size()),
                 QImage::Format_ARGB32);
    sheet.fill(QColor(0xf3, 0xf3, 0xf3));
    QPainter p(&sheet);
    p.fillRect(
        QRect(labelW + cell * int(sizes.size()), 0, cell * int(sizes.size()), sheet.height()),
        QColor(0x20, 0x22, 0x25));
    for (int i = 0; i < sizes.size(); ++i) {
        const QString t = QStringLiteral("%1 px").arg(sizes[i]);
        p.setPen(Qt::black);
        p.drawText(QRect(labelW + i * cell, 2, cell, 20), Qt::AlignCenter, t);
        p.setPen(Qt::white);
        p.drawText(QRect(labelW + (int(sizes.size()) + i) * cell, 2, cell, 20), Qt::AlignCenter, t);
    }
    for (int r = 0; r < keys.size(); ++r) {
        const int y = 24 + r * rowH;
        p.setPen(Qt::black);
        p.drawText(QRect(4, y, labelW - 8, rowH), Qt::AlignVCenter | Qt::AlignLeft, keys[r]);
        const QIcon icon = TrayIcons::icon(keys[r]);
        for (int half = 0; half < 2; ++half) {
            for (int i = 0; i < sizes.size(); ++i) {
                const int s = sizes[i];
                const QPixmap pm = icon.pixmap(QSize(s, s));
                const int x = labelW + (half * int(sizes.size()) + i) * cell + (cell - s) / 2;
                p.drawPixmap(QRect(x, y + (rowH - s) / 2, s, s), pm);
            }
        }
    }
    p.end();
    const bool ok = sheet.save(path);
    qCInfo(lcTray) << "screenshot" << path << (ok ? "written" : "FAILED");
}

void ScreenShooter::start()
{
    QDir().mkpath(m_dir);
    if (!m_panelOnly)
        writeIconSheet(m_dir + QStringLiteral("/tray-icons.png"));
    connect(m_app->connection(), &ServiceConnection::statusChanged, this,
            &ScreenShooter::maybeShoot);
    connect(m_app->connection(), &ServiceConnection::agentsChanged, this,
            &ScreenShooter::maybeShoot);
    // Give up waiting after a while and shoot whatever is there.
    QTimer::singleShot(20000, this, [this] {
        if (!m_started) {
            qCWarning(lcTray) << "screenshot: service not ready in time; shooting what is there";
            m_started = true;
            shootPanel();
        }
    });
    maybeShoot();
}

void ScreenShooter::maybeShoot()
{
    ServiceConnection *c = m_app->connection();
    const bool ready = c->isReachable() && (!m_waitForAgent || !c->agents().isEmpty());
    if (m_started || !ready)
        return;
    m_started = true;
    // Let the log tail, the shutdown report, the turn list and some live output arrive.
    QTimer::singleShot(4000, this, &ScreenShooter::shootPanel);
}

void ScreenShooter::shootPanel()
{
    ControlPanel *panel = m_app->panel();
    panel->raiseWindow();
    panel->tabs()->setCurrentIndex(ControlPanel::AgentsTab);
    QTimer::singleShot(1500, this, [this, panel] {
        const QString path = file(QStringLiteral("control-panel"));
        const bool ok = panel->grab().save(path);
        qCInfo(lcTray) << "screenshot" << path << (ok ? "written" : "FAILED");
        shootHistory();
    });
}

void ScreenShooter::shootHistory()
{
    ControlPanel *panel = m_app->panel();
    panel->tabs()->setCurrentIndex(ControlPanel::HistoryTab);
    // Open the newest finished turn, so its whole output shows below the list.
    TurnsModel *model = panel->history()->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->data(model->index(row, TurnsModel::State), TurnsModel::StateRole).toString() ==
            QLatin1String("done")) {
            panel->turnsView()->selectRow(row);
            break;
        }
    }
    QTimer::singleShot(1500, this, [this, panel] {
        const QString path = file(QStringLiteral("control-panel-history"));
        const bool ok = panel->grab().save(path);
        qCInfo(lcTray) << "screenshot" << path << (ok ? "written" : "FAILED");
        panel->tabs()->setCurrentIndex(ControlPanel::AgentsTab);
        panel->hide();
        if (m_panelOnly)
            QApplication::quit();
        else
            QTimer::singleShot(500, this, &ScreenShooter::shootMenu);
    });
}

void ScreenShooter::shootMenu()
{
    TrayController *tray = m_app->tray();
    QMenu *menu = tray->menu();
    const QRect iconRect = tray->trayIcon()->isVisible() ? tray->trayIcon()->geometry() : QRect();
    QScreen *screen = QGuiApplication::primaryScreen();
    QPoint at = iconRect.isValid() ? iconRect.topLeft() : QPoint(40, 40);
    menu->popup(at);
    QTimer::singleShot(300, this, [this, menu] {
        // Open the agents submenu and its first entry too, laid out leftwards from the menu
        // (the tray sits at the right edge), so the picture shows a running turn with Interrupt.
        QMenu *agents = m_app->tray()->agentsMenu();
        if (!agents->isEnabled())
            return;
        menu->setActiveAction(agents->menuAction());
        const int rowY = menu->geometry().top() + menu->actionGeometry(agents->menuAction()).top();
        agents->popup(QPoint(menu->geometry().left() - agents->sizeHint().width(), rowY));
        const QList<QAction *> subs = agents->actions();
        if (subs.isEmpty() || !subs.first()->menu())
            return;
        const QPointer<QMenu> first = subs.first()->menu();
        QTimer::singleShot(200, this, [agents, first] {
            if (!first)
                return;
            agents->setActiveAction(first->menuAction());
            first->popup(QPoint(agents->geometry().left() - first->sizeHint().width(),
                                agents->geometry().top()));
        });
    });
    QTimer::singleShot(1500, this, [this, menu, iconRect, screen] {
        const QString path = file(QStringLiteral("tray-menu"));
        QPixmap shot;
        if (iconRect.isValid() && screen) {
            // The real screen: the tray icon in the panel plus the open menus beside it.
            QRect area = iconRect.united(menu->geometry());
            for (QWidget *w : QApplication::topLevelWidgets())
                if (qobject_cast<QMenu *>(w) && w->isVisible())
                    area = area.united(w->geometry());
            area = area.adjusted(-12, -12, 12, 12).intersected(screen->geometry());
            shot = screen->grabWindow(0, area.x(), area.y(), area.width(), area.height());
        }
        if (shot.isNull())
            shot = menu->grab();
        const bool ok = shot.save(path);
        qCInfo(lcTray) << "screenshot" << path << (ok ? "written" : "FAILED");
        menu->hide();
        QApplication::quit();
    });
}

} // namespace sluice::gui
