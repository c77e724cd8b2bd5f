#pragma once
#include "gateway/stoprequest.h"
#include "turns/turnprocess.h"

#include <QDateTime>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QStringList>

class QTimer;

namespace sluice {

class Containment;
class Gateway;
class HandoffChannel;
class HttpApi;
class InstanceLock;
class IpcServer;
class PredecessorLink;
class RelayDispatcher;
class SessionStore;
class ShutdownSequence;
class StatusWriter;
class SupervisorLink;
class TurnManager;
class TurnOutputFeed;

// The predecessor's half of a hand-off restart (docs/lifecycle.md, "Hand-off restart"):
//   offer(restart)  -> flag our turns resume-pending, start the successor with our listening
//                      sockets, the lock and the channel; keep serving meanwhile
//   successor ready -> stop accepting, tell systemd its pid (MAINPID=), hand over the lock, the
//                      state file and the containment, relay our remaining connections to it,
//                      and finish our own turns (the stop sequence with StopRequest::handedOff),
//                      reporting them to the successor; exit 0
//   successor fails -> (exit 78, crash, not ready in time) keep serving as if no restart had
//                      been asked; status `restart_failed` and a `restart_failed` event say why
class RestartHandoff : public QObject
{
    Q_OBJECT
public:
    struct Dependencies
    {
        Gateway *gateway = nullptr;
        TurnManager *turns = nullptr;
        SessionStore *store = nullptr;
        StatusWriter *writer = nullptr;
        IpcServer *ipc = nullptr;
        HttpApi *http = nullptr; // null: no HTTP API
        InstanceLock *lock = nullptr;
        Containment *containment = nullptr;
        SupervisorLink *supervisor = nullptr;
        RelayDispatcher *relay = nullptr;
        ShutdownSequence *sequence = nullptr;
        PredecessorLink *predecessor = nullptr; // ours, while we are a successor
        TurnOutputFeed *output = nullptr;       // our turns' live output, for followers there
        bool supervised = false;
        bool disabled = false;     // --no-handoff
        QString plannedStopMarker; // a restart asked by marker consumes it at once
        double drainTimeoutS = 30;
        int readyTimeoutMs = 30000; // the successor must serve within this
        QStringList successorArguments;
        TurnProcess::AgentDefaults agentDefaults;
    };

    explicit RestartHandoff(const Dependencies &deps, QObject *parent = nullptr);
    ~RestartHandoff() override;

    // Gateway::RestartHandler: true when the restart is ours to carry out (also when it then
    // fails: we keep serving), false when it must be a classic drain-then-restart.
    bool offer(const StopRequest &request);
    // Why a hand-off cannot be done here (empty: it can).
    QString impossibleBecause() const;

private:
    enum class Phase { Idle, Starting, HandedOff, Finished };
    bool spawn(QString *error);
    void onMessage(const QString &type, const QJsonObject &message);
    void onChannelClosed();
    void takeOver(qint64 successorPid);
    void fail(const QString &reason);
    void abortStart(const QString &why);
    void collectSuccessor();
    void report();
    QJsonObject reportJson() const;
    void onStopFinished();

    Dependencies m_deps;
    Phase m_phase = Phase::Idle;
    StopRequest m_request;
    QDateTime m_requestedAt;
    qint64 m_successorPid = -1;
    int m_exitStatus = -1;
    QString m_failureReason; // what the successor said before it went
    bool m_deferred = false; // a restart waits for our own predecessor to be gone
    HandoffChannel *m_channel = nullptr;
    QTimer *m_readyTimer = nullptr;
    QTimer *m_reportTimer = nullptr;
    QStringList m_flagged; // turns flagged resume-pending for the hand-off
    QMetaObject::Connection m_flagNew;
    QMetaObject::Connection m_stopDuringStart;
};

} // namespace sluice
