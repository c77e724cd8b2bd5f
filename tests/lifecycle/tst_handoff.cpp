// The hand-off restart (docs/lifecycle.md) of the real sluiced: the successor serves at once
// while the predecessor finishes its turns; sessions stay in order across the two; clients that
// connect throughout are never refused; a successor that cannot start leaves the predecessor
// serving; a predecessor killed mid-way loses no turn; systemd learns the new main pid; and
// sockets from a .socket unit (systemd-socket-activate) are used as they come.
#include "notifyreceiver.h"
#include "testhelpers.h"

#include "sluice/paths.h"
#include "sluice/processidentity.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QLocalSocket>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace sluice;
using namespace sluice::test;

class TestHandoff : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void successorServesWhileTurnsFinish();
    void turnCutByTheDrainTimeoutIsResumedByTheSuccessor();
    void interruptOfAPredecessorsTurnIsFinal();
    void restartDuringAHandoffWaitsForThePredecessor();
    void clientsThroughoutAreNeverRefused();
    void failingSuccessorLeavesPredecessorServing();
    void killedPredecessorLosesNoTurn_data();
    void killedPredecessorLosesNoTurn();
    void stopOfTheSuccessorDrainsBothGenerations();
    void systemdLearnsTheNewMainPid();
    void socketActivationUsesTheInheritedSockets();

private:
    // Turns whose text contains "wait" record their pid and wait for `release-<session>` in
    // the scripts folder; a resumed run (SLUICE_RESUME=1) touches `resumed-<session>`; any
    // other turn answers at once.
    QString agent(ServiceFixture &fx);
    static void releaseSession(ServiceFixture &fx, const QString &session);
    static bool startedAll(ServiceFixture &fx, const QStringList &sessions);
    // Waits until the state file names a running process other than `old`; its pid.
    static qint64 waitForSuccessor(ServiceFixture &fx, qint64 old);
    // Asks for a restart and waits for the successor (killed at cleanup whatever happens).
    qint64 handOff(ServiceFixture &fx, qint64 predecessor);
    // Waits until the successor's status says its predecessor runs `turns` turns.
    static bool predecessorRuns(ServiceFixture &fx, int turns);
    QList<qint64> m_cleanupPids;
    QString m_cleanupDir;
};

void TestHandoff::init()
{
    for (const char *v : {"INVOCATION_ID", "NOTIFY_SOCKET", "XPC_SERVICE_NAME", "WATCHDOG_USEC"})
        qunsetenv(v);
    m_cleanupPids.clear();
    m_cleanupDir.clear();
}

void TestHandoff::cleanup()
{
    if (!m_cleanupDir.isEmpty())
        m_cleanupPids += recordedPids(m_cleanupDir);
    killPids(m_cleanupPids);
}

QString TestHandoff::agent(ServiceFixture &fx)
{
    m_cleanupDir = fx.scriptsDir();
    return fx.writeAgentScript(
        QStringLiteral("handoff.sh"),
        QStringLiteral("if [ \"$SLUICE_RESUME\" = 1 ]; then\n"
                       "  touch \"%1/resumed-$SLUICE_SESSION\"; exit 0\nfi\n"
                       "msg=$(cat)\n"
                       "case \"$msg\" in *wait*)\n"
                       "  echo $$ >> '%1/tree.pid'\n"
                       "  touch \"%1/started-$SLUICE_SESSION\"\n"
                       "  while [ ! -f \"%1/release-$SLUICE_SESSION\" ]; do sleep 0.05; done ;;\n"
                       "esac\n"
                       "echo \"reply to $SLUICE_SESSION: $msg\"\n")
            .arg(fx.scriptsDir()));
}

void TestHandoff::releaseSession(ServiceFixture &fx, const QString &session)
{
    QFile f(fx.scriptsDir() + QStringLiteral("/release-") + session);
    QVERIFY(f.open(QIODevice::WriteOnly));
}

bool TestHandoff::startedAll(ServiceFixture &fx, const QStringList &sessions)
{
    return ServiceFixture::waitFor([&] {
        for (const QString &s : sessions) {
            if (!QFile::exists(fx.scriptsDir() + QStringLiteral("/started-") + s))
                return false;
        }
        return true;
    });
}

qint64 TestHandoff::waitForSuccessor(ServiceFixture &fx, qint64 old)
{
    qint64 pid = -1;
    ServiceFixture::waitFor(
        [&] {
            const RuntimeStatus st = fx.readState();
            if (st.pid > 0 && st.pid != old && st.state == GatewayState::Running &&
                pidAlive(st.pid)) {
                pid = st.pid;
                return true;
            }
            return false;
        },
        30000);
    return pid;
}

qint64 TestHandoff::handOff(ServiceFixture &fx, qint64 predecessor)
{
    if (!fx.call(QStringLiteral("restart")).ok)
        return -1;
    const qint64 successor = waitForSuccessor(fx, predecessor);
    if (successor > 0)
        m_cleanupPids << successor;
    return successor;
}

bool TestHandoff::predecessorRuns(ServiceFixture &fx, int turns)
{
    return ServiceFixture::waitFor([&] {
        const QJsonObject status = fx.call(QStringLiteral("status")).body;
        return status.value("predecessor").toObject().value("running").toInt() == turns;
    });
}

void TestHandoff::successorServesWhileTurnsFinish()
{
    ServiceFixture fx;
    QVERIFY(fx.start({QStringLiteral("--agent-command"), agent(fx),
                      QStringLiteral("--drain-timeout"), QStringLiteral("120")}));
    const qint64 predecessor = fx.pid();
    const QStringList busy{QStringLiteral("s1"), QStringLiteral("s2"), QStringLiteral("s3")};
    QStringList old;
    for (const QString &s : busy)
        old << sendTurn(fx, s, QStringLiteral("wait"));
    QVERIFY(startedAll(fx, busy));

    QElapsedTimer sinceRestart;
    sinceRestart.start();
    const qint64 successor = handOff(fx, predecessor);
    QVERIFY(successor > 0);
    // A new turn runs on the successor at once, while the old ones still run.
    const QString fresh = sendTurn(fx, QStringLiteral("s4"), QStringLiteral("quick"));
    QVERIFY(!fresh.isEmpty());
    QCOMPARE(fx.waitForTurn(fresh).value("state").toString(), QStringLiteral("done"));
    qInfo("restart request -> a new turn done on the successor: %lld ms", sinceRestart.elapsed());
    QCOMPARE(fx.process()->state(), QProcess::Running); // the predecessor finishes its turns

    // Both generations in status and agents, each turn with the pid that runs it.
    const QJsonObject status = fx.call(QStringLiteral("status")).body;
    QCOMPARE(status.value("pid").toInteger(), successor);
    const QJsonObject pred = status.value("predecessor").toObject();
    QCOMPARE(pred.value("pid").toInteger(), predecessor);
    QCOMPARE(pred.value("running").toInt(), 3);
    QVERIFY(!pred.value("deadline").toString().isEmpty());
    const QJsonArray agents = fx.call(QStringLiteral("agents")).body.value("agents").toArray();
    QCOMPARE(agents.size(), 3);
    for (const QJsonValue &a : agents) {
        QCOMPARE(a.toObject().value("service_pid").toInteger(), predecessor);
        QCOMPARE(a.toObject().value("generation").toString(), QStringLiteral("predecessor"));
        QVERIFY(old.contains(a.toObject().value("turn_id").toString()));
    }
    const QByteArray metrics = http(quint16(fx.httpPort()), "GET", "/metrics", fx.token()).body;
    QVERIFY2(metrics.contains("sluice_predecessor_turns 3"), metrics.constData());

    // A message for a session still busy in the predecessor waits for it, in order.
    const QString second = sendTurn(fx, QStringLiteral("s1"), QStringLiteral("second"));
    QVERIFY(!second.isEmpty());
    QCOMPARE(fx.call(QStringLiteral("turn"), {{"turn_id", second}}).body.value("state").toString(),
             QStringLiteral("queued"));
    releaseSession(fx, QStringLiteral("s1"));
    const QJsonObject first = fx.waitForTurn(old.at(0));
    QCOMPARE(first.value("state").toString(), QStringLiteral("done"));
    const QJsonObject after = fx.waitForTurn(second);
    QCOMPARE(after.value("state").toString(), QStringLiteral("done"));
    QVERIFY(QDateTime::fromString(after.value("started_at").toString(), Qt::ISODateWithMs) >=
            QDateTime::fromString(first.value("finished_at").toString(), Qt::ISODateWithMs));

    // The old turns run to their end on the predecessor, which then exits 0.
    releaseSession(fx, QStringLiteral("s2"));
    releaseSession(fx, QStringLiteral("s3"));
    for (const QString &id : std::as_const(old)) {
        const QJsonObject t = fx.waitForTurn(id);
        QCOMPARE(t.value("state").toString(), QStringLiteral("done"));
        QVERIFY(t.value("output").toString().contains(QStringLiteral("wait")));
    }
    QCOMPARE(fx.waitForExit(), 0);
    QVERIFY(ServiceFixture::waitFor(
        [&] { return !fx.call(QStringLiteral("status")).body.contains("predecessor"); }));
    QVERIFY(fx.logText().contains(QStringLiteral("finished its turns and exited")));

    QVERIFY(fx.call(QStringLiteral("stop")).ok);
    QVERIFY(ServiceFixture::waitFor([&] { return !pidAlive(successor); }, 30000));
    QCOMPARE(fx.readState().state, GatewayState::Stopped);
}

void TestHandoff::turnCutByTheDrainTimeoutIsResumedByTheSuccessor()
{
    // The predecessor's drain is bounded: what it has to interrupt then is resume-pending, and
    // the successor runs it again once the predecessor is gone.
    ServiceFixture fx;
    QVERIFY(
        fx.start({QStringLiteral("--agent-command"), agent(fx), QStringLiteral("--drain-timeout"),
                  QStringLiteral("1"), QStringLiteral("--interrupt-grace"), QStringLiteral("1")}));
    const qint64 predecessor = fx.pid();
    const QString id = sendTurn(fx, QStringLiteral("cut"), QStringLiteral("wait"));
    QVERIFY(startedAll(fx, {QStringLiteral("cut")}));
    const qint64 successor = handOff(fx, predecessor);
    QVERIFY(successor > 0);
    QCOMPARE(fx.waitForExit(), 0);
    QCOMPARE(fx.waitForTurn(id).value("state").toString(), QStringLiteral("interrupted"));
    QVERIFY(ServiceFixture::waitFor(
        [&] { return QFile::exists(fx.scriptsDir() + QStringLiteral("/resumed-cut")); }));
    QVERIFY(fx.call(QStringLiteral("stop")).ok);
    QVERIFY(ServiceFixture::waitFor([&] { return !pidAlive(successor); }, 30000));
}

void TestHandoff::interruptOfAPredecessorsTurnIsFinal()
{
    // An operator's interrupt reaches the predecessor's turn through the successor, and such a
    // turn is not resumed (only what a stop cuts is).
    ServiceFixture fx;
    QVERIFY(fx.start({QStringLiteral("--agent-command"), agent(fx)}));
    const qint64 predecessor = fx.pid();
    const QString id = sendTurn(fx, QStringLiteral("op"), QStringLiteral("wait"));
    QVERIFY(startedAll(fx, {QStringLiteral("op")}));
    const qint64 successor = handOff(fx, predecessor);
    QVERIFY(successor > 0);
    QVERIFY(predecessorRuns(fx, 1));
    const IpcReply r = fx.call(QStringLiteral("interrupt"), {{"turn_id", id}});
    QVERIFY2(r.ok, qPrintable(r.errorCode));
    QCOMPARE(r.body.value("interrupted").toInt(), 1);
    const QJsonObject t = fx.waitForTurn(id);
    QCOMPARE(t.value("state").toString(), QStringLiteral("interrupted"));
    QCOMPARE(fx.waitForExit(), 0);
    QVERIFY(ServiceFixture::waitFor(
        [&] { return !fx.call(QStringLiteral("status")).body.contains("predecessor"); }));
    const QJsonObject status = fx.call(QStringLiteral("status")).body;
    QCOMPARE(status.value("active_agents").toInt(), 0);
    QCOMPARE(status.value("queued_turns").toInt(), 0);
    QVERIFY(!fx.logText().contains(QStringLiteral("resumed session op")));
    QVERIFY(fx.call(QStringLiteral("stop")).ok);
    QVERIFY(ServiceFixture::waitFor([&] { return !pidAlive(successor); }, 30000));
}

void TestHandoff::restartDuringAHandoffWaitsForThePredecessor()
{
    // Never three generations: a restart asked of a successor whose predecessor still runs a
    // turn is taken and carried out once that predecessor has exited.
    ServiceFixture fx;
    QVERIFY(fx.start({QStringLiteral("--agent-command"), agent(fx)}));
    const qint64 first = fx.pid();
    sendTurn(fx, QStringLiteral("w1"), QStringLiteral("wait"));
    QVERIFY(startedAll(fx, {QStringLiteral("w1")}));
    const qint64 second = handOff(fx, first);
    QVERIFY(second > 0);
    QVERIFY(predecessorRuns(fx, 1));
    QVERIFY(fx.call(QStringLiteral("restart")).ok);
    QVERIFY(waitForLog(fx, QStringLiteral("the hand-off follows once it has exited")));
    QCOMPARE(fx.readState().pid, second);
    releaseSession(fx, QStringLiteral("w1"));
    QCOMPARE(fx.waitForExit(), 0);
    const qint64 third = waitForSuccessor(fx, second);
    QVERIFY(third > 0);
    m_cleanupPids << third;
    QVERIFY(ServiceFixture::waitFor([&] { return !pidAlive(second); }, 30000));
    QVERIFY(fx.call(QStringLiteral("stop")).ok);
    QVERIFY(ServiceFixture::waitFor([&] { return !pidAlive(third); }, 30000));
}

void TestHandoff::clientsThroughoutAreNeverRefused()
{
    ServiceFixture fx;
    QVERIFY(fx.start({QStringLiteral("--agent-command"), agent(fx)}));
    const quint16 port = quint16(fx.httpPort());
    QVERIFY(port > 0);
    const QByteArray token = fx.token();
    int refused = 0, lost = 0, requests = 0, turns = 0, restarts = 0;
    qint64 current = fx.pid();
    qint64 old = -1;
    int sinceRestart = 0;
    // Each round: a new local-socket connection with one request (status, or a new turn every
    // fifth time) and a new HTTP connection; a restart (SIGUSR1) every 25 rounds once the
    // previous one has completed.
    QElapsedTimer total;
    total.start();
    while (restarts < 5 || old > 0) {
        QVERIFY2(total.elapsed() < 240000, "the restarts did not complete");
        QLocalSocket socket;
        socket.connectToServer(fx.socketPath());
        ++requests;
        if (!socket.waitForConnected(5000)) {
            ++refused;
            qWarning("local socket refused: %s", qPrintable(socket.errorString()));
        } else {
            const bool send = requests % 5 == 0;
            socket.write(send ? requestFrame(requests, QStringLiteral("send"),
                                             {{"session", QStringLiteral("load-%1").arg(requests)},
                                              {"text", "hi"}})
                              : requestFrame(requests, QStringLiteral("status")));
            QJsonObject reply;
            if (!readFrame(socket, &reply, 15000) || !reply.value("ok").toBool()) {
                ++lost;
                qWarning("local socket reply lost or refused: %s",
                         QJsonDocument(reply).toJson(QJsonDocument::Compact).constData());
            } else if (send) {
                ++turns;
            }
        }
        const HttpReply h = http(port, "GET", "/api/status", token);
        ++requests;
        if (h.status != 200) {
            ++lost;
            qWarning("HTTP status request answered %d", h.status);
        }
        ++sinceRestart;
        if (old > 0) {
            // A hand-off completes when the state file names the successor and the old one
            // has exited.
            const RuntimeStatus st = fx.readState();
            if (st.pid != old && st.state == GatewayState::Running && !pidAlive(old)) {
                current = st.pid;
                m_cleanupPids << current;
                old = -1;
                sinceRestart = 0;
            }
        } else if (restarts < 5 && sinceRestart >= 25) {
            old = current;
            ::kill(pid_t(current), SIGUSR1);
            ++restarts;
        }
    }
    qInfo("%d requests (%d new turns) over %d hand-off restarts in %lld ms: %d refused, %d lost",
          requests, turns, restarts, total.elapsed(), refused, lost);
    QCOMPARE(refused, 0);
    QCOMPARE(lost, 0);
    QVERIFY(fx.call(QStringLiteral("stop")).ok);
    QVERIFY(ServiceFixture::waitFor([&] { return !pidAlive(current); }, 30000));
}

void TestHandoff::failingSuccessorLeavesPredecessorServing()
{
    ServiceFixture fx;
    const QString config = fx.scriptsDir() + QStringLiteral("/sluiced.conf");
    QVERIFY(writeRaw(config, "drain-timeout = 10\n"));
    QVERIFY(fx.start(
        {QStringLiteral("--agent-command"), agent(fx), QStringLiteral("--config"), config}));
    const qint64 pid = fx.pid();
    // A configuration the successor refuses (exit 78).
    QVERIFY(writeRaw(config, "max-concurrent = lots\n"));
    const std::unique_ptr<IpcClient> watcher = fx.newClient();
    QVERIFY(watcher);
    QStringList events;
    connect(watcher.get(), &IpcClient::eventReceived, this,
            [&](const QString &name, const QJsonObject &) { events << name; });
    QVERIFY(ServiceFixture::callOn(watcher.get(), QStringLiteral("subscribe")).ok);
    QVERIFY(fx.call(QStringLiteral("restart")).ok);
    QJsonObject failure;
    QVERIFY(ServiceFixture::waitFor([&] {
        failure = fx.call(QStringLiteral("status")).body.value("restart_failed").toObject();
        return !failure.isEmpty();
    }));
    QCOMPARE(failure.value("exit_code").toInt(), 78);
    QVERIFY2(failure.value("reason").toString().contains(QStringLiteral("max-concurrent")),
             qPrintable(failure.value("reason").toString()));
    QVERIFY(
        ServiceFixture::waitFor([&] { return events.contains(QStringLiteral("restart_failed")); }));
    // Serving as if no restart had been asked.
    const RuntimeStatus st = fx.readState();
    QCOMPARE(st.pid, pid);
    QCOMPARE(st.state, GatewayState::Running);
    const QString id = sendTurn(fx, QStringLiteral("after"), QStringLiteral("quick"));
    QCOMPARE(fx.waitForTurn(id).value("state").toString(), QStringLiteral("done"));
    QVERIFY(fx.logText().contains(QStringLiteral("restart failed")));

    // Mended, the next restart hands off.
    QVERIFY(writeRaw(config, "drain-timeout = 10\n"));
    const qint64 successor = handOff(fx, pid);
    QVERIFY(successor > 0);
    QCOMPARE(fx.waitForExit(), 0);
    QVERIFY(!fx.call(QStringLiteral("status")).body.contains("restart_failed"));
    QVERIFY(fx.call(QStringLiteral("stop")).ok);
    QVERIFY(ServiceFixture::waitFor([&] { return !pidAlive(successor); }, 30000));
}

void TestHandoff::killedPredecessorLosesNoTurn_data()
{
    QTest::addColumn<QString>("containment");
    QTest::newRow("cgroup") << QStringLiteral("cgroup");
    QTest::newRow("process-group") << QStringLiteral("process-group");
}

void TestHandoff::killedPredecessorLosesNoTurn()
{
    QFETCH(QString, containment);
    ServiceFixture fx;
    const QStringList args{QStringLiteral("--agent-command"), agent(fx),
                           QStringLiteral("--containment"), containment};
    if (!fx.start(args)) {
        if (containment == QLatin1String("cgroup"))
            QSKIP("cgroup containment is not available here");
        QFAIL("sluiced did not start");
    }
    const qint64 predecessor = fx.pid();
    const QStringList busy{QStringLiteral("k1"), QStringLiteral("k2")};
    QStringList old;
    for (const QString &s : busy)
        old << sendTurn(fx, s, QStringLiteral("wait"));
    QVERIFY(startedAll(fx, busy));
    const QList<qint64> agents = recordedPids(fx.scriptsDir());
    QCOMPARE(agents.size(), 2);
    const qint64 successor = handOff(fx, predecessor);
    QVERIFY(successor > 0);
    QVERIFY(predecessorRuns(fx, 2));

    fx.sendSignal(SIGKILL);
    fx.waitForExit();
    // Its turns are resumed by the successor; what they left is gone.
    for (const QString &s : busy) {
        QVERIFY2(ServiceFixture::waitFor([&] {
                     return QFile::exists(fx.scriptsDir() + QStringLiteral("/resumed-") + s);
                 }),
                 qPrintable(s));
    }
    for (const QString &id : std::as_const(old))
        QCOMPARE(fx.call(QStringLiteral("turn"), {{"turn_id", id}}).body.value("state").toString(),
                 QStringLiteral("interrupted"));
    QVERIFY(ServiceFixture::waitFor([&] {
        for (qint64 p : agents) {
            if (pidAlive(p))
                return false;
        }
        return true;
    }));
    QVERIFY(!fx.call(QStringLiteral("status")).body.contains("predecessor"));
    QVERIFY(fx.call(QStringLiteral("stop")).ok);
    QVERIFY(ServiceFixture::waitFor([&] { return !pidAlive(successor); }, 30000));
}

void TestHandoff::stopOfTheSuccessorDrainsBothGenerations()
{
    // A stop reaching the successor (systemctl stop, sluicectl stop) drains the predecessor's
    // turns too, within the same drain timeout, and the successor exits after it.
    ServiceFixture fx;
    QVERIFY(fx.start({QStringLiteral("--agent-command"), agent(fx),
                      QStringLiteral("--drain-timeout"), QStringLiteral("120"),
                      QStringLiteral("--interrupt-grace"), QStringLiteral("1")}));
    const qint64 predecessor = fx.pid();
    const QString id = sendTurn(fx, QStringLiteral("d1"), QStringLiteral("wait"));
    QVERIFY(startedAll(fx, {QStringLiteral("d1")}));
    const qint64 successor = handOff(fx, predecessor);
    QVERIFY(successor > 0);
    QVERIFY(predecessorRuns(fx, 1));
    QVERIFY(fx.call(QStringLiteral("stop")).ok);
    QVERIFY(waitForLog(fx, QStringLiteral("draining: 1 running (1 of them in the predecessor)")));
    QVERIFY(pidAlive(successor));
    releaseSession(fx, QStringLiteral("d1"));
    QCOMPARE(fx.waitForTurn(id, 30000).value("state").toString(), QStringLiteral("done"));
    QCOMPARE(fx.waitForExit(), 0);
    QVERIFY(ServiceFixture::waitFor([&] { return !pidAlive(successor); }, 30000));
    const RuntimeStatus last = fx.readState();
    QCOMPARE(last.pid, successor);
    QCOMPARE(last.state, GatewayState::Stopped);
    QCOMPARE(last.exitCode.value_or(-1), 0);
}

void TestHandoff::systemdLearnsTheNewMainPid()
{
    QTemporaryDir dir(QStringLiteral("/tmp/sl-nXXXXXX"));
    const QByteArray address = QFile::encodeName(dir.filePath(QStringLiteral("notify")));
    NotifyReceiver receiver(address);
    QVERIFY(receiver.bound());
    qputenv("NOTIFY_SOCKET", address);
    ServiceFixture fx;
    const bool started =
        fx.start({QStringLiteral("--agent-command"), agent(fx), QStringLiteral("--supervised")});
    qunsetenv("NOTIFY_SOCKET");
    QVERIFY(started);
    const qint64 predecessor = fx.pid();
    QVERIFY(ServiceFixture::waitFor([&] { return receiver.count("READY=1") == 1; }));
    const QString id = sendTurn(fx, QStringLiteral("m1"), QStringLiteral("wait"));
    QVERIFY(startedAll(fx, {QStringLiteral("m1")}));

    const qint64 successor = handOff(fx, predecessor);
    QVERIFY(successor > 0);
    const QByteArray mainPid = "MAINPID=" + QByteArray::number(successor);
    QVERIFY(ServiceFixture::waitFor([&] { return receiver.indexOf(mainPid) >= 0; }));
    // The predecessor's own drain is not the unit stopping, and the agents never notify.
    QVERIFY(ServiceFixture::waitFor([&] { return receiver.count("READY=1") == 2; }));
    QVERIFY(receiver.indexOf("READY=1", receiver.indexOf(mainPid)) > receiver.indexOf(mainPid));
    releaseSession(fx, QStringLiteral("m1"));
    QCOMPARE(fx.waitForTurn(id).value("state").toString(), QStringLiteral("done"));
    QCOMPARE(fx.waitForExit(), 0);
    QCOMPARE(receiver.count("STOPPING=1"), 0);

    // `systemctl stop` (SIGTERM to the main process, now the successor): one STOPPING=1.
    ::kill(pid_t(successor), SIGTERM);
    QVERIFY(ServiceFixture::waitFor([&] { return !pidAlive(successor); }, 30000));
    QCOMPARE(receiver.count("STOPPING=1"), 1);
}

void TestHandoff::socketActivationUsesTheInheritedSockets()
{
    const QString activate =
        QStandardPaths::findExecutable(QStringLiteral("systemd-socket-activate"));
    if (activate.isEmpty())
        QSKIP("systemd-socket-activate (Debian package systemd) is not installed");
    QTemporaryDir home;
    QTemporaryDir run(QStringLiteral("/tmp/sl-aXXXXXX"));
    const QString socket = run.filePath(QStringLiteral("s.sock"));
    QTcpServer probe; // a free port for the HTTP socket
    QVERIFY(probe.listen(QHostAddress::LocalHost));
    const quint16 port = probe.serverPort();
    probe.close();
    QProcess p;
    p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    p.start(activate, {QStringLiteral("-l"), socket, QStringLiteral("-l"),
                       QStringLiteral("127.0.0.1:%1").arg(port),
                       QStringLiteral("--fdname=ipc:http"), ServiceFixture::binary("sluiced"),
                       QStringLiteral("--home"), home.path(), QStringLiteral("--socket"), socket,
                       QStringLiteral("--http-port"), QString::number(port)});
    QVERIFY(p.waitForStarted());
    auto guard = qScopeGuard([&] {
        p.kill();
        p.waitForFinished();
    });
    const HomePaths paths(home.path());
    // Like systemd, the activator starts the service on the first connection: that one
    // waits in the backlog and is answered.
    QVERIFY(ServiceFixture::waitFor([&] { return QFile::exists(socket); }));
    QCOMPARE(http(port, "GET", "/healthz").status, 200);
    QVERIFY(ServiceFixture::waitFor(
        [&] {
            return readJsonFile(paths.stateFile()).object.value("state").toString() == "running";
        },
        30000));
    QCOMPARE(readJsonFile(paths.stateFile()).object.value("pid").toInteger(), p.processId());
    QVERIFY(readText(paths.serviceLog()).contains(QStringLiteral("inherited socket")));
    IpcClient client;
    client.setServerName(socket);
    client.connectToServer();
    QVERIFY(ServiceFixture::waitFor([&] { return client.isConnected(); }));
    QVERIFY(ServiceFixture::callOn(&client, QStringLiteral("status")).ok);
    // A planned stop leaves the socket file to its owner (the .socket unit).
    QVERIFY(ServiceFixture::callOn(&client, QStringLiteral("stop")).ok);
    QVERIFY(p.waitForFinished(30000));
    QCOMPARE(p.exitCode(), 0);
    QVERIFY(QFile::exists(socket));
}

QTEST_GUILESS_MAIN(TestHandoff)
#include "tst_handoff.moc"
