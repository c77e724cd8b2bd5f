#include "ingress/gatewaydispatcher.h"

#include "gateway/gateway.h"
#include "gateway/statuswriter.h"
#include "turns/turnmanager.h"
#include "turns/turnoutputfeed.h"

#include "sluice/atomicjson.h"
#include "sluice/protocol.h"
#include "sluice/version.h"

#include <QJsonArray>

namespace sluice {

namespace {

CommandResult badRequest(const QString &message)
{
    return CommandResult::failure(QString::fromLatin1(Protocol::Error::BadRequest), message);
}

// Optional typed arguments: absent is fine, a wrong type is a bad_request.
bool optString(const QJsonObject &args, const char *key, QString *out, QString *error)
{
    const QJsonValue v = args.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull())
        return true;
    if (!v.isString()) {
        *error = QStringLiteral("'%1' must be a string").arg(QLatin1String(key));
        return false;
    }
    *out = v.toString();
    return true;
}

bool optBool(const QJsonObject &args, const char *key, bool *out, QString *error)
{
    const QJsonValue v = args.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull())
        return true;
    if (!v.isBool()) {
        *error = QStringLiteral("'%1' must be true or false").arg(QLatin1String(key));
        return false;
    }
    *out = v.toBool();
    return true;
}

} // namespace

GatewayDispatcher::GatewayDispatcher(Gateway *gateway, TurnManager *turns, StatusWriter *writer,
                                     const QString &lastShutdownFile, QObject *parent)
    : QObject(parent)
    , m_gateway(gateway)
    , m_turns(turns)
    , m_writer(writer)
    , m_lastShutdownFile(lastShutdownFile)
{}

QStringList GatewayDispatcher::features()
{
    return Protocol::allCommands();
}

void GatewayDispatcher::dispatch(const QString &cmd, const QJsonObject &args,
                                 const RequestContext &context, Done done)
{
    QString error;
    const QString principal =
        context.principal.isEmpty() ? requestSourceName(context.source) : context.principal;

    if (cmd == QLatin1String(Protocol::Cmd::Hello)) {
        QString client;
        if (!optString(args, "client", &client, &error))
            return done(badRequest(error));
        return done(CommandResult::success(
            {{QStringLiteral("protocol"), Protocol::Version},
             {QStringLiteral("server"), QStringLiteral("sluiced")},
             {QStringLiteral("version"), QStringLiteral(SLUICE_VERSION)},
             {QStringLiteral("features"), QJsonArray::fromStringList(features())}}));
    }
    if (cmd == QLatin1String(Protocol::Cmd::Status))
        return done(CommandResult::success(m_gateway->statusJson()));
    if (cmd == QLatin1String(Protocol::Cmd::Agents))
        return done(CommandResult::success(m_gateway->agentsJson()));
    if (cmd == QLatin1String(Protocol::Cmd::Subscribe))
        // The IPC connection records the subscription; over HTTP there is nothing to do.
        return done(CommandResult::success({{QStringLiteral("subscribed"), true}}));
    if (cmd == QLatin1String("metrics"))
        return done(CommandResult::success(m_gateway->metricsJson()));

    if (cmd == QLatin1String(Protocol::Cmd::Drain)) {
        QString who = principal;
        bool suppress = false;
        if (!optString(args, "principal", &who, &error) ||
            !optBool(args, "suppress_notification", &suppress, &error))
            return done(badRequest(error));
        DrainInfo info;
        info.since = isoUtcNow();
        info.principal = who.isEmpty() ? principal : who;
        info.source = requestSourceName(context.source);
        // The drain `source` names the tool when the IPC client said who it is (§2).
        if (context.source == RequestSource::Ipc) {
            if (context.principal == QLatin1String("sluicectl"))
                info.source = QStringLiteral("cli");
            else if (context.principal == QLatin1String("sluice-tray"))
                info.source = QStringLiteral("tray");
        }
        info.suppressNotification = suppress;
        // The gate is closed and the marker written right here, synchronously; the answer
        // waits (without blocking) until gateway_state.json says so too.
        m_gateway->enterDrain(info, true);
        // Acknowledged as it is: the gate is closed; whether the marker (which makes the drain
        // outlive this process) is on disk, the reply says.
        QJsonObject fields{{QStringLiteral("state"), wireName(m_gateway->state())},
                           {QStringLiteral("accepting"), m_gateway->isAccepting()},
                           {QStringLiteral("marker_written"), m_gateway->markerError().isEmpty()}};
        if (!m_gateway->markerError().isEmpty())
            fields.insert(QStringLiteral("marker_error"), m_gateway->markerError());
        m_writer->whenWritten([done, fields] { done(CommandResult::success(fields)); });
        return;
    }
    if (cmd == QLatin1String(Protocol::Cmd::CancelDrain)) {
        const bool was = m_gateway->cancelDrain(true);
        const QJsonObject fields{{QStringLiteral("state"), wireName(m_gateway->state())},
                                 {QStringLiteral("was_draining"), was}};
        m_writer->whenWritten([done, fields] { done(CommandResult::success(fields)); });
        return;
    }
    if (cmd == QLatin1String(Protocol::Cmd::Stop)) {
        StopRequest request;
        request.cause = StopCause::Planned;
        request.source = requestSourceName(context.source);
        request.principal = principal;
        const bool started = m_gateway->requestStop(request);
        return done(CommandResult::success(
            {{QStringLiteral("accepted"), true}, {QStringLiteral("already_stopping"), !started}}));
    }
    if (cmd == QLatin1String(Protocol::Cmd::Restart)) {
        bool force = false;
        if (!optBool(args, "force", &force, &error))
            return done(badRequest(error));
        StopRequest request;
        request.cause = force ? StopCause::ForceRestart : StopCause::Restart;
        request.source = requestSourceName(context.source);
        request.principal = principal;
        const bool started = m_gateway->requestStop(request);
        return done(CommandResult::success(
            {{QStringLiteral("accepted"), true}, {QStringLiteral("already_stopping"), !started}}));
    }
    if (cmd == QLatin1String(Protocol::Cmd::Send)) {
        const QJsonValue session = args.value(QStringLiteral("session"));
        const QJsonValue text = args.value(QStringLiteral("text"));
        if (!session.isString() || !Protocol::isValidSessionName(session.toString()))
            return done(badRequest(QStringLiteral("'session' must be 1-128 characters of "
                                                  "A-Za-z0-9._:@-")));
        if (!text.isString())
            return done(badRequest(QStringLiteral("'text' must be a string")));
        QString key;
        if (!optString(args, "idempotency_key", &key, &error))
            return done(badRequest(error));
        if (key.size() > 200)
            return done(badRequest(QStringLiteral("'idempotency_key' is longer than 200 "
                                                  "characters")));
        // A retry of a send that was taken gets its turn back, whatever the gate says now.
        if (const QString existing = m_turns->turnForKey(key); !existing.isEmpty())
            return done(CommandResult::success(
                {{QStringLiteral("turn_id"), existing}, {QStringLiteral("duplicate"), true}}));
        switch (m_gateway->admit(false)) {
        case Gateway::Admission::Stopping:
            m_turns->countRefused();
            return done(CommandResult::failure(QString::fromLatin1(Protocol::Error::Stopping),
                                               QStringLiteral("the gateway is stopping")));
        case Gateway::Admission::Draining:
            m_turns->countRefused();
            return done(CommandResult::failure(
                QString::fromLatin1(Protocol::Error::Draining),
                QStringLiteral("the gateway is draining and accepts no new turns")));
        case Gateway::Admission::StorageUnavailable:
            m_turns->countRefused();
            return done(CommandResult::failure(
                QString::fromLatin1(Protocol::Error::StorageUnavailable),
                QStringLiteral("HOME cannot be written (%1); no new turns until it can")
                    .arg(m_gateway->statusJson()
                             .value(QStringLiteral("storage"))
                             .toObject()
                             .value(QStringLiteral("error"))
                             .toString())));
        case Gateway::Admission::Accepted:
            break;
        }
        TurnManager::SubmitOptions options;
        options.clientId = context.clientId;
        options.idempotencyKey = key;
        const QString id = m_turns->submit(session.toString(), text.toString(), options);
        if (id.isEmpty())
            return done(CommandResult::failure(
                QString::fromLatin1(Protocol::Error::StorageUnavailable),
                QStringLiteral("the turn cannot be stored (state.db: %1); nothing was started")
                    .arg(m_turns->storeError())));
        return done(CommandResult::success({{QStringLiteral("turn_id"), id}}));
    }
    if (cmd == QLatin1String(Protocol::Cmd::Turn)) {
        const QJsonValue id = args.value(QStringLiteral("turn_id"));
        if (!id.isString() || id.toString().isEmpty())
            return done(badRequest(QStringLiteral("'turn_id' must be a non-empty string")));
        const auto turn = m_turns->turn(id.toString());
        if (!turn)
            return done(CommandResult::failure(QString::fromLatin1(Protocol::Error::NotFound),
                                               QStringLiteral("no such turn")));
        return done(CommandResult::success(turn->toJson()));
    }
    if (cmd == QLatin1String(Protocol::Cmd::Turns))
        return done(turns(args));
    if (cmd == QLatin1String(Protocol::Cmd::Follow) ||
        cmd == QLatin1String(Protocol::Cmd::Unfollow)) {
        // The ingress records who follows what; here: the turn and its output so far.
        const QJsonValue id = args.value(QStringLiteral("turn_id"));
        if (!id.isString() || id.toString().isEmpty())
            return done(badRequest(QStringLiteral("'turn_id' must be a non-empty string")));
        if (cmd == QLatin1String(Protocol::Cmd::Unfollow))
            return done(CommandResult::success({{QStringLiteral("turn_id"), id}}));
        const auto turn = m_turns->turn(id.toString());
        if (!turn)
            return done(CommandResult::failure(QString::fromLatin1(Protocol::Error::NotFound),
                                               QStringLiteral("no such turn")));
        const QByteArray output =
            isFinal(turn->state)
                ? turn->output
                : turn->output.left(TurnOutputFeed::completeUtf8Length(turn->output));
        return done(
            CommandResult::success({{QStringLiteral("turn_id"), turn->id},
                                    {QStringLiteral("session"), turn->session},
                                    {QStringLiteral("state"), wireName(turn->state)},
                                    {QStringLiteral("exit_code"),
                                     turn->exitCode ? QJsonValue(*turn->exitCode) : QJsonValue()},
                                    {QStringLiteral("output"), QString::fromUtf8(output)},
                                    {QStringLiteral("offset"), qint64(output.size())}}));
    }
    if (cmd == QLatin1String(Protocol::Cmd::Interrupt)) {
        const QJsonValue id = args.value(QStringLiteral("turn_id"));
        const QJsonValue session = args.value(QStringLiteral("session"));
        const bool hasId = id.isString() && !id.toString().isEmpty();
        const bool hasSession = session.isString() && !session.toString().isEmpty();
        if (hasId == hasSession)
            return done(badRequest(QStringLiteral("give exactly one of 'turn_id' or 'session'")));
        const QString reason = QStringLiteral("interrupted by %1").arg(principal);
        int count = 0;
        if (hasId) {
            count = m_turns->interruptTurn(id.toString(), reason,
                                           TurnManager::Interruption::ByOperator);
            // Not running here (unknown, or known only from state.db): maybe the predecessor's.
            if (count <= 0 && m_foreignInterrupt) {
                const int foreign = m_foreignInterrupt(id.toString(), QString(), reason);
                if (foreign >= 0)
                    count = foreign;
            }
            if (count < 0)
                return done(CommandResult::failure(QString::fromLatin1(Protocol::Error::NotFound),
                                                   QStringLiteral("no such turn")));
        } else {
            count = m_turns->interruptSession(session.toString(), reason,
                                              TurnManager::Interruption::ByOperator);
            if (m_foreignInterrupt)
                count += qMax(0, m_foreignInterrupt(QString(), session.toString(), reason));
        }
        return done(CommandResult::success({{QStringLiteral("interrupted"), count}}));
    }
    if (cmd == QLatin1String(Protocol::Cmd::ShutdownReport)) {
        const JsonFile report = readJsonFile(m_lastShutdownFile);
        if (!report.isObject())
            return done(CommandResult::failure(
                QString::fromLatin1(Protocol::Error::NotFound),
                report.exists()
                    ? QStringLiteral("last-shutdown.json is unreadable: %1").arg(report.error)
                    : QStringLiteral("no shutdown recorded yet")));
        return done(CommandResult::success(report.object));
    }
    done(CommandResult::failure(QString::fromLatin1(Protocol::Error::UnknownCommand),
                                QStringLiteral("unknown command '%1'").arg(cmd)));
}

CommandResult GatewayDispatcher::turns(const QJsonObject &args) const
{
    QString error;
    QString session;
    QString stateName;
    if (!optString(args, "session", &session, &error) ||
        !optString(args, "state", &stateName, &error))
        return badRequest(error);
    if (!session.isEmpty() && !Protocol::isValidSessionName(session))
        return badRequest(QStringLiteral("'session' must be 1-128 characters of A-Za-z0-9._:@-"));
    std::optional<TurnState> state;
    if (!stateName.isEmpty()) {
        TurnState s = TurnState::Queued;
        if (!fromWireName(stateName, &s) || s == TurnState::Refused)
            return badRequest(QStringLiteral("'state' must be queued, running, done, failed or "
                                             "interrupted"));
        state = s;
    }
    int limit = 20;
    const QJsonValue l = args.value(QStringLiteral("limit"));
    if (!l.isUndefined() && !l.isNull()) {
        if (!l.isDouble() || l.toDouble() != double(l.toInt()) || l.toInt() < 1 || l.toInt() > 200)
            return badRequest(QStringLiteral("'limit' must be an integer from 1 to 200"));
        limit = l.toInt();
    }
    return CommandResult::success(
        {{QStringLiteral("turns"), m_turns->recentTurnsJson(session, state, limit)}});
}

} // namespace sluice
