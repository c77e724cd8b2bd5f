#pragma once
#include "gateway/stopoutcome.h"
#include "gateway/stoprequest.h"
#include "lifecycle/shutdownreport.h"
#include "lifecycle/stopwatchdog.h"

#include "sluice/forensics.h"
#include "sluice/paths.h"
#include "sluice/runtimestatus.h"

#include <QList>
#include <QMetaObject>
#include <QString>
#include <QStringList>
#include <mutex>

class QTimer;

namespace sluice {

class Containment;
class Gateway;
class HttpApi;
class IpcServer;
class PredecessorLink;
class SessionStore;
class StatusWriter;
class TurnManager;

// The stop sequence of docs/reference.md §6: the one implementation for every stop source
// (IPC, HTTP, signals, the planned-stop marker, the service manager). Gateway::requestStop()
// decides the cause once and emits stopRequested, which runs this once; the phases then follow
// in order, each logged as "Shutdown phase: NAME at +S.SSs", published as a `shutdown_phase`
// event and recorded in logs/last-shutdown.json:
//   begin -> notify -> mark_resume -> drain -> interrupt -> disconnect -> persist -> exit.
// Every wait is event-driven (turn count changes, trees gone) with a timer as the bound.
// A StopWatchdog armed at `begin` cuts a hung stop short. The sequence ends by emitting
// finished(exitCode) with the final state on disk and every listener closed.
// After a hand-off restart (StopRequest::handedOff) the same phases finish what the
// predecessor has: no `shutdown` notice (nobody loses service), queued turns still start,
// the listeners are released (not removed: the successor serves on them), and neither
// gateway_state.json nor the restart files are written; the exit code is 0.
class ShutdownSequence : public QObject
{
    Q_OBJECT
public:
    struct Dependencies
    {
        HomePaths paths;
        Gateway *gateway = nullptr;
        TurnManager *turns = nullptr;
        SessionStore *store = nullptr;
        StatusWriter *writer = nullptr;
        IpcServer *ipc = nullptr;
        HttpApi *http = nullptr; // null: no HTTP API
        Containment *containment = nullptr;
        PredecessorLink *predecessor = nullptr; // a hand-off predecessor we wait for
        double drainTimeoutS = 30;
        double interruptGraceS = 5;
        bool supervised = false;        // decided at start (RestartPolicy::isSupervised)
        QStringList successorArguments; // a self-restart starts sluiced with these
    };

    explicit ShutdownSequence(const Dependencies &deps, QObject *parent = nullptr);
    ~ShutdownSequence() override;

    void run(const StopRequest &request);
    // A later SIGINT/SIGTERM: skip the rest of the drain; during the interrupt grace, kill now.
    void hurry();
    // After a hand-off the successor may stop within its own budget: our drain must end by
    // then too (ms from now).
    void limitDrain(qint64 ms);

Q_SIGNALS:
    // The final state is written and the listeners are closed: release and exit with exitCode.
    void finished(int exitCode);

private:
    bool enterPhase(const QString &name); // false: an injected fault holds the stop here
    void phaseBegin();
    void phaseNotify();
    void phaseMarkResume();
    void phaseDrain();
    void finishDrain(const QString &why);
    void phaseInterrupt();
    void finishInterrupt();
    void queueDisconnect();
    void phaseDisconnect();
    void lingerThenClose();
    void closeConnections();
    void phasePersist();
    void persistHandedOff();
    void phaseExit();
    void onWatchdog(); // watchdog thread
    void refreshWatchdogStatus();
    QString currentPhase() const;
    double drainTimeoutS() const; // 0 for a force-restart
    ForensicsSnapshot::Context forensicsContext() const;

    Dependencies m_deps;
    StopRequest m_request;
    bool m_started = false;
    bool m_hurry = false;
    bool m_handedOff = false;   // the successor serves: finish our turns, write no state file
    qint64 m_drainLimitMs = -1; // from limitDrain(), before the drain began
    bool m_drainDone = false;
    bool m_interruptDone = false;
    bool m_disconnectQueued = false;
    bool m_interruptedAny = false;
    double m_drainS = 0;
    int m_exitCode = 0;
    StopOutcome m_watchdogOutcome; // decided at begin, read by the watchdog thread
    QString m_reason;              // "gateway shutting down" | "gateway restarting"
    QString m_hangPhase;
    ShutdownReport m_report;
    StopWatchdog m_watchdog;
    QTimer *m_drainTimer = nullptr;
    QTimer *m_graceTimer = nullptr;
    QMetaObject::Connection m_countConnection;
    QMetaObject::Connection m_predecessorConnection;
    QMetaObject::Connection m_predecessorGoneConnection;
    QMetaObject::Connection m_stoppedConnection;

    // Shared with the watchdog thread.
    mutable std::mutex m_mutex;
    QString m_phase;
    RuntimeStatus m_lastStatus;
    QList<qint64> m_turnGroups; // leaders of running turns (each its own session/group)
    ForensicsSnapshot::Context m_forensicsContext;
};

} // namespace sluice
