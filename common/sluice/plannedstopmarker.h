#pragma once
#include "sluice/atomicjson.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>

namespace sluice {

// HOME/.gateway-planned-stop.json (docs/reference.md §5):
// {target_pid, target_start_time, stopper_pid, written_at, restart}.
class PlannedStopMarker
{
public:
    enum class Verdict {
        Absent,
        Self,     // names this process (pid equal, start time equal when both known)
        Other,    // names another process, not older than 60 s
        Expired,  // names another process (or is malformed) and is older than 60 s: remove it
        Malformed // unreadable / not JSON / no target_pid, younger than 60 s: leave it, do not act
    };
    struct Probe
    {
        Verdict verdict = Verdict::Absent;
        qint64 targetPid = -1;
        qint64 targetStartTime = -1;
        bool restart = false;
        QJsonObject content;
        QString reason;
        QDateTime expiresAt; // Other / Malformed: when it becomes Expired
    };

    static constexpr qint64 OtherTtlSeconds = 60;

    explicit PlannedStopMarker(const QString &path);
    QString path() const { return m_path; }

    // Written by the stopper before it signals the target. targetStartTime -1 = unknown.
    bool write(qint64 targetPid, qint64 targetStartTime, bool restart,
               QString *error = nullptr) const;
    // Does not consume. Age: written_at, or the file's mtime when written_at is unreadable.
    Probe probe(qint64 selfPid, qint64 selfStartTime,
                const QDateTime &now = QDateTime::currentDateTimeUtc()) const;
    // Removes the file; true when it removed one.
    bool consume() const;

    static const char *verdictName(Verdict v); // "absent","self","other","expired","malformed"

private:
    QString m_path;
};

} // namespace sluice
