#pragma once
#include <QObject>

namespace sluice {

class PlannedStopWatcher;
class ServiceApp;
class SessionResumer;
class ShutdownSequence;
class SignalBridge;

// Wires the lifecycle part into the running service: the signal bridge and the planned-stop
// watcher feed stop requests into Gateway::requestStop() (which decides the cause once), the
// full ShutdownSequence replaces the minimal one, and the startup work runs (remove
// .clean_shutdown, resume resume-pending sessions, consume .restart_pending.json).
//
// Signals (Unix): SIGINT -> planned stop; SIGTERM/SIGHUP -> planned when the planned-stop
// marker names this process, else unexpected_signal; SIGUSR1 -> graceful restart. Once a stop
// has begun a signal never restarts it: a SIGINT/SIGTERM hurries it (skips the rest of the
// drain) — except the first SIGTERM/SIGINT after a stop begun by IPC, HTTP or the marker,
// which is the stopper's own signal (sluicectl stop writes the marker, then signals).
class LifecycleController : public QObject
{
    Q_OBJECT
public:
    explicit LifecycleController(ServiceApp *app);

    // Installs everything; call once when the app's parts exist (ServiceApp::aboutToServe).
    void install();
    ShutdownSequence *sequence() const { return m_sequence; }

    void handleSignal(int signalNumber);

private:
    void requestPlannedStop(bool restart);
    bool canStartStop() const;

    ServiceApp *m_app;
    ShutdownSequence *m_sequence = nullptr;
    SignalBridge *m_bridge = nullptr;
    PlannedStopWatcher *m_watcher = nullptr;
    SessionResumer *m_resumer = nullptr;
    bool m_installed = false;
    bool m_stopFromSignal = false;
    int m_signalsDuringStop = 0;
};

} // namespace sluice
