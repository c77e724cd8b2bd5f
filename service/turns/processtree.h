#pragma once
#include <QByteArray>
#include <QList>
#include <QtGlobal>

namespace sluice {

// Process helpers for turns on Unix. sluiced is the child subreaper of everything its turns
// leave behind (Linux), so double-forked descendants are reparented to it, not to init.
namespace ProcessTree {

// Linux: prctl(PR_SET_CHILD_SUBREAPER). False (and a no-op) elsewhere.
bool becomeSubreaper();

// One walk of the process table, for the process-group containment: which live processes
// belong to which turn. A turn's processes are those in its session or group, and every
// descendant of sluiced whose environment carries its SLUICE_TURN_ID (Linux reads
// /proc/PID/environ only for descendants; elsewhere: descendants not directly ours).
class Snapshot
{
public:
    static Snapshot take();
    QList<qint64> turnProcesses(qint64 sid, const QByteArray &turnId) const;
    // Every live descendant of sluiced (at the stop watchdog: all of them are the turns').
    QList<qint64> descendants() const;

private:
    struct Entry
    {
        qint64 pid;
        qint64 session;
        qint64 pgrp;
        bool descendant;
        QByteArray turnId; // SLUICE_TURN_ID of a descendant, when readable
    };
    QList<Entry> m_entries;
};

// Reaps zombie children that no QProcess owns (orphans reparented to the subreaper), without
// scanning the process table: waitid(WNOWAIT) shows the next zombie, which is reaped unless
// it is registered. Call on SIGCHLD and after an owned child was collected. Returns how many.
int reapOrphans();

// Every QProcess child of sluiced must be registered while its QProcess owns it, so the
// orphan reaper never steals its exit status (QProcess would report a crash).
void registerOwnedChild(qint64 pid);
void unregisterOwnedChild(qint64 pid);

} // namespace ProcessTree
} // namespace sluice
