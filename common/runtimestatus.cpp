#include "sluice/runtimestatus.h"

#include "sluice/jsonnumber.h"

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

// A number or numeric string in [min, max]; anything else (1e300, 1.5, "x") is the fallback.
qint64 integer(const QJsonObject &o, const char *key, qint64 fallback,
               qint64 min = std::numeric_limits<qint64>::min(),
               qint64 max = std::numeric_limits<qint64>::max())
{
    return jsonInteger(o.value(QLatin1String(key)), min, max, true).value_or(fallback);
}

constexpr qint64 IntMin = std::numeric_limits<int>::min();
constexpr qint64 IntMax = std::numeric_limits<int>::max();

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
    s.pid = integer(o, "pid", s.pid, 0, MaxPid);
    s.startTime = integer(o, "start_time", s.startTime);
    s.epoch = str(o, "epoch");
    s.accepting = boolean(o, "accepting", s.accepting);
    s.activeAgents = int(integer(o, "active_agents", s.activeAgents, IntMin, IntMax));
    const QJsonValue drain = o.value(QLatin1String("drain"));
    if (drain.isObject())
        s.drain = DrainInfo::fromJson(drain.toObject());
    s.exitReason = str(o, "exit_reason");
    const QJsonValue exitCode = o.value(QLatin1String("exit_code"));
    if (const std::optional<qint64> code = jsonInteger(exitCode, IntMin, IntMax))
        s.exitCode = int(*code);
    s.restartRequested = boolean(o, "restart_requested", s.restartRequested);
    s.socket = str(o, "socket");
    s.httpPort = int(integer(o, "http_port", s.httpPort, -1, 65535));
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
