#include "sluice/drainmarker.h"

#include "sluice/logging.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonValue>

namespace sluice {

DrainMarker::DrainMarker(const QString &path, const QString &epoch, qint64 ttlSeconds)
    : m_path(path)
    , m_epoch(epoch)
    , m_ttlSeconds(ttlSeconds)
{}

bool DrainMarker::write(const QString &principal, bool suppressNotification, QString *error) const
{
    const QJsonObject o{{QStringLiteral("action"), QStringLiteral("drain")},
                        {QStringLiteral("requested_at"), isoUtcNow()},
                        {QStringLiteral("principal"), principal},
                        {QStringLiteral("epoch"), m_epoch},
                        {QStringLiteral("suppress_notification"), suppressNotification}};
    return writeJsonAtomically(m_path, o, error);
}

bool DrainMarker::clear() const
{
    return QFile::remove(m_path);
}

QDateTime DrainMarker::requestedAt() const
{
    const QFileInfo info(m_path);
    if (!info.exists())
        return {};
    const JsonFile f = read();
    if (f.isObject()) {
        const QDateTime at = QDateTime::fromString(
            f.object.value(QStringLiteral("requested_at")).toString(), Qt::ISODateWithMs);
        if (at.isValid())
            return at.toUTC();
    }
    return info.lastModified().toUTC();
}

JsonFile DrainMarker::read() const
{
    return readJsonFile(m_path);
}

DrainMarker::Decision DrainMarker::evaluate(const QDateTime &now) const
{
    Decision d;
    const QFileInfo info(m_path);
    if (!info.exists()) {
        d.verdict = Verdict::Absent;
        d.reason = QStringLiteral("no marker");
        return d;
    }

    // Rule 5 first, for every marker (corrupt ones too), by the file's mtime only: a
    // requested_at in the future must not keep a marker alive.
    if (m_ttlSeconds > 0) {
        const QDateTime mtime = info.lastModified().toUTC();
        const qint64 age = mtime.secsTo(now);
        if (mtime.isValid())
            d.expiresAt = mtime.addSecs(m_ttlSeconds + 1);
        if (mtime.isValid() && age > m_ttlSeconds) {
            d.verdict = Verdict::Expired;
            d.reason = QStringLiteral("marker is %1 s old, older than the TTL of %2 s")
                           .arg(age)
                           .arg(m_ttlSeconds);
            return d;
        }
    }

    const JsonFile f = read();
    if (f.status == JsonFile::Status::Absent) { // removed since the stat
        d.verdict = Verdict::Absent;
        d.reason = QStringLiteral("no marker");
        return d;
    }
    if (!f.isObject()) {
        // Rule 3: fail-safe toward draining.
        d.verdict = Verdict::Active;
        d.corrupt = true;
        d.reason = QStringLiteral("marker present but unreadable (%1): active").arg(f.error);
        return d;
    }
    d.content = f.object;

    if (m_epoch.isEmpty()) { // rule 4
        d.verdict = Verdict::Active;
        d.reason = QStringLiteral("current epoch unknown: presence only, active");
        return d;
    }
    const QJsonValue epoch = f.object.value(QLatin1String("epoch"));
    if (!epoch.isString() || epoch.toString().isEmpty()) { // rule 3: older writer
        d.verdict = Verdict::Active;
        d.reason = QStringLiteral("marker has no epoch: active");
        return d;
    }
    if (epoch.toString() == m_epoch) { // rule 1
        d.verdict = Verdict::Active;
        d.reason = QStringLiteral("marker epoch matches: active");
        return d;
    }
    d.verdict = Verdict::OtherEpoch; // rule 2
    d.reason = QStringLiteral("marker epoch %1 differs from the current %2: leftover of an "
                              "earlier instantiation")
                   .arg(epoch.toString(), m_epoch);
    return d;
}

const char *DrainMarker::verdictName(Verdict v)
{
    switch (v) {
    case Verdict::Absent:
        return "absent";
    case Verdict::Active:
        return "active";
    case Verdict::OtherEpoch:
        return "other_epoch";
    case Verdict::Expired:
        return "expired";
    }
    return "absent";
}

} // namespace sluice
