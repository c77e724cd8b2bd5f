#include "sluice/runtimestatus.h"

#include <QJsonValue>

namespace sluice {

namespace {

QString str(const QJsonObject &o, const char *key, const QString &fallback = {})
{
    const QJsonValue v = o.value(QLatin1String(key));
    return v.isString() ? v.toString() : fallback;
}

bool boolean(const QJsonObject &o, const char *key, bool fallback)
{
    const QJsonValue v = o.value(QLatin1String(key));
    return v.isBool() ? v.toBool() : fallback;
}

qint64 integer(const QJsonObject &o, const char *key, qint64 fallback)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isDouble())
        return qint64(v.toDouble());
    if (v.isString()) {
        bool ok = false;
        const qint64 n = v.toString().toLongLong(&ok);
        return ok ? n : fallback;
    }
    return fallback;
}

} // namespace

QJsonObject DrainInfo::toJson() const
{
    return QJsonObject{{QStringLiteral("since"), since},
                       {QStringLiteral("principal"), principal},
                       {QStringLiteral("source"), source},
                       {QStringLiteral("suppress_notification"), suppressNotification}};
}

DrainInfo DrainInfo::fromJson(const QJsonObject &o)
{
    DrainInfo d;
    d.since = str(o, "since");
    d.principal = str(o, "principal");
    d.source = str(o, "source");
    d.suppressNotification = boolean(o, "suppress_notification", false);
    return d;
}

bool DrainInfo::operator==(const DrainInfo &o) const
{
    return since == o.since && principal == o.principal && source == o.source &&
           suppressNotification == o.suppressNotification;
}

QJsonObject RuntimeStatus::toJson() const
{
    QJsonObject o;
    o.insert(QStringLiteral("state"), wireName(state));
    o.insert(QStringLiteral("desired_state"), wireName(desiredState));
    o.insert(QStringLiteral("pid"), pid);
    o.insert(QStringLiteral("start_time"), startTime);
    o.insert(QStringLiteral("epoch"), epoch);
    o.insert(QStringLiteral("accepting"), accepting);
    o.insert(QStringLiteral("active_agents"), activeAgents);
    o.insert(QStringLiteral("drain"), drain ? QJsonValue(drain->toJson()) : QJsonValue());
    o.insert(QStringLiteral("exit_reason"),
             exitReason.isEmpty() ? QJsonValue() : QJsonValue(exitReason));
    o.insert(QStringLiteral("exit_code"), exitCode ? QJsonValue(*exitCode) : QJsonValue());
    o.insert(QStringLiteral("restart_requested"), restartRequested);
    o.insert(QStringLiteral("socket"), socket);
    o.insert(QStringLiteral("http_port"), httpPort);
    o.insert(QStringLiteral("version"), version);
    o.insert(QStringLiteral("updated_at"), updatedAt);
    return o;
}

RuntimeStatus RuntimeStatus::fromJson(const QJsonObject &o)
{
    RuntimeStatus s;
    fromWireName(str(o, "state"), &s.state);
    fromWireName(str(o, "desired_state"), &s.desiredState);
    s.pid = integer(o, "pid", s.pid);
    s.startTime = integer(o, "start_time", s.startTime);
    s.epoch = str(o, "epoch");
    s.accepting = boolean(o, "accepting", s.accepting);
    s.activeAgents = int(integer(o, "active_agents", s.activeAgents));
    const QJsonValue drain = o.value(QLatin1String("drain"));
    if (drain.isObject())
        s.drain = DrainInfo::fromJson(drain.toObject());
    s.exitReason = str(o, "exit_reason");
    const QJsonValue exitCode = o.value(QLatin1String("exit_code"));
    if (exitCode.isDouble())
        s.exitCode = exitCode.toInt();
    s.restartRequested = boolean(o, "restart_requested", s.restartRequested);
    s.socket = str(o, "socket");
    s.httpPort = int(integer(o, "http_port", s.httpPort));
    s.version = str(o, "version");
    s.updatedAt = str(o, "updated_at");
    return s;
}

bool RuntimeStatus::operator==(const RuntimeStatus &o) const
{
    return state == o.state && desiredState == o.desiredState && pid == o.pid &&
           startTime == o.startTime && epoch == o.epoch && accepting == o.accepting &&
           activeAgents == o.activeAgents && drain == o.drain && exitReason == o.exitReason &&
           exitCode == o.exitCode && restartRequested == o.restartRequested && socket == o.socket &&
           httpPort == o.httpPort && version == o.version && updatedAt == o.updatedAt;
}

} // namespace sluice
