// Containment: nothing a turn starts outlives an interrupt or a stop, in cgroup mode (as root)
// and in process-group mode; cgroup mode also measures and limits each turn. Every test
// checks that no process and no cgroup is left behind.
#include "turns/cgroupcontainment.h"

#include "testhelpers.h"

#include "sluice/paths.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QTest>

#include <unistd.h>

using namespace sluice;
using namespace sluice::test;

class TestContainment : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void cleanup();

    void cgroupDiscovery();

    void escapedTreeGoesWithAnInterrupt_data() { modes(); }
    void escapedTreeGoesWithAnInterrupt();
    void escapedTreeGoesWithAStopAfterTheDrain_data() { modes(); }
    void escapedTreeGoesWithAStopAfterTheDrain();
    void treeIgnoringSigtermIsKilledAfterTheGrace_data() { modes(); }
    void treeIgnoringSigtermIsKilledAfterTheGrace();
    void forkLoopIsContained_data() { modes(); }
    void forkLoopIsContained();

    void cgroupCatchesAProcessThatClearsItsEnvironment();
    void cgroupAccountingGrowsWithABusyAgent();
    void memoryLimitFailsTheTurnWithItsReason();
    void impossibleContainmentIsAConfigurationError();
    void selfRestartNeverNestsCgroups_data();
    void selfRestartNeverNestsCgroups();

private:
    static void modes();
    static bool cgroupPossible() { return ::geteuid() == 0; }
    // Starts sluiced with the row's containment; skips cgroup rows where none can be had.
    bool startIn(ServiceFixture &f, const QString &mode, const QString &agent,
                 QStringList extra = {});
    // The agent's pids, one per line in scripts/tree.pid, once `count` are there.
    QList<qint64> waitForTree(ServiceFixture &f, int count);
    void verifyGone(const QList<qint64> &pids);
    // Interrupts the turn and checks it ends `interrupted` with every process of it gone.
    void interruptAndVerifyGone(ServiceFixture &f, const QString &id, const QList<qint64> &tree);
    // A planned stop that exits 0.
    static void stopCleanly(ServiceFixture &f);
    // Sends one turn for session s1; its id.
    static QString sendOne(ServiceFixture &f);

    QList<qint64> m_pids; // killed in cleanup() whatever happened
};

void TestContainment::modes()
{
    QTest::addColumn<QString>("mode");
    QTest::newRow("cgroup") << QStringLiteral("cgroup");
    QTest::newRow("process-group") << QStringLiteral("process-group");
}

void TestContainment::cleanup()
{
    killPids(m_pids);
    m_pids.clear();
}

bool TestContainment::startIn(ServiceFixture &f, const QString &mode, const QString &agent,
                              QStringList extra)
{
    extra << QStringLiteral("--containment") << mode << QStringLiteral("--agent-command") << agent;
    if (!f.start(extra))
        return false;
    const QJsonObject status = f.call(QStringLiteral("status")).body;
    if (status.value(QStringLiteral("containment")).toString() != mode) {
        qWarning("containment is %s, not %s",
                 qPrintable(status.value(QStringLiteral("containment")).toString()),
                 qPrintable(mode));
        return false;
    }
    return true;
}

QList<qint64> TestContainment::waitForTree(ServiceFixture &f, int count)
{
    QList<qint64> pids;
    ServiceFixture::waitFor([&] {
        pids = recordedPids(f.scriptsDir());
        return pids.size() >= count;
    });
    m_pids += pids;
    return pids;
}

void TestContainment::verifyGone(const QList<qint64> &pids)
{
    for (qint64 pid : pids)
        QVERIFY2(ServiceFixture::waitFor([pid] { return !pidAlive(pid); }, 15000),
                 qPrintable(QStringLiteral("pid %1 outlived its turn").arg(pid)));
}

void TestContainment::interruptAndVerifyGone(ServiceFixture &f, const QString &id,
                                             const QList<qint64> &tree)
{
    QVERIFY(f.call(QStringLiteral("interrupt"), {{"turn_id", id}}).ok);
    QCOMPARE(f.waitForTurn(id).value(QStringLiteral("state")).toString(),
             QStringLiteral("interrupted"));
    verifyGone(tree);
}

void TestContainment::stopCleanly(ServiceFixture &f)
{
    QVERIFY(f.call(QStringLiteral("stop")).ok);
    QCOMPARE(f.waitForExit(), 0);
}

QString TestContainment::sendOne(ServiceFixture &f)
{
    return f.call(QStringLiteral("send"), {{"session", "s1"}, {"text", "go"}})
        .body.value(QStringLiteral("turn_id"))
        .toString();
}

// --- cgroup discovery (in-process) --------------------------------------------------------

void TestContainment::cgroupDiscovery()
{
    const QByteArray hybrid =
        "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
        "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
        "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
    QCOMPARE(CgroupContainment::mountPoint(hybrid), QStringLiteral("/sys/fs/cgroup/unified"));
    const QByteArray unified = "29 23 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 "
                               "rw,nsdelegate\n";
    QCOMPARE(CgroupContainment::mountPoint(unified), QStringLiteral("/sys/fs/cgroup"));
    // A container sees a bind mount of its own subtree: not the root of the hierarchy.
    QCOMPARE(CgroupContainment::mountPoint("50 40 0:26 /docker/abc /sys/fs/cgroup ro - cgroup2 "
                                           "cgroup2 rw\n"),
             QString());
    QCOMPARE(CgroupContainment::mountPoint("31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"),
             QString());

    QCOMPARE(CgroupContainment::ownPath("4:memory:/a\n0::/system.slice/sluice.service\n"),
             QStringLiteral("/system.slice/sluice.service"));
    QCOMPARE(CgroupContainment::ownPath("0::/\n"), QStringLiteral("/"));
    QCOMPARE(CgroupContainment::ownPath("4:memory:/a\n"), QString());
}

// --- both modes -----------------------------------------------------------------------------

namespace {
// sleep 300 in the background, and a second one that leaves the session (setsid) from a
// subshell that exits at once (a double fork): both record their pids.
const char kEscaping[] = "cat > /dev/null\n"
                         "sleep 300 &\n"
                         "echo $! >> '%1/tree.pid'\n"
                         "( setsid sh -c 'echo $$ >> \"%1/tree.pid\"; exec sleep 301' & )\n"
                         "wait\n";
} // namespace

void TestContainment::escapedTreeGoesWithAnInterrupt()
{
    QFETCH(QString, mode);
    if (mode == QLatin1String("cgroup") && !cgroupPossible())
        QSKIP("cgroup mode needs root (or a delegated cgroup) here");
    ServiceFixture f;
    const QString agent = f.writeAgentScript(QStringLiteral("escape.sh"),
                                             QString::fromLatin1(kEscaping).arg(f.scriptsDir()));
    QVERIFY(startIn(f, mode, agent, {QStringLiteral("--interrupt-grace"), QStringLiteral("2")}));
    const IpcReply sent = f.call(QStringLiteral("send"), {{"session", "s1"}, {"text", "go"}});
    QVERIFY(sent.ok);
    const QString id = sent.body.value(QStringLiteral("turn_id")).toString();
    const QList<qint64> tree = waitForTree(f, 2);
    QCOMPARE(tree.size(), 2);

    interruptAndVerifyGone(f, id, tree);
    if (QTest::currentTestFailed())
        return;
    const qint64 pid = f.pid();
    QVERIFY(f.call(QStringLiteral("stop")).ok);
    QCOMPARE(f.waitForExit(), 0);
    QVERIFY2(!QFileInfo::exists(ServiceFixture::cgroupOf(pid)), "a cgroup outlived sluiced");
}

void TestContainment::escapedTreeGoesWithAStopAfterTheDrain()
{
    QFETCH(QString, mode);
    if (mode == QLatin1String("cgroup") && !cgroupPossible())
        QSKIP("cgroup mode needs root (or a delegated cgroup) here");
    ServiceFixture f;
    const QString agent = f.writeAgentScript(QStringLiteral("escape.sh"),
                                             QString::fromLatin1(kEscaping).arg(f.scriptsDir()));
    QVERIFY(startIn(f, mode, agent,
                    {QStringLiteral("--drain-timeout"), QStringLiteral("1"),
                     QStringLiteral("--interrupt-grace"), QStringLiteral("2")}));
    QVERIFY(f.call(QStringLiteral("send"), {{"session", "s1"}, {"text", "go"}}).ok);
    const QList<qint64> tree = waitForTree(f, 2);
    QCOMPARE(tree.size(), 2);
    const qint64 pid = f.pid();
    QVERIFY(f.call(QStringLiteral("stop")).ok);
    QCOMPARE(f.waitForExit(), 0);
    verifyGone(tree);
    QVERIFY2(!QFileInfo::exists(ServiceFixture::cgroupOf(pid)), "a cgroup outlived sluiced");
}

void TestContainment::treeIgnoringSigtermIsKilledAfterTheGrace()
{
    QFETCH(QString, mode);
    if (mode == QLatin1String("cgroup") && !cgroupPossible())
        QSKIP("cgroup mode needs root (or a delegated cgroup) here");
    ServiceFixture f;
    // An ignored disposition survives fork and exec: every process of this tree ignores TERM.
    const QString agent = f.writeAgentScript(
        QStringLiteral("stubborn.sh"),
        QStringLiteral("trap '' TERM\n"
                       "cat > /dev/null\n"
                       "echo $$ >> '%1/tree.pid'\n"
                       "sleep 300 &\n"
                       "echo $! >> '%1/tree.pid'\n"
                       "( setsid sh -c 'echo $$ >> \"%1/tree.pid\"; exec sleep 301' & )\n"
                       "while :; do wait; done\n")
            .arg(f.scriptsDir()));
    QVERIFY(startIn(f, mode, agent, {QStringLiteral("--interrupt-grace"), QStringLiteral("1")}));
    const QString id = sendOne(f);
    const QList<qint64> tree = waitForTree(f, 3);
    QCOMPARE(tree.size(), 3);

    QVERIFY(f.call(QStringLiteral("interrupt"), {{"turn_id", id}}).ok);
    // Still there right after the SIGTERM (ignored), gone once the grace is over.
    QVERIFY(pidAlive(tree.first()));
    QCOMPARE(f.waitForTurn(id).value(QStringLiteral("state")).toString(),
             QStringLiteral("interrupted"));
    verifyGone(tree);
    QVERIFY(f.logText().contains(QStringLiteral("grace of 1000 ms over, killing the tree")));
    QVERIFY(f.call(QStringLiteral("stop")).ok);
    QCOMPARE(f.waitForExit(), 0);
}

void TestContainment::forkLoopIsContained()
{
    QFETCH(QString, mode);
    if (mode == QLatin1String("cgroup") && !cgroupPossible())
        QSKIP("cgroup mode needs root (or a delegated cgroup) here");
    ServiceFixture f;
    const QString agent = f.writeAgentScript(
        QStringLiteral("forks.sh"),
        QStringLiteral("cat > /dev/null\n"
                       "i=0\n"
                       "while [ $i -lt 100 ]; do sleep 300 & echo $! >> '%1/tree.pid'; "
                       "i=$((i+1)); done\n"
                       "wait\n")
            .arg(f.scriptsDir()));
    QVERIFY(startIn(f, mode, agent, {QStringLiteral("--interrupt-grace"), QStringLiteral("2")}));
    const QString id = sendOne(f);
    const QList<qint64> tree = waitForTree(f, 100);
    QCOMPARE(tree.size(), 100);
    if (mode == QLatin1String("cgroup")) {
        // 100 sleepers + the agent, as the turn's own accounting says.
        QJsonObject usage;
        QVERIFY(ServiceFixture::waitFor([&] {
            const QJsonArray agents =
                f.call(QStringLiteral("agents")).body.value(QStringLiteral("agents")).toArray();
            usage = agents.first().toObject().value(QStringLiteral("usage")).toObject();
            return usage.value(QStringLiteral("processes")).toInt() >= 101;
        }));
    }
    interruptAndVerifyGone(f, id, tree);
    if (!QTest::currentTestFailed())
        stopCleanly(f);
}

// --- cgroup mode only -------------------------------------------------------------------------

void TestContainment::cgroupCatchesAProcessThatClearsItsEnvironment()
{
    if (!cgroupPossible())
        QSKIP("cgroup mode needs root (or a delegated cgroup) here");
    ServiceFixture f;
    // No SLUICE_TURN_ID, no session, no parent in the tree: only the cgroup still holds it.
    const QString agent = f.writeAgentScript(
        QStringLiteral("hide.sh"),
        QStringLiteral("cat > /dev/null\n"
                       "( env -i setsid sh -c 'echo $$ >> \"%1/tree.pid\"; exec sleep 302' & )\n"
                       "exec sleep 300\n")
            .arg(f.scriptsDir()));
    QVERIFY(startIn(f, QStringLiteral("cgroup"), agent,
                    {QStringLiteral("--interrupt-grace"), QStringLiteral("2")}));
    const QString id = sendOne(f);
    const QList<qint64> tree = waitForTree(f, 1);
    QCOMPARE(tree.size(), 1);
    QFile environ(QStringLiteral("/proc/%1/environ").arg(tree.first()));
    QVERIFY(environ.open(QIODevice::ReadOnly));
    QVERIFY(!environ.readAll().contains("SLUICE_TURN_ID"));
    interruptAndVerifyGone(f, id, tree);
    if (!QTest::currentTestFailed())
        stopCleanly(f);
}

void TestContainment::cgroupAccountingGrowsWithABusyAgent()
{
    if (!cgroupPossible())
        QSKIP("cgroup mode needs root (or a delegated cgroup) here");
    ServiceFixture f;
    const QString agent = f.writeAgentScript(
        QStringLiteral("busy.sh"),
        QStringLiteral("cat > /dev/null\necho $$ >> '%1/tree.pid'\nwhile :; do :; done\n")
            .arg(f.scriptsDir()));
    QVERIFY(startIn(f, QStringLiteral("cgroup"), agent));
    const QString id = sendOne(f);
    waitForTree(f, 1);
    const auto cpu = [&] {
        const QJsonArray agents =
            f.call(QStringLiteral("agents")).body.value(QStringLiteral("agents")).toArray();
        return agents.first().toObject().value(QStringLiteral("usage")).toObject();
    };
    QJsonObject first;
    QVERIFY(ServiceFixture::waitFor([&] {
        first = cpu();
        return first.value(QStringLiteral("cpu_s")).toDouble() > 0.05;
    }));
    QCOMPARE(first.value(QStringLiteral("processes")).toInt(), 1);
    const double before = first.value(QStringLiteral("cpu_s")).toDouble();
    QVERIFY(ServiceFixture::waitFor(
        [&] { return cpu().value(QStringLiteral("cpu_s")).toDouble() > before + 0.2; }));
    // The memory figures are there when the host gives the memory controller, null otherwise.
    const QJsonArray controllers = f.call(QStringLiteral("status"))
                                       .body.value(QStringLiteral("containment_detail"))
                                       .toObject()
                                       .value(QStringLiteral("controllers"))
                                       .toArray();
    QCOMPARE(first.value(QStringLiteral("memory_bytes")).isDouble(),
             controllers.contains(QStringLiteral("memory")));

    // The same figures reach every way out: HTTP, /metrics, sluicectl, doctor.
    const quint16 port = quint16(f.httpPort());
    const HttpReply api = http(port, "GET", "/api/agents", f.token());
    QCOMPARE(api.status, 200);
    QVERIFY(api.json()
                .value(QStringLiteral("agents"))
                .toArray()
                .first()
                .toObject()
                .value(QStringLiteral("usage"))
                .toObject()
                .value(QStringLiteral("cpu_s"))
                .toDouble() > before);
    const HttpReply metrics = http(port, "GET", "/metrics", f.token());
    QCOMPARE(metrics.status, 200);
    QVERIFY2(metrics.body.contains("sluice_turn_cpu_seconds_total{turn_id=\"" + id.toLatin1() +
                                   "\",session=\"s1\"}"),
             metrics.body.constData());
    const CtlResult table = runCtl({QStringLiteral("--home"), f.home(), QStringLiteral("agents")});
    QCOMPARE(table.exitCode, 0);
    QVERIFY2(table.out.contains("CPU") && table.out.contains(id.toLatin1()), table.out.constData());
    const CtlResult doctor = runCtl(
        {QStringLiteral("--home"), f.home(), QStringLiteral("--json"), QStringLiteral("doctor")});
    QVERIFY2(doctor.out.contains("\"containment\"") &&
                 doctor.out.contains(ServiceFixture::cgroupOf(f.pid()).toUtf8()),
             doctor.out.constData());

    QVERIFY(f.call(QStringLiteral("interrupt"), {{"turn_id", id}}).ok);
    const QJsonObject done = f.waitForTurn(id);
    QCOMPARE(done.value(QStringLiteral("state")).toString(), QStringLiteral("interrupted"));
    // The finished turn keeps what it used.
    QVERIFY(
        done.value(QStringLiteral("usage")).toObject().value(QStringLiteral("cpu_s")).toDouble() >
        before);
    QVERIFY(f.call(QStringLiteral("stop")).ok);
    QCOMPARE(f.waitForExit(), 0);
}

void TestContainment::memoryLimitFailsTheTurnWithItsReason()
{
    if (!cgroupPossible())
        QSKIP("cgroup mode needs root (or a delegated cgroup) here");
    ServiceFixture f;
    // tail buffers a line without end in memory: it grows until the limit stops it.
    const QString agent = f.writeAgentScript(
        QStringLiteral("hog.sh"),
        QStringLiteral("cat > /dev/null\nhead -c 512M /dev/zero | tail -c 1 > /dev/null\n"));
    const QStringList limit{QStringLiteral("--turn-memory-max"), QStringLiteral("32M")};
    // Where the host keeps the memory controller for itself (a hybrid hierarchy), the limit
    // cannot be had and sluiced says so instead of running turns unlimited.
    QProcess probe;
    probe.start(ServiceFixture::binary(QStringLiteral("sluiced")),
                QStringList{QStringLiteral("--home"), f.home(), QStringLiteral("--http-port"),
                            QStringLiteral("-1"), QStringLiteral("--socket"),
                            f.scriptsDir() + QStringLiteral("/probe.sock")} +
                    limit);
    QVERIFY(probe.waitForStarted());
    const bool refused = probe.waitForFinished(10000);
    if (refused) {
        QCOMPARE(probe.exitCode(), 78);
        const RuntimeStatus s = f.readState();
        QCOMPARE(s.state, GatewayState::StartupFailed);
        QVERIFY2(s.exitReason.contains(QStringLiteral("'memory' controller")),
                 qPrintable(s.exitReason));
        QSKIP("this host does not give cgroup v2 the memory controller: the limit is refused "
              "at start (exit 78), checked above");
    }
    probe.kill();
    probe.waitForFinished();
    QVERIFY(startIn(f, QStringLiteral("cgroup"), agent, limit));
    const IpcReply sent = f.call(QStringLiteral("send"), {{"session", "s1"}, {"text", "go"}});
    const QJsonObject done =
        f.waitForTurn(sent.body.value(QStringLiteral("turn_id")).toString(), 60000);
    QCOMPARE(done.value(QStringLiteral("state")).toString(), QStringLiteral("failed"));
    QVERIFY2(done.value(QStringLiteral("failure_reason"))
                 .toString()
                 .contains(QStringLiteral("memory limit of 32 MiB")),
             qPrintable(done.value(QStringLiteral("failure_reason")).toString()));
    // The service goes on serving.
    QCOMPARE(f.readState().state, GatewayState::Running);
    QVERIFY(f.call(QStringLiteral("stop")).ok);
    QCOMPARE(f.waitForExit(), 0);
}

void TestContainment::impossibleContainmentIsAConfigurationError()
{
    ServiceFixture f;
    // Not on Linux; and limits need a cgroup, which process-group mode is not.
    for (const QStringList &args :
         {QStringList{QStringLiteral("--containment"), QStringLiteral("job-object")},
          QStringList{QStringLiteral("--containment"), QStringLiteral("process-group"),
                      QStringLiteral("--turn-pids-max"), QStringLiteral("50")}}) {
        QProcess p;
        p.start(ServiceFixture::binary(QStringLiteral("sluiced")),
                QStringList{QStringLiteral("--home"), f.home(), QStringLiteral("--http-port"),
                            QStringLiteral("-1"), QStringLiteral("--socket"),
                            f.scriptsDir() + QStringLiteral("/x.sock")} +
                    args);
        QVERIFY(p.waitForFinished(20000));
        QCOMPARE(p.exitCode(), 78);
        const RuntimeStatus s = f.readState();
        QCOMPARE(s.state, GatewayState::StartupFailed);
        QCOMPARE(s.exitCode, std::optional<int>(78));
        QVERIFY2(!s.exitReason.isEmpty(), qPrintable(args.join(QLatin1Char(' '))));
    }
    QProcess bad;
    bad.start(ServiceFixture::binary(QStringLiteral("sluiced")),
              {QStringLiteral("--home"), f.home(), QStringLiteral("--containment"),
               QStringLiteral("jail")});
    QVERIFY(bad.waitForFinished(20000));
    QCOMPARE(bad.exitCode(), 78);
    QVERIFY(bad.readAllStandardError().contains("invalid value for containment"));
}

void TestContainment::selfRestartNeverNestsCgroups_data()
{
    QTest::addColumn<bool>("handoff");
    // The successor shares the predecessor's cgroup: it starts in its service leaf, its turns
    // go beside the predecessor's, and the last one out removes it.
    QTest::newRow("hand-off") << true;
    // The successor starts after the old one released its cgroup: one of its own beside it.
    QTest::newRow("classic (--no-handoff)") << false;
}

void TestContainment::selfRestartNeverNestsCgroups()
{
    QFETCH(bool, handoff);
    if (!cgroupPossible())
        QSKIP("cgroup mode needs root (or a delegated cgroup) here");
    ServiceFixture f;
    const QString agent =
        f.writeAgentScript(QStringLiteral("echo.sh"), QStringLiteral("cat > /dev/null\necho ok\n"));
    QStringList extra;
    if (!handoff)
        extra << QStringLiteral("--no-handoff");
    QVERIFY(startIn(f, QStringLiteral("cgroup"), agent, extra));
    const qint64 old = f.pid();
    QVERIFY(f.call(QStringLiteral("restart")).ok);
    qint64 successor = -1;
    QVERIFY(ServiceFixture::waitFor(
        [&] {
            const RuntimeStatus s = f.readState();
            if (s.pid == old || s.state != GatewayState::Running)
                return false;
            successor = s.pid;
            return true;
        },
        30000));
    QCOMPARE(f.waitForExit(), 0);
    QFile own(QStringLiteral("/proc/%1/cgroup").arg(successor));
    QVERIFY(own.open(QIODevice::ReadOnly));
    const QString path = CgroupContainment::ownPath(own.readAll());
    const qint64 base = handoff ? old : successor;
    QVERIFY2(path.endsWith(QStringLiteral("/sluiced-%1/service").arg(base)), qPrintable(path));
    QCOMPARE(path.count(QStringLiteral("/sluiced-")), 1);
    if (!handoff) {
        QVERIFY(ServiceFixture::waitFor(
            [&] { return !QFileInfo::exists(ServiceFixture::cgroupOf(old)); }));
    }
    // A turn of the successor runs in the shared (or its own) cgroup.
    const QString id = sendOne(f);
    QCOMPARE(f.waitForTurn(id).value("state").toString(), QStringLiteral("done"));
    const std::unique_ptr<IpcClient> client = f.newClient();
    QVERIFY(client);
    QVERIFY(ServiceFixture::callOn(client.get(), QStringLiteral("stop")).ok);
    QVERIFY(ServiceFixture::waitFor([&] { return !pidAlive(successor); }, 60000));
    QVERIFY2(!QFileInfo::exists(ServiceFixture::cgroupOf(base)), "a cgroup outlived sluiced");
}

QTEST_GUILESS_MAIN(TestContainment)
#include "tst_containment.moc"
