#pragma once
#include "turns/containment.h"

#include "sluice/states.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <optional>

namespace sluice {

// One turn as the service remembers it (in memory while live, in state.db always).
struct TurnInfo
{
    QString id; // "t-" + 16 hex digits
    QString session;
    QString text; // the message (kept for resume after a restart)
    TurnState state = TurnState::Queued;
    qint64 pid = -1;
    QDateTime createdAt;
    QDateTime startedAt;
    QDateTime finishedAt;
    std::optional<int> exitCode;
    QByteArray output; // stdout, at most 1 MiB
    bool truncated = false;
    bool internal = false;      // started by the service itself (resume); never refused
    bool resumePending = false; // set by the stop sequence's mark_resume phase
    quint64 clientId = 0;       // IPC connection that sent it (0: HTTP / internal)
    QString interruptReason;
    QString failureReason; // e.g. the limit that killed it
    TurnUsage usage;       // what its processes used (cgroup mode), when it ended

    // IPC `turn` reply: {turn_id, session, state, exit_code, output, truncated} (+ a few extras).
    QJsonObject toJson() const;
    // One `agents` entry: {turn_id, session, pid, state, started_at, elapsed_s}.
    QJsonObject toAgentJson(const QDateTime &now = QDateTime::currentDateTimeUtc()) const;

    static QString newId();
};

} // namespace sluice
