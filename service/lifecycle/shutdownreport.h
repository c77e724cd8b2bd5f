#pragma once
#include <QElapsedTimer>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <mutex>

namespace sluice {

// The record of one stop: logs/last-shutdown.json (docs/reference.md §2, §6)
// {cause, exit_code, started_at, total_s, interrupted, phases:[{name, at_s, duration_s}],
//  snapshot} plus `watchdog` when the watchdog cut the stop short.
// Offsets are seconds since start() on a monotonic clock. Each phase is logged as exactly
// "Shutdown phase: NAME at +S.SSs". Thread-safe: the stop watchdog writes it from its own
// thread when the event loop is stuck.
class ShutdownReport
{
public:
    struct Phase
    {
        QString name;
        double atS = 0;
        double durationS = -1; // -1 until the next phase begins (or the report is written)
    };

    explicit ShutdownReport(const QString &path);

    QString path() const { return m_path; }
    void start(const QString &cause); // the stop begins now; records started_at
    // Starts a phase: closes the previous one, logs the line, returns its offset in seconds.
    double beginPhase(const QString &name);
    double elapsedS() const;
    QList<Phase> phases() const;

    void setSnapshot(const QJsonObject &snapshot);
    void setInterrupted(bool interrupted);
    void setExitCode(int exitCode);
    // The watchdog fired: {fired_at_s, phase, limit_s, snapshot} and cause kept.
    void setWatchdog(const QJsonObject &watchdog);

    QJsonObject toJson() const;
    bool write(QString *error = nullptr) const; // atomic

    // "Shutdown phase: NAME at +S.SSs"
    static QString phaseLine(const QString &name, double atS);

private:
    QJsonObject toJsonLocked() const;

    QString m_path;
    mutable std::mutex m_mutex;
    QElapsedTimer m_timer;
    QString m_cause;
    QString m_startedAt;
    QList<Phase> m_phases;
    QJsonObject m_snapshot;
    QJsonObject m_watchdog;
    bool m_interrupted = false;
    int m_exitCode = -1;
};

} // namespace sluice
