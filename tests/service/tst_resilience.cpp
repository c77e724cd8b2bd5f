// What a hostile host or client does to the real sluiced: a umask that would expose HOME, a
// shared socket folder, a corrupt state.db, an exhausted descriptor table, retried sends, a
// full and a read-only HOME, and a flood of half-open HTTP connections.
#include "testhelpers.h"

#include "sluice/paths.h"
#include "sluice/protocol.h"

#include <QDir>
#include <QFileInfo>
#include <QLocalSocket>
#include <QScopeGuard>
#include <QTcpSocket>
#include <QTest>

#include <algorithm>
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
    void fullHomeRefusesNewTurnsAndLosesNothing();
    void readOnlyHomeRefusesNewTurnsAndRecovers();
    void halfOpenHttpFloodLeavesTheApiAnswering();
};

namespace {
// A small tmpfs the test mounts (root), unmounted when it goes.
class SmallFileSystem
{
public:
    explicit SmallFileSystem(const QString &size)
    {
        QDir().mkpath(m_dir.path() + QStringLiteral("/fs"));
        QProcess mount;
        mount.start(QStringLiteral("mount"),
                    {QStringLiteral("-t"), QStringLiteral("tmpfs"), QStringLiteral("-o"),
                     QStringLiteral("size=%1,mode=0700").arg(size), QStringLiteral("sluice-test"),
                     path()});
        m_mounted = mount.waitForFinished(10000) && mount.exitCode() == 0;
    }
    ~SmallFileSystem()
    {
        if (!m_mounted)
            return;
        QProcess umount;
        umount.start(QStringLiteral("umount"), {QStringLiteral("-l"), path()});
        umount.waitForFinished(10000);
    }
    bool isMounted() const { return m_mounted; }
    QString path() const { return m_dir.path() + QStringLiteral("/fs"); }
    bool remount(const char *mode)
    {
        QProcess p;
        p.start(
            QStringLiteral("mount"),
            {QStringLiteral("-o"), QStringLiteral("remount,%1").arg(QLatin1String(mode)), path()});
        return p.waitForFinished(10000) && p.exitCode() == 0;
    }
    // Writes a filler until the file system is full.
    void fill()
    {
        QFile filler(path() + QStringLiteral("/filler"));
        filler.open(QIODevice::WriteOnly | QIODevice::Append);
        const QByteArray chunk(64 * 1024, 'x');
        while (filler.write(chunk) == chunk.size() && filler.flush()) {
        }
        // The last partial page too.
        const QByteArray byte(1, 'x');
        while (filler.write(byte) == 1 && filler.flush()) {
        }
    }
    void unfill() { QFile::remove(path() + QStringLiteral("/filler")); }

private:
    QTemporaryDir m_dir;
    bool m_mounted = false;
};

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

void TestResilience::fullHomeRefusesNewTurnsAndLosesNothing()
{
    if (::geteuid() != 0)
        QSKIP("mounting a small tmpfs as a full HOME needs root");
    SmallFileSystem fs(QStringLiteral("8m"));
    QVERIFY(fs.isMounted());
    ServiceFixture f;
    f.setHome(fs.path() + QStringLiteral("/home"));
    // A turn that waits for scripts/release, then answers with 20 KB.
    const QString agent = f.writeAgentScript(
        QStringLiteral("hold.sh"),
        QStringLiteral("cat > /dev/null\nwhile [ ! -e '%1/release' ]; do sleep 0.05; done\n"
                       "head -c 20000 /dev/zero | tr '\\0' a\n")
            .arg(f.scriptsDir()));
    QVERIFY(f.start({QStringLiteral("--agent-command"), agent}));
    const IpcReply running = f.call(QStringLiteral("send"), {{"session", "long"}, {"text", "x"}});
    QVERIFY(running.ok);
    const QString runningId = running.body.value(QStringLiteral("turn_id")).toString();
    QVERIFY(ServiceFixture::waitFor([&] {
        return f.call(QStringLiteral("status"))
                   .body.value(QStringLiteral("active_agents"))
                   .toInt() == 1;
    }));

    fs.fill();
    // Sends go on being answered; each one acknowledged is in the store, the first that
    // cannot be stored is refused with storage_unavailable, and so is every one after it.
    QStringList acknowledged;
    bool refused = false;
    for (int i = 0; i < 200 && !refused; ++i) {
        const IpcReply r = f.call(QStringLiteral("send"),
                                  {{"session", QStringLiteral("s%1").arg(i)}, {"text", "x"}});
        if (r.ok)
            acknowledged << r.body.value(QStringLiteral("turn_id")).toString();
        else if (r.errorCode == QLatin1String(Protocol::Error::StorageUnavailable))
            refused = true;
        else
            QFAIL(qPrintable(r.errorCode + QLatin1Char(' ') + r.errorMessage));
    }
    QVERIFY(refused);
    const QJsonObject storage =
        f.call(QStringLiteral("status")).body.value(QStringLiteral("storage")).toObject();
    QCOMPARE(storage.value(QStringLiteral("available")).toBool(true), false);
    QVERIFY(!storage.value(QStringLiteral("error")).toString().isEmpty());
    const HttpReply http507 = http(quint16(f.httpPort()), "POST", "/v1/turns", f.token(),
                                   "{\"session\":\"h\",\"text\":\"x\"}");
    QCOMPARE(http507.status, 507);
    const HttpReply metrics = http(quint16(f.httpPort()), "GET", "/metrics", f.token());
    QVERIFY2(metrics.body.contains("\nsluice_storage_available 0\n"), metrics.body.constData());
    const CtlResult doctor = runCtl(
        {QStringLiteral("--home"), f.home(), QStringLiteral("--json"), QStringLiteral("doctor")});
    QVERIFY2(doctor.out.contains("HOME cannot be written"), doctor.out.constData());
    // A drain is taken (the gate closes) and says its marker could not be written.
    const IpcReply drain = f.call(QStringLiteral("drain"));
    QVERIFY(drain.ok);
    QCOMPARE(drain.body.value(QStringLiteral("marker_written")).toBool(true), false);
    QVERIFY(f.call(QStringLiteral("cancel_drain")).ok);

    // The running turn finishes on a full disk: its output is kept, not lost.
    release(f);
    const QJsonObject done = f.waitForTurn(runningId);
    QCOMPARE(done.value(QStringLiteral("state")).toString(), QStringLiteral("done"));
    QCOMPARE(done.value(QStringLiteral("output")).toString().size(), 20000);

    // Space comes back: the service notices by itself and takes turns again.
    fs.unfill();
    QVERIFY(ServiceFixture::waitFor([&] {
        return f.call(QStringLiteral("status"))
            .body.value(QStringLiteral("storage"))
            .toObject()
            .value(QStringLiteral("available"))
            .toBool();
    }));
    QVERIFY(f.call(QStringLiteral("send"), {{"session", "after"}, {"text", "x"}}).ok);
    for (const QString &id : std::as_const(acknowledged))
        f.waitForTurn(id);
    QVERIFY(f.call(QStringLiteral("stop")).ok);
    QCOMPARE(f.waitForExit(), 0);

    // After a restart every acknowledged turn is there, and the long one with its output.
    QVERIFY(f.start({QStringLiteral("--agent-command"), agent}));
    for (const QString &id : std::as_const(acknowledged)) {
        const IpcReply t = f.call(QStringLiteral("turn"), {{"turn_id", id}});
        QVERIFY2(t.ok, qPrintable(id + QLatin1Char(' ') + t.errorCode));
    }
    const IpcReply longTurn = f.call(QStringLiteral("turn"), {{"turn_id", runningId}});
    QVERIFY(longTurn.ok);
    QCOMPARE(longTurn.body.value(QStringLiteral("state")).toString(), QStringLiteral("done"));
    QCOMPARE(longTurn.body.value(QStringLiteral("output")).toString().size(), 20000);

    // A planned stop whose final state cannot be written says so with its exit code.
    fs.fill();
    QVERIFY(f.call(QStringLiteral("stop")).ok);
    QCOMPARE(f.waitForExit(), 74);
    fs.unfill();
}

void TestResilience::readOnlyHomeRefusesNewTurnsAndRecovers()
{
    if (::geteuid() != 0)
        QSKIP("making a HOME unwritable for root (chattr +i) needs root");
    // A remount read-only is refused while files are open for writing, so HOME is made
    // immutable instead: nothing can be created or replaced in it, as on a read-only mount.
    ServiceFixture f;
    QVERIFY(f.start({QStringLiteral("--agent-command"), countingAgent(f)}));
    const auto chattr = [&](const char *flag) {
        QProcess p;
        p.start(QStringLiteral("chattr"), {QLatin1String(flag), f.home()});
        return p.waitForFinished(10000) && p.exitCode() == 0;
    };
    if (!chattr("+i"))
        QSKIP("this file system has no immutable attribute");
    auto writable = qScopeGuard([&] { chattr("-i"); }); // never leave a HOME nobody can delete
    // The drain's marker cannot be written: the reply says so, and HOME is reported unwritable.
    const IpcReply drain = f.call(QStringLiteral("drain"));
    QVERIFY(drain.ok);
    QCOMPARE(drain.body.value(QStringLiteral("marker_written")).toBool(true), false);
    QVERIFY(f.call(QStringLiteral("cancel_drain")).ok);
    const IpcReply refused = f.call(QStringLiteral("send"), {{"session", "s1"}, {"text", "x"}});
    QCOMPARE(refused.errorCode, QString::fromLatin1(Protocol::Error::StorageUnavailable));
    writable.dismiss();
    QVERIFY(chattr("-i"));
    QCOMPARE(runs(f), 0);
    // Writable again: the service notices by itself.
    QVERIFY(ServiceFixture::waitFor([&] {
        return f.call(QStringLiteral("send"), {{"session", "s2"}, {"text", "x"}}).ok;
    }));
    QVERIFY(ServiceFixture::waitFor([&] { return runs(f) == 1; }));
    QVERIFY(f.call(QStringLiteral("stop")).ok);
    QCOMPARE(f.waitForExit(), 0);
}

void TestResilience::halfOpenHttpFloodLeavesTheApiAnswering()
{
    ServiceFixture f;
    QVERIFY(f.start());
    const quint16 port = quint16(f.httpPort());
    // More connections than the API takes (128), each sending nothing, and each reconnected
    // as soon as it is dropped.
    std::vector<std::unique_ptr<QTcpSocket>> flood;
    for (int i = 0; i < 200; ++i) {
        flood.push_back(std::make_unique<QTcpSocket>());
        flood.back()->connectToHost(QStringLiteral("127.0.0.1"), port);
    }
    QVERIFY(ServiceFixture::waitFor([&] {
        return std::all_of(flood.begin(), flood.end(), [](const auto &s) {
            return s->state() != QAbstractSocket::ConnectingState &&
                   s->state() != QAbstractSocket::HostLookupState;
        });
    }));
    for (int round = 0; round < 3; ++round) {
        for (auto &s : flood) {
            if (s->state() == QAbstractSocket::UnconnectedState)
                s->connectToHost(QStringLiteral("127.0.0.1"), port);
        }
        // A health probe and an authenticated request answer within 1 s all the same.
        for (const QByteArray &path : {QByteArray("/healthz"), QByteArray("/api/status")}) {
            QTcpSocket probe;
            probe.connectToHost(QStringLiteral("127.0.0.1"), port);
            QVERIFY(probe.waitForConnected(5000));
            probe.write(requestBytes("GET", path, path == "/healthz" ? QByteArray() : f.token()));
            QByteArray buffer;
            const HttpReply r = readResponse(probe, buffer, 1000);
            QVERIFY2(r.complete, path.constData());
            QCOMPARE(r.status, 200);
        }
    }
    flood.clear();
    QVERIFY(f.call(QStringLiteral("stop")).ok);
    QCOMPARE(f.waitForExit(), 0);
}

QTEST_GUILESS_MAIN(TestResilience)
#include "tst_resilience.moc"
