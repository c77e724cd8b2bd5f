// The marker and state-file readers of common/: the input is the content of a file in HOME,
// read as the drain marker, the planned-stop marker, the restart marker and gateway_state.json.
#include "fuzzsupport.h"

#include "sluice/atomicjson.h"
#include "sluice/drainmarker.h"
#include "sluice/jsonnumber.h"
#include "sluice/lifecyclemarkers.h"
#include "sluice/plannedstopmarker.h"
#include "sluice/runtimestatus.h"

#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>

using namespace sluice;

namespace {

QString path;
constexpr qint64 SelfPid = 4242;
constexpr qint64 SelfStart = 987654;

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    fuzz::quietQt();
    static QTemporaryDir dir(fuzz::scratchTemplate()); // removed at exit
    if (!dir.isValid())
        std::abort();
    path = dir.filePath(QStringLiteral("marker.json"));
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray content = fuzz::bytes(data, size);
    {
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(content) != f.size())
            std::abort();
    }
    // A fixed "now" keeps runs repeatable (written_at and requested_at come from the input).
    const QDateTime now(QDate(2026, 11, 23), QTime(9, 30), Qt::UTC);

    const JsonFile file = readJsonFile(path);
    FUZZ_CHECK(file.exists());
    FUZZ_CHECK(file.isObject() || !file.error.isEmpty());

    for (const QString &epoch : {QStringLiteral("boot:1"), QString()}) {
        for (qint64 ttl : {qint64(0), qint64(3600)}) {
            const DrainMarker::Decision d = DrainMarker(path, epoch, ttl).evaluate(now);
            FUZZ_CHECK(d.verdict != DrainMarker::Verdict::Absent);
            FUZZ_CHECK(!d.reason.isEmpty());
            // Unreadable markers count as active (fail-safe toward draining).
            if (d.corrupt)
                FUZZ_CHECK(d.isActive());
        }
    }

    for (qint64 self : {SelfPid, qint64(-1)}) {
        const PlannedStopMarker::Probe p = PlannedStopMarker(path).probe(self, SelfStart, now);
        FUZZ_CHECK(p.verdict != PlannedStopMarker::Verdict::Absent);
        FUZZ_CHECK(p.targetPid == -1 || (p.targetPid >= 1 && p.targetPid <= MaxPid));
        if (p.verdict == PlannedStopMarker::Verdict::Self)
            FUZZ_CHECK(p.targetPid == self);
        if (p.verdict == PlannedStopMarker::Verdict::Malformed)
            FUZZ_CHECK(p.targetPid == -1);
    }

    const std::optional<RestartPending> restart = RestartPending::read(path);
    FUZZ_CHECK(restart.has_value()); // present, corrupt or not, is a request
    const RestartPending again = RestartPending::fromJson(restart->toJson());
    FUZZ_CHECK(again.requestedAt == restart->requestedAt && again.force == restart->force &&
               again.viaService == restart->viaService);

    if (file.isObject()) {
        // gateway_state.json: what fromJson() makes of anything survives a round trip.
        const RuntimeStatus s = RuntimeStatus::fromJson(file.object);
        FUZZ_CHECK(RuntimeStatus::fromJson(s.toJson()) == s);
        const QJsonObject written =
            QJsonDocument::fromJson(QJsonDocument(s.toJson()).toJson()).object();
        FUZZ_CHECK(RuntimeStatus::fromJson(written) == s);
        FUZZ_CHECK(s.pid == -1 || (s.pid >= 0 && s.pid <= MaxPid));
        FUZZ_CHECK(s.httpPort >= -1 && s.httpPort <= 65535);
        const DrainInfo d = DrainInfo::fromJson(file.object);
        FUZZ_CHECK(DrainInfo::fromJson(d.toJson()) == d);
    }
    return 0;
}
