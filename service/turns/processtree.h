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

// The live processes of one process-group turn: those in session/group `sid`, and every
// descendant of sluiced whose environment carries `tag` ("SLUICE_TURN_ID=t-…"; Linux reads
// /proc/PID/environ only for descendants). One walk of the process table.
QList<qint64> turnProcesses(qint64 sid, const QByteArray &tag);

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
