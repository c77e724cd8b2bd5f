#pragma once
#include <QJsonObject>
#include <QObject>
#include <QString>
#include <functional>
#include <memory>
#include <optional>

namespace sluice {

// What one turn's processes used, as far as the containment can measure it.
struct TurnUsage
{
    std::optional<double> cpuSeconds;      // user + system, every process the turn ever had
    std::optional<qint64> memoryBytes;     // now
    std::optional<qint64> memoryPeakBytes; // highest so far
    std::optional<qint64> processes;       // now

    QJsonObject
    toJson() const; // {cpu_s, memory_bytes, memory_peak_bytes, processes}; null = unknown
};

// Limits every turn runs under (0 = none). Only a cgroup can enforce them.
struct TurnLimits
{
    qint64 memoryMaxBytes = 0;
    qint64 pidsMax = 0;
    double cpuMax = 0; // CPUs, e.g. 0.5 or 2

    bool any() const { return memoryMaxBytes > 0 || pidsMax > 0 || cpuMax > 0; }
};

// One turn's box: every process the agent starts, however it daemonizes, is in it; the box
// can be signalled as a whole and says when it is empty.
//   prepare() -> QProcess start with childSetup() in the child -> attach(pid) ->
//   terminate()/kill() -> emptied() -> destroyed (the box is removed)
class TurnContainer : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    ~TurnContainer() override = default;

    // Before the agent starts. False with a reason: the turn fails, nothing runs.
    virtual bool prepare(QString *error) = 0;
    // Runs in the child between fork and exec: async-signal-safe calls only. Unix only.
    virtual std::function<void()> childSetup() = 0;
    // The agent runs as leaderPid (whose exit is the turn's outcome).
    virtual void attach(qint64 leaderPid) = 0;
    // The leader exited: from now on emptied() is what the turn waits for.
    virtual void leaderExited() = 0;
    virtual void terminate() = 0; // SIGTERM (or the platform's equivalent) to every process
    virtual void kill() = 0;      // every process, now, no way out
    virtual bool isEmpty() const = 0;
    virtual TurnUsage usage() const = 0;
    // Why the box's limits ended the turn ("memory limit of 64 MiB reached"), or empty.
    virtual QString limitReason() const = 0;

Q_SIGNALS:
    // Every process of the turn is gone. Emitted once, from the event loop.
    void emptied();
};

// How sluiced contains turns on this host (docs/reference.md §7): chosen once at start.
class Containment
{
public:
    enum class Mode { Auto, Cgroup, ProcessGroup, JobObject };

    virtual ~Containment() = default;

    // `requested`: Auto picks the strongest mode the host gives us. Null with a reason when
    // the requested mode (or a limit) cannot be had.
    // `adopt`: a predecessor's handOverState() (hand-off restart): share its containment.
    static std::unique_ptr<Containment> create(Mode requested, const TurnLimits &limits,
                                               QString *error, const QJsonObject &adopt = {});
    static QString modeName(Mode mode); // "cgroup", "process-group", "job-object", "auto"
    static bool parseMode(const QString &text, Mode *mode);

    virtual Mode mode() const = 0;
    // For status and doctor: {mode, cgroup?, controllers?, limits?, note?}.
    virtual QJsonObject describe() const = 0;
    virtual TurnContainer *createContainer(const QString &turnId, QObject *parent) = 0;
    // At exit, after every turn is gone: leave no trace (cgroups removed).
    virtual void release() = 0;
    // Kills every process of every turn of this process at once. Safe from any thread: the
    // stop watchdog calls it from its own right before _exit().
    virtual void killAllNow() = 0;

    // --- hand-off restart (docs/lifecycle.md) ---------------------------------------------
    // What a successor needs to share this containment (its create(..., adopt)).
    virtual QJsonObject handOverState() const { return {}; }
    // The successor took over: release() leaves what both share to it.
    virtual void handOver() {}
    // We are the successor and took over: what we share is ours to remove at release().
    virtual void takeOwnership() {}
    // A predecessor died mid-way: kill what its turn left behind (its cgroup, or the process
    // group of leaderPid).
    virtual void killForeignTurn(const QString &turnId, qint64 leaderPid) = 0;
};

} // namespace sluice
