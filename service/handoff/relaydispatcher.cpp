#include "handoff/relaydispatcher.h"

#include "handoff/handoffchannel.h"

#include "sluice/jsonnumber.h"
#include "sluice/protocol.h"

namespace sluice {

RelayDispatcher::RelayDispatcher(CommandDispatcher *local, QObject *parent)
    : QObject(parent)
    , m_local(local)
{}

void RelayDispatcher::relayTo(HandoffChannel *channel)
{
    m_channel = channel;
}

void RelayDispatcher::dispatch(const QString &cmd, const QJsonObject &args,
                               const RequestContext &context, Done done)
{
    // `hello` and `subscribe` belong to the connection, which stays ours.
    const bool connectionOwn = cmd == QLatin1String(Protocol::Cmd::Hello) ||
                               cmd == QLatin1String(Protocol::Cmd::Subscribe);
    if (!m_channel || !m_channel->isOpen() || connectionOwn) {
        m_local->dispatch(cmd, args, context, std::move(done));
        return;
    }
    const qint64 id = m_next++;
    m_pending.insert(id, std::move(done));
    m_channel->send(QStringLiteral("relay"),
                    QJsonObject{{QStringLiteral("id"), id},
                                {QStringLiteral("cmd"), cmd},
                                {QStringLiteral("args"), args},
                                {QStringLiteral("source"), requestSourceName(context.source)},
                                {QStringLiteral("principal"), context.principal}});
}

void RelayDispatcher::onReply(const QJsonObject &message)
{
    const qint64 id = jsonInteger(message.value(QStringLiteral("id"))).value_or(0);
    Done done = m_pending.take(id);
    if (!done)
        return;
    if (message.value(QStringLiteral("ok")).toBool())
        done(CommandResult::success(message.value(QStringLiteral("fields")).toObject()));
    else
        done(CommandResult::failure(message.value(QStringLiteral("code")).toString(),
                                    message.value(QStringLiteral("message")).toString()));
}

void RelayDispatcher::failPending()
{
    const QHash<qint64, Done> pending = std::exchange(m_pending, {});
    for (const Done &done : pending)
        done(CommandResult::failure(QString::fromLatin1(Protocol::Error::Stopping),
                                    QStringLiteral("the service is restarting; try again")));
}

} // namespace sluice
