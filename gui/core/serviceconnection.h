#pragma once
#include "core/traypresentation.h"

#include "sluice/ipcclient.h"
#include "sluice/runtimestatus.h"

#include <QElapsedTimer>

#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QStringList>
#include <optional>

class QTimer;

namespace sluice::gui {

// Fields of the `status` reply beyond gateway_state.json, which RuntimeStatus does not hold.
namespace StatusField {
inline constexpr char UptimeS[] = "uptime_s";
inline constexpr char DrainTimeoutS[] = "drain_timeout_s";
inline constexpr char Supervisor[] = "supervisor"; // {aligned, message, fix}
inline constexpr char Storage[] = "storage";       // {available, error, since}
inline constexpr char Warnings[] = "warnings";     // [text] found at start
} // namespace StatusField

// The tray's one link to sluiced (docs/reference.md §10), through the common IpcClient only.
// Reconnects by itself with backoff; on every connect it says hello, subscribes and asks for
// status, agents and the last shutdown report. Every request is asynchronous with a timeout;
// nothing here ever waits on the socket. A heartbeat notices a service that stopped answering
// (e.g. SIGSTOP) and reports it as unreachable ("not responding").
//
// Without an answer it tells apart, from gateway_state.json: a stopped service, one that is
// still starting, a HOME where no service ever ran (first run), and one that should run but
// does not answer. The last is "connecting" for a grace period and only then unreachable, so a
// normal start or a service-manager respawn raises no alarm.
class ServiceConnection : public QObject
{
    Q_OBJECT
public:
    explicit ServiceConnection(const QString &home, QObject *parent = nullptr);
    ~ServiceConnection() override;

    QString home() const { return m_home; }
    void start();

    // The state as the service says; when it cannot be asked: stopped or startup_failed if
    // gateway_state.json says so, starting while a service process is starting, else none
    // (offline() says why).
    std::optional<GatewayState> effectiveState() const { return m_effectiveState; }
    Offline offline() const { return m_offline; }
    bool isReachable() const { return m_reachable; }
    QString detail() const { return m_detail; } // e.g. "not responding"; always plain words
    // Whether the service's hello listed a command (e.g. "turns", "follow").
    bool hasFeature(const QString &cmd) const { return m_features.contains(cmd); }
    // The last status (may be stale): as RuntimeStatus, and whole for the StatusField extras.
    RuntimeStatus runtimeStatus() const { return m_runtime; }
    QJsonObject status() const { return m_status; }
    QJsonArray agents() const { return m_agents; }
    QJsonObject shutdownReport() const { return m_shutdownReport; }
    int activeAgents() const { return m_runtime.activeAgents; }
    bool accepting() const { return m_runtime.accepting; }
    qint64 pid() const { return m_runtime.pid; }

    // Timeouts (ms): actions (drain, stop, ...) and the heartbeat. Tests shorten them.
    void setActionTimeout(int ms) { m_actionTimeoutMs = ms; }
    void setHeartbeat(int intervalMs, int timeoutMs);
    // How long a service that should run may stay silent before it is called unreachable.
    void setGracePeriod(int ms) { m_graceMs = ms; }
    int gracePeriod() const { return m_graceMs; }

    using Done = std::function<void(const IpcReply &)>;
    // Sends cmd (a Protocol::Cmd) with args; done (optional) runs once with the reply, a timeout
    // or a disconnect. A failure also emits actionFailed with a readable message.
    void send(const QString &cmd, const QJsonObject &args = {}, Done done = {});
    // The same without actionFailed: for what the panel fetches by itself (lists, output),
    // whose failure is shown where the data would be.
    void query(const QString &cmd, const QJsonObject &args, Done done);
    // What the user calls a command in a message ("Drain", "Listing recent turns").
    static QString commandDisplayName(const QString &cmd);

Q_SIGNALS:
    // Any change of effectiveState / reachability / status fields.
    void statusChanged();
    void agentsChanged();
    void shutdownReportChanged();
    // The service announced it is shutting down (restart = it will come back).
    void shutdownAnnounced(bool restart);
    // handoff: the new process took over while this connection stayed (a hand-off restart,
    // docs/lifecycle.md): no disconnect, no stopped state came before it.
    void restartFinished(bool handoff);
    void actionFailed(const QString &message);
    // A turn changed state (event `turn`).
    void turnChanged(const QString &turnId, const QString &session, const QString &state,
                     const QJsonObject &event);
    // Output of a followed turn (event `turn_output`); skipped: bytes the service dropped for a
    // slow reader before this chunk.
    void turnOutput(const QString &turnId, const QString &stream, qint64 offset,
                    const QString &data, qint64 skipped);
    void connectedChanged(bool connected);

private:
    void onConnected();
    void onDisconnected();
    void onEvent(const QString &name, const QJsonObject &event);
    void refreshShutdownReport();
    void applyStatus(const QJsonObject &status);
    void setStatus(const QJsonObject &status);
    void setUnreachable(const QString &detail);
    void noteConnectFailure();
    void refreshServerName();
    void heartbeat();
    void recompute();

    QString m_home;
    IpcClient *m_client = nullptr;
    QTimer *m_heartbeat = nullptr;
    QTimer *m_offlinePoll = nullptr;
    QJsonObject m_status;
    RuntimeStatus m_runtime; // m_status parsed
    QJsonArray m_agents;
    QJsonObject m_shutdownReport;
    std::optional<GatewayState> m_effectiveState;
    Offline m_offline = Offline::Connecting;
    QStringList m_features;
    QString m_detail;
    QString m_lostDetail;          // why the connection went away (shown after the grace)
    QElapsedTimer m_silentSince;   // since the service last answered (or since start)
    QElapsedTimer m_failureLogged; // rate limit of the "cannot reach" log line
    int m_failuresUnlogged = 0;
    int m_graceMs = 8000;
    bool m_everConnected = false;
    bool m_closing = false;
    bool m_reachable = false;
    bool m_heartbeatPending = false;
    int m_actionTimeoutMs = 8000;
    int m_heartbeatTimeoutMs = 3000;
    quint64 m_generation = 0; // bumps on every (re)connect: stale replies are ignored
};

} // namespace sluice::gui
