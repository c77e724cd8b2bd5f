#include "turns/turnoutputfeed.h"

#include "turns/turnmanager.h"

#include <QTimer>

namespace sluice {

QString streamName(OutputStream stream)
{
    return stream == OutputStream::Stderr ? QStringLiteral("stderr") : QStringLiteral("stdout");
}

TurnOutputFeed::TurnOutputFeed(TurnManager *turns, QObject *parent)
    : QObject(parent)
    , m_turns(turns)
    , m_timer(new QTimer(this))
{
    m_timer->setSingleShot(true);
    m_timer->setInterval(CoalesceMs);
    connect(m_timer, &QTimer::timeout, this, &TurnOutputFeed::flushAll);
    connect(turns, &TurnManager::turnOutput, this, &TurnOutputFeed::append);
    connect(turns, &TurnManager::turnStateChanged, this,
            [this](const QString &id, const QString &session, TurnState state) {
                if (!isFinal(state))
                    return;
                auto it = m_pending.find(id);
                if (it != m_pending.end()) {
                    flush(id, *it, OutputStream::Stdout, true);
                    flush(id, *it, OutputStream::Stderr, true);
                    m_pending.erase(it);
                }
                const std::optional<TurnInfo> t = m_turns->turn(id);
                Q_EMIT ended(id, session, state, t ? t->exitCode : std::nullopt);
            });
}

qsizetype TurnOutputFeed::completeUtf8Length(const QByteArray &data)
{
    // Walk back over at most 3 continuation bytes to the last lead byte; keep it only when
    // all the bytes its sequence needs are there.
    const qsizetype n = data.size();
    qsizetype i = n;
    int back = 0;
    while (i > 0 && back < 4 && (uchar(data[i - 1]) & 0xC0) == 0x80) {
        --i;
        ++back;
    }
    if (i == 0)
        return back == 0 ? 0 : n; // only continuation bytes: not ours to repair
    const uchar lead = uchar(data[i - 1]);
    const int need = lead < 0x80             ? 1
                     : (lead & 0xE0) == 0xC0 ? 2
                     : (lead & 0xF0) == 0xE0 ? 3
                     : (lead & 0xF8) == 0xF0 ? 4
                                             : 1;
    return (need == 1 || n - (i - 1) >= need) ? n : i - 1;
}

void TurnOutputFeed::append(const QString &turnId, OutputStream stream, const QByteArray &data)
{
    if (data.isEmpty())
        return;
    Pending &p = m_pending[turnId];
    const int s = int(stream);
    p.data[s].append(data);
    if (p.data[s].size() >= MaxChunk)
        flush(turnId, p, stream, false);
    if (!m_timer->isActive())
        m_timer->start();
}

void TurnOutputFeed::flush(const QString &turnId, Pending &p, OutputStream stream, bool whole)
{
    const int s = int(stream);
    while (!p.data[s].isEmpty()) {
        QByteArray piece = p.data[s].left(MaxChunk);
        const qsizetype keep =
            whole && piece.size() == p.data[s].size() ? piece.size() : completeUtf8Length(piece);
        if (keep == 0)
            return; // an incomplete character waits for its other bytes
        piece.truncate(keep);
        p.data[s].remove(0, keep);
        const qint64 offset = p.offset[s];
        p.offset[s] += keep;
        Q_EMIT chunk(turnId, stream, offset, piece);
    }
}

void TurnOutputFeed::flushAll()
{
    for (auto it = m_pending.begin(); it != m_pending.end(); ++it) {
        flush(it.key(), *it, OutputStream::Stdout, false);
        flush(it.key(), *it, OutputStream::Stderr, false);
    }
}

} // namespace sluice
