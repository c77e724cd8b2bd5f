#include "ingress/http/turneventstreams.h"

#include "ingress/http/httpconnection.h"

#include "sluice/states.h"

#include <QJsonDocument>

namespace sluice {

QByteArray TurnEventStreams::event(const char *name, const QJsonObject &data)
{
    // One line of compact JSON: a `data:` field never spans lines.
    return QByteArray("event: ") + name +
           "\ndata: " + QJsonDocument(data).toJson(QJsonDocument::Compact) + "\n\n";
}

void TurnEventStreams::open(HttpConnection *connection, const QJsonObject &follow)
{
    connection->beginStream("text/event-stream; charset=utf-8");
    const QString output = follow.value(QStringLiteral("output")).toString();
    if (!output.isEmpty())
        connection->write(event("output", {{QStringLiteral("stream"), QStringLiteral("stdout")},
                                           {QStringLiteral("offset"), 0},
                                           {QStringLiteral("data"), output}}));
    TurnState state = TurnState::Queued;
    fromWireName(follow.value(QStringLiteral("state")).toString(), &state);
    if (isFinal(state)) {
        connection->write(event(
            "end", {{QStringLiteral("state"), follow.value(QStringLiteral("state"))},
                    {QStringLiteral("exit_code"), follow.value(QStringLiteral("exit_code"))}}));
        connection->endStream();
        return;
    }
    Stream s;
    s.connection = connection;
    s.cursor.stdoutFrom = follow.value(QStringLiteral("offset")).toInteger();
    m_streams[follow.value(QStringLiteral("turn_id")).toString()].append(s);
}

void TurnEventStreams::output(const QString &turnId, const QString &stream, qint64 offset,
                              const QByteArray &data)
{
    auto it = m_streams.find(turnId);
    if (it == m_streams.end())
        return;
    for (Stream &s : *it) {
        if (!s.connection)
            continue;
        const std::optional<QJsonObject> fields =
            s.cursor.next(stream, offset, data, s.connection->pendingBytes() > MaxPending);
        if (fields)
            s.connection->write(event("output", *fields));
    }
    prune(turnId);
}

void TurnEventStreams::end(const QString &turnId, const QJsonObject &fields)
{
    QList<Stream> streams = m_streams.take(turnId);
    for (Stream &s : streams) {
        if (!s.connection)
            continue;
        for (const QJsonObject &chunk : s.cursor.tail())
            s.connection->write(event("output", chunk));
        s.connection->write(event("end", fields));
        s.connection->endStream();
    }
}

int TurnEventStreams::openCount() const
{
    int n = 0;
    for (const QList<Stream> &list : m_streams)
        n += int(list.size());
    return n;
}

void TurnEventStreams::prune(const QString &turnId)
{
    auto it = m_streams.find(turnId);
    if (it == m_streams.end())
        return;
    it->removeIf([](const Stream &s) { return !s.connection; });
    if (it->isEmpty())
        m_streams.erase(it);
}

} // namespace sluice
