#pragma once
#include "turns/turnprocess.h"

#include "sluice/states.h"

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QString>
#include <optional>

class QTimer;

namespace sluice {

class TurnManager;

QString streamName(OutputStream stream); // "stdout", "stderr"

// Live output of running turns for followers (IPC `follow`, HTTP server-sent events):
// coalesces what TurnManager reports into chunks (one per stream every CoalesceMs, at most
// MaxChunk bytes, cut at UTF-8 character boundaries) and says when a turn has ended, after its
// last chunk. It keeps only what is not flushed yet, so a slow reader never grows it: bounding
// each reader is the ingress's job. No timer runs while no turn writes anything.
class TurnOutputFeed : public QObject
{
    Q_OBJECT
public:
    static constexpr int CoalesceMs = 50;
    static constexpr qsizetype MaxChunk = 64 * 1024;

    explicit TurnOutputFeed(TurnManager *turns, QObject *parent = nullptr);

    // The length of the longest prefix of `data` that ends on a UTF-8 character boundary.
    static qsizetype completeUtf8Length(const QByteArray &data);

Q_SIGNALS:
    // `offset`: where `data` starts in that stream of the turn (bytes).
    void chunk(const QString &turnId, sluice::OutputStream stream, qint64 offset,
               const QByteArray &data);
    void ended(const QString &turnId, const QString &session, sluice::TurnState state,
               std::optional<int> exitCode);

private:
    struct Pending
    {
        QByteArray data[2];
        qint64 offset[2] = {0, 0}; // of data[i]'s first byte
    };
    void append(const QString &turnId, OutputStream stream, const QByteArray &data);
    // whole: also an incomplete UTF-8 tail (the turn has ended).
    void flush(const QString &turnId, Pending &p, OutputStream stream, bool whole);
    void flushAll();

    TurnManager *m_turns;
    QHash<QString, Pending> m_pending;
    QTimer *m_timer;
};

} // namespace sluice
