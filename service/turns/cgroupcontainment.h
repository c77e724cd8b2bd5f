#pragma once
#include "turns/containment.h"

#include <QHash>
#include <QJsonObject>
#include <QMutex>
#include <QStringList>

class QFileSystemWatcher;

namespace sluice {

// Linux cgroup v2: every turn in its own cgroup, entered by the child before exec, so not even
// its first fork is outside. Layout under the service's own cgroup (when that cgroup holds
// only sluiced, e.g. systemd with Delegate=yes) or under a per-instance `sluiced-<pid>` child
// of it (a cgroup shared with other processes, e.g. a root shell):
//   <base>/service       sluiced itself (cgroup v2: no processes in inner nodes)
//   <base>/turns/<id>    one turn: cgroup.kill, cgroup.events, cpu.stat, memory.*, pids.*
// "Empty" is cgroup.events `populated 0`, delivered by inotify, never polled.
class CgroupContainment : public Containment
{
public:
    // Null with a reason when no cgroup v2 subtree can be managed here.
    static std::unique_ptr<CgroupContainment> create(const TurnLimits &limits, QString *error);
    // A hand-off successor shares the predecessor's base (we start in its service leaf).
    static std::unique_ptr<CgroupContainment> adopt(const QJsonObject &state,
                                                    const TurnLimits &limits, QString *error);
    ~CgroupContainment() override;

    // The cgroup v2 mount point in /proc/self/mountinfo text; empty if none.
    static QString mountPoint(const QByteArray &mountinfo);
    // The v2 path ("0::/a/b" -> "/a/b") in /proc/self/cgroup text; empty if none.
    static QString ownPath(const QByteArray &procSelfCgroup);

    Mode mode() const override { return Mode::Cgroup; }
    QJsonObject describe() const override;
    TurnContainer *createContainer(const QString &turnId, QObject *parent) override;
    void release() override;
    void killAllNow() override;
    QJsonObject handOverState() const override;
    void handOver() override { m_shared = true; }
    void takeOwnership() override { m_shared = false; }
    void killForeignTurn(const QString &turnId, qint64 leaderPid) override;

private:
    CgroupContainment() = default;
    bool setUp(const TurnLimits &limits, QString *error);
    void sweepLeftovers(const QString &parent);

    QString m_original; // the cgroup sluiced started in
    QString m_base;
    bool m_ownBase = false; // m_base is a sluiced-<pid> folder we created
    QStringList m_controllers;
    TurnLimits m_limits;
    QFileSystemWatcher *m_events = nullptr; // every turn's cgroup.events
    bool m_released = false;
    bool m_shared = false; // the other generation of a hand-off uses m_base too
    mutable QMutex m_ownMutex;
    QStringList m_ownTurns; // cgroups of this process's turns (killAllNow: no one else's)
};

} // namespace sluice
