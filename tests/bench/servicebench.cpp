// Service-level benchmark: starts the real sluiced (ServiceFixture, temporary HOME, local
// socket, HTTP on a free loopback port) and measures what a client sees: IPC and HTTP
// round trips, how fast a drain marker or request takes effect, turn start latency, planned
// stop wall time and the service's resident memory. Prints a table; asserts nothing.
// Every loop is bounded in count and in time; every process started is killed at the end.
#include "testhelpers.h"

#include "sluice/atomicjson.h"
#include "sluice/epoch.h"
#include "sluice/ipcclient.h"
#include "sluice/paths.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocalSocket>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <QTimer>
#include <QtEndian>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <vector>

#include <csignal>
#include <unistd.h>

using namespace sluice;
using namespace sluice::test;

namespace {

QElapsedTimer g_clock; // one monotonic clock for every timestamp

double nowMs()
{
    return double(g_clock.nsecsElapsed()) / 1e6;
}

// Spins the event loop until cond() holds or timeoutMs passes. Wakes on every event (socket
// data wakes it at once), plus a 20 ms guard tick so a condition on a file is re-checked.
bool waitUntil(const std::function<bool()> &cond, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    QTimer tick;
    tick.start(20);
    while (!cond()) {
        if (t.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    }
    return true;
}

// A synchronous request whose handler state outlives a timed-out wait.
IpcReply call(IpcClient *client, const QString &cmd, const QJsonObject &args = {},
              int timeoutMs = 10000)
{
    struct State
    {
        bool done = false;
        IpcReply reply;
    };
    auto state = std::make_shared<State>();
    state->reply.errorCode = QStringLiteral("timeout");
    client->request(
        cmd, args,
        [state](const IpcReply &r) {
            state->reply = r;
            state->done = true;
        },
        timeoutMs);
    waitUntil([&] { return state->done; }, timeoutMs + 2000);
    return state->reply;
}

// Events from one subscribed connection, each stamped on arrival.
struct EventLog
{
    struct Entry
    {
        QString name;
        QJsonObject body;
        double atMs = 0;
    };
    std::vector<Entry> entries;

    // Index of the first event at or after `from` that matches, or -1.
    int find(size_t from, const std::function<bool(const Entry &)> &match) const
    {
        for (size_t i = from; i < entries.size(); ++i) {
            if (match(entries[i]))
                return int(i);
        }
        return -1;
    }
    int waitFor(size_t from, const std::function<bool(const Entry &)> &match, int timeoutMs)
    {
        int found = -1;
        waitUntil(
            [&] {
                found = find(from, match);
                return found >= 0;
            },
            timeoutMs);
        return found;
    }
};

std::function<bool(const EventLog::Entry &)> statusIs(const QString &state)
{
    return [state](const EventLog::Entry &e) {
        return e.name == QLatin1String("status") &&
               e.body.value(QStringLiteral("state")).toString() == state;
    };
}

std::function<bool(const EventLog::Entry &)> turnIs(const QString &id, const QStringList &states)
{
    return [id, states](const EventLog::Entry &e) {
        return e.name == QLatin1String("turn") &&
               e.body.value(QStringLiteral("turn_id")).toString() == id &&
               states.contains(e.body.value(QStringLiteral("state")).toString());
    };
}

const QStringList kFinal = {QStringLiteral("done"), QStringLiteral("failed"),
                            QStringLiteral("interrupted"), QStringLiteral("refused")};

void printHeader()
{
    std::printf("%-44s %6s %10s %10s %10s\n", "service operation", "runs", "median ms", "p99 ms",
                "max ms");
    std::printf("%s\n", QByteArray(84, '-').constData());
}

void row(const char *name, std::vector<double> ms, int wanted)
{
    if (ms.empty()) {
        std::printf("%-44s %6d %10s %10s %10s   (0 of %d completed)\n", name, 0, "-", "-", "-",
                    wanted);
        std::fflush(stdout);
        return;
    }
    std::sort(ms.begin(), ms.end());
    const double median = ms[ms.size() / 2];
    const double p99 = ms[std::min(ms.size() - 1, size_t(double(ms.size()) * 0.99))];
    std::printf("%-44s %6d %10.3f %10.3f %10.3f", name, int(ms.size()), median, p99, ms.back());
    if (int(ms.size()) < wanted)
        std::printf("   (%d of %d completed)", int(ms.size()), wanted);
    std::printf("\n");
    std::fflush(stdout);
}

// VmRSS of a process in KiB (Linux), -1 elsewhere or when unreadable.
qint64 rssKiB(qint64 pid)
{
#ifdef Q_OS_LINUX
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> lines = f.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
#else
    Q_UNUSED(pid)
#endif
    return -1;
}

// Minimal HTTP/1.1 keep-alive client: one request at a time, Content-Length bodies.
class HttpProbe
{
public:
    HttpProbe(int port, QByteArray token)
        : m_port(port)
        , m_token(std::move(token))
    {}

    bool connectToServer()
    {
        m_socket = std::make_unique<QTcpSocket>();
        m_socket->connectToHost(QStringLiteral("127.0.0.1"), quint16(m_port));
        ++m_connects;
        return waitUntil([&] { return m_socket->state() == QAbstractSocket::ConnectedState; },
                         5000);
    }

    // Status code of GET path, or -1 on timeout / a closed connection.
    int get(const QByteArray &path, int timeoutMs = 5000)
    {
        if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState) {
            if (!connectToServer())
                return -1;
        }
        m_socket->write("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                        m_token + "\r\nConnection: keep-alive\r\n\r\n");
        QByteArray buffer;
        int status = -1;
        const bool ok = waitUntil(
            [&] {
                buffer += m_socket->readAll();
                const int headerEnd = buffer.indexOf("\r\n\r\n");
                if (headerEnd < 0)
                    return m_socket->state() != QAbstractSocket::ConnectedState;
                qint64 length = 0;
                const QList<QByteArray> lines = buffer.left(headerEnd).split('\n');
                for (const QByteArray &l : lines) {
                    if (l.toLower().startsWith("content-length:"))
                        length = l.mid(15).trimmed().toLongLong();
                }
                if (buffer.size() < headerEnd + 4 + length)
                    return m_socket->state() != QAbstractSocket::ConnectedState;
                status = lines.value(0).split(' ').value(1).toInt();
                return true;
            },
            timeoutMs);
        return ok ? status : -1;
    }
    int connects() const { return m_connects; }

private:
    int m_port;
    QByteArray m_token;
    std::unique_ptr<QTcpSocket> m_socket;
    int m_connects = 0;
};

struct Bench
{
    ServiceFixture fixture;
    QString agent;
    std::unique_ptr<IpcClient> requests;   // request/reply traffic
    std::unique_ptr<IpcClient> subscriber; // events only
    EventLog events;

    bool startService(const QStringList &extra = {}, const QString &agentCommand = {})
    {
        requests.reset();
        subscriber.reset();
        events.entries.clear();
        if (!fixture.start(QStringList{QStringLiteral("--agent-command"),
                                       agentCommand.isEmpty() ? agent : agentCommand,
                                       QStringLiteral("--interrupt-grace"), QStringLiteral("2")} +
                           extra))
            return false;
        requests = fixture.newClient();
        subscriber = fixture.newClient();
        if (!requests || !subscriber)
            return false;
        QObject::connect(subscriber.get(), &IpcClient::eventReceived,
                         [this](const QString &name, const QJsonObject &body) {
                             events.entries.push_back({name, body, nowMs()});
                         });
        return call(subscriber.get(), QStringLiteral("subscribe")).ok;
    }

    IpcReply send(const QString &session, const QString &text)
    {
        return call(requests.get(), QStringLiteral("send"),
                    {{QStringLiteral("session"), session}, {QStringLiteral("text"), text}});
    }
};

void benchIpcStatus(Bench &b)
{
    const int runs = 2000;
    std::vector<double> ms;
    QElapsedTimer budget;
    budget.start();
    for (int i = 0; i < runs && budget.elapsed() < 60000; ++i) {
        const double t0 = nowMs();
        if (!call(b.requests.get(), QStringLiteral("status")).ok)
            break;
        ms.push_back(nowMs() - t0);
    }
    row("IPC status round trip (1 connection)", ms, runs);
}

void benchHttpStatus(Bench &b)
{
    const int runs = 500;
    std::vector<double> ms;
    const int port = b.fixture.httpPort();
    HttpProbe http(port, b.fixture.token());
    QElapsedTimer budget;
    budget.start();
    for (int i = 0; port > 0 && i < runs && budget.elapsed() < 60000; ++i) {
        const double t0 = nowMs();
        if (http.get("/api/status") != 200)
            break;
        ms.push_back(nowMs() - t0);
    }
    row("HTTP GET /api/status (keep-alive)", ms, runs);
    if (http.connects() > 1)
        std::printf("  note: %d TCP connections were needed (keep-alive not kept)\n",
                    http.connects());
}

void benchDrainMarker(Bench &b)
{
    const int runs = 20;
    std::vector<double> enter, leave;
    const QString marker = HomePaths(b.fixture.home()).drainMarker();
    QElapsedTimer budget;
    budget.start();
    for (int i = 0; i < runs && budget.elapsed() < 120000; ++i) {
        const size_t from = b.events.entries.size();
        const double t0 = nowMs();
        if (!writeJsonAtomically(marker, {{QStringLiteral("action"), QStringLiteral("drain")},
                                          {QStringLiteral("requested_at"), isoUtcNow()},
                                          {QStringLiteral("principal"), QStringLiteral("bench")},
                                          {QStringLiteral("epoch"), InstantiationEpoch::current()},
                                          {QStringLiteral("suppress_notification"), true}}))
            break;
        const int in = b.events.waitFor(from, statusIs(QStringLiteral("draining")), 10000);
        if (in < 0)
            break;
        enter.push_back(b.events.entries[size_t(in)].atMs - t0);
        const size_t from2 = b.events.entries.size();
        const double t1 = nowMs();
        QFile::remove(marker);
        const int out = b.events.waitFor(from2, statusIs(QStringLiteral("running")), 10000);
        if (out < 0)
            break;
        leave.push_back(b.events.entries[size_t(out)].atMs - t1);
    }
    row("drain marker written -> status draining", enter, runs);
    row("drain marker removed -> status running", leave, runs);
}

void benchDrainRequest(Bench &b)
{
    const int runs = 20;
    std::vector<double> drain, cancel;
    QElapsedTimer budget;
    budget.start();
    for (int i = 0; i < runs && budget.elapsed() < 60000; ++i) {
        double t0 = nowMs();
        const IpcReply r = call(b.requests.get(), QStringLiteral("drain"),
                                {{QStringLiteral("principal"), QStringLiteral("bench")},
                                 {QStringLiteral("suppress_notification"), true}});
        if (!r.ok)
            break;
        drain.push_back(nowMs() - t0);
        t0 = nowMs();
        if (!call(b.requests.get(), QStringLiteral("cancel_drain")).ok)
            break;
        cancel.push_back(nowMs() - t0);
    }
    row("IPC drain -> reply (gate closed, marker)", drain, runs);
    row("IPC cancel_drain -> reply", cancel, runs);
}

void benchTurnStart(Bench &b)
{
    const int runs = 50;
    std::vector<double> start, done;
    QElapsedTimer budget;
    budget.start();
    for (int i = 0; i < runs && budget.elapsed() < 60000; ++i) {
        const size_t from = b.events.entries.size();
        const double t0 = nowMs();
        const IpcReply r = b.send(QStringLiteral("bench-turn"), QStringLiteral("hello"));
        if (!r.ok)
            break;
        const QString id = r.body.value(QStringLiteral("turn_id")).toString();
        const int running = b.events.waitFor(from, turnIs(id, {QStringLiteral("running")}), 10000);
        const int finished = b.events.waitFor(from, turnIs(id, kFinal), 10000);
        if (running < 0 || finished < 0)
            break;
        start.push_back(b.events.entries[size_t(running)].atMs - t0);
        done.push_back(b.events.entries[size_t(finished)].atMs - t0);
    }
    row("IPC send -> turn event running", start, runs);
    row("IPC send -> turn event done (agent: sh echo)", done, runs);
}

// Keeps up to `inFlight` turns going over 8 sessions until `total` have finished.
int runTurns(Bench &b, int total, int timeoutMs)
{
    int sent = 0, finished = 0, inFlight = 0;
    QObject guard;
    QObject::connect(b.subscriber.get(), &IpcClient::eventReceived, &guard,
                     [&](const QString &name, const QJsonObject &body) {
                         if (name == QLatin1String("turn") &&
                             kFinal.contains(body.value(QStringLiteral("state")).toString()) &&
                             body.value(QStringLiteral("session"))
                                 .toString()
                                 .startsWith(QLatin1String("bulk-"))) {
                             ++finished;
                             --inFlight;
                         }
                     });
    QElapsedTimer budget;
    budget.start();
    while (finished < total && budget.elapsed() < timeoutMs) {
        while (sent < total && inFlight < 16) {
            if (!b.send(QStringLiteral("bulk-%1").arg(sent % 8), QStringLiteral("x")).ok)
                return finished;
            ++sent;
            ++inFlight;
        }
        const int before = finished;
        waitUntil([&] { return finished > before; }, 1000);
    }
    return finished;
}

void benchMemory(Bench &b, qint64 idleAtStart)
{
    const qint64 pid = b.fixture.pid();
    const qint64 idle = rssKiB(pid);
    std::printf("\n%-44s %10s\n", "sluiced memory", "VmRSS KiB");
    std::printf("%s\n", QByteArray(84, '-').constData());
    std::printf("%-44s %10lld\n", "idle, just started", idleAtStart);
    std::printf("%-44s %10lld\n", "idle, after the latency runs above", idle);
    std::fflush(stdout);

    // 8 concurrent turns that sleep until interrupted.
    QStringList ids;
    for (int i = 0; i < 8; ++i) {
        const IpcReply r = b.send(QStringLiteral("mem-%1").arg(i), QStringLiteral("sleep"));
        if (r.ok)
            ids << r.body.value(QStringLiteral("turn_id")).toString();
    }
    const bool allRunning = ServiceFixture::waitFor(
        [&] {
            const IpcReply s = call(b.requests.get(), QStringLiteral("status"));
            return s.body.value(QStringLiteral("active_agents")).toInt() == 8;
        },
        15000);
    std::printf("%-44s %10lld%s\n", "8 concurrent running turns", rssKiB(pid),
                allRunning ? "" : "   (not all 8 reached running)");
    for (const QString &id : std::as_const(ids))
        call(b.requests.get(), QStringLiteral("interrupt"), {{QStringLiteral("turn_id"), id}});
    ServiceFixture::waitFor(
        [&] {
            return call(b.requests.get(), QStringLiteral("status"))
                       .body.value(QStringLiteral("active_agents"))
                       .toInt(-1) == 0;
        },
        15000);
    std::printf("%-44s %10lld\n", "after they were interrupted", rssKiB(pid));
    std::fflush(stdout);

    // Rounds of 500 up to 2000 turns: the service keeps the last 1000 finished turns in memory
    // by design (TurnManager RecentTurnsKept), so RSS may grow up to ~1000 turns; a leak keeps
    // growing after that.
    const int total = 500;
    for (int round = 1; round <= 4; ++round) {
        QElapsedTimer t;
        t.start();
        const int finished = runTurns(b, total, 180000);
        const double seconds = double(t.elapsed()) / 1000.0;
        ServiceFixture::waitFor(
            [&] {
                return call(b.requests.get(), QStringLiteral("status"))
                           .body.value(QStringLiteral("active_agents"))
                           .toInt(-1) == 0;
            },
            15000);
        const qint64 after = rssKiB(pid);
        const QByteArray label =
            QByteArray("after ") + QByteArray::number(round * total) + " completed turns";
        std::printf("%-44s %10lld   (%d turns in %.1f s, %.0f turns/s; %+lld KiB vs idle)\n",
                    label.constData(), after, finished, seconds,
                    seconds > 0 ? finished / seconds : 0.0, after - idle);
        std::fflush(stdout);
        if (finished < total)
            break;
    }
    std::fflush(stdout);
}

// Planned stop with no turns: IPC stop -> process exit, on a fresh service each run.
void benchStop(Bench &b)
{
    const int runs = 5;
    std::vector<double> ms;
    int badExit = 0;
    for (int i = 0; i < runs; ++i) {
        if (!b.startService())
            break;
        QProcess *p = b.fixture.process();
        double exitedAt = -1;
        QObject::connect(p, &QProcess::finished, p, [&exitedAt] { exitedAt = nowMs(); });
        const double t0 = nowMs();
        if (!call(b.requests.get(), QStringLiteral("stop")).ok)
            break;
        if (!waitUntil([&] { return exitedAt >= 0; }, 60000))
            break;
        if (p->exitStatus() != QProcess::NormalExit || p->exitCode() != 0)
            ++badExit;
        ms.push_back(exitedAt - t0);
    }
    std::printf("\n");
    printHeader();
    row("planned stop, no turns: IPC stop -> exit", ms, runs);
    if (badExit)
        std::printf("  note: %d run(s) did not exit 0\n", badExit);
}

// Context switches (every wakeup of any thread) and CPU time of a process so far (Linux).
struct Activity
{
    qint64 switches = 0;
    double cpuMs = 0;
};

Activity activity(qint64 pid)
{
    Activity a;
#ifdef Q_OS_LINUX
    const QString taskDir = QStringLiteral("/proc/%1/task").arg(pid);
    const QStringList tasks = QDir(taskDir).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &t : tasks) {
        QFile f(taskDir + QLatin1Char('/') + t + QStringLiteral("/status"));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QList<QByteArray> lines = f.readAll().split('\n');
        for (const QByteArray &line : lines) {
            if (line.startsWith("voluntary_ctxt_switches:") ||
                line.startsWith("nonvoluntary_ctxt_switches:"))
                a.switches += line.mid(line.indexOf(':') + 1).trimmed().toLongLong();
        }
    }
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (stat.open(QIODevice::ReadOnly)) {
        const QByteArray text = stat.readAll();
        const QList<QByteArray> f = text.mid(text.lastIndexOf(')') + 2).split(' ');
        // utime and stime are fields 14 and 15 (1-based), in clock ticks.
        const double ticks = double(::sysconf(_SC_CLK_TCK));
        a.cpuMs = (f.value(11).toDouble() + f.value(12).toDouble()) * 1000.0 / ticks;
    }
#else
    Q_UNUSED(pid)
#endif
    return a;
}

// An idle service (no requests, no turns, markers untouched) over a window: how often it
// wakes up and how much CPU it spends, with the host's process count as it is and with
// `extraProcesses` more.
void benchIdle(Bench &b, int windowS, int extraProcesses)
{
    std::printf("\n%-44s %12s %12s %12s\n", "idle service", "window s", "wakeups/s", "CPU ms/s");
    std::printf("%s\n", QByteArray(84, '-').constData());
    for (int extra : {0, extraProcesses}) {
        std::vector<std::unique_ptr<QProcess>> sleepers;
        for (int i = 0; i < extra; ++i) {
            sleepers.push_back(std::make_unique<QProcess>());
            sleepers.back()->start(QStringLiteral("sleep"), {QString::number(windowS + 60)});
        }
        for (auto &p : sleepers)
            p->waitForStarted(5000);
        if (!b.startService())
            return;
        const qint64 pid = b.fixture.pid();
        QTest::qWait(2000); // settle: the first status write, the clients' hello
        const Activity before = activity(pid);
        const double t0 = nowMs();
        QTest::qWait(windowS * 1000);
        const double seconds = (nowMs() - t0) / 1000.0;
        const Activity after = activity(pid);
        const QByteArray label =
            "idle sluiced, " + QByteArray::number(extra ? extra : 0) + " extra host processes";
        std::printf("%-44s %12.1f %12.2f %12.3f\n", label.constData(), seconds,
                    double(after.switches - before.switches) / seconds,
                    (after.cpuMs - before.cpuMs) / seconds);
        std::fflush(stdout);
        call(b.requests.get(), QStringLiteral("stop"));
        b.fixture.waitForExit(60000);
        for (auto &p : sleepers)
            p->kill();
        for (auto &p : sleepers)
            p->waitForFinished(5000);
    }
}

// 50 running turns, then a stop with --drain-timeout 0: request -> process exit, and no
// process of any turn left. `obey`: the agents exit on SIGTERM; else they ignore it and the
// interrupt grace (2 s) ends them.
void benchStopWithTurns(Bench &b, const QString &containment, bool obey)
{
    const int turns = 50;
    const int runs = 3;
    const QString pidFile = b.fixture.scriptsDir() + QStringLiteral("/stop-bench.pid");
    const QString agent = b.fixture.writeAgentScript(
        obey ? QStringLiteral("obey.sh") : QStringLiteral("ignore.sh"),
        (obey ? QStringLiteral("cat > /dev/null\necho $$ >> '%1'\nexec sleep 300\n")
              : QStringLiteral("trap '' TERM\ncat > /dev/null\necho $$ >> '%1'\n"
                               "sleep 300 &\nwhile :; do wait; done\n"))
            .arg(pidFile));
    std::vector<double> ms;
    int leftovers = 0;
    for (int run = 0; run < runs; ++run) {
        QFile::remove(pidFile);
        if (!b.startService({QStringLiteral("--containment"), containment,
                             QStringLiteral("--max-concurrent"), QString::number(turns),
                             QStringLiteral("--drain-timeout"), QStringLiteral("0")},
                            agent))
            return;
        for (int i = 0; i < turns; ++i)
            b.send(QStringLiteral("s%1").arg(i), QStringLiteral("x"));
        const bool allRunning = waitUntil(
            [&] {
                QFile f(pidFile);
                return f.open(QIODevice::ReadOnly) && f.readAll().count('\n') >= turns;
            },
            30000);
        if (!allRunning)
            break;
        QProcess *p = b.fixture.process();
        double exitedAt = -1;
        QObject::connect(p, &QProcess::finished, p, [&exitedAt] { exitedAt = nowMs(); });
        const double t0 = nowMs();
        call(b.requests.get(), QStringLiteral("stop"));
        if (!waitUntil([&] { return exitedAt >= 0; }, 60000))
            break;
        ms.push_back(exitedAt - t0 - (obey ? 0 : 2000));
        const QList<qint64> pids = recordedPids(b.fixture.scriptsDir());
        for (qint64 pid : pids)
            leftovers += pidAlive(pid) ? 1 : 0;
        killPids(pids);
    }
    const QByteArray label = "stop, 50 turns " + QByteArray(obey ? "obeying" : "ignoring") +
                             " SIGTERM" + (obey ? "" : " (- 2 s grace)") + ", " +
                             containment.toLatin1();
    row(label.constData(), ms, runs);
    if (leftovers)
        std::printf("  note: %d turn process(es) outlived the stop\n", leftovers);
}

// IPC `agents` with 50 running turns: what reading every turn's accounting costs.
void benchAgentsWithTurns(Bench &b, const QString &containment)
{
    const int turns = 50;
    const int runs = 200;
    if (!b.startService({QStringLiteral("--containment"), containment,
                         QStringLiteral("--max-concurrent"), QString::number(turns)}))
        return;
    for (int i = 0; i < turns; ++i)
        b.send(QStringLiteral("a%1").arg(i), QStringLiteral("sleep"));
    waitUntil(
        [&] {
            return call(b.requests.get(), QStringLiteral("status"))
                       .body.value(QStringLiteral("active_agents"))
                       .toInt() == turns;
        },
        30000);
    std::vector<double> ms;
    for (int i = 0; i < runs; ++i) {
        const double t0 = nowMs();
        if (!call(b.requests.get(), QStringLiteral("agents")).ok)
            break;
        ms.push_back(nowMs() - t0);
    }
    row(("IPC agents, 50 running turns, " + containment.toLatin1()).constData(), ms, runs);
    call(b.requests.get(), QStringLiteral("stop"));
    b.fixture.waitForExit(60000);
}

// --- hand-off restart -----------------------------------------------------------------------

// The pid in gateway_state.json once it names a running process other than `old`; -1 on time-out.
qint64 waitForSuccessor(ServiceFixture &f, qint64 old, int timeoutMs)
{
    qint64 pid = -1;
    waitUntil(
        [&] {
            const RuntimeStatus st = f.readState();
            if (st.pid > 0 && st.pid != old && st.state == GatewayState::Running) {
                pid = st.pid;
                return true;
            }
            return false;
        },
        timeoutMs);
    return pid;
}

// From the restart request (IPC) until a new turn is accepted, with `running` long turns
// that the predecessor goes on running. One service restarted again and again: after each run
// the old turns are interrupted (through the successor) so the predecessor exits.
void benchHandoffRestart(Bench &b, int running)
{
    const int runs = 10;
    if (!b.startService({QStringLiteral("--max-concurrent"), QString::number(running + 10),
                         QStringLiteral("--drain-timeout"), QStringLiteral("120")}))
        return;
    qint64 current = b.fixture.pid();
    std::vector<double> ms;
    for (int run = 0; run < runs; ++run) {
        std::unique_ptr<IpcClient> c = b.fixture.newClient();
        if (!c)
            break;
        for (int i = 0; i < running; ++i)
            call(c.get(), QStringLiteral("send"),
                 {{QStringLiteral("session"), QStringLiteral("long%1-%2").arg(run).arg(i)},
                  {QStringLiteral("text"), QStringLiteral("sleep")}});
        if (!waitUntil(
                [&] {
                    return call(c.get(), QStringLiteral("status"))
                               .body.value(QStringLiteral("active_agents"))
                               .toInt() == running;
                },
                30000))
            break;
        const double t0 = nowMs();
        call(c.get(), QStringLiteral("restart"));
        // New connections, as a client arriving now would make; the first `send` the
        // successor accepts ends the measurement.
        double acceptedAt = -1;
        waitUntil(
            [&] {
                std::unique_ptr<IpcClient> n = b.fixture.newClient(5000);
                if (!n)
                    return false;
                const IpcReply st = call(n.get(), QStringLiteral("status"));
                if (st.body.value(QStringLiteral("pid")).toInteger() == current)
                    return false;
                if (!call(n.get(), QStringLiteral("send"),
                          {{QStringLiteral("session"), QStringLiteral("new%1").arg(run)},
                           {QStringLiteral("text"), QStringLiteral("x")}})
                         .ok)
                    return false;
                acceptedAt = nowMs();
                return true;
            },
            30000);
        if (acceptedAt < 0)
            break;
        ms.push_back(acceptedAt - t0);
        const qint64 successor = waitForSuccessor(b.fixture, current, 10000);
        std::unique_ptr<IpcClient> n = b.fixture.newClient();
        for (int i = 0; n && i < running; ++i)
            call(n.get(), QStringLiteral("interrupt"),
                 {{QStringLiteral("session"), QStringLiteral("long%1-%2").arg(run).arg(i)}});
        const qint64 old = current;
        waitUntil([&] { return !pidAlive(old); }, 30000);
        current = successor;
    }
    row(QByteArray("hand-off restart -> new turn accepted, " + QByteArray::number(running) +
                   " running")
            .constData(),
        ms, runs);
    if (std::unique_ptr<IpcClient> n = b.fixture.newClient())
        call(n.get(), QStringLiteral("stop"));
    waitUntil([&] { return !pidAlive(current); }, 60000);
}

// A steady load (a new local-socket connection with a `status` every 5 ms, a `send` every
// 50 ms, each on its own connection, and an HTTP GET /api/status every 20 ms) through 20
// hand-off restarts: connections refused and replies that never came.
void benchRestartsUnderLoad(Bench &b)
{
    const int restarts = 20;
    if (!b.startService())
        return;
    const QString socketPath = b.fixture.socketPath();
    const int port = b.fixture.httpPort();
    const QByteArray token = b.fixture.token();
    struct Counts
    {
        int requests = 0, refused = 0, lost = 0, turns = 0, inFlight = 0;
    };
    auto counts = std::make_shared<Counts>();
    const auto ipcRequest = [counts, socketPath](const QString &cmd, const QJsonObject &args) {
        auto *socket = new QLocalSocket;
        auto buffer = std::make_shared<QByteArray>();
        auto answered = std::make_shared<bool>(false);
        ++counts->requests;
        ++counts->inFlight;
        const bool isSend = cmd == QLatin1String("send");
        QObject::connect(socket, &QLocalSocket::connected, socket,
                         [socket, cmd, args] { socket->write(requestFrame(1, cmd, args)); });
        QObject::connect(
            socket, &QLocalSocket::readyRead, socket, [socket, buffer, answered, counts, isSend] {
                *buffer += socket->readAll();
                if (buffer->size() < 4)
                    return;
                const quint32 n = qFromBigEndian<quint32>(buffer->constData());
                if (quint32(buffer->size()) < 4 + n || *answered)
                    return;
                *answered = true;
                const QJsonObject reply = QJsonDocument::fromJson(buffer->mid(4, int(n))).object();
                if (!reply.value(QStringLiteral("ok")).toBool())
                    ++counts->lost;
                else if (isSend)
                    ++counts->turns;
                --counts->inFlight;
                socket->disconnectFromServer();
                socket->deleteLater();
            });
        QObject::connect(socket, &QLocalSocket::errorOccurred, socket,
                         [socket, answered, counts](QLocalSocket::LocalSocketError e) {
                             if (*answered)
                                 return;
                             *answered = true;
                             --counts->inFlight;
                             if (e == QLocalSocket::ConnectionRefusedError ||
                                 e == QLocalSocket::ServerNotFoundError)
                                 ++counts->refused;
                             else
                                 ++counts->lost;
                             socket->deleteLater();
                         });
        socket->connectToServer(socketPath);
    };
    const auto httpRequest = [counts, port, token] {
        auto *socket = new QTcpSocket;
        auto buffer = std::make_shared<QByteArray>();
        auto answered = std::make_shared<bool>(false);
        ++counts->requests;
        ++counts->inFlight;
        QObject::connect(socket, &QTcpSocket::connected, socket, [socket, token] {
            socket->write("GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                          token + "\r\nConnection: close\r\n\r\n");
        });
        QObject::connect(socket, &QTcpSocket::readyRead, socket,
                         [socket, buffer] { *buffer += socket->readAll(); });
        QObject::connect(socket, &QTcpSocket::disconnected, socket,
                         [socket, buffer, answered, counts] {
                             if (*answered)
                                 return;
                             *answered = true;
                             --counts->inFlight;
                             if (!buffer->startsWith("HTTP/1.1 200"))
                                 ++counts->lost;
                             socket->deleteLater();
                         });
        QObject::connect(socket, &QTcpSocket::errorOccurred, socket,
                         [socket, answered, counts](QAbstractSocket::SocketError e) {
                             if (*answered || e == QAbstractSocket::RemoteHostClosedError)
                                 return;
                             *answered = true;
                             --counts->inFlight;
                             if (e == QAbstractSocket::ConnectionRefusedError)
                                 ++counts->refused;
                             else
                                 ++counts->lost;
                             socket->deleteLater();
                         });
        socket->connectToHost(QStringLiteral("127.0.0.1"), quint16(port));
    };
    int tick = 0;
    QTimer load;
    QObject::connect(&load, &QTimer::timeout, [&] {
        ++tick;
        ipcRequest(QStringLiteral("status"), {});
        if (tick % 4 == 0)
            httpRequest();
        if (tick % 10 == 0)
            ipcRequest(QStringLiteral("send"),
                       {{QStringLiteral("session"), QStringLiteral("load%1").arg(tick)},
                        {QStringLiteral("text"), QStringLiteral("x")}});
    });
    load.start(5);
    qint64 current = b.fixture.pid();
    int done = 0;
    const double t0 = nowMs();
    for (; done < restarts; ++done) {
        waitUntil([] { return false; }, 100); // some load before each restart
        ::kill(pid_t(current), SIGUSR1);
        const qint64 successor = waitForSuccessor(b.fixture, current, 30000);
        if (successor < 0)
            break;
        const qint64 old = current;
        if (!waitUntil([&] { return !pidAlive(old); }, 30000))
            break;
        current = successor;
    }
    load.stop();
    waitUntil([&] { return counts->inFlight == 0; }, 20000);
    std::printf("%d hand-off restarts under load in %.0f ms: %d requests (%d new turns), "
                "%d connections refused, %d replies lost%s\n",
                done, nowMs() - t0, counts->requests, counts->turns, counts->refused, counts->lost,
                counts->inFlight
                    ? qPrintable(QStringLiteral(", %1 unanswered at the end").arg(counts->inFlight))
                    : "");
    std::fflush(stdout);
    if (std::unique_ptr<IpcClient> n = b.fixture.newClient())
        call(n.get(), QStringLiteral("stop"));
    waitUntil([&] { return !pidAlive(current); }, 60000);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    g_clock.start();
    // The fixture starts sluiced at --log-level debug; QT_LOGGING_RULES (applied after it, and
    // inherited) turns debug off again so the service is measured as it runs by default.
    qputenv("QT_LOGGING_RULES", "*.debug=false");

    Bench b;
    // One agent for every run: "sleep" sleeps (until interrupted), anything else is echoed.
    b.agent = b.fixture.writeAgentScript(QStringLiteral("agent.sh"),
                                         QStringLiteral("read -r line || true\n"
                                                        "[ \"$line\" = sleep ] && exec sleep 30\n"
                                                        "echo \"$line\""));
    if (b.agent.isEmpty() || !b.startService()) {
        std::fprintf(stderr, "sluice-bench-service: cannot start sluiced from %s\n",
                     qPrintable(ServiceFixture::binDir()));
        return 1;
    }
    const qint64 idleAtStart = rssKiB(b.fixture.pid());
    std::printf("sluice-bench-service: real sluiced (pid %lld), temporary HOME, %d CPU(s)\n\n",
                b.fixture.pid(), QThread::idealThreadCount());
    printHeader();
    benchIpcStatus(b);
    benchHttpStatus(b);
    benchDrainMarker(b);
    benchDrainRequest(b);
    benchTurnStart(b);
    benchMemory(b, idleAtStart);

    // Stop the first service before the stop runs start their own.
    call(b.requests.get(), QStringLiteral("stop"));
    b.fixture.waitForExit(60000);
    benchStop(b);

    // Containment: the strongest mode this host gives (cgroup as root) and the fallback.
    const QStringList modes =
        ::geteuid() == 0 ? QStringList{QStringLiteral("cgroup"), QStringLiteral("process-group")}
                         : QStringList{QStringLiteral("process-group")};
    std::printf("\n");
    printHeader();
    for (const QString &mode : modes) {
        benchStopWithTurns(b, mode, true);
        benchStopWithTurns(b, mode, false);
    }
    for (const QString &mode : modes)
        benchAgentsWithTurns(b, mode);
    benchHandoffRestart(b, 0);
    benchHandoffRestart(b, 20);
    std::printf("\n");
    benchRestartsUnderLoad(b);
    std::printf("\n");
    benchIdle(b, 30, 1000);

    b.requests.reset();
    b.subscriber.reset();
    b.fixture.killAll();
    return 0;
}
