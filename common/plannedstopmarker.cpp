#include "sluice/plannedstopmarker.h"

#include "sluice/jsonnumber.h"
#include "sluice/processidentity.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonValue>

namespace sluice {

namespace {

// Writers differ (sluicectl, the tray, a shell ExecStop=): accept numbers and numeric strings.
// -1 when missing, null, not a whole number or outside [min, max].
qint64 readInteger(const QJsonObject &o, const char *key, qint64 min, qint64 max,
                   bool *present = nullptr)
{
    const std::optional<qint64> n = jsonInteger(o.value(QLatin1String(key)), min, max, true);
    if (present)
        *present = n.has_value();
    return n.value_or(-1);
}

} // namespace

PlannedStopMarker::PlannedStopMarker(const QString &path)
    : m_path(path)
{}

bool PlannedStopMarker::write(qint64 targetPid, qint64 targetStartTime, bool restart,
                              QString *error) const
{
    const QJsonObject o{{QStringLiteral("target_pid"), targetPid},
                        {QStringLiteral("target_start_time"),
                         targetStartTime >= 0 ? QJsonValue(targetStartTime) : QJsonValue()},
                        {QStringLiteral("stopper_pid"), ProcessIdentity::currentPid()},
                        {QStringLiteral("written_at"), isoUtcNow()},
                        {QStringLiteral("restart"), restart}};
    return writeJsonAtomically(m_path, o, error);
}

PlannedStopMarker::Probe PlannedStopMarker::probe(qint64 selfPid, qint64 selfStartTime,
                                                  const QDateTime &now) const
{
    Probe p;
    const QFileInfo info(m_path);
    if (!info.exists()) {
        p.reason = QStringLiteral("no marker");
        return p;
    }
    const JsonFile f = readJsonFile(m_path);
    if (f.status == JsonFile::Status::Absent) {
        p.reason = QStringLiteral("no marker");
        return p;
    }

    // Age: written_at when readable, else the file's modification time.
    QDateTime written;
    if (f.isObject()) {
        written = QDateTime::fromString(f.object.value(QLatin1String("written_at")).toString(),
                                        Qt::ISODateWithMs);
    }
    const bool byWrittenAt = written.isValid();
    if (!byWrittenAt)
        written = info.lastModified();
    const qint64 ageS = written.isValid() ? written.toUTC().secsTo(now) : 0;
    const bool old = ageS > OtherTtlSeconds;
    if (written.isValid())
        p.expiresAt = written.toUTC().addSecs(OtherTtlSeconds + 1);

    bool hasPid = false;
    if (f.isObject()) {
        p.content = f.object;
        p.targetPid = readInteger(f.object, "target_pid", 1, MaxPid, &hasPid);
        p.targetStartTime =
            readInteger(f.object, "target_start_time", std::numeric_limits<qint64>::min(),
                        std::numeric_limits<qint64>::max());
        p.restart = f.object.value(QLatin1String("restart")).toBool(false);
    }
    if (!hasPid || p.targetPid <= 0) {
        p.verdict = old ? Verdict::Expired : Verdict::Malformed;
        p.reason = QStringLiteral("marker malformed (%1), %2 s old")
                       .arg(f.isObject() ? QStringLiteral("no valid target_pid") : f.error)
                       .arg(ageS);
        return p;
    }

    const bool startKnown = p.targetStartTime >= 0 && selfStartTime >= 0;
    if (p.targetPid == selfPid && (!startKnown || p.targetStartTime == selfStartTime)) {
        // Never expired by age: acting on it (or not) is the service's decision.
        p.verdict = Verdict::Self;
        p.reason = QStringLiteral("marker names this process (pid %1)").arg(selfPid);
        return p;
    }
    p.verdict = old ? Verdict::Expired : Verdict::Other;
    p.reason = QStringLiteral("marker names another process (pid %1, start %2), %3 s old by %4")
                   .arg(p.targetPid)
                   .arg(p.targetStartTime)
                   .arg(ageS)
                   .arg(byWrittenAt ? QStringLiteral("written_at") : QStringLiteral("mtime"));
    return p;
}

bool PlannedStopMarker::consume() const
{
    return QFile::remove(m_path);
}

const char *PlannedStopMarker::verdictName(Verdict v)
{
    switch (v) {
    case Verdict::Absent:
        return "absent";
    case Verdict::Self:
        return "self";
    case Verdict::Other:
        return "other";
    case Verdict::Expired:
        return "expired";
    case Verdict::Malformed:
        return "malformed";
    }
    return "absent";
}

} // namespace sluice
