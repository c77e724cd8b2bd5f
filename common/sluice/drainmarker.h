#pragma once
#include "sluice/atomicjson.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>

namespace sluice {

// The external drain marker HOME/.drain_request.json (docs/reference.md §4).
// Content: {action:"drain", requested_at, principal, epoch, suppress_notification}.
class DrainMarker
{
public:
    enum class Verdict {
        Absent,     // no file
        Active,     // rule 1 (same epoch), rule 3 (no epoch / corrupt), rule 4 (no current epoch)
        OtherEpoch, // rule 2: leftover of an earlier instantiation; caller logs once and removes
        Expired     // rule 5: file mtime older than the TTL; caller removes
    };
    struct Decision
    {
        Verdict verdict = Verdict::Absent;
        bool corrupt = false; // present but not a readable JSON object
        QJsonObject content;  // the marker when readable
        QString reason;       // one line for the log, e.g. "epoch abc differs from xyz"
        QDateTime expiresAt;  // when the TTL makes a present marker stale; invalid: never
        bool isActive() const { return verdict == Verdict::Active; }
        bool isStale() const
        {
            return verdict == Verdict::OtherEpoch || verdict == Verdict::Expired;
        }
    };

    // epoch: the current instantiation epoch (may be empty: rule 4).
    // ttlSeconds: drain_marker_ttl; 0 = never expires.
    DrainMarker(const QString &path, const QString &epoch, qint64 ttlSeconds = 3600);

    QString path() const { return m_path; }

    // Stamps epoch, requested_at (ISO-8601 UTC), principal and suppress_notification.
    bool write(const QString &principal, bool suppressNotification, QString *error = nullptr) const;
    // Idempotent. Returns true when it removed a file.
    bool clear() const;
    JsonFile read() const;
    // Applies the five rules, TTL first. `now` is injectable for tests.
    Decision evaluate(const QDateTime &now = QDateTime::currentDateTimeUtc()) const;

    static const char *verdictName(Verdict v); // "absent", "active", "other_epoch", "expired"

    // When the drain was asked for: the marker's requested_at, else the file's modification
    // time; invalid when there is no file. What "a drain left from before" reports as its age.
    QDateTime requestedAt() const;

private:
    QString m_path;
    QString m_epoch;
    qint64 m_ttlSeconds;
};

} // namespace sluice
