// Pure parts of sluice-tray: the status -> presentation function, the icons, the agents model,
// the log tail, the shutdown timeline, the autostart entry, the single-instance hand-over.
#include "core/agentsmodel.h"
#include "core/autostart.h"
#include "core/logtail.h"
#include "core/singleinstance.h"
#include "core/translations.h"
#include "core/traypresentation.h"
#include "core/traysettings.h"
#include "tray/controlpanel.h"
#include "tray/outputview.h"
#include "tray/settingsdialog.h"
#include "tray/shutdowntimeline.h"
#include "tray/trayicons.h"

#include <QCheckBox>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>

using namespace sluice::gui;

namespace {
// The cases name states by their wire names, as the service sends them; any other name
// ("unreachable", "something-new") stands for a service that cannot be asked.
TrayPresentation presentStatus(const QString &state, int activeAgents, bool accepting,
                               const QString &detail = QString())
{
    sluice::GatewayState s;
    const bool known = sluice::fromWireName(state, &s);
    return sluice::gui::presentStatus(known ? std::optional(s) : std::nullopt, activeAgents,
                                      accepting, detail);
}
} // namespace

class TstTrayPresentation : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void eachStateHasItsOwnIcon();
    void startingAndOfflineAreNoAlarm();
    void pluralsAndGerman();
    void germanTranslationIsComplete();
    void logFollowsUnlessScrolledUp();
    void leftoverDrainIsExplained();
    void settingsDialogStoresChoices();
    void tooltipNamesStateAndAgents_data();
    void tooltipNamesStateAndAgents();
    void actionsFollowTheState_data();
    void actionsFollowTheState();
    void iconsRenderAtTraySizesAndDiffer();
    void agentsModelTicks();
    void logTailReadsOnlyNewBytes();
    void timelineFromReport();
    void autostartDesktopEntry();
    void secondInstanceHandsOver();
    void alignmentWarningOnlyWhenMisaligned();
};

void TstTrayPresentation::initTestCase()
{
    // The English plural forms ("1 active agent", "2 active agents").
    QCOMPARE(installTranslations(qApp, QLocale(QStringLiteral("en_US"))), QStringLiteral("en"));
}

void TstTrayPresentation::eachStateHasItsOwnIcon()
{
    const QStringList states{"running", "draining", "stopping", "stopped", "unreachable"};
    QSet<QString> keys;
    for (const QString &s : states) {
        const TrayPresentation p = presentStatus(s, 1, s == "running");
        QCOMPARE(p.iconKey, s);
        QVERIFY(QFile::exists(iconPath(p.iconKey)) || !TrayIcons::icon(p.iconKey).isNull());
        keys.insert(p.iconKey);
    }
    QCOMPARE(keys.size(), 5);
    QCOMPARE(presentStatus("starting", 0, false).iconKey, QStringLiteral("starting"));
    QCOMPARE(presentStatus("startup_failed", 0, false).iconKey, QStringLiteral("stopped"));
    QCOMPARE(presentStatus("something-new", 0, false).iconKey, QStringLiteral("unreachable"));
}

void TstTrayPresentation::startingAndOfflineAreNoAlarm()
{
    using sluice::GatewayState;
    const TrayPresentation starting = presentStatus("starting", 0, false);
    QCOMPARE(starting.stateLine, QStringLiteral("Sluice: starting — 0 active agents"));
    QVERIFY(!starting.startVisible);
    QVERIFY(!starting.sendEnabled);
    // Not answering yet, within the grace period: the starting icon, no Start, no alarm.
    const TrayPresentation connecting =
        sluice::gui::presentStatus(std::nullopt, 0, false, QString(), Offline::Connecting);
    QCOMPARE(connecting.iconKey, QStringLiteral("starting"));
    QVERIFY(connecting.stateLine.contains(QStringLiteral("connecting")));
    QVERIFY(!connecting.startVisible);
    // No service ever ran here: explained, with Start.
    const TrayPresentation first =
        sluice::gui::presentStatus(std::nullopt, 0, false, QString(), Offline::FirstRun);
    QCOMPARE(first.iconKey, QStringLiteral("stopped"));
    QVERIFY(first.stateLine.contains(QStringLiteral("not started yet")));
    QVERIFY(first.tooltip.contains(QStringLiteral("No service has run in this HOME yet")));
    QVERIFY(first.startVisible);
    QVERIFY(!first.stopEnabled);
    // Start whenever stopped or unreachable; never while it runs.
    QVERIFY(presentStatus("stopped", 0, false).startVisible);
    QVERIFY(presentStatus("startup_failed", 0, false).startVisible);
    QVERIFY(presentStatus("unreachable", 0, false).startVisible);
    QVERIFY(!presentStatus("running", 0, true).startVisible);
    QVERIFY(!presentStatus("draining", 0, false).startVisible);
    QVERIFY(!presentStatus("stopping", 0, false).startVisible);
    QVERIFY(presentStatus("running", 0, true).sendEnabled);
    QVERIFY(!presentStatus("draining", 0, false).sendEnabled);
}

void TstTrayPresentation::pluralsAndGerman()
{
    QCOMPARE(presentStatus("running", 1, true).stateLine,
             QStringLiteral("Sluice: running — 1 active agent"));
    QCOMPARE(presentStatus("running", 2, true).stateLine,
             QStringLiteral("Sluice: running — 2 active agents"));
    QCOMPARE(installTranslations(qApp, QLocale(QStringLiteral("de_DE"))), QStringLiteral("de"));
    const TrayPresentation de = presentStatus("running", 2, true);
    QCOMPARE(de.stateLine, QStringLiteral("Sluice: läuft — 2 aktive Agenten"));
    QVERIFY2(de.tooltip.contains(QStringLiteral("Zustand: läuft")), qPrintable(de.tooltip));
    QCOMPARE(presentStatus("running", 1, true).stateLine,
             QStringLiteral("Sluice: läuft — 1 aktiver Agent"));
    // A language without a translation falls back to English with its plurals.
    QCOMPARE(installTranslations(qApp, QLocale(QStringLiteral("fr_FR"))), QStringLiteral("en"));
    QCOMPARE(presentStatus("running", 1, true).stateLine,
             QStringLiteral("Sluice: running — 1 active agent"));
}

void TstTrayPresentation::germanTranslationIsComplete()
{
    // Every message of the German .ts has a finished translation (all plural forms too).
    QFile ts(QStringLiteral(SLUICE_TS_DIR "/sluice_de.ts"));
    QVERIFY(ts.open(QIODevice::ReadOnly));
    QXmlStreamReader xml(&ts);
    int messages = 0;
    QStringList missing;
    QString source;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement())
            continue;
        if (xml.name() == QLatin1String("message")) {
            ++messages;
        } else if (xml.name() == QLatin1String("source")) {
            source = xml.readElementText();
        } else if (xml.name() == QLatin1String("translation")) {
            const bool unfinished =
                xml.attributes().value(QLatin1String("type")) == QLatin1String("unfinished");
            const QString text = xml.readElementText(QXmlStreamReader::IncludeChildElements);
            if (unfinished || text.trimmed().isEmpty())
                missing << source;
        }
    }
    QVERIFY(!xml.hasError());
    QVERIFY(messages > 100);
    QVERIFY2(missing.isEmpty(), qPrintable(missing.join(QLatin1String(" | "))));
}

void TstTrayPresentation::logFollowsUnlessScrolledUp()
{
    QPlainTextEdit view;
    view.resize(300, 120);
    FollowingTail tail(&view);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QScrollBar *bar = view.verticalScrollBar();
    auto add = [&](int from) {
        for (int i = from; i < from + 50; ++i)
            view.appendPlainText(QStringLiteral("line %1").arg(i));
        QCoreApplication::processEvents();
    };
    add(0);
    QTRY_VERIFY(bar->maximum() > 0 && bar->value() == bar->maximum());
    // The user scrolls up: new lines no longer pull the view down.
    bar->triggerAction(QAbstractSlider::SliderToMinimum);
    QTRY_VERIFY(!tail.following());
    add(50);
    QCOMPARE(bar->value(), 0);
    // Back at the end: it follows again.
    bar->triggerAction(QAbstractSlider::SliderToMaximum);
    QTRY_VERIFY(tail.following());
    add(100);
    QTRY_COMPARE(bar->value(), bar->maximum());
    // Growth of the window (e.g. a message line above) does not stop the following.
    view.resize(300, 90);
    add(150);
    QTRY_COMPARE(bar->value(), bar->maximum());
}

void TstTrayPresentation::leftoverDrainIsExplained()
{
    QCOMPARE(ControlPanel::leftoverDrainText({}), QString());
    QCOMPARE(ControlPanel::leftoverDrainText({{"drain", QJsonObject{{"principal", "ops"}}}}),
             QString());
    const QString text = ControlPanel::leftoverDrainText(
        {{"drain", QJsonObject{{"principal", "ops"},
                               {"leftover", QJsonObject{{"principal", "ops"},
                                                        {"age_s", 125},
                                                        {"cancel", "sluicectl cancel-drain"}}}}}});
    QVERIFY2(text.contains(QStringLiteral("before the last stop")), qPrintable(text));
    QVERIFY(text.contains(QStringLiteral("ops")));
    QVERIFY(text.contains(QStringLiteral("2:05")));
    QVERIFY(text.contains(QStringLiteral("sluicectl cancel-drain")));
}

void TstTrayPresentation::settingsDialogStoresChoices()
{
    QTemporaryDir dir;
    qputenv("XDG_CONFIG_HOME", dir.path().toUtf8());
    const QString file = dir.filePath(QStringLiteral("tray.conf"));
    TraySettings settings(file);
    {
        SettingsDialog dialog(&settings, QStringLiteral("/home/u/sluice"));
        for (Notifier::Kind kind : Notifier::allKinds())
            QVERIFY(dialog.notificationBox(kind)->isChecked()); // all on at first
        QVERIFY(!dialog.autostartBox()->isChecked());
        dialog.notificationBox(Notifier::Unreachable)->setChecked(false);
        dialog.autostartBox()->setChecked(true);
        dialog.homeEdit()->setText(dir.filePath(QStringLiteral("gateway")));
        QVERIFY(dialog.apply().startsWith(QStringLiteral("Settings saved.")));
    }
    const TraySettings stored(file);
    QVERIFY(!stored.notificationEnabled(Notifier::Unreachable));
    QVERIFY(stored.notificationEnabled(Notifier::DrainFinished));
    QCOMPARE(stored.home(), dir.filePath(QStringLiteral("gateway")));
    // Autostart on: the login item exists and starts the tray for that HOME.
    QFile item(Autostart::location());
    QVERIFY(item.open(QIODevice::ReadOnly));
    QVERIFY(item.readAll().contains(dir.filePath(QStringLiteral("gateway")).toUtf8()));
    item.close();
    {
        SettingsDialog dialog(&settings, QStringLiteral("/home/u/sluice"));
        QVERIFY(dialog.autostartBox()->isChecked());
        QVERIFY(!dialog.notificationBox(Notifier::Unreachable)->isChecked());
        dialog.autostartBox()->setChecked(false);
        dialog.homeEdit()->clear();
        dialog.apply();
    }
    QVERIFY(!QFile::exists(Autostart::location()));
    QCOMPARE(TraySettings(file).home(), QString());
    qunsetenv("XDG_CONFIG_HOME");
}

void TstTrayPresentation::tooltipNamesStateAndAgents_data()
{
    QTest::addColumn<QString>("state");
    QTest::addColumn<int>("active");
    QTest::addColumn<bool>("accepting");
    QTest::addColumn<QStringList>("mustContain");
    QTest::addColumn<QStringList>("mustNotContain");
    QTest::newRow("running") << "running" << 2 << true
                             << QStringList{"State: running", "2 active agents",
                                            "Accepting new turns"}
                             << QStringList{"Not accepting"};
    QTest::newRow("running-one") << "running" << 1 << true << QStringList{"1 active agent"}
                                 << QStringList{"agents"};
    QTest::newRow("draining") << "draining" << 3 << false
                              << QStringList{"State: draining", "3 active agents",
                                             "Not accepting new turns"}
                              << QStringList{};
    QTest::newRow("stopping") << "stopping" << 1 << false
                              << QStringList{"State: stopping", "1 active agent"} << QStringList{};
    QTest::newRow("stopped") << "stopped" << 0 << false << QStringList{"State: stopped"}
                             << QStringList{"active agent"};
    QTest::newRow("unreachable") << "unreachable" << 4 << false
                                 << QStringList{"State: unreachable", "not responding"}
                                 << QStringList{"active agent"};
}

void TstTrayPresentation::tooltipNamesStateAndAgents()
{
    QFETCH(QString, state);
    QFETCH(int, active);
    QFETCH(bool, accepting);
    QFETCH(QStringList, mustContain);
    QFETCH(QStringList, mustNotContain);
    const TrayPresentation p = presentStatus(
        state, active, accepting, state == "unreachable" ? QStringLiteral("not responding") : "");
    for (const QString &s : mustContain)
        QVERIFY2(p.tooltip.contains(s), qPrintable(p.tooltip + " lacks " + s));
    for (const QString &s : mustNotContain)
        QVERIFY2(!p.tooltip.contains(s), qPrintable(p.tooltip + " has " + s));
    QVERIFY(p.stateLine.contains(state));
}

void TstTrayPresentation::actionsFollowTheState_data()
{
    QTest::addColumn<QString>("state");
    QTest::addColumn<bool>("drainVisible");
    QTest::addColumn<bool>("drainEnabled");
    QTest::addColumn<bool>("cancelVisible");
    QTest::addColumn<bool>("stopEnabled");
    QTest::addColumn<bool>("restartEnabled");
    //                          state        drainVis drainEn cancelVis stop  restart
    QTest::newRow("running") << "running" << true << true << false << true << true;
    QTest::newRow("draining") << "draining" << false << false << true << true << true;
    QTest::newRow("stopping") << "stopping" << true << false << false << false << false;
    QTest::newRow("stopped") << "stopped" << true << false << false << false << false;
    QTest::newRow("unreachable") << "unreachable" << true << false << false << false << false;
}

void TstTrayPresentation::actionsFollowTheState()
{
    QFETCH(QString, state);
    QFETCH(bool, drainVisible);
    QFETCH(bool, drainEnabled);
    QFETCH(bool, cancelVisible);
    QFETCH(bool, stopEnabled);
    QFETCH(bool, restartEnabled);
    const TrayPresentation p = presentStatus(state, 1, state == "running");
    QCOMPARE(p.drainVisible, drainVisible);
    QCOMPARE(p.drainEnabled, drainEnabled);
    QCOMPARE(p.cancelDrainVisible, cancelVisible);
    QCOMPARE(p.cancelDrainEnabled, cancelVisible);
    QVERIFY(p.drainVisible != p.cancelDrainVisible); // exactly one of the pair is shown
    QCOMPARE(p.stopEnabled, stopEnabled);
    QCOMPARE(p.restartEnabled, restartEnabled);
    QCOMPARE(p.forceRestartEnabled, restartEnabled);
    QCOMPARE(p.interruptEnabled, stopEnabled);
}

void TstTrayPresentation::iconsRenderAtTraySizesAndDiffer()
{
    QVector<QImage> images;
    for (const QString &key : TrayIcons::keys()) {
        const QIcon icon = TrayIcons::icon(key);
        QVERIFY2(!icon.isNull(), qPrintable(key));
        for (int size : {16, 22, 24, 32}) {
            const QImage img = icon.pixmap(size, size).toImage();
            QCOMPARE(img.width(), size);
            // Not blank: a good share of the pixels are opaque.
            int opaque = 0;
            for (int y = 0; y < img.height(); ++y)
                for (int x = 0; x < img.width(); ++x)
                    opaque += qAlpha(img.pixel(x, y)) > 128;
            QVERIFY2(opaque > size * size / 4, qPrintable(key));
        }
        // HiDPI: a 2x pixmap exists.
        const QPixmap hi = icon.pixmap(QSize(32, 32), 2.0);
        QCOMPARE(hi.width(), 64);
        images << icon.pixmap(24, 24).toImage();
    }
    for (int i = 0; i < images.size(); ++i)
        for (int j = i + 1; j < images.size(); ++j)
            QVERIFY(images[i] != images[j]);
}

void TstTrayPresentation::agentsModelTicks()
{
    AgentsModel m;
    QJsonObject a{{"turn_id", 7},
                  {"session", "s1"},
                  {"pid", 1234},
                  {"state", "running"},
                  {"started_at", "2026-01-01T00:00:00Z"},
                  {"elapsed_s", 5.0}};
    m.setAgents(QJsonArray{a});
    QCOMPARE(m.rowCount(), 1);
    QCOMPARE(m.turnId(0), QStringLiteral("7"));
    QCOMPARE(m.session(0), QStringLiteral("s1"));
    const qint64 e0 = m.elapsedSeconds(0);
    QVERIFY(e0 >= 5 && e0 < 7);
    QSignalSpy ticks(&m, &QAbstractItemModel::dataChanged);
    QVERIFY(ticks.wait(3000));
    QTRY_VERIFY_WITH_TIMEOUT(m.elapsedSeconds(0) > e0, 5000);
    QCOMPARE(AgentsModel::formatElapsed(42), QStringLiteral("42 s"));
    QCOMPARE(AgentsModel::formatElapsed(187), QStringLiteral("3:07"));
    QCOMPARE(AgentsModel::formatElapsed(3723), QStringLiteral("1:02:03"));
    m.setAgents({});
    QCOMPARE(m.rowCount(), 0);
}

void TstTrayPresentation::logTailReadsOnlyNewBytes()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("sluiced.log");
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    for (int i = 0; i < 300; ++i)
        f.write(QByteArray("line ") + QByteArray::number(i) + '\n');
    f.flush();
    LogTail tail(path, 200);
    QSignalSpy reset(&tail, &LogTail::reset);
    QSignalSpy appended(&tail, &LogTail::appended);
    tail.start();
    QCOMPARE(reset.size(), 1);
    QCOMPARE(tail.lines().size(), 200);
    QCOMPARE(tail.lines().last(), QStringLiteral("line 299"));
    f.write("partial");
    f.flush();
    tail.poll();
    QCOMPARE(appended.size(), 0); // an unfinished line waits
    f.write(" end\nnext\n");
    f.flush();
    QTRY_COMPARE_WITH_TIMEOUT(appended.size(), 1, 5000);
    QCOMPARE(appended.last().at(0).toStringList(), (QStringList{"partial end", "next"}));
    // Rotation: a smaller file starts over.
    f.close();
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write("fresh\n");
    f.close();
    tail.poll();
    QCOMPARE(reset.size(), 2);
    QCOMPARE(tail.lines(), QStringList{"fresh"});
}

void TstTrayPresentation::timelineFromReport()
{
    ShutdownTimeline t;
    t.setReport({});
    QVERIFY(t.phases().isEmpty());
    QJsonArray phases;
    double at = 0;
    for (const char *name : {"begin", "notify", "mark_resume", "drain", "interrupt", "disconnect",
                             "persist", "exit"}) {
        phases.append(QJsonObject{{"name", name}, {"at_s", at}, {"duration_s", 0.25}});
        at += 0.25;
    }
    t.setReport({{"cause", "planned"},
                 {"exit_code", 0},
                 {"total_s", at},
                 {"interrupted", 0},
                 {"phases", phases}});
    QCOMPARE(t.phases().size(), 8);
    QCOMPARE(t.phases().at(3).name, QStringLiteral("drain"));
    QVERIFY(t.summary().contains("planned"));
    t.resize(500, t.sizeHint().height());
    QVERIFY(!t.grab().isNull());
}

void TstTrayPresentation::autostartDesktopEntry()
{
    QTemporaryDir dir;
    qputenv("XDG_CONFIG_HOME", dir.path().toUtf8());
    QString msg;
    QVERIFY(Autostart::install("/opt/sluice dir/sluice-tray", "/home/u/my home", &msg));
    const QString file = dir.filePath("autostart/sluice-tray.desktop");
    QCOMPARE(Autostart::location(), file);
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QString content = QString::fromUtf8(f.readAll());
    QVERIFY(content.contains("Exec=\"/opt/sluice dir/sluice-tray\" --home \"/home/u/my home\""));
    QVERIFY(content.contains("X-GNOME-Autostart-enabled=true"));
    QVERIFY(content.contains("X-GNOME-Autostart-Delay="));
    QVERIFY(content.contains("X-KDE-autostart-after=panel"));
    QVERIFY(content.contains("X-LXQt-Need-Tray=true"));
    QVERIFY(Autostart::remove(&msg));
    QVERIFY(!QFile::exists(file));
    QVERIFY(Autostart::remove(&msg)); // idempotent
    qunsetenv("XDG_CONFIG_HOME");
}

void TstTrayPresentation::secondInstanceHandsOver()
{
    QTemporaryDir home;
    SingleInstance first(home.path());
    QSignalSpy primary(&first, &SingleInstance::becamePrimary);
    QSignalSpy raise(&first, &SingleInstance::raiseRequested);
    first.start();
    QVERIFY(primary.size() == 1 || primary.wait(5000));
    SingleInstance second(home.path());
    QSignalSpy handed(&second, &SingleInstance::handedOver);
    QSignalSpy secondPrimary(&second, &SingleInstance::becamePrimary);
    second.start();
    QVERIFY(handed.size() >= 1 || handed.wait(5000));
    QTRY_COMPARE_WITH_TIMEOUT(raise.size(), 1, 5000);
    QCOMPARE(secondPrimary.size(), 0);
    // Another HOME gets its own instance.
    QTemporaryDir other;
    QVERIFY(SingleInstance::serverNameFor(other.path()) != first.serverName());
}

void TstTrayPresentation::alignmentWarningOnlyWhenMisaligned()
{
    QCOMPARE(ControlPanel::alignmentWarningText({}), QString());
    QCOMPARE(ControlPanel::alignmentWarningText(
                 {{"supervisor", QJsonObject{{"aligned", QJsonValue()}, {"message", ""}}}}),
             QString());
    QCOMPARE(ControlPanel::alignmentWarningText(
                 {{"supervisor", QJsonObject{{"aligned", true}, {"message", "covers it"}}}}),
             QString());
    const QString w = ControlPanel::alignmentWarningText(
        {{"supervisor", QJsonObject{{"aligned", false},
                                    {"message", "sluiced.service stops after TimeoutStopSec=10s. "
                                                "Fix: set TimeoutStopSec=65"}}}});
    QVERIFY(w.contains("not aligned"));
    QVERIFY(w.contains("TimeoutStopSec=65"));
}

QTEST_MAIN(TstTrayPresentation)
#include "tst_tray_presentation.moc"
