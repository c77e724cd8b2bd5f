#pragma once
#include "sluice/ipcclient.h"
#include "sluice/runtimestatus.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QString>
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
class ServiceConnection : public QObject
{
    Q_OBJECT
public:
    explicit ServiceConnection(const QString &home, QObject *parent = nullptr);
    ~ServiceConnection() override;

    QString home() const { return m_home; }
    void start();

    // The state as the service says; when it cannot be asked: stopped or startup_failed if
    // gateway_state.json says so, else none (unreachable).
    std::optional<GatewayState> effectiveState() const { return m_effectiveState; }
    bool isReachable() const { return m_reachable; }
    QString detail() const { return m_detail; } // e.g. "not responding", "no service on socket"
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

    using Done = std::function<void(const IpcReply &)>;
    // Sends cmd (a Protocol::Cmd) with args; done (optional) runs once with the reply, a timeout
    // or a disconnect. A failure also emits actionFailed with a readable message.
    void send(const QString &cmd, const QJsonObject &args = {}, Done done = {});

Q_SIGNALS:
    // Any change of effectiveState / reachability / status fields.
    void statusChanged();
    void agentsChanged();
    void shutdownReportChanged();
    // The service announced it is shutting down (restart = it will come back).
    void shutdownAnnounced(bool restart);
    void restartFinished();
    void actionFailed(const QString &message);

private:
    void onConnected();
    void onDisconnected();
    void onEvent(const QString &name, const QJsonObject &event);
    void refreshShutdownReport();
    void applyStatus(const QJsonObject &status);
    void setStatus(const QJsonObject &status);
    void setUnreachable(const QString &detail);
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
    QString m_detail;
    bool m_reachable = false;
    bool m_heartbeatPending = false;
    int m_actionTimeoutMs = 8000;
    int m_heartbeatTimeoutMs = 3000;
    quint64 m_generation = 0; // bumps on every (re)connect: stale replies are ignored
};

} // namespace sluice::gui
