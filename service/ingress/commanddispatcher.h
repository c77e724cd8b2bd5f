#pragma once
#include <QJsonObject>
#include <QString>
#include <functional>

namespace sluice {

// Where a command came from: recorded as the drain `source`, used for principals and logs.
enum class RequestSource { Ipc, Http, Internal };

// "ipc", "http", "internal": the drain `source`, and how a relayed request names its ingress.
inline QString requestSourceName(RequestSource source)
{
    switch (source) {
    case RequestSource::Ipc:
        return QStringLiteral("ipc");
    case RequestSource::Http:
        return QStringLiteral("http");
    case RequestSource::Internal:
        return QStringLiteral("internal");
    }
    return QStringLiteral("ipc");
}

inline RequestSource requestSourceFromName(const QString &name)
{
    if (name == QLatin1String("http"))
        return RequestSource::Http;
    if (name == QLatin1String("internal"))
        return RequestSource::Internal;
    return RequestSource::Ipc;
}

struct RequestContext
{
    RequestSource source = RequestSource::Ipc;
    QString principal;    // who asked (IPC: the hello `client`, HTTP: "http", ...)
    quint64 clientId = 0; // IPC connection id (0 for HTTP); used for subscriptions and notify
};

// The outcome of one command: the reply fields (ok) or an error code of docs/reference.md §10.
struct CommandResult
{
    bool ok = true;
    QJsonObject fields; // reply fields, at the top level of the reply
    QString errorCode;  // Protocol::Error::*
    QString message;

    static CommandResult success(const QJsonObject &fields = {}) { return {true, fields, {}, {}}; }
    static CommandResult failure(const QString &code, const QString &message)
    {
        return {false, {}, code, message};
    }
};

// Every ingress (the local socket, HTTP) feeds commands through this one interface into the
// gateway, so there is exactly one implementation of each command and one stop sequence.
// Commands are the IPC command names of docs/reference.md §10 with the same arguments. `done` is
// called exactly once, possibly later (e.g. `drain` answers after the gate is closed).
// Besides the contract's commands the service answers the internal command "metrics"
// (counters for GET /metrics: queued turns, turns by outcome, drain/stop durations).
class CommandDispatcher
{
public:
    using Done = std::function<void(const CommandResult &)>;
    virtual ~CommandDispatcher() = default;
    virtual void dispatch(const QString &cmd, const QJsonObject &args,
                          const RequestContext &context, Done done) = 0;
};

} // namespace sluice
