#include "handoff/predecessorlink.h"

#include "gateway/gateway.h"
#include "handoff/handoffchannel.h"
#include "handoff/handofflogging.h"
#include "ingress/commanddispatcher.h"
#include "lifecycle/sessionresumer.h"
#include "turns/containment.h"
#include "turns/sessionstore.h"
#include "turns/turnmanager.h"

#include "sluice/jsonnumber.h"

#include <QCoreApplication>
#include <QPointer>

namespace sluice {

PredecessorLink::PredecessorLink(const HandoffContext &context, QObject *parent)
    : QObject(parent)
    , m_channel(new HandoffChannel(context.channelFd, this))
    , m_pid(context.predecessorPid)
{
    connect(m_channel, &HandoffChannel::received, this, &PredecessorLink::onMessage);
    connect(m_channel, &HandoffChannel::closed, this, &PredecessorLink::onClosed);
    if (!m_channel->isOpen())
        QMetaObject::invokeMethod(this, &PredecessorLink::onClosed, Qt::QueuedConnection);
}

PredecessorLink::~PredecessorLink() = default;

void PredecessorLink::sendReady()
{
    m_channel->send(QStringLiteral("ready"),
                    {{QStringLiteral("pid"), QCoreApplication::applicationPid()}});
}

void PredecessorLink::sendStartupFailure(const QString &reason)
{
    m_alive = false; // we are the one leaving; the predecessor serves on
    m_channel->sendAndClose(QStringLiteral("failed"), {{QStringLiteral("reason"), reason}});
}

void PredecessorLink::stopWithin(qint64 ms)
{
    if (m_alive)
        m_channel->send(QStringLiteral("stop"), {{QStringLiteral("within_ms"), ms}});
}

void PredecessorLink::forwardEvent(const QString &name, const QJsonObject &fields)
{
    if (m_alive && m_tookOver)
        m_channel->send(QStringLiteral("event"),
                        {{QStringLiteral("name"), name}, {QStringLiteral("fields"), fields}});
}

int PredecessorLink::interrupt(const QString &turnId, const QString &session, const QString &reason)
{
    if (!m_alive || !m_tookOver)
        return -1;
    if (!turnId.isEmpty() && !m_turnIds.contains(turnId))
        return -1;
    if (turnId.isEmpty() && !m_sessions.contains(session))
        return -1;
    m_channel->send(QStringLiteral("interrupt"), {{QStringLiteral("turn_id"), turnId},
                                                  {QStringLiteral("session"), session},
                                                  {QStringLiteral("reason"), reason}});
    return 1;
}

void PredecessorLink::onMessage(const QString &type, const QJsonObject &message)
{
    if (type == QLatin1String("takeover")) {
        applyReport(message);
        m_tookOver = true;
        qCInfo(lcHandoff).noquote()
            << QStringLiteral("took over from pid %1, which finishes %2 turns")
                   .arg(m_pid)
                   .arg(m_turnIds.size());
        Q_EMIT takeover();
    } else if (type == QLatin1String("report")) {
        applyReport(message);
    } else if (type == QLatin1String("turn")) {
        QJsonObject turn = message;
        turn.remove(QStringLiteral("type"));
        m_deps.gateway->publishEvent(QStringLiteral("turn"), turn);
        TurnState state = TurnState::Queued;
        if (fromWireName(turn.value(QStringLiteral("state")).toString(), &state) && isFinal(state))
            Q_EMIT turnEnded(turn.value(QStringLiteral("turn_id")).toString(), turn);
    } else if (type == QLatin1String("output")) {
        Q_EMIT turnOutput(
            message.value(QStringLiteral("turn_id")).toString(),
            message.value(QStringLiteral("stream")).toString(),
            jsonInteger(message.value(QStringLiteral("offset"))).value_or(0),
            QByteArray::fromBase64(message.value(QStringLiteral("data")).toString().toLatin1()));
    } else if (type == QLatin1String("relay")) {
        relay(message);
    } else if (type == QLatin1String("finished")) {
        m_finished = true;
    }
}

void PredecessorLink::applyReport(const QJsonObject &report)
{
    QSet<QString> sessions;
    const QJsonArray list = report.value(QStringLiteral("sessions")).toArray();
    for (const QJsonValue &v : list)
        sessions.insert(v.toString());
    for (const QString &s : std::as_const(m_sessions)) {
        if (!sessions.contains(s))
            m_deps.turns->setSessionHeldElsewhere(s, false);
    }
    for (const QString &s : std::as_const(sessions))
        m_deps.turns->setSessionHeldElsewhere(s, true);
    m_sessions = sessions;
    const int before = turnCount();
    m_turnIds.clear();
    const QJsonArray ids = report.value(QStringLiteral("turn_ids")).toArray();
    for (const QJsonValue &v : ids)
        m_turnIds << v.toString();
    if (turnCount() != before)
        Q_EMIT turnsChanged();
    m_agents = report.value(QStringLiteral("agents")).toArray();
    m_deps.gateway->setPredecessor(report.value(QStringLiteral("predecessor")).toObject(),
                                   m_agents);
}

void PredecessorLink::relay(const QJsonObject &message)
{
    RequestContext context;
    context.source = requestSourceFromName(message.value(QStringLiteral("source")).toString());
    context.principal = message.value(QStringLiteral("principal")).toString();
    const qint64 id = jsonInteger(message.value(QStringLiteral("id"))).value_or(0);
    QPointer<HandoffChannel> channel(m_channel);
    m_deps.dispatcher->dispatch(message.value(QStringLiteral("cmd")).toString(),
                                message.value(QStringLiteral("args")).toObject(), context,
                                [channel, id](const CommandResult &result) {
                                    if (channel)
                                        channel->send(
                                            QStringLiteral("relay_reply"),
                                            {{QStringLiteral("id"), id},
                                             {QStringLiteral("ok"), result.ok},
                                             {QStringLiteral("fields"), result.fields},
                                             {QStringLiteral("code"), result.errorCode},
                                             {QStringLiteral("message"), result.message}});
                                });
}

void PredecessorLink::onClosed()
{
    if (!m_alive)
        return;
    m_alive = false;
    if (m_finished) {
        qCInfo(lcHandoff).noquote()
            << QStringLiteral("the predecessor (pid %1) finished its turns and exited").arg(m_pid);
    } else {
        // Killed mid-way: its turns are ours to clean up after and to resume. Before the
        // takeover the store tells which (we have none of our own yet).
        const QStringList ids = m_tookOver ? m_turnIds : m_deps.store->unfinishedTurnIds();
        qCCritical(lcHandoff).noquote()
            << QStringLiteral("the predecessor (pid %1) ended %2 without finishing: %3 of its "
                              "turns are resumed here")
                   .arg(m_pid)
                   .arg(m_tookOver ? QStringLiteral("after the hand-off")
                                   : QStringLiteral("before the hand-off"))
                   .arg(ids.size());
        QHash<QString, qint64> leaders;
        for (const QJsonValue &v : std::as_const(m_agents)) {
            const QJsonObject a = v.toObject();
            leaders.insert(a.value(QStringLiteral("turn_id")).toString(),
                           jsonInteger(a.value(QStringLiteral("pid"))).value_or(-1));
        }
        for (const QString &id : ids)
            m_deps.containment->killForeignTurn(id, leaders.value(id, -1));
        m_deps.store->recoverTurns(ids);
    }
    for (const QString &s : std::as_const(m_sessions))
        m_deps.turns->setSessionHeldElsewhere(s, false);
    m_sessions.clear();
    const bool hadTurns = !m_turnIds.isEmpty();
    m_turnIds.clear();
    m_agents = {};
    if (hadTurns)
        Q_EMIT turnsChanged();
    m_deps.gateway->setPredecessor({}, {});
    const bool wasTakenOver = m_tookOver;
    m_tookOver = true;
    if (!wasTakenOver)
        Q_EMIT takeover(); // serve alone
    // Its turns that did not finish are flagged resume-pending (cut by its drain timeout, or
    // by its death): ours to run again now, as a successor does after any restart. While we
    // stop ourselves they stay flagged for the next start.
    if (!m_deps.gateway->isStopping())
        m_deps.resumer->resumeAtStart();
    Q_EMIT gone();
}

} // namespace sluice
