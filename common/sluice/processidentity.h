#pragma once
#include <QString>
#include <QtGlobal>

namespace sluice {

// "Which process life is this?" — pid plus the OS start time (Linux: field 22 of
// /proc/<pid>/stat in clock ticks since boot, parsed after the last ')').
namespace ProcessIdentity {

qint64 currentPid();
// -1 when unknown (no /proc, no such pid, unreadable).
qint64 startTime(qint64 pid);
qint64 currentStartTime(); // computed once
// Parses the content of a /proc/<pid>/stat file; -1 when malformed. Exposed for tests.
qint64 startTimeFromStat(const QByteArray &statContent);
// Alive and not a zombie.
bool isAlive(qint64 pid);
// Alive, and when both start times are known they are equal.
bool isSameProcess(qint64 pid, qint64 expectedStartTime);

qint64 parentPid(qint64 pid);   // -1 when unknown
QString processName(qint64 pid); // comm; empty when unknown
QString commandLine(qint64 pid); // argv joined by spaces; empty when unknown
qint64 tracerPid(qint64 pid);   // TracerPid from /proc/<pid>/status; 0 none, -1 unknown

} // namespace ProcessIdentity
} // namespace sluice
