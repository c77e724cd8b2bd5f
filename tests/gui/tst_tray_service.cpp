// sluice-tray against the real sluiced (tests/support ServiceFixture): the icon, tooltip and menu
// follow the service through running -> draining -> running, stopped and unreachable; each
// action sends its command and the service reacts; the agents table follows a running turn;
// force restart asks first; notifications only for what the user did not ask for.
#include "core/agentsmodel.h"
#include "core/notifier.h"
#include "core/serviceconnection.h"
#include "core/translations.h"
#include "core/traysettings.h"
#include "core/turnsmodel.h"
#include "tray/controlpanel.h"
#include "tray/outputview.h"
#include "tray/trayactions.h"
#include "tray/trayapp.h"
#include "tray/traycontroller.h"

#include "servicefixture.h"
#include "sluice/drainmarker.h"
#include "sluice/paths.h"
#include "sluice/processidentity.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>
#include <csignal>
#include <memory>

using namespace sluice;
using namespace sluice::gui;
using sluice::test::ServiceFixture;

namespace {

// An agent that runs until a release file appears (named after its session), then answers.
QString blockingAgent(ServiceFixture &fx)
{
    return fx.writeAgentScript(
        QStringLiteral("blocking-agent"),
        QStringLiteral("cat >/dev/null\n"
                       "while [ ! -e '%1/release-'\"$SLUICE_SESSION\" ]; do sleep 0.05; done\n"
                       "echo released\n")
            .arg(fx.home()));
}

void release(ServiceFixture &fx, const QString &session)
{
    QFile f(fx.home() + QStringLiteral("/release-") + session);
    QVERIFY(f.open(QIODevice::WriteOnly));
}

// The tray's settings live in a file of the test's own (never the user's).
TraySettings &testSettings()
{
    static QTemporaryDir dir;
    static TraySettings settings(dir.filePath(QStringLiteral("sluice-tray.conf")));
    return settings;
}

std::unique_ptr<TrayApp> makeApp(const QString &home, bool tray = true)
{
    auto app = std::make_unique<TrayApp>(home, tray, nullptr, &testSettings());
    app->start();
    return app;
}

std::unique_ptr<TrayApp> makeApp(ServiceFixture &fx, bool tray = true)
{
    return makeApp(fx.home(), tray);
}

// What a Start from the tray needs around it: sluiced on PATH, its HTTP on any free port (the
// HOME's config file: the tray passes no options), no real service-manager unit in sight.
struct StartEnvironment
{
    QTemporaryDir units; // $SLUICE_UNIT_DIR: empty unless a test puts a unit there
    QTemporaryDir tools; // prepended to PATH (a fake systemctl)
    QByteArray oldPath = qgetenv("PATH");
    explicit StartEnvironment(const QString &home)
    {
        qputenv("SLUICE_UNIT_DIR", units.path().toUtf8());
        qunsetenv("SLUICE_SYSTEMCTL");
        qputenv("PATH",
                (tools.path() + QLatin1Char(':') + ServiceFixture::binDir() + QLatin1Char(':'))
                        .toUtf8() +
                    oldPath);
        QFile conf(home + QStringLiteral("/sluiced.conf"));
        if (conf.open(QIODevice::WriteOnly))
            conf.write("http-port = 0\n");
    }
    ~StartEnvironment()
    {
        qputenv("PATH", oldPath);
        qunsetenv("SLUICE_UNIT_DIR");
    }
};

// Waits until the service process pid has written its final "stopped".
bool waitStopped(ServiceFixture &fx, qint64 pid)
{
    return ServiceFixture::waitFor(
        [&] {
            const RuntimeStatus s = fx.readState();
            return s.state == GatewayState::Stopped && s.pid == pid;
        },
        40000);
}

// Stops a service the fixture did not start (started by the tray) and waits until it has.
bool stopThroughTray(TrayApp &app, ServiceFixture &fx)
{
    const qint64 pid = app.connection()->pid();
    app.actions()->stop()->trigger();
    return waitStopped(fx, pid);
}

int countKind(const QSignalSpy &spy, Notifier::Kind kind)
{
    int n = 0;
    for (const QList<QVariant> &args : spy)
        n += args.at(0).value<Notifier::Kind>() == kind;
    return n;
}

QAction *findAction(QMenu *menu, const QString &name)
{
    const QList<QAction *> all = menu->findChildren<QAction *>(name);
    return all.isEmpty() ? nullptr : all.first();
}

} // namespace

class TstTrayService : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void followsRunningDrainingRunning();
    void agentsTableFollowsATurnAndInterrupts();
    void forceRestartAsksFirst();
    void stopUnreachableAndNotifications();
    void noTrayOpensThePanelAsAWindow();
    void notificationsForDrainAndRestartFromElsewhere();
    void handOffShowsThePreviousProcessFinishing();
    void secondLaunchRaisesTheFirst();
    void noAlarmOnANormalStart();
    void startFromStoppedDetached();
    void startFromUnreachableThroughTheManager();
    void liveOutputWhileTheTurnRuns();
    void recentTurnsListFinishedTurns();
    void quittingRaisesNoNotification();
    void leftoverDrainIsExplainedWithCancel();
};

void TstTrayService::initTestCase()
{
    qRegisterMetaType<Notifier::Kind>();
    installTranslations(qApp, QLocale(QStringLiteral("en_US")));
    QVERIFY2(QFile::exists(ServiceFixture::binary(QStringLiteral("sluiced"))),
             "build sluiced first");
}

void TstTrayService::followsRunningDrainingRunning()
{
    ServiceFixture fx;
    QVERIFY(fx.start());
    auto app = makeApp(fx);
    TrayController *tray = app->tray();
    TrayActions *actions = app->actions();
    QSignalSpy notes(app->notifier(), &Notifier::notify);

    QTRY_COMPARE_WITH_TIMEOUT(tray->iconKey(), QStringLiteral("running"), 20000);
    QVERIFY(tray->tooltip().contains(QStringLiteral("State: running")));
    QVERIFY(tray->tooltip().contains(QStringLiteral("0 active agents")));
    QVERIFY(tray->trayIcon()->toolTip().contains(QStringLiteral("running")));
    QVERIFY(tray->stateAction()->text().contains(QStringLiteral("running")));
    QVERIFY(actions->drain()->isVisible() && actions->drain()->isEnabled());
    QVERIFY(!actions->cancelDrain()->isVisible());
    QVERIFY(tray->menu()->actions().contains(actions->drain()));

    // Drain from the tray: the service closes its gate and says so in gateway_state.json.
    actions->drain()->trigger();
    QVERIFY(fx.waitForState(QStringLiteral("draining")));
    const RuntimeStatus st = fx.readState();
    QVERIFY(!st.accepting);
    QVERIFY(st.drain.has_value());
    QCOMPARE(st.drain->principal, QStringLiteral("tray"));
    QCOMPARE(st.drain->source, QStringLiteral("tray")); // hello said "sluice-tray"
    QTRY_COMPARE_WITH_TIMEOUT(tray->iconKey(), QStringLiteral("draining"), 10000);
    QVERIFY(tray->tooltip().contains(QStringLiteral("State: draining")));
    QVERIFY(tray->tooltip().contains(QStringLiteral("Not accepting")));
    QVERIFY(!actions->drain()->isVisible());
    QVERIFY(actions->cancelDrain()->isVisible() && actions->cancelDrain()->isEnabled());
    // Nothing was running, so the drain is finished at once: "safe to restart".
    QTRY_COMPARE_WITH_TIMEOUT(countKind(notes, Notifier::DrainFinished), 1, 10000);

    actions->cancelDrain()->trigger();
    QVERIFY(fx.waitForState(QStringLiteral("running")));
    QTRY_COMPARE_WITH_TIMEOUT(tray->iconKey(), QStringLiteral("running"), 10000);
    QVERIFY(actions->drain()->isVisible());
    QVERIFY(!actions->cancelDrain()->isVisible());

    // A drain marker written by hand (a person, an orchestrator): the tray follows too.
    const QString marker = HomePaths(fx.home()).drainMarker();
    QVERIFY(DrainMarker(marker, fx.readState().epoch).write(QStringLiteral("person"), false));
    QTRY_COMPARE_WITH_TIMEOUT(tray->iconKey(), QStringLiteral("draining"), 15000);
    QVERIFY(QFile::remove(marker));
    QTRY_COMPARE_WITH_TIMEOUT(tray->iconKey(), QStringLiteral("running"), 15000);
    QCOMPARE(countKind(notes, Notifier::Unreachable), 0);
}

void TstTrayService::agentsTableFollowsATurnAndInterrupts()
{
    ServiceFixture fx;
    QVERIFY(fx.start({QStringLiteral("--agent-command"), blockingAgent(fx)}));
    auto app = makeApp(fx);
    ControlPanel *panel = app->panel();
    AgentsModel *model = app->agentsModel();
    app->openPanel();
    QVERIFY(QTest::qWaitForWindowExposed(panel));
    QTRY_COMPARE_WITH_TIMEOUT(app->tray()->iconKey(), QStringLiteral("running"), 20000);

    const IpcReply sent =
        fx.call(QStringLiteral("send"), {{"session", "tray-s1"}, {"text", "hello"}});
    QVERIFY2(sent.ok, qPrintable(sent.errorCode + sent.errorMessage));
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 1, 15000);
    QCOMPARE(model->session(0), QStringLiteral("tray-s1"));
    QCOMPARE(panel->agentsView()->model()->rowCount(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(app->tray()->tooltip().contains(QStringLiteral("1 active agent")),
                             10000);
    // The menu lists it, with an Interrupt entry.
    QMenu *agents = app->tray()->agentsMenu();
    QVERIFY(agents->isEnabled());
    QVERIFY(agents->title().contains(QStringLiteral("(1)")));
    QVERIFY(agents->actions().first()->text().contains(QStringLiteral("tray-s1")));
    QVERIFY(findAction(agents, QStringLiteral("interrupt:") + model->turnId(0)));

    // Elapsed time ticks by itself.
    const QModelIndex elapsed = model->index(0, AgentsModel::Elapsed);
    const qint64 e0 = model->data(elapsed, AgentsModel::ElapsedSecondsRole).toLongLong();
    QTRY_VERIFY_WITH_TIMEOUT(
        model->data(elapsed, AgentsModel::ElapsedSecondsRole).toLongLong() > e0, 5000);
    // So does the menu entry, while the menu is open.
    Q_EMIT app->tray()->menu()->aboutToShow();
    const QString entry = agents->actions().first()->text();
    QTRY_VERIFY_WITH_TIMEOUT(agents->actions().first()->text() != entry, 5000);
    QVERIFY(agents->actions().first()->text().contains(QStringLiteral("tray-s1")));
    Q_EMIT app->tray()->menu()->aboutToHide();

    // The turn ends: the table clears.
    release(fx, QStringLiteral("tray-s1"));
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 0, 15000);
    QTRY_VERIFY_WITH_TIMEOUT(app->tray()->tooltip().contains(QStringLiteral("0 active agents")),
                             10000);
    QVERIFY(!agents->isEnabled());
    // Rebuilding the menu (on every agents/status change) leaves no per-agent submenu behind.
    QTRY_COMPARE_WITH_TIMEOUT(agents->findChildren<QMenu *>().size(), 0, 5000);

    // Interrupt from the menu: the service interrupts the turn.
    const IpcReply sent2 =
        fx.call(QStringLiteral("send"), {{"session", "tray-s2"}, {"text", "hello"}});
    QVERIFY(sent2.ok);
    const QString turnId = sent2.body.value(QStringLiteral("turn_id")).toVariant().toString();
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 1, 15000);
    QAction *interrupt = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT(
        (interrupt = findAction(agents, QStringLiteral("interrupt:") + turnId)) != nullptr, 10000);
    interrupt->trigger();
    QVERIFY(ServiceFixture::waitFor(
        [&] {
            const IpcReply t = fx.call(QStringLiteral("turn"),
                                       {{"turn_id", sent2.body.value(QStringLiteral("turn_id"))}});
            return t.ok && t.body.value(QStringLiteral("state")).toString() ==
                               QStringLiteral("interrupted");
        },
        20000));
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 0, 15000);
    QTRY_VERIFY_WITH_TIMEOUT(panel->messageLabel()->text().contains(QStringLiteral("Interrupted")),
                             10000);
}

void TstTrayService::forceRestartAsksFirst()
{
    ServiceFixture fx;
    QVERIFY(fx.start({QStringLiteral("--agent-command"), blockingAgent(fx)}));
    auto app = makeApp(fx);
    QSignalSpy notes(app->notifier(), &Notifier::notify);
    QTRY_COMPARE_WITH_TIMEOUT(app->tray()->iconKey(), QStringLiteral("running"), 20000);
    QVERIFY(fx.call(QStringLiteral("send"), {{"session", "busy-one"}, {"text", "x"}}).ok);
    QTRY_COMPARE_WITH_TIMEOUT(app->agentsModel()->rowCount(), 1, 15000);
    const qint64 oldPid = fx.readState().pid;

    // The real confirmation dialog appears; first it is declined.
    QString asked;
    bool sawDialog = false;
    auto answer = [&](QMessageBox::StandardButton button) {
        auto *poll = new QTimer(this);
        connect(poll, &QTimer::timeout, this, [&, poll, button] {
            for (QWidget *w : QApplication::topLevelWidgets()) {
                auto *box = qobject_cast<QMessageBox *>(w);
                if (box && box->isVisible() &&
                    box->objectName() == QStringLiteral("forceRestartConfirm")) {
                    sawDialog = true;
                    asked = box->text();
                    box->button(button)->click();
                    poll->deleteLater();
                    return;
                }
            }
        });
        poll->start(20);
    };
    answer(QMessageBox::Cancel);
    app->actions()->forceRestart()->trigger(); // returns once the dialog is answered
    QVERIFY(sawDialog);
    QVERIFY2(asked.contains(QStringLiteral("1 active turn")), qPrintable(asked));
    QVERIFY2(asked.contains(QStringLiteral("busy-one")), qPrintable(asked));
    // Declined: nothing happened to the service or the turn.
    QCOMPARE(fx.readState().pid, oldPid);
    QCOMPARE(fx.readState().state, GatewayState::Running);
    QCOMPARE(
        fx.call(QStringLiteral("agents")).body.value(QStringLiteral("agents")).toArray().size(), 1);

    // Accepted: the service restarts at once (new process), interrupting the turn.
    sawDialog = false;
    answer(QMessageBox::Yes);
    app->actions()->forceRestart()->trigger();
    QVERIFY(sawDialog);
    QVERIFY(ServiceFixture::waitFor(
        [&] {
            const RuntimeStatus s = fx.readState();
            return s.pid != oldPid && s.pid > 0 && s.state == GatewayState::Running;
        },
        40000));
    QTRY_VERIFY_WITH_TIMEOUT(app->connection()->pid() != oldPid &&
                                 app->tray()->iconKey() == QStringLiteral("running"),
                             30000);
    // Asked for from this tray: no alarm about the service going away.
    QCOMPARE(countKind(notes, Notifier::Unreachable), 0);
    QCOMPARE(countKind(notes, Notifier::StopComplete), 0);

    // The replacement is not the fixture's child: stop it through the tray.
    release(fx, QStringLiteral("busy-one")); // a resumed turn may be waiting
    const qint64 newPid = app->connection()->pid();
    app->actions()->stop()->trigger();
    QVERIFY(waitStopped(fx, newPid));
    QTRY_COMPARE_WITH_TIMEOUT(app->tray()->iconKey(), QStringLiteral("stopped"), 20000);
}

void TstTrayService::stopUnreachableAndNotifications()
{
    ServiceFixture fx;
    QVERIFY(fx.start());
    auto app = makeApp(fx);
    QSignalSpy notes(app->notifier(), &Notifier::notify);
    TrayController *tray = app->tray();
    QTRY_COMPARE_WITH_TIMEOUT(tray->iconKey(), QStringLiteral("running"), 20000);

    // Stop from the tray: the process exits 0 and the tray shows "stopped", silently.
    app->actions()->stop()->trigger();
    QCOMPARE(fx.waitForExit(60000), 0);
    QTRY_COMPARE_WITH_TIMEOUT(tray->iconKey(), QStringLiteral("stopped"), 15000);
    QVERIFY(tray->tooltip().contains(QStringLiteral("State: stopped")));
    QVERIFY(!app->actions()->stop()->isEnabled());
    QVERIFY(!app->actions()->drain()->isEnabled());
    QCOMPARE(countKind(notes, Notifier::StopComplete), 0);
    QCOMPARE(countKind(notes, Notifier::Unreachable), 0);

    // Started again: the tray reconnects by itself.
    QVERIFY(fx.start());
    QTRY_COMPARE_WITH_TIMEOUT(tray->iconKey(), QStringLiteral("running"), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(app->connection()->pid(), fx.pid(), 10000);

    // A stop somebody else asked for: "stopped" is announced.
    QVERIFY(fx.call(QStringLiteral("stop")).ok);
    QCOMPARE(fx.waitForExit(60000), 0);
    QTRY_COMPARE_WITH_TIMEOUT(tray->iconKey(), QStringLiteral("stopped"), 15000);
    QTRY_COMPARE_WITH_TIMEOUT(countKind(notes, Notifier::StopComplete), 1, 10000);
    QCOMPARE(countKind(notes, Notifier::Unreachable), 0);
    // The last shutdown's phases reach the panel's timeline after the next connect.
    QVERIFY(fx.start());
    QTRY_COMPARE_WITH_TIMEOUT(tray->iconKey(), QStringLiteral("running"), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(
        !app->connection()->shutdownReport().value(QStringLiteral("phases")).toArray().isEmpty(),
        10000);

    // Killed outright: the service is unreachable, and that is worth a notification.
    fx.sendSignal(SIGKILL);
    fx.waitForExit(30000);
    QTRY_COMPARE_WITH_TIMEOUT(tray->iconKey(), QStringLiteral("unreachable"), 15000);
    QVERIFY(tray->tooltip().contains(QStringLiteral("State: unreachable")));
    QTRY_COMPARE_WITH_TIMEOUT(countKind(notes, Notifier::Unreachable), 1, 10000);
    QVERIFY(!app->actions()->stop()->isEnabled());
    // An action now fails with a message instead of hanging.
    app->openPanel();
    app->connection()->send(QStringLiteral("status"));
    QTRY_VERIFY_WITH_TIMEOUT(
        app->panel()->messageLabel()->text().contains(QStringLiteral("not reachable")), 10000);
}

void TstTrayService::noTrayOpensThePanelAsAWindow()
{
    ServiceFixture fx;
    QVERIFY(fx.start());
    auto app = makeApp(fx, /*tray=*/false);
    ControlPanel *panel = app->panel();
    QTRY_VERIFY_WITH_TIMEOUT(panel->isVisible(), 5000);
    QVERIFY(QTest::qWaitForWindowExposed(panel));
    QTRY_VERIFY_WITH_TIMEOUT(panel->stateLabel()->text().contains(QStringLiteral("running")),
                             20000);
    QVERIFY(!panel->alignmentWarning()->isVisible()); // not under a service manager: unknown
    QTRY_VERIFY_WITH_TIMEOUT(!panel->logView()->toPlainText().isEmpty(), 10000);
    QVERIFY(!panel->drainProgress()->isVisible());
    app->actions()->drain()->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(panel->drainProgress()->isVisible(), 15000);
    QTRY_COMPARE_WITH_TIMEOUT(panel->drainProgress()->value(), panel->drainProgress()->maximum(),
                              10000);
}

void TstTrayService::notificationsForDrainAndRestartFromElsewhere()
{
    ServiceFixture fx;
    QVERIFY(fx.start({QStringLiteral("--agent-command"), blockingAgent(fx)}));
    auto app = makeApp(fx);
    QSignalSpy notes(app->notifier(), &Notifier::notify);
    ControlPanel *panel = app->panel();
    app->openPanel();
    QTRY_COMPARE_WITH_TIMEOUT(app->tray()->iconKey(), QStringLiteral("running"), 20000);
    QVERIFY(fx.call(QStringLiteral("send"), {{"session", "long-one"}, {"text", "x"}}).ok);
    QTRY_COMPARE_WITH_TIMEOUT(app->agentsModel()->rowCount(), 1, 15000);

    // A drain from elsewhere with a turn still running: progress 0 of 1, no "finished" yet.
    QVERIFY(fx.call(QStringLiteral("drain"), {{"principal", "someone"}}).ok);
    QTRY_COMPARE_WITH_TIMEOUT(app->tray()->iconKey(), QStringLiteral("draining"), 10000);
    QVERIFY(app->tray()->tooltip().contains(QStringLiteral("1 active agent")));
    QTRY_VERIFY_WITH_TIMEOUT(panel->drainProgress()->isVisible(), 5000);
    QCOMPARE(panel->drainProgress()->maximum(), 1);
    QCOMPARE(panel->drainProgress()->value(), 0);
    QCOMPARE(countKind(notes, Notifier::DrainFinished), 0);
    // The turn ends: the drain is finished, "safe to restart".
    release(fx, QStringLiteral("long-one"));
    QTRY_COMPARE_WITH_TIMEOUT(countKind(notes, Notifier::DrainFinished), 1, 15000);
    QCOMPARE(panel->drainProgress()->value(), 1);
    QVERIFY(fx.call(QStringLiteral("cancel_drain")).ok);
    QTRY_COMPARE_WITH_TIMEOUT(app->tray()->iconKey(), QStringLiteral("running"), 10000);

    // A restart asked for elsewhere: "restarted" once the new process runs, no alarm.
    const qint64 oldPid = app->connection()->pid();
    QVERIFY(fx.call(QStringLiteral("restart"), {{"force", false}}).ok);
    QTRY_COMPARE_WITH_TIMEOUT(countKind(notes, Notifier::RestartComplete), 1, 40000);
    QTRY_VERIFY_WITH_TIMEOUT(app->connection()->pid() != oldPid, 20000);
    QCOMPARE(app->tray()->iconKey(), QStringLiteral("running"));
    QCOMPARE(countKind(notes, Notifier::Unreachable), 0);
    QCOMPARE(countKind(notes, Notifier::StopComplete), 0);

    // Stop the replacement (not the fixture's child) through the tray.
    const qint64 newPid = app->connection()->pid();
    app->actions()->stop()->trigger();
    QVERIFY(waitStopped(fx, newPid));
}

void TstTrayService::secondLaunchRaisesTheFirst()
{
    QTemporaryDir home;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("sluice.tray.info=true"));
    const QString exe = ServiceFixture::binary(QStringLiteral("sluice-tray"));
    QVERIFY2(QFile::exists(exe), "build sluice-tray first");

    QProcess first;
    first.setProcessEnvironment(env);
    first.setProcessChannelMode(QProcess::MergedChannels);
    QByteArray firstOut;
    connect(&first, &QProcess::readyRead, this, [&] { firstOut += first.readAll(); });
    first.start(exe, {QStringLiteral("--home"), home.path()});
    QVERIFY(first.waitForStarted(10000));
    QTRY_VERIFY_WITH_TIMEOUT(firstOut.contains("sluice-tray for HOME"), 20000);

    QProcess second;
    second.setProcessEnvironment(env);
    second.start(exe, {QStringLiteral("--home"), home.path()});
    QVERIFY(second.waitForStarted(10000));
    QTRY_VERIFY_WITH_TIMEOUT(second.state() == QProcess::NotRunning, 20000);
    QCOMPARE(second.exitStatus(), QProcess::NormalExit);
    QCOMPARE(second.exitCode(), 0);
    QVERIFY(second.readAllStandardOutput().contains("already runs"));
    QTRY_VERIFY_WITH_TIMEOUT(firstOut.contains("second launch asked to raise"), 10000);
    QCOMPARE(first.state(), QProcess::Running);
    first.terminate();
    QTRY_VERIFY_WITH_TIMEOUT(first.state() == QProcess::NotRunning, 10000);
}

void TstTrayService::noAlarmOnANormalStart()
{
    // The tray first, on a HOME where nothing ran yet; then the service starts.
    ServiceFixture fx;
    auto app = makeApp(fx);
    QSignalSpy notes(app->notifier(), &Notifier::notify);
    QTRY_COMPARE_WITH_TIMEOUT(app->connection()->offline(), Offline::FirstRun, 10000);
    QCOMPARE(app->tray()->iconKey(), QStringLiteral("stopped"));
    QVERIFY(fx.start());
    QTRY_COMPARE_WITH_TIMEOUT(app->tray()->iconKey(), QStringLiteral("running"), 20000);
    QCOMPARE(countKind(notes, Notifier::Unreachable), 0);
    // A planned stop and a start again: still no alarm, and no Qt error text anywhere.
    QVERIFY(fx.call(QStringLiteral("stop")).ok);
    QCOMPARE(fx.waitForExit(60000), 0);
    QTRY_COMPARE_WITH_TIMEOUT(app->tray()->iconKey(), QStringLiteral("stopped"), 15000);
    QVERIFY(!app->tray()->tooltip().contains(QStringLiteral("QLocalSocket")));
    QVERIFY(fx.start());
    QTRY_COMPARE_WITH_TIMEOUT(app->tray()->iconKey(), QStringLiteral("running"), 20000);
    QCOMPARE(countKind(notes, Notifier::Unreachable), 0);
    for (const QList<QVariant> &n : std::as_const(notes))
        QVERIFY(!n.at(2).toString().contains(QStringLiteral("QLocalSocket")));
}

void TstTrayService::startFromStoppedDetached()
{
    ServiceFixture fx;
    StartEnvironment env(fx.home());
    QVERIFY(fx.start());
    auto app = makeApp(fx);
    QSignalSpy notes(app->notifier(), &Notifier::notify);
    QTRY_COMPARE_WITH_TIMEOUT(app->tray()->iconKey(), QStringLiteral("running"), 20000);
    QVERIFY(!app->actions()->start()->isVisible());
    const qint64 oldPid = fx.pid();
    app->actions()->stop()->trigger();
    QCOMPARE(fx.waitForExit(60000), 0);
    QTRY_COMPARE_WITH_TIMEOUT(app->tray()->iconKey(), QStringLiteral("stopped"), 15000);
    QVERIFY(app->actions()->start()->isVisible());
    QVERIFY(app->actions()->start()->isEnabled());
    QVERIFY(!app->actions()->managed());

    // Start: sluiced runs detached with the same HOME, and the tray follows it to running.
    app->actions()->start()->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(app->tray()->iconKey(), QStringLiteral("running"), 30000);
    QVERIFY(app->connection()->pid() != oldPid);
    QCOMPARE(fx.readState().state, GatewayState::Running);
    QVERIFY(!app->actions()->start()->isVisible());
    QCOMPARE(countKind(notes, Notifier::Unreachable), 0);
    QVERIFY(stopThroughTray(*app, fx));
}

void TstTrayService::startFromUnreachableThroughTheManager()
{
    ServiceFixture fx;
    StartEnvironment env(fx.home());
    // A systemd user unit for this HOME, and a systemctl that records what it is asked and
    // starts sluiced the way the unit would.
    const QString log = env.tools.filePath(QStringLiteral("systemctl.log"));
    {
        QFile unit(env.units.filePath(QStringLiteral("sluiced.service")));
        QVERIFY(unit.open(QIODevice::WriteOnly));
        unit.write(QStringLiteral("[Service]\nExecStart=%1 --home %2 --supervised\n"
                                  "[Install]\nWantedBy=default.target\n")
                       .arg(ServiceFixture::binary(QStringLiteral("sluiced")), fx.home())
                       .toUtf8());
        QFile tool(env.tools.filePath(QStringLiteral("systemctl")));
        QVERIFY(tool.open(QIODevice::WriteOnly));
        tool.write(QStringLiteral("#!/bin/sh\n"
                                  "echo \"$*\" >> '%1'\n"
                                  "case \" $* \" in\n"
                                  "  *' start '*) '%2' --home '%3' </dev/null >/dev/null 2>&1 &;;\n"
                                  "  *' is-active '*) echo active;;\n"
                                  "esac\n"
                                  "exit 0\n")
                       .arg(log, ServiceFixture::binary(QStringLiteral("sluiced")), fx.home())
                       .toUtf8());
        tool.close();
        QVERIFY(tool.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                    QFileDevice::ExeOwner));
    }
    QVERIFY(fx.start());
    auto app = makeApp(fx);
    app->connection()->setGracePeriod(1500);
    QSignalSpy notes(app->notifier(), &Notifier::notify);
    QTRY_COMPARE_WITH_TIMEOUT(app->tray()->iconKey(), QStringLiteral("running"), 20000);
    QVERIFY(app->actions()->managed());

    // Killed: unreachable once the grace period is over, and Start is offered.
    fx.sendSignal(SIGKILL);
    fx.waitForExit(30000);
    QTRY_COMPARE_WITH_TIMEOUT(app->tray()->iconKey(), QStringLiteral("unreachable"), 15000);
    QTRY_COMPARE_WITH_TIMEOUT(countKind(notes, Notifier::Unreachable), 1, 10000);
    QVERIFY(app->actions()->start()->isVisible() && app->actions()->start()->isEnabled());

    // Start goes through the manager, which brings the service back.
    app->actions()->start()->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(log), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(app->tray()->iconKey(), QStringLiteral("running"), 30000);
    auto calls = [&log] {
        QFile recorded(log);
        return recorded.open(QIODevice::ReadOnly) ? recorded.readAll() : QByteArray();
    };
    QVERIFY2(calls().contains("--user start sluiced.service"), calls().constData());
    QCOMPARE(countKind(notes, Notifier::Unreachable), 1);
    // With the unit installed, Restart goes through the manager as well.
    app->actions()->restart()->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(calls().contains("--user restart sluiced.service"), 15000);
    // The new service is nobody's child here and the fake manager stops nothing: a planned
    // stop over the tray's own connection.
    const qint64 pid = app->connection()->pid();
    bool accepted = false;
    app->connection()->send(QStringLiteral("stop"), {},
                            [&accepted](const IpcReply &r) { accepted = r.ok; });
    QTRY_VERIFY_WITH_TIMEOUT(accepted, 15000);
    QVERIFY(waitStopped(fx, pid));
}

void TstTrayService::liveOutputWhileTheTurnRuns()
{
    ServiceFixture fx;
    // Writes a first line and a stderr line, waits to be released, then writes the rest.
    const QString agent = fx.writeAgentScript(
        QStringLiteral("talking-agent"),
        QStringLiteral("cat >/dev/null\n"
                       "echo \"first part for $SLUICE_SESSION\"\n"
                       "echo 'a warning on stderr' >&2\n"
                       "while [ ! -e '%1/release-'\"$SLUICE_SESSION\" ]; do sleep 0.05; done\n"
                       "echo 'second part'\n")
            .arg(fx.home()));
    QVERIFY(fx.start({QStringLiteral("--agent-command"), agent, QStringLiteral("--max-concurrent"),
                      QStringLiteral("1")}));
    auto app = makeApp(fx);
    ControlPanel *panel = app->panel();
    app->openPanel();
    QVERIFY(QTest::qWaitForWindowExposed(panel));
    QTRY_COMPARE_WITH_TIMEOUT(app->tray()->iconKey(), QStringLiteral("running"), 20000);

    const IpcReply sent =
        fx.call(QStringLiteral("send"), {{"session", "live-one"}, {"text", "hello"}});
    QVERIFY(sent.ok);
    const QString turnId = sent.body.value(QStringLiteral("turn_id")).toString();
    QTRY_COMPARE_WITH_TIMEOUT(app->agentsModel()->rowCount(), 1, 15000);
    // The running turn's output shows while it runs (the panel picks the new turn by itself).
    QTRY_VERIFY_WITH_TIMEOUT(
        panel->liveOutput()->toPlainText().contains(QStringLiteral("first part for live-one")),
        15000);
    QTRY_VERIFY_WITH_TIMEOUT(
        panel->liveOutput()->stderrText().contains(QStringLiteral("a warning on stderr")), 15000);
    QVERIFY(fx.call(QStringLiteral("turn"), {{"turn_id", turnId}})
                .body.value(QStringLiteral("state"))
                .toString() == QStringLiteral("running"));
    QVERIFY(!panel->liveOutput()->toPlainText().contains(QStringLiteral("second part")));

    // Another turn waits behind it (one slot): the queue shows it with its position.
    QVERIFY(fx.call(QStringLiteral("send"), {{"session", "waiting-one"}, {"text", "x"}}).ok);
    QTRY_VERIFY_WITH_TIMEOUT(panel->queueLabel()->text().contains(QStringLiteral("waiting-one #1")),
                             15000);

    // Released: the rest arrives, then the end.
    release(fx, QStringLiteral("live-one"));
    QTRY_VERIFY_WITH_TIMEOUT(
        panel->liveOutput()->toPlainText().contains(QStringLiteral("second part")), 15000);
    QTRY_VERIFY_WITH_TIMEOUT(
        panel->liveOutput()->toPlainText().contains(QStringLiteral("[turn done, exit code 0]")),
        15000);
    QCOMPARE(panel->liveOutput()->toPlainText().count(QStringLiteral("first part")), 1);
    release(fx, QStringLiteral("waiting-one"));
    QTRY_VERIFY_WITH_TIMEOUT(
        panel->queueLabel()->text().contains(QStringLiteral("No turn is waiting")), 20000);
}

void TstTrayService::recentTurnsListFinishedTurns()
{
    ServiceFixture fx;
    const QString agent = fx.writeAgentScript(
        QStringLiteral("echo-agent"),
        QStringLiteral("msg=$(cat)\necho \"reply to $msg in $SLUICE_SESSION\"\n"));
    QVERIFY(fx.start({QStringLiteral("--agent-command"), agent}));
    auto app = makeApp(fx);
    ControlPanel *panel = app->panel();
    app->openPanel();
    QTRY_COMPARE_WITH_TIMEOUT(app->tray()->iconKey(), QStringLiteral("running"), 20000);
    QStringList ids;
    for (const char *session : {"alpha", "beta", "alpha"}) {
        const IpcReply r =
            fx.call(QStringLiteral("send"), {{"session", session}, {"text", "ping"}});
        QVERIFY(r.ok);
        ids << r.body.value(QStringLiteral("turn_id")).toString();
        QCOMPARE(fx.waitForTurn(ids.last()).value(QStringLiteral("state")).toString(),
                 QStringLiteral("done"));
    }
    TurnsModel *model = panel->history()->model();
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 3, 15000);
    QCOMPARE(model->turnId(0), ids.last()); // newest first
    for (int row = 0; row < 3; ++row)
        QCOMPARE(
            model->data(model->index(row, TurnsModel::State), TurnsModel::StateRole).toString(),
            QStringLiteral("done"));

    // Filter by session: only alpha's two turns.
    panel->tabs()->setCurrentIndex(ControlPanel::HistoryTab);
    QComboBox *filter = panel->sessionFilter();
    QTRY_VERIFY_WITH_TIMEOUT(filter->findData(QStringLiteral("alpha")) >= 0, 10000);
    filter->setCurrentIndex(filter->findData(QStringLiteral("alpha")));
    Q_EMIT filter->activated(filter->currentIndex());
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 2, 10000);
    for (int row = 0; row < 2; ++row)
        QCOMPARE(model->data(model->index(row, TurnsModel::Session)).toString(),
                 QStringLiteral("alpha"));

    // Open one: its whole output.
    panel->turnsView()->selectRow(1);
    QTRY_VERIFY_WITH_TIMEOUT(
        panel->historyOutput()->toPlainText().contains(QStringLiteral("reply to ping in alpha")),
        10000);
}

void TstTrayService::quittingRaisesNoNotification()
{
    ServiceFixture fx;
    QVERIFY(fx.start());
    auto app = makeApp(fx);
    QTRY_COMPARE_WITH_TIMEOUT(app->tray()->iconKey(), QStringLiteral("running"), 20000);
    QSignalSpy notes(app->notifier(), &Notifier::notify);
    app.reset(); // as "Quit tray" does
    QCoreApplication::processEvents();
    QCOMPARE(notes.size(), 0);
    QCOMPARE(fx.readState().state, GatewayState::Running); // and the service keeps running
}

void TstTrayService::leftoverDrainIsExplainedWithCancel()
{
    // A drain asked for by someone, then a stop: the next start comes back draining.
    ServiceFixture fx;
    QVERIFY(fx.start());
    QVERIFY(DrainMarker(HomePaths(fx.home()).drainMarker(), fx.readState().epoch)
                .write(QStringLiteral("ops"), false));
    QVERIFY(fx.waitForState(QStringLiteral("draining")));
    QVERIFY(fx.call(QStringLiteral("stop")).ok);
    QCOMPARE(fx.waitForExit(60000), 0);
    QVERIFY(fx.start({}, QStringLiteral("draining")));
    auto app = makeApp(fx);
    ControlPanel *panel = app->panel();
    app->openPanel();
    QTRY_COMPARE_WITH_TIMEOUT(app->tray()->iconKey(), QStringLiteral("draining"), 20000);
    // The panel says why, and the tooltip too; the banner's button cancels it.
    QTRY_VERIFY_WITH_TIMEOUT(panel->drainOriginBanner()->isVisible(), 10000);
    QVERIFY2(panel->drainOriginBanner()->text().contains(QStringLiteral("before the last stop")),
             qPrintable(panel->drainOriginBanner()->text()));
    QVERIFY(panel->drainOriginBanner()->text().contains(QStringLiteral("ops")));
    QVERIFY(app->tray()->tooltip().contains(QStringLiteral("before the last stop")));
    auto *cancel = panel->findChild<QPushButton *>(QStringLiteral("drainOriginCancelButton"));
    QVERIFY(cancel && cancel->isVisible());
    cancel->click();
    QVERIFY(fx.waitForState(QStringLiteral("running")));
    QTRY_COMPARE_WITH_TIMEOUT(app->tray()->iconKey(), QStringLiteral("running"), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(!panel->drainOriginBanner()->isVisible(), 10000);
}

void TstTrayService::handOffShowsThePreviousProcessFinishing()
{
    // A hand-off restart while a turn runs: the panel says the previous process finishes it
    // and marks its row; both go once that process is done. No alarm meanwhile.
    ServiceFixture fx;
    QVERIFY(fx.start({QStringLiteral("--agent-command"), blockingAgent(fx)}));
    auto app = makeApp(fx);
    QSignalSpy notes(app->notifier(), &Notifier::notify);
    app->openPanel();
    QTRY_COMPARE_WITH_TIMEOUT(app->tray()->iconKey(), QStringLiteral("running"), 20000);
    const qint64 oldPid = fx.pid();
    QVERIFY(fx.call(QStringLiteral("send"), {{"session", "long-one"}, {"text", "x"}}).ok);
    QTRY_COMPARE_WITH_TIMEOUT(app->agentsModel()->rowCount(), 1, 15000);
    QVERIFY(fx.call(QStringLiteral("restart")).ok);
    ControlPanel *panel = app->panel();
    QTRY_VERIFY_WITH_TIMEOUT(panel->predecessorBanner()->isVisible(), 20000);
    QVERIFY2(panel->predecessorBanner()->text().contains(QString::number(oldPid)),
             qPrintable(panel->predecessorBanner()->text()));
    QTRY_VERIFY_WITH_TIMEOUT(app->agentsModel()
                                 ->data(app->agentsModel()->index(0, AgentsModel::State))
                                 .toString()
                                 .contains(QString::number(oldPid)),
                             20000);
    QCOMPARE(app->tray()->iconKey(), QStringLiteral("running"));
    release(fx, QStringLiteral("long-one"));
    QCOMPARE(fx.waitForExit(), 0);
    QTRY_VERIFY_WITH_TIMEOUT(!panel->predecessorBanner()->isVisible(), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(app->agentsModel()->rowCount(), 0, 20000);
    QCOMPARE(countKind(notes, Notifier::Unreachable), 0);
    const qint64 newPid = fx.readState().pid;
    QVERIFY(fx.call(QStringLiteral("stop")).ok);
    QVERIFY(ServiceFixture::waitFor([&] { return !ProcessIdentity::isAlive(newPid); }, 30000));
}

QTEST_MAIN(TstTrayService)
#include "tst_tray_service.moc"
