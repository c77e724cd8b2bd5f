// sluice-tray with the service frozen (SIGSTOP): the GUI thread never waits on the socket, so
// the window keeps repainting, the tray turns "unreachable (not responding)", and an action
// times out with a visible message. SIGCONT always follows, also when a check fails.
#include "core/serviceconnection.h"
#include "tray/controlpanel.h"
#include "tray/trayactions.h"
#include "tray/trayapp.h"
#include "tray/traycontroller.h"

#include "servicefixture.h"

#include <QAction>
#include <QElapsedTimer>
#include <QLabel>
#include <QTimer>
#include <QtTest>
#include <csignal>
#include <memory>

using namespace sluice;
using namespace sluice::gui;
using sluice::test::ServiceFixture;

namespace {
// Thaws the service whatever happens in the test.
struct ThawGuard
{
    ServiceFixture &fx;
    ~ThawGuard() { fx.sendSignal(SIGCONT); }
};
} // namespace

class TstTrayFrozen : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void frozenServiceKeepsTheWindowAlive();
};

void TstTrayFrozen::frozenServiceKeepsTheWindowAlive()
{
    ServiceFixture fx;
    QVERIFY(fx.start());
    auto app = std::make_unique<TrayApp>(fx.home(), true);
    app->connection()->setActionTimeout(2000);
    app->connection()->setHeartbeat(500, 1500);
    app->start();
    ControlPanel *panel = app->panel();
    app->openPanel();
    QVERIFY(QTest::qWaitForWindowExposed(panel));
    QTRY_COMPARE_WITH_TIMEOUT(app->tray()->iconKey(), QStringLiteral("running"), 20000);

    fx.sendSignal(SIGSTOP);
    ThawGuard thaw{fx};

    // The event loop keeps turning while a request hangs.
    int ticks = 0;
    QTimer ticker;
    connect(&ticker, &QTimer::timeout, this, [&ticks] { ++ticks; });
    ticker.start(50);

    QElapsedTimer t;
    t.start();
    app->actions()->drain()->trigger();
    QVERIFY2(t.elapsed() < 500, "triggering an action must not wait for the service");

    // Unreachable ("not responding") via the heartbeat, then the action's timeout message.
    QTRY_COMPARE_WITH_TIMEOUT(app->tray()->iconKey(), QStringLiteral("unreachable"), 10000);
    QVERIFY(app->tray()->tooltip().contains(QStringLiteral("not responding")));
    QTRY_VERIFY_WITH_TIMEOUT(
        panel->messageLabel()->isVisible() &&
            panel->messageLabel()->text().contains(QStringLiteral("did not answer")),
        10000);
    QVERIFY2(ticks >= 10, qPrintable(QStringLiteral("only %1 timer ticks").arg(ticks)));

    // The window still repaints: a fresh grab renders the current message.
    panel->update();
    const QImage shot = panel->grab().toImage();
    QVERIFY(!shot.isNull());
    QCOMPARE(shot.size(), panel->size() * shot.devicePixelRatio());
    const int before = ticks;
    QTRY_VERIFY_WITH_TIMEOUT(ticks > before + 5, 5000);

    // Thawed: it answers again (the queued drain may now apply) and the tray follows.
    fx.sendSignal(SIGCONT);
    QTRY_VERIFY_WITH_TIMEOUT(app->connection()->isReachable(), 15000);
    QTRY_VERIFY_WITH_TIMEOUT(app->tray()->iconKey() == QStringLiteral("running") ||
                                 app->tray()->iconKey() == QStringLiteral("draining"),
                             15000);
}

QTEST_MAIN(TstTrayFrozen)
#include "tst_tray_frozen.moc"
