#pragma once
#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <optional>

namespace sluice {

// What one follower of a turn's live output (IPC `follow`, HTTP events) has had: stdout goes
// on exactly at the offset its first answer ended, and chunks it could not take because it
// fell behind are counted, to be reported as `skipped` with the next one it gets.
struct FollowCursor
{
    qint64 stdoutFrom = 0;
    qint64 skipped[2] = {0, 0}; // stdout, stderr
    qint64 end[2] = {0, 0};     // offset after the last chunk seen (sent or counted)

    // The fields {stream, offset, data[, skipped]} to send for a chunk, or nothing: the
    // follower had all of it already, or it is behind (overBound) and the chunk is counted.
    std::optional<QJsonObject> next(const QString &stream, qint64 offset, QByteArray data,
                                    bool overBound)
    {
        const bool isStdout = stream == QLatin1String("stdout");
        if (isStdout) {
            if (offset + data.size() <= stdoutFrom)
                return std::nullopt;
            if (offset < stdoutFrom) {
                data.remove(0, stdoutFrom - offset);
                offset = stdoutFrom;
            }
        }
        qint64 &lost = skipped[isStdout ? 0 : 1];
        end[isStdout ? 0 : 1] = offset + data.size();
        if (overBound) {
            lost += data.size();
            return std::nullopt;
        }
        QJsonObject fields{{QStringLiteral("stream"), stream},
                           {QStringLiteral("offset"), offset},
                           {QStringLiteral("data"), QString::fromUtf8(data)}};
        if (lost > 0) {
            fields.insert(QStringLiteral("skipped"), lost);
            lost = 0;
        }
        return fields;
    }

    // When the turn has ended: for each stream with bytes still counted as skipped, a last
    // chunk without data that reports them (else a follower that fell behind at the very end
    // would never learn of the loss).
    QList<QJsonObject> tail()
    {
        QList<QJsonObject> out;
        for (int i = 0; i < 2; ++i) {
            if (skipped[i] <= 0)
                continue;
            out << QJsonObject{{QStringLiteral("stream"),
                                i == 0 ? QStringLiteral("stdout") : QStringLiteral("stderr")},
                               {QStringLiteral("offset"), end[i]},
                               {QStringLiteral("data"), QString()},
                               {QStringLiteral("skipped"), skipped[i]}};
            skipped[i] = 0;
        }
        return out;
    }
};

} // namespace sluice
