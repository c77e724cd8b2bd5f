// The sluiced binary itself: options and config file (exit 78 with one line), the instance
// lock (a SIGKILLed holder never blocks, a live one is named), and a stop over IPC that leaves
// nothing running and a final state behind.
#include "testhelpers.h"

#include "sluice/paths.h"
#include "sluice/processidentity.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QtTest>

#include <csignal>

using namespace sluice;
using namespace sluice::test;

namespace {

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run runSluiced(const QStringList &args, int timeoutMs = 20000)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("SLUICE_HOME"));
    p.setProcessEnvironment(env);
    p.start(ServiceFixture::binary(QStringLiteral("sluiced")), args);
    Run r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

} // namespace

class TestServiceBasics : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void badOptionExits78WithOneLine_data();
    void badOptionExits78WithOneLine();
    void badConfigFileExits78();
    void configFileIsReadAndCommandLineWins();
    void helpAndVersion();
    void lockOfAKilledServiceNeverBlocks();
    void liveHolderIsNamed();
    void startupFailureIsRecorded();
    void stopOverIpcInterruptsTurnsAndExitsZero();
    void logIsSizeCappedAndRotated();
    void demoAgentStreamsAndStopsOnSigterm();
};

void TestServiceBasics::badOptionExits78WithOneLine_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("unknown option") << QStringList{QStringLiteral("--no-such-option")};
    QTest::newRow("missing value") << QStringList{QStringLiteral("--max-concurrent")};
    QTest::newRow("not a number") << QStringList{QStringLiteral("--drain-timeout"),
                                                 QStringLiteral("abc")};
    QTest::newRow("negative grace")
        << QStringList{QStringLiteral("--interrupt-grace"), QStringLiteral("-1")};
    QTest::newRow("zero concurrency")
        << QStringList{QStringLiteral("--max-concurrent"), QStringLiteral("0")};
    QTest::newRow("port out of range")
        << QStringList{QStringLiteral("--http-port"), QStringLiteral("70000")};
    QTest::newRow("bad log level")
        << QStringList{QStringLiteral("--log-level"), QStringLiteral("loud")};
    QTest::newRow("positional") << QStringList{QStringLiteral("extra")};
    QTest::newRow("empty agent") << QStringList{QStringLiteral("--agent-command"), QString()};
}

void TestServiceBasics::badOptionExits78WithOneLine()
{
    QFETCH(QStringList, args);
    QTemporaryDir home;
    const Run r = runSluiced(QStringList{QStringLiteral("--home"), home.path()} + args);
    QCOMPARE(r.exitCode, 78);
    QVERIFY2(r.err.endsWith('\n') && r.err.count('\n') == 1, r.err.constData());
    QVERIFY(r.err.startsWith("sluiced: "));
    // Nothing was started: no lock, no state.
    QVERIFY(!QFile::exists(HomePaths(home.path()).stateFile()));
}

void TestServiceBasics::badConfigFileExits78()
{
    QTemporaryDir home;
    QFile conf(HomePaths(home.path()).configFile());
    QVERIFY(conf.open(QIODevice::WriteOnly));
    conf.write("max-concurrent = lots\n");
    conf.close();
    Run r = runSluiced({QStringLiteral("--home"), home.path()});
    QCOMPARE(r.exitCode, 78);
    QCOMPARE(r.err.count('\n'), 1);
    QVERIFY(r.err.contains("max-concurrent"));

    QVERIFY(conf.open(QIODevice::WriteOnly | QIODevice::Truncate));
    conf.write("no-such-key = 1\n");
    conf.close();
    r = runSluiced({QStringLiteral("--home"), home.path()});
    QCOMPARE(r.exitCode, 78);
    QVERIFY(r.err.contains("no-such-key"));

    r = runSluiced({QStringLiteral("--home"), home.path(), QStringLiteral("--config"),
                    home.path() + QStringLiteral("/missing.conf")});
    QCOMPARE(r.exitCode, 78);
    QCOMPARE(r.err.count('\n'), 1);
}

void TestServiceBasics::configFileIsReadAndCommandLineWins()
{
    ServiceFixture f;
    QFile conf(HomePaths(f.home()).configFile());
    QVERIFY(conf.open(QIODevice::WriteOnly));
    conf.write("drain-timeout = 12\ninterrupt-grace = 2\nmax-concurrent = 3\n");
    conf.close();
    QVERIFY(f.start({QStringLiteral("--interrupt-grace"), QStringLiteral("4")}));
    const IpcReply r = f.call(QStringLiteral("status"));
    QVERIFY(r.ok);
    QCOMPARE(r.body.value(QStringLiteral("drain_timeout_s")).toDouble(), 12.0);
    QCOMPARE(r.body.value(QStringLiteral("interrupt_grace_s")).toDouble(), 4.0);
}

void TestServiceBasics::helpAndVersion()
{
    Run r = runSluiced({QStringLiteral("--version")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.startsWith("sluiced "));
    r = runSluiced({QStringLiteral("--help")});
    QCOMPARE(r.exitCode, 0);
    for (const char *opt : {"--home", "--config", "--agent-command", "--drain-timeout",
                            "--interrupt-grace", "--max-concurrent", "--http-port", "--socket",
                            "--log-level", "--supervised", "--version", "--help"})
        QVERIFY2(r.out.contains(opt), opt);
}

void TestServiceBasics::lockOfAKilledServiceNeverBlocks()
{
    ServiceFixture f;
    QVERIFY(f.start());
    const qint64 first = f.pid();
    QVERIFY(QFile::exists(HomePaths(f.home()).lockFile()));
    f.sendSignal(SIGKILL);
    QCOMPARE(f.waitForExit(), -1);                          // killed, not a normal exit
    QVERIFY(QFile::exists(HomePaths(f.home()).lockFile())); // the leftover lock
    // The leftover socket too: the new instance proves nobody listens and replaces it.
    QVERIFY(f.start({QStringLiteral("--lock-wait"), QStringLiteral("0")}));
    QVERIFY(f.pid() != first);
    QVERIFY(f.call(QStringLiteral("status")).ok);
}

void TestServiceBasics::liveHolderIsNamed()
{
    ServiceFixture f;
    QVERIFY(f.start());
    QTemporaryDir sock(QStringLiteral("/tmp/sl2-XXXXXX"));
    const Run r =
        runSluiced({QStringLiteral("--home"), f.home(), QStringLiteral("--socket"),
                    sock.path() + QStringLiteral("/s.sock"), QStringLiteral("--http-port"),
                    QStringLiteral("-1"), QStringLiteral("--lock-wait"), QStringLiteral("0.5")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QStringLiteral("already running (pid %1)").arg(f.pid()).toUtf8()),
             r.err.constData());
    // The running instance is untouched: still its state file, still serving.
    QCOMPARE(f.readState().pid, f.pid());
    QCOMPARE(f.readState().state, GatewayState::Running);
    QVERIFY(f.call(QStringLiteral("status")).ok);
}

void TestServiceBasics::startupFailureIsRecorded()
{
    ServiceFixture f;
    QVERIFY(QDir().mkpath(HomePaths(f.home()).stateDb())); // a folder where the db should be
    QVERIFY(!f.start({}, QStringLiteral("running"), 10000));
    QCOMPARE(f.waitForExit(), 1);
    const RuntimeStatus s = f.readState();
    QCOMPARE(s.state, GatewayState::StartupFailed);
    QCOMPARE(s.accepting, false);
    QVERIFY(s.exitReason.contains(QStringLiteral("state.db")));
    // The lock was released: once the cause is gone the service starts.
    QVERIFY(QDir(HomePaths(f.home()).stateDb()).removeRecursively());
    QVERIFY(f.start({QStringLiteral("--lock-wait"), QStringLiteral("0")}));
}

void TestServiceBasics::stopOverIpcInterruptsTurnsAndExitsZero()
{
    ServiceFixture f;
    const QString d = f.scriptsDir();
    const QString agent = f.writeAgentScript(
        QStringLiteral("long.sh"), QStringLiteral("cat > /dev/null\n"
                                                  "( sleep 300 & echo $! > '%1/orphan.pid' ) &\n"
                                                  "echo $$ > '%1/leader.pid'\n"
                                                  "sleep 300\n")
                                       .arg(d));
    QVERIFY(
        f.start({QStringLiteral("--agent-command"), agent, QStringLiteral("--drain-timeout"),
                 QStringLiteral("1"), QStringLiteral("--interrupt-grace"), QStringLiteral("1")}));
    const IpcReply sent =
        f.call(QStringLiteral("send"), {{QStringLiteral("session"), QStringLiteral("s")},
                                        {QStringLiteral("text"), QStringLiteral("x")}});
    QVERIFY(sent.ok);
    auto readPid = [&](const char *name) {
        QFile file(d + QLatin1Char('/') + QLatin1String(name));
        return file.open(QIODevice::ReadOnly) ? file.readAll().trimmed().toLongLong() : 0;
    };
    QVERIFY(ServiceFixture::waitFor(
        [&] { return readPid("orphan.pid") > 0 && readPid("leader.pid") > 0; }));
    const qint64 orphan = readPid("orphan.pid");
    const qint64 leader = readPid("leader.pid");

    const IpcReply r = f.call(QStringLiteral("stop"));
    QVERIFY(r.ok);
    QCOMPARE(r.body.value(QStringLiteral("accepted")).toBool(), true);
    QCOMPARE(f.waitForExit(30000), 0);
    QVERIFY(!ProcessIdentity::isAlive(leader));
    QVERIFY(ServiceFixture::waitFor([&] { return !ProcessIdentity::isAlive(orphan); }, 5000));
    const RuntimeStatus s = f.readState();
    QCOMPARE(s.state, GatewayState::Stopped);
    QCOMPARE(s.desiredState, DesiredState::Stopped);
    QVERIFY(s.exitCode.has_value());
    QCOMPARE(*s.exitCode, 0);
    QCOMPARE(s.accepting, false);
    QVERIFY(!QFile::exists(f.socketPath()));
}

void TestServiceBasics::logIsSizeCappedAndRotated()
{
    ServiceFixture f;
    QVERIFY(f.start({QStringLiteral("--log-max-bytes"), QStringLiteral("4096"),
                     QStringLiteral("--log-keep"), QStringLiteral("2")}));
    const QString log = HomePaths(f.home()).serviceLog();
    // Every request is logged at debug level: enough of them fill several files.
    QVERIFY(ServiceFixture::waitFor([&] {
        f.call(QStringLiteral("status"));
        return QFile::exists(log + QStringLiteral(".2"));
    }));
    QVERIFY(QFileInfo(log).size() <= 4096);
    QVERIFY(QFileInfo(log + QStringLiteral(".1")).size() <= 4096);
    QVERIFY(!QFile::exists(log + QStringLiteral(".3")));
}

void TestServiceBasics::demoAgentStreamsAndStopsOnSigterm()
{
    QProcess agent;
    agent.start(ServiceFixture::binary(QStringLiteral("sluice-demo-agent")));
    QVERIFY(agent.waitForStarted());
    agent.write("hello world");
    agent.closeWriteChannel();
    QElapsedTimer timer;
    timer.start();
    QVERIFY(agent.waitForFinished(10000));
    QCOMPARE(agent.exitCode(), 0);
    QVERIFY(timer.elapsed() >= 2000); // streamed over about 3 s
    QVERIFY(agent.readAllStandardOutput().contains("hello world"));

    QProcess interrupted;
    interrupted.start(ServiceFixture::binary(QStringLiteral("sluice-demo-agent")));
    QVERIFY(interrupted.waitForStarted());
    interrupted.write("stop me");
    interrupted.closeWriteChannel();
    QVERIFY(interrupted.waitForReadyRead(5000)); // it is streaming
    timer.restart();
    ::kill(pid_t(interrupted.processId()), SIGTERM);
    QVERIFY(interrupted.waitForFinished(5000));
    QVERIFY2(timer.elapsed() < 1000, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(interrupted.exitStatus(), QProcess::NormalExit);
    QCOMPARE(interrupted.exitCode(), 143);
}

QTEST_GUILESS_MAIN(TestServiceBasics)
#include "tst_servicebasics.moc"
