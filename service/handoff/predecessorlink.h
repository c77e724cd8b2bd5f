#pragma once
#include "handoff/handoffcontext.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QStringList>

namespace sluice {

class CommandDispatcher;
class Containment;
class Gateway;
class HandoffChannel;
class SessionResumer;
class SessionStore;
class TurnManager;

// The successor's half of a hand-off restart (docs/lifecycle.md, "Hand-off restart"). We start
// with the predecessor's listening sockets, lock and cgroup, but serve only once it said
// `takeover`; from then on its turns show in our status and agents, sessions it still has
// hold ours back (one session, one turn at a time), commands from its remaining clients come
// over the channel and our events go back to them. If it dies instead of saying `finished`
// (SIGKILL), what its turns left is killed and they are resumed, as after any crash.
class PredecessorLink : public QObject
{
    Q_OBJECT
public:
    struct Dependencies
    {
        Gateway *gateway = nullptr;
        TurnManager *turns = nullptr;
        SessionStore *store = nullptr;
        Containment *containment = nullptr;
        CommandDispatcher *dispatcher = nullptr;
        SessionResumer *resumer = nullptr;
    };

    PredecessorLink(const HandoffContext &context, QObject *parent = nullptr);
    ~PredecessorLink() override;
    void setDependencies(const Dependencies &deps) { m_deps = deps; }

    qint64 predecessorPid() const { return m_pid; }
    bool isAlive() const { return m_alive; }
    bool tookOver() const { return m_tookOver; }
    int turnCount() const { return int(m_turnIds.size()); } // its running and queued turns

    // We are set up and may serve: the predecessor stops accepting and sends `takeover`.
    void sendReady();
    // We cannot start (exit code follows): the predecessor logs why and keeps serving.
    void sendStartupFailure(const QString &reason);
    // Our stop began: the predecessor's turns must be done within ms too.
    void stopWithin(qint64 ms);
    // An event of ours, for the subscribers still connected to the predecessor.
    void forwardEvent(const QString &name, const QJsonObject &fields);
    // For `interrupt`: -1 when the predecessor has no such turn (or session).
    int interrupt(const QString &turnId, const QString &session, const QString &reason);

Q_SIGNALS:
    // Serve now (after `takeover`, or alone when the predecessor died before it).
    void takeover();
    // The predecessor is gone (finished, or died and was cleaned up after).
    void gone();
    // turnCount() changed.
    void turnsChanged();
    // Live output of one of its turns, and the end of one: for our followers of it.
    void turnOutput(const QString &turnId, const QString &stream, qint64 offset,
                    const QByteArray &data);
    void turnEnded(const QString &turnId, const QJsonObject &fields);

private:
    void onMessage(const QString &type, const QJsonObject &message);
    void onClosed();
    void applyReport(const QJsonObject &report);
    void relay(const QJsonObject &message);

    Dependencies m_deps;
    HandoffChannel *m_channel;
    qint64 m_pid;
    bool m_alive = true;
    bool m_tookOver = false;
    bool m_finished = false;
    QSet<QString> m_sessions; // sessions with turns in the predecessor
    QStringList m_turnIds;    // its unfinished turns
    QJsonArray m_agents;
};

} // namespace sluice
