#pragma once
#include "turns/containment.h"
#include "turns/processtree.h"

#include <QList>
#include <QObject>
#include <optional>

class QTimer;

namespace sluice {

class ProcessGroupContainer;

// Where no cgroup can be had (an unprivileged shell, a locked-down container): each turn is
// its own session and process group, sluiced is the child subreaper of everything they
// leave, and every turn's environment carries SLUICE_TURN_ID, a tag that survives setsid.
// A kill takes the group, the session and every descendant of sluiced that carries the tag.
// What it cannot catch: a process that both leaves the session and clears its environment
// (docs/containment.md). Whether a turn whose agent exited is empty is checked for every such
// turn at once, with one walk of the process table per 100 ms tick, only while one waits.
class ProcessGroupContainment : public QObject, public Containment
{
    Q_OBJECT
public:
    ProcessGroupContainment();

    Mode mode() const override { return Mode::ProcessGroup; }
    QJsonObject describe() const override;
    TurnContainer *createContainer(const QString &turnId, QObject *parent) override;
    void release() override {}
    void killAllNow() override;
    void killForeignTurn(const QString &turnId, qint64 leaderPid) override;

    // For the containers: one process-table walk serves every signal sent before control
    // returns to the event loop (an interrupt of 50 turns walks it once).
    const ProcessTree::Snapshot &snapshot();
    void waitForEmpty(ProcessGroupContainer *container);
    void forget(ProcessGroupContainer *container);

private:
    void tick();

    std::optional<ProcessTree::Snapshot> m_snapshot;
    QList<ProcessGroupContainer *> m_waiting;
    QTimer *m_timer;
};

} // namespace sluice
