#pragma once
#include "app/serviceoptions.h"
#include "handoff/handoffcontext.h"
#include "turns/turnprocess.h"

#include "sluice/paths.h"

#include <QObject>
#include <memory>
#include <optional>

namespace sluice {

class Containment;
class Gateway;
class GatewayDispatcher;
class HomeWatcher;
class HttpApi;
class InstanceLock;
class IpcServer;
class LifecycleController;
class PredecessorLink;
class RelayDispatcher;
class RestartHandoff;
class SessionResumer;
class SessionStore;
class ShutdownSequence;
class StatusWriter;
class StorageHealth;
class SupervisorLink;
class TurnManager;
class TurnOutputFeed;

// The composition root of sluiced: builds every component, hands each the few collaborators it
// needs, and runs the startup order:
//   lock -> state.db -> containment -> turns -> gateway + drain marker (before any turn) -> local
//   socket -> HTTP API -> service-manager link -> shutdown sequence + lifecycle -> first status
//   write.
// The one way out is the ShutdownSequence's finished(exitCode), handled by finishStop().
class ServiceApp : public QObject
{
    Q_OBJECT
public:
    // agentDefaults: what main() changed for sluiced (umask, descriptor limit) and agents get
    // back.
    // handoff: we are the successor of a hand-off restart (docs/lifecycle.md).
    ServiceApp(const ServiceOptions &options, const TurnProcess::AgentDefaults &agentDefaults,
               const std::optional<HandoffContext> &handoff = std::nullopt,
               QObject *parent = nullptr);
    ~ServiceApp() override;

    // -1 when the service is up (run the event loop), else the exit code (docs/reference.md §3).
    int start();

private:
    // Writes state startup_failed with the reason; returns exitCode.
    int failStartup(const QString &reason, int exitCode);
    void startHttp(int inheritedSocket);
    void connectFollowers(); // live turn output to IPC and HTTP followers
    bool startIpc(const QString &socketPath, int inheritedSocket, const QString &inheritedPath,
                  QString *error);
    // Wires the hand-off restart: ours to a successor, and (as a successor) the predecessor's.
    void setUpHandoff();
    // Serving begins: at once, or as a successor when the predecessor hands over.
    void serve();
    void recordPreviousStop();
    // The end of every stop, after the sequence wrote the final state and closed the
    // listeners: nothing of this process writes again, the lock goes, the event loop quits.
    void finishStop(int exitCode);

    ServiceOptions m_options;
    TurnProcess::AgentDefaults m_agentDefaults;
    std::optional<HandoffContext> m_handoff;
    HomePaths m_paths;
    std::unique_ptr<InstanceLock> m_lock;
    std::unique_ptr<Containment> m_containment;
    SessionStore *m_store = nullptr;
    StatusWriter *m_writer = nullptr;
    StorageHealth *m_storage = nullptr;
    TurnManager *m_turns = nullptr;
    TurnOutputFeed *m_output = nullptr; // live output for followers
    Gateway *m_gateway = nullptr;
    HomeWatcher *m_watcher = nullptr;
    GatewayDispatcher *m_dispatcher = nullptr;
    RelayDispatcher *m_relay = nullptr; // what the listeners talk to (relays after a hand-off)
    RestartHandoff *m_restartHandoff = nullptr;
    PredecessorLink *m_predecessor = nullptr;
    IpcServer *m_ipc = nullptr;
    HttpApi *m_http = nullptr;
    SupervisorLink *m_supervisor = nullptr;
    ShutdownSequence *m_sequence = nullptr;
    SessionResumer *m_resumer = nullptr;
    LifecycleController *m_lifecycle = nullptr;
    bool m_supervised = false;
    QStringList m_warnings; // conditions found at start that an operator must know about
    bool m_finished = false;
};

} // namespace sluice
