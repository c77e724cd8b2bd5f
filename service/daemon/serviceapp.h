#pragma once
#include "serviceoptions.h"
#include "stopsequence.h"

#include "sluice/paths.h"

#include <QObject>
#include <memory>

class QTimer;

namespace sluice {

class Gateway;
class GatewayDispatcher;
class HomeWatcher;
class InstanceLock;
class IpcServer;
class SessionStore;
class StatusWriter;
class TurnManager;

// Builds and owns every part of sluiced and runs the startup order:
//   HOME + logs -> lock -> state.db -> drain marker (before any turn) -> socket listens ->
//   lifecycle hook -> first status write (running | draining) -> serve.
// Exit codes from start(): 0 ok (serving), 1 already running / cannot start, 78 usage.
class ServiceApp : public QObject
{
    Q_OBJECT
public:
    explicit ServiceApp(const ServiceOptions &options, QObject *parent = nullptr);
    ~ServiceApp() override;

    // Returns -1 when the service is up (run the event loop), else the exit code.
    int start();

    const ServiceOptions &options() const { return m_options; }
    const HomePaths &paths() const { return m_paths; }
    Gateway *gateway() const { return m_gateway; }
    TurnManager *turns() const { return m_turns; }
    SessionStore *store() const { return m_store; }
    IpcServer *ipcServer() const { return m_ipc; }
    HomeWatcher *homeWatcher() const { return m_watcher; }
    StatusWriter *statusWriter() const { return m_writer; }
    GatewayDispatcher *dispatcher() const { return m_dispatcher; }
    InstanceLock *lock() const { return m_lock.get(); }

    // Replaces the stop sequence (the lifecycle part installs the full §6 sequence).
    void setStopSequence(StopSequence *sequence);

    // The end of every stop: writes the final state synchronously (the caller has set state,
    // exit code and desired state through Gateway::markStopped, or this does it with
    // defaults), closes the socket and state.db, releases the lock and quits the event loop
    // with exitCode. Safe to call once; later calls are ignored.
    void finishStop(int exitCode);
    // Starts a replacement sluiced with the same arguments (restart without a service
    // manager). It waits for our lock (--lock-wait) while we exit.
    bool spawnReplacement();

Q_SIGNALS:
    // Emitted right after the socket listens, before the first status write; the lifecycle
    // part connects here (or uses installLifecycle) for its startup work.
    void aboutToServe();

private:
    int failStartup(const QString &reason); // writes state startup_failed; returns 1

    ServiceOptions m_options;
    HomePaths m_paths;
    std::unique_ptr<InstanceLock> m_lock;
    SessionStore *m_store = nullptr;
    StatusWriter *m_writer = nullptr;
    TurnManager *m_turns = nullptr;
    Gateway *m_gateway = nullptr;
    GatewayDispatcher *m_dispatcher = nullptr;
    IpcServer *m_ipc = nullptr;
    HomeWatcher *m_watcher = nullptr;
    MinimalStopSequence *m_minimalStop = nullptr;
    bool m_finished = false;
};

} // namespace sluice
