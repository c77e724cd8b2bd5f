#include "core/serviceconnection.h"

#include "core/guilogging.h"

#include "sluice/atomicjson.h"
#include "sluice/paths.h"
#include "sluice/protocol.h"
#include "sluice/states.h"

#include <QHash>
#include <QTimer>

namespace sluice::gui {

ServiceConnection::ServiceConnection(const QString &home, QObject *parent)
    : QObject(parent)
    , m_home(home)
    , m_client(new IpcClient(this))
    , m_heartbeat(new QTimer(this))
    , m_offlinePoll(new QTimer(this))
{
    connect(m_client, &IpcClient::connected, this, &ServiceConnection::onConnected);
    connect(m_client, &IpcClient::disconnected, this, &ServiceConnection::onDisconnected);
    connect(m_client, &IpcClient::connectFailed, this, [this](const QString &reason) {
        // The service may have come back on another socket (gateway_state.json names it).
        refreshServerName();
        setUnreachable(reason.isEmpty() ? QStringLiteral("no service on its socket") : reason);
    });
    connect(m_client, &IpcClient::eventReceived, this, &ServiceConnection::onEvent);

    m_heartbeat->setInterval(2000);
    connect(m_heartbeat, &QTimer::timeout, this, &ServiceConnection::heartbeat);
    // While the service cannot be asked, gateway_state.json tells "stopped" from "unreachable".
    m_offlinePoll->setInterval(1000);
    connect(m_offlinePoll, &QTimer::timeout, this, &ServiceConnection::recompute);
}

ServiceConnection::~ServiceConnection()
{
    m_client->disconnectFromServer();
}

void ServiceConnection::start()
{
    refreshServerName();
    m_client->setAutoReconnect(true, 200, 3000);
    m_client->connectToServer();
    m_offlinePoll->start();
    recompute();
}

void ServiceConnection::setHeartbeat(int intervalMs, int timeoutMs)
{
    m_heartbeat->setInterval(intervalMs);
    m_heartbeatTimeoutMs = timeoutMs;
}

void ServiceConnection::refreshServerName()
{
    const QString name = IpcClient::socketForHome(m_home);
    if (name != m_client->serverName()) {
        qCDebug(lcTray) << "service socket:" << name;
        m_client->setServerName(name);
    }
}

void ServiceConnection::onConnected()
{
    const quint64 gen = ++m_generation;
    qCInfo(lcTray) << "connected to" << m_client->serverName();
    auto guarded = [this, gen](auto fn) {
        return [this, gen, fn](const IpcReply &r) {
            if (gen == m_generation)
                fn(r);
        };
    };
    m_client->request(QLatin1String(Protocol::Cmd::Hello), {{"client", "sluice-tray"}},
                      guarded([](const IpcReply &r) {
                          if (!r.ok)
                              qCWarning(lcTray) << "hello failed:" << r.errorCode;
                      }));
    m_client->request(QLatin1String(Protocol::Cmd::Subscribe), {}, guarded([](const IpcReply &r) {
                          if (!r.ok)
                              qCWarning(lcTray) << "subscribe failed:" << r.errorCode;
                      }));
    m_client->request(QLatin1String(Protocol::Cmd::Status), {}, guarded([this](const IpcReply &r) {
                          if (r.ok)
                              applyStatus(r.body);
                      }),
                      m_actionTimeoutMs);
    m_client->request(QLatin1String(Protocol::Cmd::Agents), {}, guarded([this](const IpcReply &r) {
                          if (r.ok) {
                              m_agents = r.body.value(QLatin1String("agents")).toArray();
                              Q_EMIT agentsChanged();
                          }
                      }),
                      m_actionTimeoutMs);
    refreshShutdownReport();
    m_heartbeat->start();
}

void ServiceConnection::refreshShutdownReport()
{
    const quint64 gen = m_generation;
    m_client->request(
        QLatin1String(Protocol::Cmd::ShutdownReport), {},
        [this, gen](const IpcReply &r) {
            if (gen != m_generation || !r.ok)
                return;
            QJsonObject report = r.body;
            // Reply envelope fields are not part of the report.
            report.remove(QLatin1String("v"));
            report.remove(QLatin1String("id"));
            report.remove(QLatin1String("ok"));
            if (report.contains(QLatin1String("report")) && report.size() == 1)
                report = report.value(QLatin1String("report")).toObject();
            if (report != m_shutdownReport) {
                m_shutdownReport = report;
                Q_EMIT shutdownReportChanged();
            }
        },
        m_actionTimeoutMs);
}

void ServiceConnection::onDisconnected()
{
    ++m_generation;
    m_heartbeat->stop();
    m_heartbeatPending = false;
    qCInfo(lcTray) << "connection to the service lost";
    refreshServerName();
    if (!m_agents.isEmpty()) {
        m_agents = QJsonArray();
        Q_EMIT agentsChanged();
    }
    setUnreachable(QStringLiteral("connection lost"));
}

void ServiceConnection::heartbeat()
{
    if (m_heartbeatPending || !m_client->isConnected())
        return;
    m_heartbeatPending = true;
    const quint64 gen = m_generation;
    // The agents event carries no usage (it goes out on every turn start and end): what the
    // running turns use is asked for with the heartbeat, only while some run.
    if (!m_agents.isEmpty()) {
        m_client->request(
            QLatin1String(Protocol::Cmd::Agents), {},
            [this, gen](const IpcReply &r) {
                if (gen == m_generation && r.ok) {
                    m_agents = r.body.value(QLatin1String("agents")).toArray();
                    Q_EMIT agentsChanged();
                }
            },
            m_heartbeatTimeoutMs);
    }
    m_client->request(
        QLatin1String(Protocol::Cmd::Status), {},
        [this, gen](const IpcReply &r) {
            if (gen != m_generation)
                return;
            m_heartbeatPending = false;
            if (r.ok)
                applyStatus(r.body);
            else if (r.errorCode == QLatin1String(Protocol::Error::Timeout))
                setUnreachable(QStringLiteral("not responding"));
        },
        m_heartbeatTimeoutMs);
}

void ServiceConnection::onEvent(const QString &name, const QJsonObject &event)
{
    if (name == QLatin1String(Protocol::Event::Status)) {
        applyStatus(event);
    } else if (name == QLatin1String(Protocol::Event::Agents)) {
        // Keep the last known usage of turns that are still running.
        QHash<QString, QJsonValue> usage;
        for (const QJsonValue &v : std::as_const(m_agents)) {
            const QJsonObject a = v.toObject();
            usage.insert(a.value(QLatin1String("turn_id")).toString(),
                         a.value(QLatin1String("usage")));
        }
        QJsonArray agents = event.value(QLatin1String("agents")).toArray();
        for (qsizetype i = 0; i < agents.size(); ++i) {
            QJsonObject a = agents.at(i).toObject();
            const QJsonValue known = usage.value(a.value(QLatin1String("turn_id")).toString());
            if (!a.contains(QLatin1String("usage")) && known.isObject()) {
                a.insert(QLatin1String("usage"), known);
                agents.replace(i, a);
            }
        }
        m_agents = agents;
        Q_EMIT agentsChanged();
    } else if (name == QLatin1String(Protocol::Event::Shutdown)) {
        // The event's cause (reference §10): a restart comes back, anything else does not.
        StopCause cause = StopCause::Planned;
        fromWireName(event.value(QLatin1String("cause")).toString(), &cause);
        Q_EMIT shutdownAnnounced(cause == StopCause::Restart || cause == StopCause::ForceRestart);
    } else if (name == QLatin1String(Protocol::Event::RestartFinished)) {
        Q_EMIT restartFinished();
        refreshShutdownReport();
    }
}

void ServiceConnection::applyStatus(const QJsonObject &status)
{
    QJsonObject s = status;
    s.remove(QLatin1String("v"));
    s.remove(QLatin1String("id"));
    s.remove(QLatin1String("ok"));
    s.remove(QLatin1String("event"));
    const bool changed = s != m_status || !m_reachable;
    setStatus(s);
    m_reachable = true;
    // The tooltip's extra line: a HOME that cannot be written is what the user must know.
    const QJsonObject storage = s.value(QLatin1String(StatusField::Storage)).toObject();
    m_detail = storage.value(QLatin1String("available")).toBool(true)
                   ? QString()
                   : QStringLiteral("HOME cannot be written: no new turns (%1)")
                         .arg(storage.value(QLatin1String("error")).toString());
    m_effectiveState = m_runtime.state;
    if (changed)
        Q_EMIT statusChanged();
}

void ServiceConnection::setStatus(const QJsonObject &status)
{
    m_status = status;
    m_runtime = RuntimeStatus::fromJson(status);
}

void ServiceConnection::setUnreachable(const QString &detail)
{
    const bool wasReachable = m_reachable;
    m_reachable = false;
    m_detail = detail;
    recompute();
    if (wasReachable)
        Q_EMIT statusChanged();
}

void ServiceConnection::recompute()
{
    if (m_reachable)
        return;
    // Nobody answers: what did the service last write? A finished stop says "stopped".
    const JsonFile f = readJsonFile(HomePaths(m_home).stateFile());
    std::optional<GatewayState> state; // none: unreachable
    QJsonObject onDisk;
    if (f.isObject()) {
        onDisk = f.object;
        const GatewayState s = RuntimeStatus::fromJson(onDisk).state;
        if (s == GatewayState::Stopped || s == GatewayState::StartupFailed)
            state = s;
    }
    // A frozen but connected service is unreachable whatever the file says.
    if (m_client->isConnected())
        state.reset();
    if (state != m_effectiveState || (state && onDisk != m_status)) {
        m_effectiveState = state;
        if (state)
            setStatus(onDisk); // shows pid/exit details of the stopped service
        Q_EMIT statusChanged();
    }
}

void ServiceConnection::send(const QString &cmd, const QJsonObject &args, Done done)
{
    qCInfo(lcTray) << "request" << cmd << args;
    m_client->request(
        cmd, args,
        [this, cmd, done](const IpcReply &r) {
            if (!r.ok) {
                QString why;
                if (r.errorCode == QLatin1String(Protocol::Error::Timeout))
                    why = QStringLiteral("the service did not answer within %1 s")
                              .arg(m_actionTimeoutMs / 1000.0);
                else if (r.errorCode == QLatin1String(Protocol::Error::Disconnected))
                    why = QStringLiteral("the service is not reachable");
                else
                    why = r.errorMessage.isEmpty()
                              ? r.errorCode
                              : QStringLiteral("%1 (%2)").arg(r.errorMessage, r.errorCode);
                const QString msg = QStringLiteral("%1 failed: %2").arg(cmd, why);
                qCWarning(lcTray).noquote() << msg;
                Q_EMIT actionFailed(msg);
            }
            if (done)
                done(r);
        },
        m_actionTimeoutMs);
}

} // namespace sluice::gui
