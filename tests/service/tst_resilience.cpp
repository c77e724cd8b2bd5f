// What a hostile host or client does to the real sluiced: a umask that would expose HOME, a
// shared socket folder, a corrupt state.db, an exhausted descriptor table, retried sends, a
// full and a read-only HOME, and a flood of half-open HTTP connections.
#include "testhelpers.h"

#include "sluice/paths.h"
#include "sluice/protocol.h"

#include <QDir>
#include <QFileInfo>
#include <QLocalSocket>
#include <QTest>

#include <memory>
#include <sys/stat.h>
#include <unistd.h>

using namespace sluice;
using namespace sluice::test;

class TestResilience : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void filesArePrivateWhateverTheUmask();
    void socketInASharedFolderLeavesItAlone();
    void corruptStoreIsMovedAsideNotLooped();
    void descriptorExhaustionKeepsTheSocket();
    void retriedSendWithAKeyRunsOnce();
    void frozenServiceRetriedSendRunsOnce();
};

namespace {
int modeOf(const QString &path)
{
    struct stat st = {};
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? int(st.st_mode & 07777) : -1;
}

// An agent that appends one line per run to scripts/runs and echoes.
QString countingAgent(ServiceFixture &f)
{
    return f.writeAgentScript(
        QStringLiteral("count.sh"),
        QStringLiteral("msg=$(cat)\necho run >> '%1/runs'\necho \"reply: $msg\"\n")
            .arg(f.scriptsDir()));
}

int runs(ServiceFixture &f)
{
    QFile file(f.scriptsDir() + QStringLiteral("/runs"));
    return file.open(QIODevice::ReadOnly) ? int(file.readAll().count('\n')) : 0;
}
} // namespace

void TestResilience::filesArePrivateWhateverTheUmask()
{
    ServiceFixture f;
    // A HOME that already exists, open to everyone, and a permissive umask inherited by sluiced.
    QVERIFY(::chmod(QFile::encodeName(f.home()).constData(), 0755) == 0);
    const mode_t old = ::umask(022);
    const QString agent = f.writeAgentScript(
        QStringLiteral("touch.sh"),
        QStringLiteral("cat > /dev/null\ntouch '%1/made-by-agent'\necho ok\n").arg(f.scriptsDir()));
    const bool started = f.start({QStringLiteral("--agent-command"), agent});
    ::umask(old);
    QVERIFY(started);
    const IpcReply sent = f.call(QStringLiteral("send"), {{"session", "s1"}, {"text", "x"}});
    QVERIFY(sent.ok);
    QCOMPARE(f.waitForTurn(sent.body.value(QStringLiteral("turn_id")).toString())
                 .value(QStringLiteral("state"))
                 .toString(),
             QStringLiteral("done"));
    const HomePaths paths(f.home());
    for (const QString &file : {paths.stateDb(), paths.stateDb() + QStringLiteral("-wal"),
                                paths.stateFile(), paths.serviceLog()}) {
        QVERIFY2(QFileInfo::exists(file), qPrintable(file));
        QVERIFY2((modeOf(file) & 077) == 0,
                 qPrintable(QStringLiteral("%1 is %2").arg(file).arg(modeOf(file), 0, 8)));
    }
    QCOMPARE(modeOf(paths.logsDir()) & 077, 0);
    // The agent's own files follow the umask sluiced was started with, not sluiced's 077.
    QCOMPARE(modeOf(f.scriptsDir() + QStringLiteral("/made-by-agent")), 0644);
    QVERIFY(f.call(QStringLiteral("stop")).ok);
    QCOMPARE(f.waitForExit(), 0);
    QCOMPARE(modeOf(paths.lastShutdown()) & 077, 0);
}

void TestResilience::socketInASharedFolderLeavesItAlone()
{
    ServiceFixture f;
    QTemporaryDir shared;
    QVERIFY(::chmod(QFile::encodeName(shared.path()).constData(), 01777) == 0);
    const QString socket = shared.path() + QStringLiteral("/s.sock");
    f.setSocketPath(socket);
    QVERIFY(f.start());
    QCOMPARE(modeOf(shared.path()), 01777); // was chmod'ed to 0700 before
    QCOMPARE(modeOf(socket) & 0777, 0600);
    QVERIFY(f.call(QStringLiteral("stop")).ok);
    QCOMPARE(f.waitForExit(), 0);
    QCOMPARE(modeOf(shared.path()), 01777);

    // Writable by others and not sticky: anyone could swap the socket; refused, left alone.
    QVERIFY(::chmod(QFile::encodeName(shared.path()).constData(), 0777) == 0);
    ServiceFixture g;
    g.setSocketPath(socket);
    QVERIFY(!g.start({}, QStringLiteral("running"), 10000));
    QCOMPARE(g.waitForExit(), 1);
    QVERIFY2(g.readState().exitReason.contains(QStringLiteral("writable by others")),
             qPrintable(g.readState().exitReason));
    QCOMPARE(modeOf(shared.path()), 0777);
}

void TestResilience::corruptStoreIsMovedAsideNotLooped()
{
    ServiceFixture f;
    const HomePaths paths(f.home());
    const QByteArray garbage = QByteArray("this is not a database\n").repeated(200);
    QVERIFY(writeRaw(paths.stateDb(), garbage));
    QVERIFY(f.start());
    const QJsonArray warnings =
        f.call(QStringLiteral("status")).body.value(QStringLiteral("warnings")).toArray();
    QCOMPARE(warnings.size(), 1);
    QVERIFY(warnings.first().toString().contains(QStringLiteral("state.db.corrupt-")));
    const QStringList aside =
        QDir(f.home()).entryList({QStringLiteral("state.db.corrupt-*")}, QDir::Files);
    QCOMPARE(aside.size(), 1);
    QFile kept(QDir(f.home()).filePath(aside.first()));
    QVERIFY(kept.open(QIODevice::ReadOnly));
    QCOMPARE(kept.readAll(), garbage); // kept as it was, for inspection
    // Serving on a fresh store.
    const IpcReply sent = f.call(QStringLiteral("send"), {{"session", "s1"}, {"text", "x"}});
    QVERIFY(sent.ok);
    const CtlResult doctor = runCtl(
        {QStringLiteral("--home"), f.home(), QStringLiteral("--json"), QStringLiteral("doctor")});
    QVERIFY2(doctor.out.contains("state.db.corrupt-"), doctor.out.constData());
    QVERIFY(f.call(QStringLiteral("stop")).ok);
    QCOMPARE(f.waitForExit(), 0);
}

void TestResilience::descriptorExhaustionKeepsTheSocket()
{
    if (::geteuid() != 0)
        QSKIP("lowering another process's descriptor limit with prlimit needs root");
    ServiceFixture f;
    QVERIFY(f.start());
    const qint64 pid = f.pid();
    QProcess prlimit;
    prlimit.start(QStringLiteral("prlimit"), {QStringLiteral("--pid"), QString::number(pid),
                                              QStringLiteral("--nofile=128:128")});
    QVERIFY(prlimit.waitForFinished(10000));
    QCOMPARE(prlimit.exitCode(), 0);

    // Far more idle clients than the service has descriptors for.
    std::vector<std::unique_ptr<QLocalSocket>> flood;
    for (int i = 0; i < 300; ++i) {
        flood.push_back(std::make_unique<QLocalSocket>());
        flood.back()->connectToServer(f.socketPath());
    }
    QVERIFY(ServiceFixture::waitFor([&] {
        return std::all_of(flood.begin(), flood.end(), [](const auto &s) {
            return s->state() != QLocalSocket::ConnectingState;
        });
    }));
    // A status request still gets through while they hang on, and so does a second one.
    for (int i = 0; i < 2; ++i) {
        const CtlResult status = runCtl({QStringLiteral("--home"), f.home(),
                                         QStringLiteral("--json"), QStringLiteral("status")});
        QVERIFY2(status.exitCode == 0, qPrintable(describe(status)));
    }
    flood.clear();
    // The socket is still there and served once they are gone: never unlinked while running.
    QVERIFY(QFileInfo::exists(f.socketPath()));
    QVERIFY(ServiceFixture::waitFor([&] { return f.call(QStringLiteral("status")).ok; }));
    QVERIFY(f.logText().contains(QStringLiteral("local-socket connections (the cap)")));
    QVERIFY(f.call(QStringLiteral("stop")).ok);
    QCOMPARE(f.waitForExit(), 0);
}

void TestResilience::retriedSendWithAKeyRunsOnce()
{
    ServiceFixture f;
    QVERIFY(f.start({QStringLiteral("--agent-command"), countingAgent(f)}));
    const QJsonObject args{{"session", "s1"}, {"text", "x"}, {"idempotency_key", "k-1"}};
    const IpcReply first = f.call(QStringLiteral("send"), args);
    QVERIFY(first.ok);
    const QString id = first.body.value(QStringLiteral("turn_id")).toString();
    QCOMPARE(f.waitForTurn(id).value(QStringLiteral("state")).toString(), QStringLiteral("done"));
    const IpcReply again = f.call(QStringLiteral("send"), args);
    QVERIFY(again.ok);
    QCOMPARE(again.body.value(QStringLiteral("turn_id")).toString(), id);
    QCOMPARE(again.body.value(QStringLiteral("duplicate")).toBool(), true);

    // HTTP: the Idempotency-Key header; 202 for the new turn, 200 for the retry.
    const QByteArray body = "{\"session\":\"s2\",\"text\":\"y\"}";
    const HttpReply h1 = http(quint16(f.httpPort()), "POST", "/v1/turns", f.token(), body,
                              "Idempotency-Key: k-2\r\n");
    QCOMPARE(h1.status, 202);
    const HttpReply h2 = http(quint16(f.httpPort()), "POST", "/v1/turns", f.token(), body,
                              "Idempotency-Key: k-2\r\n");
    QCOMPARE(h2.status, 200);
    QCOMPARE(h2.json().value(QStringLiteral("turn_id")),
             h1.json().value(QStringLiteral("turn_id")));
    QCOMPARE(f.waitForTurn(h1.json().value(QStringLiteral("turn_id")).toString())
                 .value(QStringLiteral("state"))
                 .toString(),
             QStringLiteral("done"));

    // The key survives a restart of the service.
    QVERIFY(f.call(QStringLiteral("stop")).ok);
    QCOMPARE(f.waitForExit(), 0);
    QVERIFY(f.start({QStringLiteral("--agent-command"), countingAgent(f)}));
    const IpcReply later = f.call(QStringLiteral("send"), args);
    QCOMPARE(later.body.value(QStringLiteral("turn_id")).toString(), id);
    QCOMPARE(runs(f), 2); // s1 once, s2 once
    QVERIFY(f.call(QStringLiteral("stop")).ok);
    QCOMPARE(f.waitForExit(), 0);
}

void TestResilience::frozenServiceRetriedSendRunsOnce()
{
    ServiceFixture f;
    QVERIFY(f.start({QStringLiteral("--agent-command"), countingAgent(f)}));
    f.sendSignal(SIGSTOP);
    // A send against the frozen service; it is thawed while the request is out.
    QProcess first;
    first.start(ServiceFixture::binary(QStringLiteral("sluicectl")),
                {QStringLiteral("--home"), f.home(), QStringLiteral("send"),
                 QStringLiteral("--idempotency-key"), QStringLiteral("k-frozen"),
                 QStringLiteral("s1"), QStringLiteral("hello")});
    QVERIFY(first.waitForStarted());
    QVERIFY(!first.waitForFinished(1500)); // it waits: the service does not answer
    f.sendSignal(SIGCONT);
    QVERIFY(first.waitForFinished(60000));
    QCOMPARE(first.exitCode(), 0);
    const QString id = QString::fromUtf8(first.readAllStandardOutput()).trimmed();
    QVERIFY(id.startsWith(QStringLiteral("t-")));
    QCOMPARE(f.waitForTurn(id).value(QStringLiteral("state")).toString(), QStringLiteral("done"));
    // The script's retry (as if the first had given up) gets the same turn, which ran once.
    const CtlResult retry = runCtl({QStringLiteral("--home"), f.home(), QStringLiteral("send"),
                                    QStringLiteral("--idempotency-key"), QStringLiteral("k-frozen"),
                                    QStringLiteral("s1"), QStringLiteral("hello")});
    QCOMPARE(retry.exitCode, 0);
    QCOMPARE(QString::fromUtf8(retry.out).trimmed(), id);
    QCOMPARE(runs(f), 1);
    QVERIFY(f.call(QStringLiteral("stop")).ok);
    QCOMPARE(f.waitForExit(), 0);
}

QTEST_GUILESS_MAIN(TestResilience)
#include "tst_resilience.moc"
