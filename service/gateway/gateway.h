#pragma once
#include "gateway/stopoutcome.h"
#include "gateway/stoprequest.h"
#include "turns/turnmanager.h"

#include "sluice/drainmarker.h"
#include "sluice/paths.h"
#include "sluice/runtimestatus.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <functional>
#include <optional>

class QTimer;

namespace sluice {

class StatusWriter;
class StorageHealth;
class TurnManager;

// THE state machine of sluiced: starting -> running <-> draining -> stopping -> stopped.
// It owns the accepting gate, the drain (IPC/HTTP requests and the marker file), the runtime
// status (published to gateway_state.json through StatusWriter and to subscribers through
// eventPublished) and decides when a stop begins (stopRequested; the composition root runs the
// one ShutdownSequence on it).
// Rules: enter/exit drain are idempotent (no change -> no event); a stop always wins and
// nothing ever moves a stopping service back to running or draining.
class Gateway : public QObject
{
    Q_OBJECT
public:
    struct Config
    {
        HomePaths paths;
        QString epoch;
        qint64 drainMarkerTtlS = 3600;
        double drainTimeoutS = 30;
        double interruptGraceS = 5;
        bool supervised = false;
        QString socket;
        int httpPort = -1;
        QJsonObject containment; // Containment::describe(): {mode, ...}
        QStringList warnings;    // found at start, e.g. a corrupt state.db moved aside
    };

    Gateway(const Config &config, TurnManager *turns, StatusWriter *writer, StorageHealth *storage,
            QObject *parent = nullptr);

    // --- startup -------------------------------------------------------------------------
    // Reads the drain marker (rules of §4) before anything is accepted; sets the initial drain.
    void evaluateMarkerAtStart();
    // starting -> running (or draining if the marker said so); the first status write.
    void startServing();

    // --- state ---------------------------------------------------------------------------
    GatewayState state() const { return m_status.state; }
    bool isAccepting() const { return m_status.accepting; }
    bool isDraining() const { return m_status.state == GatewayState::Draining; }
    bool isStopping() const { return sluice::isStopping(m_status.state); }
    const RuntimeStatus &runtimeStatus() const { return m_status; }
    // The `status` reply / event: gateway_state.json fields + uptime_s, drain_timeout_s,
    // supervisor.
    QJsonObject statusJson() const;
    // {agents: [...]}: the `agents` reply carries each turn's usage; the event does not.
    QJsonObject agentsJson(TurnManager::Usage usage = TurnManager::Usage::With) const;
    QJsonObject metricsJson() const;
    DrainMarker drainMarker() const;

    // --- drain ---------------------------------------------------------------------------
    // Closes the gate, THEN writes the marker (when asked). Returns false when nothing
    // changed (already draining or stopping): no event then.
    bool enterDrain(const DrainInfo &info, bool writeMarker);
    // Removes the marker (when asked) and goes back to running unless stopping.
    // Returns whether it was draining.
    bool cancelDrain(bool removeMarker);
    // Re-reads the marker: appearing -> drain, vanishing -> running, stale -> log once, remove.
    void reevaluateMarker();

    // --- the gate ------------------------------------------------------------------------
    enum class Admission { Accepted, Draining, Stopping, StorageUnavailable };
    Admission admit(bool internal) const;

    // --- stop ----------------------------------------------------------------------------
    // First request wins: moves to `stopping`, closes the gate, emits stopBegan, then
    // stopRequested once (from the event loop, so the caller's reply goes first after the
    // status events it caused). Returns false when a stop had already begun.
    bool requestStop(const StopRequest &request);
    std::optional<StopRequest> stopRequest() const { return m_stopRequest; }
    qint64 msSinceStopBegan() const;

    // For the stop sequence: final values of the state file (persist phase).
    void markStopped(const StopOutcome &outcome);
    // Synchronous write of the current status; false (with the reason) when it failed.
    bool flushStatus(QString *error = nullptr);
    // Why the last drain marker write failed; empty when the marker is on disk.
    QString markerError() const { return m_markerError; }

    // --- hand-off restart (docs/lifecycle.md) ---------------------------------------------
    // Offered every restart request (not force-restarts) before it becomes a stop: true when
    // it took the request (a hand-off runs; this process keeps serving until the successor
    // does), false to restart the classic way.
    using RestartHandler = std::function<bool(const StopRequest &)>;
    void setRestartHandler(RestartHandler handler) { m_restartHandler = std::move(handler); }
    // The predecessor still finishing its turns: `predecessor` {pid, running, queued,
    // deadline} in status, its turns in agents. An empty object: it is gone.
    void setPredecessor(const QJsonObject &predecessor, const QJsonArray &agents);
    // Why the last restart could not hand over (status `restart_failed`); cleared by the next
    // one that does.
    void setRestartFailure(const QJsonObject &failure);

    // --- what other components report ----------------------------------------------------
    void setSupervisorInfo(const QJsonObject &supervisor); // {aligned, timeout_stop_us, ...}
    void setHttpPort(int port);
    // Durations for metrics (lifecycle reports them; at start they come from last-shutdown).
    void recordStopDurations(std::optional<double> drainS, std::optional<double> totalS);
    // Sends an event to every subscriber (shutdown_phase, shutdown, restart_finished, ...).
    void publishEvent(const QString &name, const QJsonObject &fields);
    // Re-publishes status if anything changed (also called when the active count changes).
    void publish();

Q_SIGNALS:
    void stateChanged(sluice::GatewayState state);
    void activeAgentsChanged(int count);
    void stopBegan(sluice::StopCause cause);
    // Once per process, from the event loop after stopBegan: run the stop sequence now.
    void stopRequested(const sluice::StopRequest &request);
    // Every event for subscribers, in order: status, agents, turn, shutdown_phase, ...
    void eventPublished(const QString &name, const QJsonObject &fields);

private:
    void setState(GatewayState state);
    void logStaleOnce(const DrainMarker::Decision &decision);

    Config m_config;
    TurnManager *m_turns;
    StatusWriter *m_writer;
    StorageHealth *m_storage;
    QString m_markerError;
    QTimer *m_markerExpiry; // fires when an active marker's TTL runs out
    RuntimeStatus m_status;
    RuntimeStatus m_published; // what subscribers last saw (updatedAt ignored)
    bool m_everPublished = false;
    bool m_serving = false;
    bool m_drainWithoutMarker = false; // the marker could not be written: keep the drain
    QString m_lastStaleLogged;
    // The drain this process started with, from a marker already there (status drain.leftover).
    struct Leftover
    {
        QString principal;
        QDateTime requestedAt;
    };
    std::optional<Leftover> m_leftover;
    std::optional<StopRequest> m_stopRequest;
    QElapsedTimer m_uptime;
    QElapsedTimer m_stopTimer;
    QElapsedTimer m_drainTimer;
    QJsonObject m_supervisor;
    RestartHandler m_restartHandler;
    QJsonObject m_predecessor;
    QJsonArray m_predecessorAgents;
    QJsonObject m_restartFailure;
    std::optional<double> m_lastDrainS;
    std::optional<double> m_lastStopS;
    std::optional<double> m_lastDrainPeriodS;
};

} // namespace sluice
