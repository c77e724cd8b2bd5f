#pragma once
#include <QJsonObject>
#include <QString>

namespace sluice {

// The in-process forensics snapshot of docs/reference.md §8. take() never fails and never starts a
// child process: it reads only /proc (where present), the environment and the markers, and
// takes well under 1 ms (tests/bench/ measures it).
struct ForensicsSnapshot
{
    QString ts;               // ISO-8601 UTC
    qint64 tsMonotonicMs = 0; // QElapsedTimer::msecsSinceReference()
    QString signal;           // "SIGTERM", "signal#N", "UNKNOWN"
    int signalNum = 0;        // 0 = none
    qint64 pid = -1;
    qint64 ppid = -1;
    qint64 parentPid = -1;
    QString parentName;
    QString parentCmdline;
    bool underSystemd = false; // INVOCATION_ID set
    QString systemdInvocationId;
    double loadavg1m = -1;          // -1 unknown
    qint64 tracerPid = -1;          // -1 unknown, 0 none
    QString plannedStopMarker;      // "self", "other" or empty (key left out)
    bool drainMarkerActive = false; // "active" or key left out

    struct Context
    {
        int signalNum = 0;
        QString plannedStopMarkerPath; // parsed to decide self/other
        qint64 selfStartTime = -1;
        bool drainMarkerActive = false; // the service's own verdict
    };
    static ForensicsSnapshot take(const Context &context);

    QJsonObject toJson() const;
    // One line of key=value pairs, signal first, parent_cmdline= last.
    QString summaryLine() const;

    static QString signalName(int signalNum); // SIGTERM, signal#9999, UNKNOWN for 0
};

} // namespace sluice
