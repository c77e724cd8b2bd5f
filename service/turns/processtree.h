#pragma once
#include <QList>
#include <QSet>
#include <QtGlobal>

namespace sluice {

// Process-tree helpers for turns. Every turn runs as the leader of its own session and
// process group (setsid), so its whole tree shares one session id, even children that
// double-fork away (they are reparented to sluiced, a child subreaper, but keep the sid).
namespace ProcessTree {

// Linux: prctl(PR_SET_CHILD_SUBREAPER). False (and a no-op) elsewhere.
bool becomeSubreaper();

// Live (non-zombie) processes whose session or process group is `sid`. Linux walks /proc;
// elsewhere returns an empty list (the group signal still reaches the tree).
QList<qint64> members(qint64 sid);

// Sends sig to the process group -sid and to every member found. Returns how many members
// (besides the group) were signalled.
int signalTree(qint64 sid, int sig);

// Reaps zombie children of this process that are NOT owned by a QProcess (orphans
// reparented to the subreaper). Never touches registered pids. Returns how many it reaped.
int reapOrphans();

// Every QProcess child of sluiced must be registered while its QProcess owns it, so the
// orphan reaper never steals its exit status (QProcess would report a crash).
void registerOwnedChild(qint64 pid);
void unregisterOwnedChild(qint64 pid);

} // namespace ProcessTree
} // namespace sluice
