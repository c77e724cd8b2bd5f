#pragma once
#include "turns/containment.h"

namespace sluice {

// Where no cgroup can be had (an unprivileged shell, a locked-down container): each turn is
// its own session and process group, sluiced is the child subreaper of everything they
// leave, and every turn's environment carries SLUICE_TURN_ID, a tag that survives setsid.
// A kill takes the group, the session and every descendant of sluiced that carries the tag.
// What it cannot catch: a process that both leaves the session and clears its environment
// (docs/lifecycle.md). Emptiness is checked on a short timer once the leader has exited.
class ProcessGroupContainment : public Containment
{
public:
    Mode mode() const override { return Mode::ProcessGroup; }
    QJsonObject describe() const override;
    TurnContainer *createContainer(const QString &turnId, QObject *parent) override;
    void release() override {}
    void killAllNow() override {} // the watchdog kills each turn's process group itself
};

} // namespace sluice
