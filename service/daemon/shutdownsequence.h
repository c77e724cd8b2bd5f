#pragma once
#include "shutdownreport.h"
#include "stopsequence.h"
#include "stopwatchdog.h"

#include "sluice/forensics.h"
#include "sluice/runtimestatus.h"

#include <QElapsedTimer>
#include <QList>
#include <QMetaObject>
#include <QString>
#include <functional>
#include <mutex>

class QTimer;

namespace sluice {

class ServiceApp;

// The full stop sequence of CONTRACT §6: ONE implementation for every stop source (IPC, HTTP,
// signals, the planned-stop marker, the service manager). Gateway::requestStop() decides the
// cause once and calls run() once; the phases then follow in order, each logged as
// "Shutdown phase: NAME at +S.SSs", published as a `shutdown_phase` event and recorded in
// logs/last-shutdown.json:
//   begin -> notify -> mark_resume -> drain -> interrupt -> disconnect -> persist -> exit.
// Every wait is event-driven (turn count changes, trees gone) with a timer as the bound.
// A StopWatchdog armed at `begin` cuts a hung stop short (see docs/lifecycle.md).
class ShutdownSequence : public StopSequence
{
    Q_OBJECT
public:
    explicit ShutdownSequence(ServiceApp *app, QObject *parent = nullptr);
    ~ShutdownSequence() override;

    void run(const StopRequest &request) override;
    bool isRunning() const { return m_started; }
    // A later SIGINT/SIGTERM: skip the rest of the drain; during the interrupt grace, kill now.
    void hurry();

    // Extra listeners to close (timed) in the disconnect phase, e.g. the HTTP server.
    void addListenerCloser(const QString &name, std::function<void()> close);

    QString currentPhase() const;
    const ShutdownReport &report() const { return m_report; }

    // The exit code of §3 for a cause (restart: 75 when supervised, else 0).
    static int exitCodeFor(StopCause cause, bool supervised);

Q_SIGNALS:
    void phaseStarted(const QString &phase, double atS);

private:
    bool enterPhase(const QString &name); // false: the test hang hook holds it here
    void phaseBegin();
    void phaseNotify();
    void phaseMarkResume();
    void phaseDrain();
    void finishDrain(const QString &why);
    void phaseInterrupt();
    void finishInterrupt();
    void phaseDisconnect();
    void phasePersist();
    void phaseExit();
    void onWatchdog(); // watchdog thread
    void refreshWatchdogStatus();
    ForensicsSnapshot::Context forensicsContext() const;

    ServiceApp *m_app;
    StopRequest m_request;
    bool m_started = false;
    bool m_supervised = false;
    bool m_hurry = false;
    bool m_drainDone = false;
    bool m_interruptDone = false;
    bool m_interruptedAny = false;
    double m_drainS = 0;
    int m_exitCode = 0;
    QString m_reason;    // "gateway shutting down" | "gateway restarting"
    QString m_hangPhase; // TEST-ONLY: SLUICE_TEST_HANG_PHASE
    ShutdownReport m_report;
    StopWatchdog m_watchdog;
    QTimer *m_drainTimer = nullptr;
    QTimer *m_graceTimer = nullptr;
    QMetaObject::Connection m_countConnection;
    QMetaObject::Connection m_stoppedConnection;
    QList<QPair<QString, std::function<void()>>> m_closers;

    // Shared with the watchdog thread.
    mutable std::mutex m_mutex;
    QString m_phase;
    RuntimeStatus m_lastStatus;
    QList<qint64> m_turnGroups; // leaders of running turns (each its own session/group)
    ForensicsSnapshot::Context m_forensicsContext;
    QString m_stateFile;
};

} // namespace sluice
