#pragma once
#include "turns/turninfo.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QString>
#include <optional>

namespace sluice {

// state.db (SQLite through Qt Sql, WAL): sessions, turns and resume flags.
// Tables: sessions(name, created_at, last_turn_at, resume_pending),
//         turns(id, session, text, state, exit_code, output, truncated, created_at,
//               started_at, finished_at, internal, resume_pending).
// Writes are small, local and synchronous (WAL, synchronous=NORMAL): a few hundred µs.
class SessionStore : public QObject
{
    Q_OBJECT
public:
    static constexpr qint64 IdempotencyWindowS = 24 * 3600; // a key names one turn for a day

    explicit SessionStore(QObject *parent = nullptr);
    ~SessionStore() override;

    // corrupt (optional): set when the file exists but is not a readable database.
    bool open(const QString &path, QString *error = nullptr, bool *corrupt = nullptr);
    // Moves an unreadable state.db (and its -wal/-shm) aside to state.db.corrupt-<UTC time>,
    // kept for inspection, never deleted. Returns the new path, empty on failure.
    static QString moveAside(const QString &path, QString *error);
    void close();
    bool isOpen() const;
    QString lastError() const { return m_lastErrorText; } // of the last failed statement

    // Turns left `queued`/`running` by a process that died are marked `interrupted` (their
    // resume flags are kept). Called once after open(). Returns how many were fixed.
    int recoverUnfinished();
    // The same for the given turns only (a hand-off predecessor died; our own turns run on).
    int recoverTurns(const QStringList &ids);
    QStringList unfinishedTurnIds() const; // queued or running in the store

    // With idempotencyKey, the key is recorded with the turn in one transaction.
    bool recordQueued(const TurnInfo &turn, const QString &idempotencyKey = QString());
    // The turn a key started within the last maxAgeS seconds, or empty.
    QString turnForKey(const QString &idempotencyKey, qint64 maxAgeS) const;
    bool recordStarted(const TurnInfo &turn);
    // state, exit code, output, finished_at. On failure the result is kept here and written
    // by writePending(): a finished turn's output is never lost to a full disk.
    bool recordFinished(const TurnInfo &turn);
    // Writes kept results; true once none is left. Also proves the database takes writes.
    bool writePending(QString *error);
    int pendingCount() const { return int(m_pending.size()); }
    std::optional<TurnInfo> loadTurn(const QString &id) const;
    // The newest `limit` turns (by created_at), optionally of one session and in one state;
    // `output` holds only its first 800 bytes (enough for a preview). Kept results included.
    QList<TurnInfo> listTurns(const QString &session, std::optional<TurnState> state,
                              int limit) const;

    // Resume flags (docs/reference.md §6 mark_resume / persist / resume after restart).
    void setResumePending(const QString &session, const QString &turnId, bool pending);
    QList<TurnInfo> resumePendingTurns() const; // turns flagged, oldest first
    // Clears the flag of turns that finished (done/failed) and of sessions with none left.
    int clearResumeOfFinished();

Q_SIGNALS:
    // A write failed (a full or read-only HOME): what was not written and why.
    void writeFailed(const QString &what, const QString &error);

private:
    bool writeFinished(const TurnInfo &turn);
    bool exec(const QString &sql, const QVariantList &binds = {}) const;
    QString m_connection;
    mutable QString m_lastNativeError; // SQLite's result code of the last failed statement
    mutable QString m_lastErrorText;
    QHash<QString, TurnInfo> m_pending; // finished turns not yet written
};

} // namespace sluice
