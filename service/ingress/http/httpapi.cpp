#include "ingress/http/httpapi.h"

#include "ingress/http/controltoken.h"
#include "ingress/http/httplog.h"
#include "ingress/http/metricsrenderer.h"

#include "ingress/commanddispatcher.h"
#include "sluice/atomicjson.h"
#include "sluice/protocol.h"
#include "sluice/runtimestatus.h"

#include <QJsonDocument>
#include <QJsonParseError>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrlQuery>

namespace sluice {

namespace {
const RequestContext httpContext{RequestSource::Http, QStringLiteral("http"), 0};

// Parses a request body: empty = {} (when allowed); anything but a JSON object = error.
bool parseBody(const QByteArray &body, bool allowEmpty, QJsonObject *out, QString *error)
{
    if (body.trimmed().isEmpty()) {
        if (allowEmpty) {
            *out = {};
            return true;
        }
        *error = QStringLiteral("a JSON object body is required");
        return false;
    }
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &pe);
    if (pe.error != QJsonParseError::NoError) {
        *error = QStringLiteral("malformed JSON: %1").arg(pe.errorString());
        return false;
    }
    if (!doc.isObject()) {
        *error = QStringLiteral("the body must be a JSON object");
        return false;
    }
    *out = doc.object();
    return true;
}

HttpResponse ok(const QJsonObject &fields, int status = 200)
{
    QJsonObject o = fields;
    o.remove(QStringLiteral("v"));
    o.remove(QStringLiteral("id"));
    return HttpResponse::json(status, o);
}
// 405 with the methods the path takes.
HttpResponse notAllowed(const QByteArray &allow)
{
    HttpResponse r = HttpResponse::error(405, "method_not_allowed",
                                         QStringLiteral("use %1").arg(QString::fromLatin1(allow)));
    r.headers.append({"Allow", allow});
    return r;
}

HttpResponse badRequestReply(const QString &message)
{
    return HttpResponse::error(400, "bad_request", message);
}

// 202 for a stop or restart the service took on (it runs after the answer).
HttpResponse acceptedReply(const QJsonObject &fields)
{
    return ok({{QStringLiteral("accepted"), fields.value(QStringLiteral("accepted")).toBool(true)}},
              202);
}
} // namespace

HttpApi::HttpApi(CommandDispatcher *dispatcher, const Options &options, QObject *parent)
    : QObject(parent)
    , m_dispatcher(dispatcher)
    , m_options(options)
    , m_server(new QTcpServer(this))
{
    connect(m_server, &QTcpServer::newConnection, this, &HttpApi::onNewConnection);
}

HttpApi::~HttpApi() = default;

bool HttpApi::listen(QString *error)
{
    if (m_server->listen(m_options.address, quint16(m_options.port))) {
        qCInfo(lcHttp).noquote() << "HTTP API listening on"
                                 << m_server->serverAddress().toString() + QLatin1Char(':') +
                                        QString::number(m_server->serverPort());
        return true;
    }
    if (error)
        *error = m_server->errorString();
    return false;
}

bool HttpApi::adopt(int descriptor, QString *error)
{
    if (m_server->setSocketDescriptor(descriptor)) {
        qCInfo(lcHttp).noquote() << "HTTP API listening on the inherited socket"
                                 << m_server->serverAddress().toString() + QLatin1Char(':') +
                                        QString::number(m_server->serverPort());
        return true;
    }
    if (error)
        *error = m_server->errorString();
    return false;
}

int HttpApi::descriptor() const
{
    return m_server->isListening() ? int(m_server->socketDescriptor()) : -1;
}

void HttpApi::setAccepting(bool accepting)
{
    if (accepting)
        m_server->resumeAccepting();
    else
        m_server->pauseAccepting();
}

bool HttpApi::isListening() const
{
    return m_server->isListening();
}

quint16 HttpApi::port() const
{
    return m_server->serverPort();
}

QHostAddress HttpApi::address() const
{
    return m_server->serverAddress();
}

void HttpApi::close()
{
    m_server->close();
    const auto connections = findChildren<HttpConnection *>(QString(), Qt::FindDirectChildrenOnly);
    for (HttpConnection *c : connections)
        delete c;
    m_connections = 0;
}

void HttpApi::onNewConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        if (m_connections >= m_options.maxConnections && !makeRoom()) {
            qCWarning(lcHttp).noquote()
                << "connection limit reached, every connection busy; refusing one";
            socket->abort();
            socket->deleteLater();
            continue;
        }
        ++m_connections;
        auto *connection = new HttpConnection(socket, m_options.limits, this);
        connect(connection, &HttpConnection::requestReady, this,
                [this, connection](const HttpRequest &r) { handle(connection, r); });
        connect(connection, &HttpConnection::closed, this, [this, connection] {
            --m_connections;
            connection->deleteLater();
        });
    }
}

bool HttpApi::makeRoom()
{
    // At the cap a new client (a health probe, an operator) still gets in: the connection
    // that never sent a request line goes first, else the one idle the longest; never one
    // whose request is being answered.
    HttpConnection *victim = nullptr;
    const auto connections = findChildren<HttpConnection *>(QString(), Qt::FindDirectChildrenOnly);
    for (HttpConnection *c : connections) {
        if (c->isBusy())
            continue;
        if (!victim || (!c->hasSentARequestLine() && victim->hasSentARequestLine()) ||
            (c->hasSentARequestLine() == victim->hasSentARequestLine() &&
             c->idleMs() > victim->idleMs()))
            victim = c;
    }
    if (!victim)
        return false;
    qCDebug(lcHttp).noquote() << "at the connection cap: closing the least useful connection";
    victim->closeNow(); // emits closed(): the count goes down
    return true;
}

bool HttpApi::authorized(const HttpRequest &request) const
{
    const QByteArray auth = request.header("authorization");
    if (auth.size() < 7 || auth.left(7).toLower() != "bearer ")
        return false;
    return ControlToken::constantTimeEquals(m_options.token, auth.mid(7).trimmed());
}

void HttpApi::handle(HttpConnection *connection, const HttpRequest &request)
{
    qCDebug(lcHttp).noquote() << request.method << request.target;
    route(QPointer<HttpConnection>(connection), request);
}

HttpResponse HttpApi::errorResponse(const QString &code, const QString &message) const
{
    int status = 500;
    if (code == QLatin1String(Protocol::Error::Draining) ||
        code == QLatin1String(Protocol::Error::Stopping))
        status = 503;
    else if (code == QLatin1String(Protocol::Error::NotFound))
        status = 404;
    else if (code == QLatin1String(Protocol::Error::BadRequest))
        status = 400;
    else if (code == QLatin1String(Protocol::Error::StorageUnavailable))
        status = 507; // Insufficient Storage
    HttpResponse r = HttpResponse::error(status, code.toUtf8(), message);
    if (status == 503)
        r.headers.append({"Retry-After", QByteArray::number(m_options.retryAfterS)});
    return r;
}

void HttpApi::call(QPointer<HttpConnection> connection, const QString &cmd, const QJsonObject &args,
                   std::function<HttpResponse(const QJsonObject &fields)> reply)
{
    m_dispatcher->dispatch(
        cmd, args, httpContext, [this, connection, reply](const CommandResult &result) {
            if (!connection)
                return; // the client went away meanwhile
            connection->respond(result.ok ? reply(result.fields)
                                          : errorResponse(result.errorCode, result.message));
        });
}

void HttpApi::turnOutput(const QString &turnId, const QString &stream, qint64 offset,
                         const QByteArray &data)
{
    m_events.output(turnId, stream, offset, data);
}

void HttpApi::turnEnded(const QString &turnId, const QJsonObject &fields)
{
    m_events.end(turnId, fields);
}

void HttpApi::routeTurns(QPointer<HttpConnection> connection, const HttpRequest &request)
{
    const QByteArray &path = request.path;
    const QByteArray &method = request.method;
    if (path == "/v1/turns" && method == "GET") {
        // ?session=&state=&limit=: the IPC `turns` arguments (checked by the dispatcher).
        const qsizetype q = request.target.indexOf('?');
        const QUrlQuery query(q < 0 ? QString() : QString::fromUtf8(request.target.mid(q + 1)));
        QJsonObject args;
        for (const char *key : {"session", "state"}) {
            const QString v = query.queryItemValue(QLatin1String(key), QUrl::FullyDecoded);
            if (!v.isEmpty())
                args.insert(QLatin1String(key), v);
        }
        const QString limit = query.queryItemValue(QStringLiteral("limit"));
        if (!limit.isEmpty()) {
            bool okNumber = false;
            const int n = limit.toInt(&okNumber);
            if (!okNumber)
                return connection->respond(
                    badRequestReply(QStringLiteral("limit must be an integer from 1 to 200")));
            args.insert(QStringLiteral("limit"), n);
        }
        return call(connection, QString::fromLatin1(Protocol::Cmd::Turns), args,
                    [](const QJsonObject &f) { return ok(f); });
    }
    if (path == "/v1/turns") {
        if (method != "POST")
            return connection->respond(notAllowed("GET, POST"));
        QJsonObject body;
        QString bodyError;
        if (!parseBody(request.body, false, &body, &bodyError))
            return connection->respond(badRequestReply(bodyError));
        const QJsonValue session = body.value(QStringLiteral("session"));
        const QJsonValue text = body.value(QStringLiteral("text"));
        if (!session.isString() || !text.isString())
            return connection->respond(
                badRequestReply(QStringLiteral("session and text (strings) are required")));
        QJsonObject args{{QStringLiteral("session"), session}, {QStringLiteral("text"), text}};
        // A client that retries sends the same key and gets the same turn (200, not 202).
        const QByteArray key = request.header("idempotency-key");
        if (!key.isEmpty())
            args.insert(QStringLiteral("idempotency_key"), QString::fromUtf8(key));
        return call(
            connection, QString::fromLatin1(Protocol::Cmd::Send), args, [](const QJsonObject &f) {
                const bool duplicate = f.value(QStringLiteral("duplicate")).toBool();
                QJsonObject fields{{QStringLiteral("turn_id"), f.value(QStringLiteral("turn_id"))}};
                if (duplicate)
                    fields.insert(QStringLiteral("duplicate"), true);
                return ok(fields, duplicate ? 200 : 202);
            });
    }
    if (method != "GET")
        return connection->respond(notAllowed("GET"));
    QByteArray rest = path.mid(int(qstrlen("/v1/turns/")));
    const bool events = rest.endsWith("/events");
    if (events)
        rest.chop(int(qstrlen("/events")));
    const QString id = QString::fromUtf8(rest);
    if (id.isEmpty() || id.contains(QLatin1Char('/')))
        return connection->respond(
            HttpResponse::error(404, "not_found", QStringLiteral("no such turn")));
    if (!events)
        return call(connection, QString::fromLatin1(Protocol::Cmd::Turn),
                    {{QStringLiteral("turn_id"), id}}, [](const QJsonObject &f) { return ok(f); });
    m_dispatcher->dispatch(
        QString::fromLatin1(Protocol::Cmd::Follow), {{QStringLiteral("turn_id"), id}}, httpContext,
        [this, connection](const CommandResult &result) {
            if (!connection)
                return;
            if (!result.ok)
                return connection->respond(errorResponse(result.errorCode, result.message));
            m_events.open(connection, result.fields);
        });
}

void HttpApi::route(QPointer<HttpConnection> connection, const HttpRequest &request)
{
    const QByteArray &path = request.path;
    const QByteArray &method = request.method;
    auto methodNotAllowed = [&](const QByteArray &allow) {
        connection->respond(notAllowed(allow));
    };
    auto badRequest = [&](const QString &message) {
        connection->respond(HttpResponse::error(400, "bad_request", message));
    };

    // Unauthenticated probes.
    if (path == "/healthz") {
        if (method != "GET")
            return methodNotAllowed("GET");
        return connection->respond(HttpResponse::json(200, {{QStringLiteral("ok"), true}}));
    }
    if (path == "/readyz") {
        if (method != "GET")
            return methodNotAllowed("GET");
        return call(
            connection, QString::fromLatin1(Protocol::Cmd::Status), {}, [](const QJsonObject &s) {
                const RuntimeStatus status = RuntimeStatus::fromJson(s);
                const bool ready = status.state == GatewayState::Running && status.accepting;
                return HttpResponse::json(ready ? 200 : 503,
                                          {{QStringLiteral("ready"), ready},
                                           {QStringLiteral("state"), wireName(status.state)}});
            });
    }

    if (!authorized(request)) {
        HttpResponse r = HttpResponse::error(401, "unauthorized",
                                             QStringLiteral("missing or wrong bearer token"));
        r.headers.append(
            qMakePair(QByteArray("WWW-Authenticate"), QByteArray("Bearer realm=\"sluice\"")));
        return connection->respond(r);
    }

    QJsonObject body;
    QString bodyError;
    if (path == "/api/status") {
        if (method != "GET")
            return methodNotAllowed("GET");
        return call(connection, QString::fromLatin1(Protocol::Cmd::Status), {},
                    [](const QJsonObject &f) { return ok(f); });
    }
    if (path == "/api/agents") {
        if (method != "GET")
            return methodNotAllowed("GET");
        return call(connection, QString::fromLatin1(Protocol::Cmd::Agents), {},
                    [](const QJsonObject &f) { return ok(f); });
    }
    if (path == "/api/gateway/drain") {
        if (method != "POST")
            return methodNotAllowed("POST");
        if (!parseBody(request.body, true, &body, &bodyError))
            return badRequest(bodyError);
        const QJsonValue action = body.value(QStringLiteral("action"));
        const QJsonValue suppress = body.value(QStringLiteral("suppress_notification"));
        if (!suppress.isUndefined() && !suppress.isBool())
            return badRequest(QStringLiteral("suppress_notification must be a boolean"));
        if (action.isUndefined() || action == QLatin1String("drain")) {
            const QString requestedAt = isoUtcNow();
            return call(connection, QString::fromLatin1(Protocol::Cmd::Drain),
                        {{QStringLiteral("principal"), QStringLiteral("http")},
                         {QStringLiteral("suppress_notification"), suppress.toBool(false)}},
                        [requestedAt](const QJsonObject &f) {
                            return ok({{QStringLiteral("ok"), true},
                                       {QStringLiteral("action"), QStringLiteral("drain")},
                                       {QStringLiteral("draining"), true},
                                       {QStringLiteral("state"), f.value(QStringLiteral("state"))},
                                       {QStringLiteral("requested_at"), requestedAt}});
                        });
        }
        if (action == QLatin1String("cancel")) {
            return call(connection, QString::fromLatin1(Protocol::Cmd::CancelDrain), {},
                        [](const QJsonObject &f) {
                            return ok(
                                {{QStringLiteral("ok"), true},
                                 {QStringLiteral("action"), QStringLiteral("cancel")},
                                 {QStringLiteral("was_draining"),
                                  f.value(QStringLiteral("was_draining")).toBool()},
                                 {QStringLiteral("state"), f.value(QStringLiteral("state"))}});
                        });
        }
        return badRequest(QStringLiteral("action must be \"drain\" or \"cancel\""));
    }
    if (path == "/api/gateway/stop") {
        if (method != "POST")
            return methodNotAllowed("POST");
        if (!parseBody(request.body, true, &body, &bodyError))
            return badRequest(bodyError);
        return call(connection, QString::fromLatin1(Protocol::Cmd::Stop), {}, acceptedReply);
    }
    if (path == "/api/gateway/restart") {
        if (method != "POST")
            return methodNotAllowed("POST");
        if (!parseBody(request.body, true, &body, &bodyError))
            return badRequest(bodyError);
        const QJsonValue force = body.value(QStringLiteral("force"));
        if (!force.isUndefined() && !force.isBool())
            return badRequest(QStringLiteral("force must be a boolean"));
        return call(connection, QString::fromLatin1(Protocol::Cmd::Restart),
                    {{QStringLiteral("force"), force.toBool(false)}}, acceptedReply);
    }
    if (path == "/v1/turns" || path.startsWith("/v1/turns/"))
        return routeTurns(connection, request);
    if (path == "/metrics") {
        if (method != "GET")
            return methodNotAllowed("GET");
        // status, then the internal metrics; a service without "metrics" still gets the
        // status-based families.
        m_dispatcher->dispatch(
            QString::fromLatin1(Protocol::Cmd::Status), {}, httpContext,
            [this, connection](const CommandResult &status) {
                if (!connection)
                    return;
                if (!status.ok)
                    return connection->respond(errorResponse(status.errorCode, status.message));
                m_dispatcher->dispatch(QStringLiteral("metrics"), {}, httpContext,
                                       [connection, status](const CommandResult &metrics) {
                                           if (!connection)
                                               return;
                                           HttpResponse r;
                                           r.contentType = MetricsRenderer::contentType();
                                           r.body = MetricsRenderer::render(
                                               status.fields,
                                               metrics.ok ? metrics.fields : QJsonObject());
                                           connection->respond(r);
                                       });
            });
        return;
    }
    connection->respond(HttpResponse::error(404, "not_found", QStringLiteral("no such endpoint")));
}

} // namespace sluice
