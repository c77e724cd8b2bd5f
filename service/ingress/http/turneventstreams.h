#pragma once
#include "ingress/followcursor.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QString>

namespace sluice {

class HttpConnection;

// GET /v1/turns/{id}/events (docs/http.md): one server-sent-event stream per connection,
// `event: output` with {stream, offset, data[, skipped]} as the turn writes, then `event: end`
// with {state, exit_code} and the connection closes. A client that does not read costs at most
// MaxPending bytes: further chunks are counted and reported as `skipped` in the next one.
class TurnEventStreams
{
public:
    static constexpr qint64 MaxPending = 1024 * 1024;

    // follow: the `follow` reply (turn_id, state, exit_code, output, offset). An ended turn
    // gets its whole output and `end` at once; a running or queued one stays open.
    void open(HttpConnection *connection, const QJsonObject &follow);
    void output(const QString &turnId, const QString &stream, qint64 offset,
                const QByteArray &data);
    void end(const QString &turnId, const QJsonObject &fields); // {state, exit_code}
    int openCount() const;

    static QByteArray event(const char *name, const QJsonObject &data);

private:
    struct Stream
    {
        QPointer<HttpConnection> connection;
        FollowCursor cursor;
    };
    void prune(const QString &turnId);
    QHash<QString, QList<Stream>> m_streams; // by turn id
};

} // namespace sluice
