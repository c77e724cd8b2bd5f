// In-process tests of sluiced building blocks that are hard to observe from outside:
// StatusWriter coalescing and sealing, HomeWatcher on a file replaced by rename, and option
// parsing details (config file precedence, quoting).
#include "app/serviceoptions.h"
#include "gateway/statuswriter.h"
#include "lifecycle/homewatcher.h"
#include "turns/processtree.h"

#include "sluice/atomicjson.h"
#include "sluice/paths.h"

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

using namespace sluice;

class TestDaemonUnits : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void statusWriterCoalescesABurst();
    void sealedStatusWriterWritesNothing();
    void whenWrittenFiresOnceTheFileSaysSo();
    void homeWatcherSeesRenameAndRemoval();
    void configFileAndCommandLine();
    void shellWords_data();
    void shellWords();
    void orphanReaperLeavesQProcessChildrenAlone();
};

void TestDaemonUnits::statusWriterCoalescesABurst()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("gateway_state.json"));
    StatusWriter writer(path);
    RuntimeStatus s;
    s.state = GatewayState::Running;
    for (int i = 0; i < 200; ++i) { // one event-loop pass: one write
        s.activeAgents = i;
        writer.schedule(s);
    }
    QVERIFY(!QFile::exists(path)); // nothing written synchronously by schedule()
    QTRY_COMPARE_WITH_TIMEOUT(writer.writesDone(), 1, 10000);
    const JsonFile f = readJsonFile(path);
    QVERIFY(f.isObject());
    QCOMPARE(RuntimeStatus::fromJson(f.object).activeAgents, 199);
    QVERIFY(!RuntimeStatus::fromJson(f.object).updatedAt.isEmpty());
    s.activeAgents = 5;
    writer.schedule(s);
    writer.flush(); // synchronous
    QCOMPARE(writer.writesDone(), 2);
    QCOMPARE(RuntimeStatus::fromJson(readJsonFile(path).object).activeAgents, 5);
}

void TestDaemonUnits::sealedStatusWriterWritesNothing()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("gateway_state.json"));
    StatusWriter writer(path);
    RuntimeStatus s;
    s.pid = 42;
    s.state = GatewayState::Stopping;
    writer.schedule(s);
    writer.flush();
    // The watchdog's own final write, then a late status from the event loop.
    writer.seal();
    RuntimeStatus final = s;
    final.state = GatewayState::Stopped;
    QVERIFY(writeJsonAtomically(path, final.toJson()));
    s.activeAgents = 3;
    writer.schedule(s);
    writer.flush();
    QCOMPARE(RuntimeStatus::fromJson(readJsonFile(path).object).state, GatewayState::Stopped);

    // Unsealed, the writer still never turns this pid's `stopped` back into `stopping`.
    StatusWriter other(path);
    other.schedule(s);
    other.flush();
    QCOMPARE(RuntimeStatus::fromJson(readJsonFile(path).object).state, GatewayState::Stopped);
}

void TestDaemonUnits::whenWrittenFiresOnceTheFileSaysSo()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("gateway_state.json"));
    StatusWriter writer(path);
    bool immediate = false;
    writer.whenWritten([&] { immediate = true; }); // nothing pending: at once
    QVERIFY(immediate);

    RuntimeStatus s;
    s.state = GatewayState::Draining;
    writer.schedule(s);
    GatewayState seen = GatewayState::Starting;
    bool called = false;
    writer.whenWritten([&] {
        called = true;
        seen = RuntimeStatus::fromJson(readJsonFile(path).object).state;
    });
    QVERIFY(!called); // never synchronous while a write is pending
    QTRY_VERIFY_WITH_TIMEOUT(called, 10000);
    QCOMPARE(seen, GatewayState::Draining);
}

void TestDaemonUnits::homeWatcherSeesRenameAndRemoval()
{
    QTemporaryDir dir;
    HomeWatcher watcher(dir.path());
    watcher.setRecheckInterval(60000); // notification only: the re-check must not be needed
    watcher.addFile(QStringLiteral(".marker"));
    watcher.start();
    QSignalSpy spy(&watcher, &HomeWatcher::changed);

    QFile tmp(dir.filePath(QStringLiteral("m.tmp")));
    QVERIFY(tmp.open(QIODevice::WriteOnly));
    tmp.write("{}");
    tmp.close();
    QVERIFY(QFile::rename(tmp.fileName(), dir.filePath(QStringLiteral(".marker"))));
    QTRY_VERIFY_WITH_TIMEOUT(spy.size() >= 1, 5000);
    QCOMPARE(spy.last().at(0).toString(), QStringLiteral(".marker"));

    // Replaced again by rename (a watch on the file itself would be lost here).
    const int before = spy.size();
    QVERIFY(tmp.open(QIODevice::WriteOnly));
    tmp.write("{\"changed\": true}");
    tmp.close();
    QVERIFY(QFile::remove(dir.filePath(QStringLiteral(".marker"))));
    QTRY_VERIFY_WITH_TIMEOUT(spy.size() > before, 5000);
    const int afterRemove = spy.size();
    QVERIFY(QFile::rename(tmp.fileName(), dir.filePath(QStringLiteral(".marker"))));
    QTRY_VERIFY_WITH_TIMEOUT(spy.size() > afterRemove, 5000);

    // Written in place (echo > marker): only the file changes, not the folder.
    const int beforeInPlace = spy.size();
    QFile inPlace(dir.filePath(QStringLiteral(".marker")));
    QVERIFY(inPlace.open(QIODevice::WriteOnly | QIODevice::Truncate));
    inPlace.write("{\"rewritten\": \"in place, longer than before\"}");
    inPlace.close();
    QTRY_VERIFY_WITH_TIMEOUT(spy.size() > beforeInPlace, 5000);

    // Other names in the folder are not reported.
    const int settled = spy.size();
    QFile unrelated(dir.filePath(QStringLiteral("other.json")));
    QVERIFY(unrelated.open(QIODevice::WriteOnly));
    unrelated.close();
    QTest::qWait(300); // an absence can only be observed over some time
    QCOMPARE(spy.size(), settled);
}

void TestDaemonUnits::configFileAndCommandLine()
{
    QTemporaryDir home;
    QFile conf(HomePaths(home.path()).configFile());
    QVERIFY(conf.open(QIODevice::WriteOnly));
    conf.write("agent-command = \"/bin/agent --greeting 'hello, world'\"\n"
               "max-concurrent = 3\n"
               "drain-timeout = 45\n"
               "supervised = true\n");
    conf.close();
    ServiceOptions o;
    auto r =
        ServiceOptions::parse({QStringLiteral("sluiced"), QStringLiteral("--home"), home.path(),
                               QStringLiteral("--max-concurrent"), QStringLiteral("5")},
                              &o);
    QCOMPARE(int(r.outcome), int(ServiceOptions::Outcome::Run));
    QCOMPARE(o.maxConcurrent, 5); // command line wins
    QCOMPARE(o.drainTimeoutS, 45.0);
    QCOMPARE(o.supervised, true);
    QCOMPARE(o.agentCommand,
             (QStringList{QStringLiteral("/bin/agent"), QStringLiteral("--greeting"),
                          QStringLiteral("hello, world")}));
    QCOMPARE(o.configFile, HomePaths(home.path()).configFile());

    // Defaults without a file.
    QTemporaryDir empty;
    ServiceOptions d;
    r = ServiceOptions::parse({QStringLiteral("sluiced"), QStringLiteral("--home"), empty.path()},
                              &d);
    QCOMPARE(int(r.outcome), int(ServiceOptions::Outcome::Run));
    QCOMPARE(d.drainTimeoutS, 30.0);
    QCOMPARE(d.interruptGraceS, 5.0);
    QCOMPARE(d.maxConcurrent, 8);
    QCOMPARE(d.httpPort, 47470);
    QCOMPARE(d.agentCommand, QStringList{QStringLiteral("sluice-demo-agent")});
    QCOMPARE(d.supervised, false);

    r = ServiceOptions::parse({QStringLiteral("sluiced"), QStringLiteral("--home"), empty.path(),
                               QStringLiteral("--http-port"), QStringLiteral("1"),
                               QStringLiteral("--http-port"), QStringLiteral("2")},
                              &d);
    QCOMPARE(int(r.outcome), int(ServiceOptions::Outcome::UsageError));
}

void TestDaemonUnits::shellWords_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QStringList>("words");
    QTest::newRow("plain") << QStringLiteral("  a  b\tc ") << QStringList{"a", "b", "c"};
    QTest::newRow("single") << QStringLiteral("sh -c 'echo \"hi\" $X'")
                            << QStringList{"sh", "-c", "echo \"hi\" $X"};
    QTest::newRow("double") << QStringLiteral("a \"b c\" \"d\\\"e\"")
                            << QStringList{"a", "b c", "d\"e"};
    QTest::newRow("backslash") << QStringLiteral("a\\ b c") << QStringList{"a b", "c"};
    QTest::newRow("empty quotes") << QStringLiteral("a '' b") << QStringList{"a", "", "b"};
    QTest::newRow("joined") << QStringLiteral("x'y'\"z\"") << QStringList{"xyz"};
}

void TestDaemonUnits::shellWords()
{
    QFETCH(QString, command);
    QFETCH(QStringList, words);
    QStringList out;
    QString error;
    QVERIFY(ServiceOptions::splitShellWords(command, &out, &error));
    QCOMPARE(out, words);
    QVERIFY(!ServiceOptions::splitShellWords(QStringLiteral("a 'b"), &out, &error));
    QVERIFY(error.contains(QStringLiteral("unterminated")));
}

// The turn reaper collects orphans our agents leave (we are a subreaper). It must never take
// the exit status of a QProcess child it does not know about (e.g. `systemctl show` of the
// alignment check): QProcess would then never see its child finish normally.
void TestDaemonUnits::orphanReaperLeavesQProcessChildrenAlone()
{
#ifdef Q_OS_LINUX
    QProcess child;
    child.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), QStringLiteral("exit 3")});
    QVERIFY(child.waitForStarted(10000));
    const QString stat = QStringLiteral("/proc/%1/stat").arg(child.processId());
    // Without spinning the event loop: wait until the child is a zombie nobody collected yet.
    QElapsedTimer t;
    t.start();
    bool zombie = false;
    while (!zombie && t.elapsed() < 10000) {
        QFile f(stat);
        if (f.open(QIODevice::ReadOnly)) {
            const QByteArray c = f.readAll();
            const qsizetype close = c.lastIndexOf(')');
            zombie = close > 0 && c.size() > close + 2 && c.at(close + 2) == 'Z';
        }
        if (!zombie)
            QThread::msleep(5);
    }
    if (!zombie)
        QSKIP("the child was collected before it could be seen as a zombie");
    QCOMPARE(ProcessTree::reapOrphans(), 0);
    QVERIFY(child.waitForFinished(10000));
    QCOMPARE(child.exitStatus(), QProcess::NormalExit);
    QCOMPARE(child.exitCode(), 3);
#else
    QSKIP("Linux only");
#endif
}

QTEST_GUILESS_MAIN(TestDaemonUnits)
#include "tst_daemonunits.moc"
