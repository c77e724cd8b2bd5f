#include "turns/turninfo.h"

#include "sluice/atomicjson.h"

#include <QJsonValue>
#include <QRandomGenerator>

namespace sluice {

namespace {
QJsonValue isoOrNull(const QDateTime &t)
{
    return t.isValid() ? QJsonValue(toIsoUtc(t)) : QJsonValue(QJsonValue::Null);
}
} // namespace

QJsonObject TurnInfo::toJson() const
{
    QJsonObject o;
    o.insert(QStringLiteral("turn_id"), id);
    o.insert(QStringLiteral("session"), session);
    o.insert(QStringLiteral("state"), wireName(state));
    o.insert(QStringLiteral("exit_code"), exitCode ? QJsonValue(*exitCode) : QJsonValue());
    o.insert(QStringLiteral("output"), QString::fromUtf8(output));
    o.insert(QStringLiteral("truncated"), truncated);
    o.insert(QStringLiteral("created_at"), isoOrNull(createdAt));
    o.insert(QStringLiteral("started_at"), isoOrNull(startedAt));
    o.insert(QStringLiteral("finished_at"), isoOrNull(finishedAt));
    o.insert(QStringLiteral("internal"), internal);
    if (!interruptReason.isEmpty())
        o.insert(QStringLiteral("interrupt_reason"), interruptReason);
    if (!failureReason.isEmpty())
        o.insert(QStringLiteral("failure_reason"), failureReason);
    if (isFinal(state))
        o.insert(QStringLiteral("usage"), usage.toJson());
    return o;
}

QJsonObject TurnInfo::toAgentJson(const QDateTime &now) const
{
    QJsonObject o;
    o.insert(QStringLiteral("turn_id"), id);
    o.insert(QStringLiteral("session"), session);
    o.insert(QStringLiteral("pid"), pid > 0 ? QJsonValue(pid) : QJsonValue());
    o.insert(QStringLiteral("state"), wireName(state));
    o.insert(QStringLiteral("started_at"), isoOrNull(startedAt));
    o.insert(QStringLiteral("elapsed_s"),
             startedAt.isValid() ? double(startedAt.msecsTo(now)) / 1000.0 : 0.0);
    return o;
}

QString TurnInfo::newId()
{
    const quint64 r = QRandomGenerator::system()->generate64();
    return QStringLiteral("t-%1").arg(r, 16, 16, QLatin1Char('0'));
}

} // namespace sluice
