#pragma once
#include <QByteArray>
#include <QList>
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
// The fields of /proc/<pid>/stat this project uses.
struct ProcStat
{
    qint64 pid = -1;
    char state = '?'; // R, S, D, Z, ...
    qint64 ppid = -1;
    qint64 pgrp = -1;
    qint64 session = -1;
    qint64 startTime = -1; // field 22; -1 when missing
    QByteArray comm;       // the name between the parentheses
};
// Parses the content of a /proc/<pid>/stat file (comm may contain spaces and ')').
bool parseStat(const QByteArray &statContent, ProcStat *out);
// Every process /proc lists, in pid order (Linux); empty elsewhere. Processes that exit during
// the walk are left out.
QList<ProcStat> processTable();
// Alive and not a zombie.
bool isAlive(qint64 pid);
// Alive, and when both start times are known they are equal.
bool isSameProcess(qint64 pid, qint64 expectedStartTime);

qint64 parentPid(qint64 pid);    // -1 when unknown
QString processName(qint64 pid); // comm; empty when unknown
QString commandLine(qint64 pid); // argv joined by spaces; empty when unknown
qint64 tracerPid(qint64 pid);    // TracerPid from /proc/<pid>/status; 0 none, -1 unknown

} // namespace ProcessIdentity
} // namespace sluice
