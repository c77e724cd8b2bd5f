#include "sluice/protocol.h"

#include <QJsonValue>

namespace sluice {
namespace Protocol {

QStringList allCommands()
{
    return {QString::fromLatin1(Cmd::Hello),     QString::fromLatin1(Cmd::Status),
            QString::fromLatin1(Cmd::Agents),    QString::fromLatin1(Cmd::Subscribe),
            QString::fromLatin1(Cmd::Drain),     QString::fromLatin1(Cmd::CancelDrain),
            QString::fromLatin1(Cmd::Stop),      QString::fromLatin1(Cmd::Restart),
            QString::fromLatin1(Cmd::Send),      QString::fromLatin1(Cmd::Turn),
            QString::fromLatin1(Cmd::Interrupt), QString::fromLatin1(Cmd::ShutdownReport),
            QString::fromLatin1(Cmd::Turns),     QString::fromLatin1(Cmd::Follow),
            QString::fromLatin1(Cmd::Unfollow)};
}

namespace {
// Fields first, then the envelope keys, so a caller's field can never override v/id/ok.
QJsonObject withEnvelope(QJsonObject o, qint64 id)
{
    o.insert(QStringLiteral("v"), Version);
    o.insert(QStringLiteral("id"), id);
    return o;
}
} // namespace

QJsonObject request(qint64 id, const QString &cmd, const QJsonObject &args)
{
    QJsonObject o = withEnvelope(args, id);
    o.insert(QStringLiteral("cmd"), cmd);
    return o;
}

QJsonObject reply(qint64 id, const QJsonObject &fields)
{
    QJsonObject o = withEnvelope(fields, id);
    o.insert(QStringLiteral("ok"), true);
    return o;
}

QJsonObject errorReply(qint64 id, const QString &code, const QString &message)
{
    QJsonObject o = withEnvelope({}, id);
    o.insert(QStringLiteral("ok"), false);
    o.insert(QStringLiteral("error"),
             QJsonObject{{QStringLiteral("code"), code}, {QStringLiteral("message"), message}});
    return o;
}

QJsonObject event(const QString &name, const QJsonObject &fields)
{
    QJsonObject o = fields;
    o.remove(QStringLiteral("id")); // an event never carries an id
    o.insert(QStringLiteral("v"), Version);
    o.insert(QStringLiteral("event"), name);
    return o;
}

bool isValidSessionName(const QString &session)
{
    if (session.isEmpty() || session.size() > 128)
        return false;
    for (const QChar c : session) {
        const ushort u = c.unicode();
        const bool ok = (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') ||
                        (u >= '0' && u <= '9') || u == '.' || u == '_' || u == ':' || u == '@' ||
                        u == '-';
        if (!ok)
            return false;
    }
    return true;
}

} // namespace Protocol
} // namespace sluice
