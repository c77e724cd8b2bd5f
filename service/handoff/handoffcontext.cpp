#include "handoff/handoffcontext.h"

#include "sluice/jsonnumber.h"

#include <QJsonDocument>

#include <cstdlib>

namespace sluice {

QByteArray HandoffContext::encode() const
{
    return QJsonDocument(QJsonObject{{QStringLiteral("predecessor"), predecessorPid},
                                     {QStringLiteral("channel_fd"), channelFd},
                                     {QStringLiteral("lock_fd"), lockFd},
                                     {QStringLiteral("containment"), containment},
                                     {QStringLiteral("agent_umask"), agentUmask},
                                     {QStringLiteral("agent_nofile"), agentOpenFilesLimit},
                                     {QStringLiteral("supervised"), supervised},
                                     {QStringLiteral("owns_socket_file"), ownsSocketFile}})
        .toJson(QJsonDocument::Compact);
}

std::optional<HandoffContext> HandoffContext::takeFromEnvironment(QString *error)
{
    const QByteArray raw = qgetenv(Variable);
    if (raw.isEmpty())
        return std::nullopt;
    qunsetenv(Variable);
    const QJsonObject o = QJsonDocument::fromJson(raw).object();
    HandoffContext c;
    const auto intField = [&o](const char *name, qint64 fallback) {
        return jsonInteger(o.value(QLatin1String(name))).value_or(fallback);
    };
    c.predecessorPid = intField("predecessor", -1);
    c.channelFd = int(intField("channel_fd", -1));
    c.lockFd = int(intField("lock_fd", -1));
    c.containment = o.value(QStringLiteral("containment")).toObject();
    c.agentUmask = int(intField("agent_umask", -1));
    c.agentOpenFilesLimit = intField("agent_nofile", -1);
    c.supervised = o.value(QStringLiteral("supervised")).toBool();
    c.ownsSocketFile = o.value(QStringLiteral("owns_socket_file")).toBool(true);
    if (c.predecessorPid <= 0 || c.channelFd < 0 || c.lockFd < 0) {
        if (error)
            *error = QStringLiteral("%1 is malformed: %2")
                         .arg(QLatin1String(Variable), QString::fromUtf8(raw.left(200)));
        return std::nullopt;
    }
    return c;
}

} // namespace sluice
