#pragma once
#include "turns/turninfo.h"
#include "turns/turnprocess.h"

#include <QHash>
#include <QJsonArray>
#include <QList>
#include <QObject>
#include <QProcessEnvironment>
#include <QSet>
#include <QStringList>
#include <optional>

class QTimer;

namespace sluice {

class Containment;
class SessionStore;
class TurnProcess;

// Runs turns (docs/reference.md §7): one running turn per session with a FIFO queue per session, at
// most maxConcurrent running overall, each as its own process tree (TurnProcess).
// It has no idea of the gate: the Gateway decides what may be submitted.
class TurnManager : public QObject
{
    Q_OBJECT
public:
    struct Config
    {
        QStringList agentCommand; // program + args
        QString home;             // SLUICE_HOME for the agent
        int maxConcurrent = 8;
        int interruptGraceMs = 5000;
        TurnProcess::AgentDefaults agentDefaults; // umask and fd limit agents start with
    };
    struct SubmitOptions
    {
        bool internal = false; // resumed by the service; not refused while draining
        quint64 clientId = 0;
        QHash<QString, QString> extraEnv; // e.g. SLUICE_RESUME=1 for resumed turns
        QString idempotencyKey;           // recorded with the turn (see turnForKey)
    };

    // containment: how each turn's processes are held (not owned; outlives the manager).
    TurnManager(const Config &config, SessionStore *store, Containment *containment,
                QObject *parent = nullptr);
    ~TurnManager() override;

    // Queues a turn and starts it when its session and a slot are free. Returns the turn id,
    // or an empty string (and nothing queued) when the turn cannot be stored.
    QString submit(const QString &session, const QString &text, const SubmitOptions &options);
    // The turn a `send` with this idempotency key started in the last 24 h, or empty.
    QString turnForKey(const QString &idempotencyKey) const;
    QString storeError() const; // why the store last failed a write

    std::optional<TurnInfo> turn(const QString &id) const; // memory, then state.db
    QList<TurnInfo> runningTurns() const;                  // oldest first
    QList<TurnInfo> queuedTurns() const;
    int runningCount() const;
    int queuedCount() const;
    int liveTreeCount() const; // processes not yet fully gone (running or being cleaned up)
    // Running turns, oldest first; with `usage`, what each one's processes use now (files read
    // per turn: for a request, not for the event sent on every start and end).
    enum class Usage { Without, With };
    QJsonArray agentsJson(Usage usage) const;

    // `turns` (docs/protocol.md): newest first, from state.db with what is in memory laid over
    // it (live state, output so far, queue positions). Empty `session`/`state`: any.
    QJsonArray recentTurnsJson(const QString &session, std::optional<TurnState> state,
                               int limit) const;

    // -1 when the id is unknown; else how many turns it interrupted (0 or 1). A queued turn is
    // removed from its queue and ends `interrupted`.
    // ByOperator (an `interrupt` request): final, so its resume flag goes too; a stop's own
    // interrupts (ByService) stay resume-pending.
    enum class Interruption { ByService, ByOperator };
    int interruptTurn(const QString &id, const QString &reason,
                      Interruption by = Interruption::ByService);
    int interruptSession(const QString &session, const QString &reason,
                         Interruption by = Interruption::ByService);
    // A hand-off successor: the predecessor still has turns of `session` (running or queued),
    // so ours wait behind them, in order: one session, one turn at a time.
    void setSessionHeldElsewhere(const QString &session, bool held);
    // Stops starting queued turns (stop sequence). Queued turns stay queued until
    // interruptAll() or dropQueued().
    void holdQueue(bool hold);
    // Interrupts every running and queued turn; `allStopped` once every tree is gone
    // (emitted right away, queued, when nothing runs).
    void interruptAll(const QString &reason);
    // Kills every live tree, leftovers of ended turns included (last resort).
    void killEverything();

    // Outcome counters since start (for metrics): done, failed, interrupted, refused.
    QHash<TurnState, qint64> outcomeCounts() const { return m_outcomes; }
    void countRefused() { ++m_outcomes[TurnState::Refused]; }

    QString program() const;
    const Config &config() const { return m_config; }

Q_SIGNALS:
    void turnStateChanged(const QString &turnId, const QString &session, sluice::TurnState state);
    // A running turn's output as its process reports it (TurnProcess::outputArrived).
    void turnOutput(const QString &turnId, sluice::OutputStream stream, const QByteArray &data);
    void runningCountChanged(int count);
    void agentsChanged();
    void allStopped();

private:
    struct Live;
    void schedule();
    void startTurn(const QString &id);
    void finishTurn(const QString &id, TurnState state, std::optional<int> exitCode);
    void setState(Live &live, TurnState state);
    void onTreeGone(const QString &id);
    void checkAllStopped();
    QString resolveProgram() const;

    Config m_config;
    SessionStore *m_store;
    Containment *m_containment;
    QHash<QString, Live *> m_live; // turns not yet final
    QList<QString> m_queue;        // queued turn ids in submission order
    QHash<QString, QString> m_runningBySession;
    QSet<QString> m_heldElsewhere;     // sessions busy in a hand-off predecessor
    QList<TurnProcess *> m_trees;      // processes whose tree is not gone yet
    QHash<QString, TurnInfo> m_recent; // finished turns kept in memory (bounded)
    QList<QString> m_recentOrder;
    QHash<TurnState, qint64> m_outcomes;
    bool m_hold = false;
    bool m_stopping = false;
};

} // namespace sluice
