// Turns (docs/reference.md §7) against the real sluiced: order per session, --max-concurrent, the
// environment and stdin, output truncation, exit codes, and process trees that are killed
// whole (grandchildren and double-forked descendants included).
#include "testhelpers.h"

#include "sluice/processidentity.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QtTest>

#include <csignal>

using namespace sluice;
using namespace sluice::test;

namespace {

QString readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

qint64 readPid(const QString &path)
{
    return readFile(path).trimmed().toLongLong();
}

QString send(ServiceFixture &f, const QString &session, const QString &text)
{
    const IpcReply r = f.call(QStringLiteral("send"), {{QStringLiteral("session"), session},
                                                       {QStringLiteral("text"), text}});
    return r.ok ? r.body.value(QStringLiteral("turn_id")).toString() : QString();
}

} // namespace

class TestTurns : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void environmentStdinAndExitCodes();
    void demoAgentStreamsAReply();
    void outputIsTruncatedAtOneMebibyte();
    void messagesToOneSessionRunInOrder();
    void maxConcurrentIsHonoured();
    void interruptKillsTheWholeTree();
    void leftoversOfAFinishedTurnAreKilled();
    void badSendArguments();
    void agentThatCannotStartFailsTheTurn();
    void agentRunsInItsOwnSessionWithDefaultSigpipe();
};

void TestTurns::environmentStdinAndExitCodes()
{
    ServiceFixture f;
    const QString agent = f.writeAgentScript(
        QStringLiteral("env.sh"),
        QStringLiteral(
            "printf '%s|%s|%s|' \"$SLUICE_SESSION\" \"$SLUICE_TURN_ID\" \"$SLUICE_HOME\"\n"
            "msg=$(cat)\n"
            "printf '%s' \"$msg\"\n"
            "echo 'to the log' >&2\n"
            "case \"$msg\" in fail*) exit 3;; esac\n"));
    QVERIFY(f.start({QStringLiteral("--agent-command"), agent}));
    const QString id = send(f, QStringLiteral("user@host:1"), QStringLiteral("hello there"));
    QVERIFY(id.startsWith(QStringLiteral("t-")));
    QJsonObject turn = f.waitForTurn(id);
    QCOMPARE(turn.value(QStringLiteral("state")).toString(), QStringLiteral("done"));
    QCOMPARE(
        turn.value(QStringLiteral("output")).toString(),
        QStringLiteral("user@host:1|%1|%2|hello there").arg(id, QDir(f.home()).absolutePath()));
    QCOMPARE(turn.value(QStringLiteral("truncated")).toBool(true), false);
    QVERIFY(ServiceFixture::waitFor(
        [&] { return f.logText().contains(QStringLiteral("to the log")); }));

    const QString failing = send(f, QStringLiteral("s2"), QStringLiteral("fail please"));
    turn = f.waitForTurn(failing);
    QCOMPARE(turn.value(QStringLiteral("state")).toString(), QStringLiteral("failed"));
    QCOMPARE(turn.value(QStringLiteral("exit_code")).toInt(), 3);

    // Answered from state.db after a restart of the service too.
    f.killAll();
    QVERIFY(f.start({QStringLiteral("--agent-command"), agent}));
    const IpcReply r = f.call(QStringLiteral("turn"), {{QStringLiteral("turn_id"), failing}});
    QVERIFY(r.ok);
    QCOMPARE(r.body.value(QStringLiteral("state")).toString(), QStringLiteral("failed"));
    QCOMPARE(f.call(QStringLiteral("turn"), {{QStringLiteral("turn_id"), QStringLiteral("t-nope")}})
                 .errorCode,
             QStringLiteral("not_found"));
}

void TestTurns::demoAgentStreamsAReply()
{
    ServiceFixture f;
    QVERIFY(f.start()); // the default agent: sluice-demo-agent next to sluiced
    const QString id = send(f, QStringLiteral("demo"), QStringLiteral("ping pong"));
    QVERIFY(!id.isEmpty());
    const QJsonObject turn = f.waitForTurn(id, 20000);
    QCOMPARE(turn.value(QStringLiteral("state")).toString(), QStringLiteral("done"));
    QVERIFY(turn.value(QStringLiteral("output")).toString().contains(QStringLiteral("ping pong")));
}

void TestTurns::outputIsTruncatedAtOneMebibyte()
{
    ServiceFixture f;
    const QString agent = f.writeAgentScript(
        QStringLiteral("big.sh"),
        QStringLiteral("cat > /dev/null\nhead -c 1500000 /dev/zero | tr '\\000' a\n"));
    QVERIFY(f.start({QStringLiteral("--agent-command"), agent}));
    const QJsonObject turn = f.waitForTurn(send(f, QStringLiteral("big"), QStringLiteral("x")));
    QCOMPARE(turn.value(QStringLiteral("state")).toString(), QStringLiteral("done"));
    QCOMPARE(turn.value(QStringLiteral("output")).toString().size(), 1 << 20);
    QCOMPARE(turn.value(QStringLiteral("truncated")).toBool(), true);
}

void TestTurns::messagesToOneSessionRunInOrder()
{
    ServiceFixture f;
    const QString log = f.scriptsDir() + QStringLiteral("/order.log");
    const QString agent = f.writeAgentScript(QStringLiteral("order.sh"),
                                             QStringLiteral("msg=$(cat)\n"
                                                            "echo \"start $msg\" >> '%1'\n"
                                                            "sleep 0.3\n"
                                                            "echo \"end $msg\" >> '%1'\n")
                                                 .arg(log));
    QVERIFY(f.start({QStringLiteral("--agent-command"), agent}));
    const QString a = send(f, QStringLiteral("one"), QStringLiteral("A"));
    const QString b = send(f, QStringLiteral("one"), QStringLiteral("B"));
    const QString c = send(f, QStringLiteral("one"), QStringLiteral("C"));
    QVERIFY(!a.isEmpty() && !b.isEmpty() && !c.isEmpty());
    // B waits for A: it is queued while A runs.
    const IpcReply rb = f.call(QStringLiteral("turn"), {{QStringLiteral("turn_id"), b}});
    QCOMPARE(rb.body.value(QStringLiteral("state")).toString(), QStringLiteral("queued"));
    for (const QString &id : {a, b, c})
        QCOMPARE(f.waitForTurn(id).value(QStringLiteral("state")).toString(),
                 QStringLiteral("done"));
    QCOMPARE(readFile(log), QStringLiteral("start A\nend A\nstart B\nend B\nstart C\nend C\n"));
}

void TestTurns::maxConcurrentIsHonoured()
{
    ServiceFixture f;
    const QString dir = f.scriptsDir() + QStringLiteral("/running");
    QVERIFY(QDir().mkpath(dir));
    const QString log = f.scriptsDir() + QStringLiteral("/counts.log");
    const QString agent = f.writeAgentScript(QStringLiteral("slot.sh"),
                                             QStringLiteral("cat > /dev/null\n"
                                                            "touch '%1/'\"$SLUICE_TURN_ID\"\n"
                                                            "ls '%1' | wc -l >> '%2'\n"
                                                            "sleep 0.6\n"
                                                            "rm -f '%1/'\"$SLUICE_TURN_ID\"\n")
                                                 .arg(dir, log));
    QVERIFY(f.start({QStringLiteral("--agent-command"), agent, QStringLiteral("--max-concurrent"),
                     QStringLiteral("2")}));
    QStringList ids;
    for (int i = 0; i < 4; ++i)
        ids << send(f, QStringLiteral("s%1").arg(i), QStringLiteral("m"));
    int maxSeen = 0;
    // Watch `agents` while they run: never more than two.
    QVERIFY(ServiceFixture::waitFor([&] {
        const IpcReply r = f.call(QStringLiteral("agents"));
        const int n = r.body.value(QStringLiteral("agents")).toArray().size();
        maxSeen = qMax(maxSeen, n);
        int finished = 0;
        for (const QString &id : ids) {
            const IpcReply t = f.call(QStringLiteral("turn"), {{QStringLiteral("turn_id"), id}});
            finished += t.body.value(QStringLiteral("state")).toString() == QLatin1String("done");
        }
        return finished == 4;
    }));
    QVERIFY2(maxSeen <= 2, qPrintable(QString::number(maxSeen)));
    const QStringList counts = readFile(log).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(counts.size(), 4);
    int maxCount = 0;
    for (const QString &c : counts)
        maxCount = qMax(maxCount, c.trimmed().toInt());
    QVERIFY2(maxCount <= 2, qPrintable(counts.join(QLatin1Char(','))));
    QCOMPARE(maxCount, 2); // and the two slots were really used in parallel
}

void TestTurns::interruptKillsTheWholeTree()
{
#ifndef Q_OS_LINUX
    QSKIP("reads /proc (Linux)");
#endif
    ServiceFixture f;
    const QString d = f.scriptsDir();
    // A child, a grandchild, a double-forked orphan (reparented to the subreaper) and a
    // process that ignores SIGTERM (needs the SIGKILL after the grace).
    const QString agent = f.writeAgentScript(
        QStringLiteral("tree.sh"),
        QStringLiteral("cat > /dev/null\n"
                       "sleep 300 & echo $! > '%1/child.pid'\n"
                       "sh -c 'sleep 300 & echo $! > \"%1/grandchild.pid\"; wait' &\n"
                       "( sleep 300 & echo $! > '%1/orphan.pid' ) &\n"
                       "sh -c 'trap \"\" TERM; echo $$ > \"%1/stubborn.pid\"; "
                       "while :; do sleep 0.1; done' &\n"
                       "wait\n")
            .arg(d));
    QVERIFY(f.start({QStringLiteral("--agent-command"), agent, QStringLiteral("--interrupt-grace"),
                     QStringLiteral("1")}));
    const QString id = send(f, QStringLiteral("tree"), QStringLiteral("go"));
    const QStringList names = {QStringLiteral("child"), QStringLiteral("grandchild"),
                               QStringLiteral("orphan"), QStringLiteral("stubborn")};
    QList<qint64> pids;
    QVERIFY(ServiceFixture::waitFor([&] {
        pids.clear();
        for (const QString &n : names) {
            const qint64 pid = readPid(d + QLatin1Char('/') + n + QStringLiteral(".pid"));
            if (pid > 0)
                pids << pid;
        }
        return pids.size() == names.size();
    }));
    for (qint64 pid : std::as_const(pids))
        QVERIFY(ProcessIdentity::isAlive(pid));
    // The orphan really left its parent: it is now a child of sluiced (the subreaper).
    const qint64 orphan = readPid(d + QStringLiteral("/orphan.pid"));
    QVERIFY(ServiceFixture::waitFor([&] { return ProcessIdentity::parentPid(orphan) == f.pid(); }));

    const IpcReply r = f.call(QStringLiteral("interrupt"), {{QStringLiteral("turn_id"), id}});
    QVERIFY(r.ok);
    QCOMPARE(r.body.value(QStringLiteral("interrupted")).toInt(), 1);
    const QJsonObject turn = f.waitForTurn(id);
    QCOMPARE(turn.value(QStringLiteral("state")).toString(), QStringLiteral("interrupted"));
    QVERIFY2(ServiceFixture::waitFor(
                 [&] {
                     for (qint64 pid : std::as_const(pids)) {
                         if (ProcessIdentity::isAlive(pid))
                             return false;
                     }
                     return true;
                 },
                 15000),
             "a process of the interrupted turn survived");
    // The service reaped the orphan: no zombie child left behind.
    QVERIFY(ServiceFixture::waitFor(
        [&] { return !QFile::exists(QStringLiteral("/proc/%1").arg(orphan)); }));
    QVERIFY(ServiceFixture::waitFor([&] { return f.readState().activeAgents == 0; }));
}

void TestTurns::leftoversOfAFinishedTurnAreKilled()
{
#ifndef Q_OS_LINUX
    QSKIP("reads /proc (Linux)");
#endif
    ServiceFixture f;
    const QString d = f.scriptsDir();
    const QString agent =
        f.writeAgentScript(QStringLiteral("leave.sh"),
                           QStringLiteral("cat > /dev/null\n"
                                          "( sleep 300 & echo $! > '%1/left.pid' ) &\n"
                                          "while [ ! -s '%1/left.pid' ]; do sleep 0.05; done\n"
                                          "echo ok\n")
                               .arg(d));
    QVERIFY(f.start({QStringLiteral("--agent-command"), agent, QStringLiteral("--interrupt-grace"),
                     QStringLiteral("1")}));
    const QString id = send(f, QStringLiteral("leave"), QStringLiteral("go"));
    const QJsonObject turn = f.waitForTurn(id);
    QCOMPARE(turn.value(QStringLiteral("state")).toString(), QStringLiteral("done"));
    const qint64 left = readPid(d + QStringLiteral("/left.pid"));
    QVERIFY(left > 0);
    QVERIFY(ServiceFixture::waitFor([&] { return !ProcessIdentity::isAlive(left); }, 15000));
}

void TestTurns::badSendArguments()
{
    ServiceFixture f;
    QVERIFY(f.start());
    auto code = [&](const QJsonObject &args) {
        return f.call(QStringLiteral("send"), args).errorCode;
    };
    QCOMPARE(code({{QStringLiteral("text"), QStringLiteral("x")}}), QStringLiteral("bad_request"));
    QCOMPARE(code({{QStringLiteral("session"), QStringLiteral("s")}}),
             QStringLiteral("bad_request"));
    QCOMPARE(code({{QStringLiteral("session"), QStringLiteral("bad name")},
                   {QStringLiteral("text"), QStringLiteral("x")}}),
             QStringLiteral("bad_request"));
    QCOMPARE(code({{QStringLiteral("session"), QString(129, QLatin1Char('a'))},
                   {QStringLiteral("text"), QStringLiteral("x")}}),
             QStringLiteral("bad_request"));
    QCOMPARE(code({{QStringLiteral("session"), QStringLiteral("s")}, {QStringLiteral("text"), 5}}),
             QStringLiteral("bad_request"));
    QCOMPARE(f.call(QStringLiteral("interrupt")).errorCode, QStringLiteral("bad_request"));
    QCOMPARE(
        f.call(QStringLiteral("interrupt"), {{QStringLiteral("turn_id"), QStringLiteral("t-x")}})
            .errorCode,
        QStringLiteral("not_found"));
}

void TestTurns::agentThatCannotStartFailsTheTurn()
{
    ServiceFixture f;
    QVERIFY(f.start(
        {QStringLiteral("--agent-command"), f.scriptsDir() + QStringLiteral("/missing-agent")}));
    const QString id = send(f, QStringLiteral("s"), QStringLiteral("x"));
    QVERIFY(!id.isEmpty());
    const QJsonObject turn = f.waitForTurn(id);
    QCOMPARE(turn.value(QStringLiteral("state")).toString(), QStringLiteral("failed"));
    QVERIFY(turn.value(QStringLiteral("exit_code")).isNull());
    // The service is fine and the session is free again.
    const QString next = send(f, QStringLiteral("s"), QStringLiteral("y"));
    QCOMPARE(f.waitForTurn(next).value(QStringLiteral("state")).toString(),
             QStringLiteral("failed"));
    QVERIFY(ServiceFixture::waitFor([&] { return f.readState().activeAgents == 0; }));
}

void TestTurns::agentRunsInItsOwnSessionWithDefaultSigpipe()
{
#ifndef Q_OS_LINUX
    QSKIP("reads /proc (Linux)");
#endif
    ServiceFixture f;
    // Fields 6 (session) and 5 (pgrp) of /proc/self/stat after the comm, and the ignored mask.
    const QString agent =
        f.writeAgentScript(QStringLiteral("ids.sh"),
                           QStringLiteral("cat > /dev/null\n"
                                          "echo \"$$ $(cut -d' ' -f5,6 /proc/$$/stat) "
                                          "$(awk '/^SigIgn/ {print $2}' /proc/$$/status)\"\n"));
    QVERIFY(f.start({QStringLiteral("--agent-command"), agent}));
    const QJsonObject turn = f.waitForTurn(send(f, QStringLiteral("ids"), QStringLiteral("x")));
    const QStringList parts =
        turn.value(QStringLiteral("output")).toString().split(QLatin1Char(' '));
    QCOMPARE(parts.size(), 4);
    QCOMPARE(parts.at(1), parts.at(0)); // process group = its own pid
    QCOMPARE(parts.at(2), parts.at(0)); // session = its own pid
    bool ok = false;
    const qulonglong ignored = parts.at(3).trimmed().toULongLong(&ok, 16);
    QVERIFY(ok);
    QCOMPARE(ignored & (1ull << (SIGPIPE - 1)), 0ull);
}

QTEST_GUILESS_MAIN(TestTurns)
#include "tst_turns.moc"
