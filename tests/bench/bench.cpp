// Micro-benchmarks of the hot or latency-critical parts of common/: the forensics snapshot
// taken at the start of every stop (§8: "well under 1 ms"), the IPC framing, and the
// atomic JSON write every state change goes through.
#include "sluice/atomicjson.h"
#include "sluice/drainmarker.h"
#include "sluice/epoch.h"
#include "sluice/forensics.h"
#include "sluice/ipcframing.h"
#include "sluice/plannedstopmarker.h"
#include "sluice/processidentity.h"
#include "sluice/timespan.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QTemporaryDir>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <functional>
#include <vector>

using namespace sluice;

namespace {

struct Stats
{
    double medianUs = 0;
    double p99Us = 0;
    double maxUs = 0;
};

// Runs fn `runs` times (after a short warm-up) and returns per-call latency percentiles.
Stats measure(int runs, const std::function<void()> &fn)
{
    for (int i = 0; i < qMin(runs / 10 + 1, 50); ++i)
        fn();
    std::vector<qint64> ns;
    ns.reserve(size_t(runs));
    QElapsedTimer t;
    for (int i = 0; i < runs; ++i) {
        t.start();
        fn();
        ns.push_back(t.nsecsElapsed());
    }
    std::sort(ns.begin(), ns.end());
    Stats s;
    s.medianUs = double(ns[ns.size() / 2]) / 1000.0;
    s.p99Us = double(ns[std::min(ns.size() - 1, size_t(double(ns.size()) * 0.99))]) / 1000.0;
    s.maxUs = double(ns.back()) / 1000.0;
    return s;
}

void row(const char *name, int runs, const Stats &s)
{
    std::printf("%-42s %8d %12.1f %12.1f %12.1f\n", name, runs, s.medianUs, s.p99Us, s.maxUs);
}

// Encodes `count` frames of about `bodySize` bytes, then decodes them; MiB/s of frame bytes
// for each direction and for the round trip.
struct Throughput
{
    double encode = 0;
    double decode = 0;
    double both = 0;
};
Throughput framingThroughput(int bodySize, int count)
{
    const QJsonObject o{
        {"v", 1}, {"event", "turn"}, {"output", QString(bodySize, QLatin1Char('x'))}};
    std::vector<QByteArray> frames;
    frames.reserve(size_t(count));
    qint64 bytes = 0;
    QElapsedTimer t;
    t.start();
    for (int i = 0; i < count; ++i) {
        frames.push_back(Framing::encode(o));
        bytes += frames.back().size();
    }
    const double encodeS = double(t.nsecsElapsed()) / 1e9;
    FrameDecoder decoder(Framing::MaxServerFrame);
    int decoded = 0;
    t.start();
    for (const QByteArray &frame : frames) {
        decoder.feed(frame);
        QJsonObject out;
        while (decoder.next(&out) == FrameDecoder::Result::Frame)
            ++decoded;
    }
    const double decodeS = double(t.nsecsElapsed()) / 1e9;
    if (decoded != count)
        std::fprintf(stderr, "framing: decoded %d of %d frames\n", decoded, count);
    const double mib = double(bytes) / (1024.0 * 1024.0);
    return {mib / encodeS, mib / decodeS, mib / (encodeS + decodeS)};
}

void throughputRow(const char *name, int count, const Throughput &t)
{
    std::printf("%-42s %8d %12.1f %12.1f %12.1f\n", name, count, t.encode, t.decode, t.both);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTemporaryDir dir;
    if (!dir.isValid()) {
        std::fprintf(stderr, "cannot create a temporary folder\n");
        return 1;
    }
    const QString plannedStop = dir.filePath(QStringLiteral(".gateway-planned-stop.json"));
    // The realistic stop: a marker naming this process exists and must be parsed.
    PlannedStopMarker(plannedStop)
        .write(ProcessIdentity::currentPid(), ProcessIdentity::currentStartTime(), false);

    ForensicsSnapshot::Context ctx;
    ctx.signalNum = SIGTERM;
    ctx.plannedStopMarkerPath = plannedStop;
    ctx.selfStartTime = ProcessIdentity::currentStartTime();
    ctx.drainMarkerActive = true;

    std::printf("%-42s %8s %12s %12s %12s\n", "operation", "runs", "median us", "p99 us", "max us");
    std::printf("%s\n", QByteArray(90, '-').constData());

    const int snapshotRuns = 2000;
    row("ForensicsSnapshot::take", snapshotRuns,
        measure(snapshotRuns, [&] { (void)ForensicsSnapshot::take(ctx); }));
    ForensicsSnapshot::Context noMarker = ctx;
    noMarker.plannedStopMarkerPath = dir.filePath(QStringLiteral("absent.json"));
    row("ForensicsSnapshot::take (no marker)", snapshotRuns,
        measure(snapshotRuns, [&] { (void)ForensicsSnapshot::take(noMarker); }));
    const ForensicsSnapshot snap = ForensicsSnapshot::take(ctx);
    row("ForensicsSnapshot::summaryLine", snapshotRuns,
        measure(snapshotRuns, [&] { (void)snap.summaryLine(); }));
    row("ForensicsSnapshot::toJson + serialize", snapshotRuns, measure(snapshotRuns, [&] {
            (void)QJsonDocument(snap.toJson()).toJson(QJsonDocument::Compact);
        }));

    const QString drainPath = dir.filePath(QStringLiteral(".drain_request.json"));
    const DrainMarker drain(drainPath, InstantiationEpoch::current());
    drain.write(QStringLiteral("bench"), false);
    row("DrainMarker::evaluate (present)", 2000, measure(2000, [&] { (void)drain.evaluate(); }));
    row("parseSystemdTimespanUs(\"1min 30.5s\")", 20000,
        measure(20000, [] { (void)parseSystemdTimespanUs(u"1min 30.5s"); }));

    const QString statePath = dir.filePath(QStringLiteral("gateway_state.json"));
    QJsonObject state{{"state", "running"}, {"pid", 1234}, {"active_agents", 3}};
    int n = 0;
    row("writeJsonAtomically (fsync file + folder)", 200, measure(200, [&] {
            state.insert(QStringLiteral("n"), ++n);
            writeJsonAtomically(statePath, state);
        }));

    std::printf("\n%-42s %8s %12s %12s %12s\n", "framing throughput (MiB/s)", "frames", "encode",
                "decode", "both");
    std::printf("%s\n", QByteArray(90, '-').constData());
    throughputRow("1 KiB frames", 20000, framingThroughput(1024, 20000));
    throughputRow("1 MiB frames", 40, framingThroughput(1 << 20, 40));
    return 0;
}
