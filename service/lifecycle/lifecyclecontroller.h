#pragma once
#include "sluice/paths.h"

#include <QObject>

namespace sluice {

class Gateway;
class HomeWatcher;
class PlannedStopWatcher;
class SessionResumer;
class ShutdownSequence;
class SignalBridge;

// Feeds the lifecycle's stop sources into Gateway::requestStop() (which decides the cause
// once) and runs the startup work: remove .clean_shutdown, resume resume-pending sessions,
// consume .restart_pending.json.
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
    LifecycleController(const HomePaths &paths, Gateway *gateway, ShutdownSequence *sequence,
                        SessionResumer *resumer, HomeWatcher *watcher, QObject *parent = nullptr);

    // Installs the signal handlers and the planned-stop watcher; call once, right before the
    // service starts serving. The resume runs from the event loop after the first status write.
    // resume: resume-pending sessions now (not in a hand-off successor: the predecessor still
    // runs those turns).
    void start(bool resume = true);

private:
    void handleSignal(int signalNumber);
    void requestPlannedStop(bool restart);
    bool canStartStop() const;

    HomePaths m_paths;
    Gateway *m_gateway;
    ShutdownSequence *m_sequence;
    SessionResumer *m_resumer;
    HomeWatcher *m_homeWatcher;
    SignalBridge *m_bridge = nullptr;
    PlannedStopWatcher *m_watcher = nullptr;
    bool m_stopFromSignal = false;
    int m_signalsDuringStop = 0;
};

} // namespace sluice
