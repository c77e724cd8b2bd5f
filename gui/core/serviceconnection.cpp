#include "core/serviceconnection.h"

#include "core/guilogging.h"

#include "sluice/atomicjson.h"
#include "sluice/paths.h"
#include "sluice/processidentity.h"
#include "sluice/protocol.h"
#include "sluice/states.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QHash>
#include <QJsonDocument>
#include <QTimer>

namespace sluice::gui {

namespace {
// How often, at most, the tray logs that it still cannot reach the service.
constexpr qint64 FailureLogIntervalMs = 60000;
// A service process that says "starting" for longer than this is not starting any more.
constexpr qint64 StartupLimitS = 60;

QString idString(const QJsonValue &v)
{
    return v.isString() ? v.toString() : QString::number(v.toInteger());
}
} // namespace

ServiceConnection::ServiceConnection(const QString &home, QObject *parent)
    : QObject(parent)
    , m_home(home)
    , m_client(new IpcClient(this))
    , m_heartbeat(new QTimer(this))
    , m_offlinePoll(new QTimer(this))
{
    connect(m_client, &IpcClient::connected, this, &ServiceConnection::onConnected);
    connect(m_client, &IpcClient::disconnected, this, &ServiceConnection::onDisconnected);
    connect(m_client, &IpcClient::connectFailed, this, [this](const QString &) {
        // The socket's own error text is Qt's, not the user's: it is never shown.
        noteConnectFailure();
        // The service may have come back on another socket (gateway_state.json names it).
        refreshServerName();
        setUnreachable(tr("no service answers on its socket"));
    });
    connect(m_client, &IpcClient::eventReceived, this, &ServiceConnection::onEvent);

    m_heartbeat->setInterval(2000);
    connect(m_heartbeat, &QTimer::timeout, this, &ServiceConnection::heartbeat);
    // While the service cannot be asked, gateway_state.json tells "stopped" from "unreachable"
    // and the grace period runs out.
    m_offlinePoll->setInterval(1000);
    connect(m_offlinePoll, &QTimer::timeout, this, &ServiceConnection::recompute);
    m_silentSince.start();
}

ServiceConnection::~ServiceConnection()
{
    // Going away is not the service going away: no state change may reach anyone now.
    m_closing = true;
    disconnect(m_client, nullptr, this, nullptr);
    m_client->disconnectFromServer();
}

void ServiceConnection::start()
{
    refreshServerName();
    m_silentSince.restart();
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
        qCDebug(lcTray).noquote() << "service socket:" << name;
        m_client->setServerName(name);
    }
}

void ServiceConnection::noteConnectFailure()
{
    // Retries come every few seconds while no service runs: log the first, then a summary
    // at most once a minute.
    if (!m_failureLogged.isValid() || m_failureLogged.elapsed() >= FailureLogIntervalMs) {
        if (m_failuresUnlogged > 0)
            qCInfo(lcTray).noquote()
                << "still no service on" << m_client->serverName()
                << QStringLiteral("(%1 more attempts)").arg(m_failuresUnlogged);
        else
            qCInfo(lcTray).noquote()
                << "no service on" << m_client->serverName() << "- retrying in the background";
        m_failureLogged.restart();
        m_failuresUnlogged = 0;
    } else {
        ++m_failuresUnlogged;
    }
}

void ServiceConnection::onConnected()
{
    const quint64 gen = ++m_generation;
    qCInfo(lcTray).noquote() << "connected to" << m_client->serverName();
    m_failureLogged.invalidate();
    m_failuresUnlogged = 0;
    m_everConnected = true;
    auto guarded = [this, gen](auto fn) {
        return [this, gen, fn](const IpcReply &r) {
            if (gen == m_generation)
                fn(r);
        };
    };
    m_client->request(QLatin1String(Protocol::Cmd::Hello), {{"client", "sluice-tray"}},
                      guarded([this](const IpcReply &r) {
                          if (!r.ok) {
                              qCWarning(lcTray) << "hello failed:" << r.errorCode;
                              return;
                          }
                          m_features.clear();
                          const QJsonArray f = r.body.value(QLatin1String("features")).toArray();
                          for (const QJsonValue &v : f)
                              m_features << v.toString();
                          Q_EMIT statusChanged();
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
    Q_EMIT connectedChanged(true);
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
    setUnreachable(tr("the connection was lost"));
    Q_EMIT connectedChanged(false);
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
            if (r.ok) {
                applyStatus(r.body);
            } else if (r.errorCode == QLatin1String(Protocol::Error::Timeout)) {
                // Connected but silent (frozen): no grace, it has had its chance.
                if (m_reachable)
                    m_silentSince.restart();
                setUnreachable(tr("not responding"));
            }
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
            usage.insert(idString(a.value(QLatin1String("turn_id"))),
                         a.value(QLatin1String("usage")));
        }
        QJsonArray agents = event.value(QLatin1String("agents")).toArray();
        for (qsizetype i = 0; i < agents.size(); ++i) {
            QJsonObject a = agents.at(i).toObject();
            const QJsonValue known = usage.value(idString(a.value(QLatin1String("turn_id"))));
            if (!a.contains(QLatin1String("usage")) && known.isObject()) {
                a.insert(QLatin1String("usage"), known);
                agents.replace(i, a);
            }
        }
        m_agents = agents;
        Q_EMIT agentsChanged();
    } else if (name == QLatin1String(Protocol::Event::Turn)) {
        Q_EMIT turnChanged(idString(event.value(QLatin1String("turn_id"))),
                           event.value(QLatin1String("session")).toString(),
                           event.value(QLatin1String("state")).toString(), event);
    } else if (name == QLatin1String(Protocol::Event::TurnOutput)) {
        Q_EMIT turnOutput(idString(event.value(QLatin1String("turn_id"))),
                          event.value(QLatin1String("stream")).toString(),
                          event.value(QLatin1String("offset")).toInteger(),
                          event.value(QLatin1String("data")).toString(),
                          event.value(QLatin1String("skipped")).toInteger());
    } else if (name == QLatin1String(Protocol::Event::Shutdown)) {
        // The event's cause (reference §10): a restart comes back, anything else does not.
        StopCause cause = StopCause::Planned;
        fromWireName(event.value(QLatin1String("cause")).toString(), &cause);
        Q_EMIT shutdownAnnounced(cause == StopCause::Restart || cause == StopCause::ForceRestart);
    } else if (name == QLatin1String(Protocol::Event::RestartFinished)) {
        Q_EMIT restartFinished(event.value(QLatin1String("handoff")).toBool());
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
    m_silentSince.restart();
    // The tooltip's extra line: a HOME that cannot be written is what the user must know.
    const QJsonObject storage = s.value(QLatin1String(StatusField::Storage)).toObject();
    m_detail = storage.value(QLatin1String("available")).toBool(true)
                   ? QString()
                   : tr("HOME cannot be written: no new turns (%1)")
                         .arg(storage.value(QLatin1String("error")).toString());
    // Why it drains when nobody here asked: a drain that outlived the last stop.
    const QJsonObject leftover =
        s.value(QLatin1String("drain")).toObject().value(QLatin1String("leftover")).toObject();
    if (m_detail.isEmpty() && !leftover.isEmpty())
        m_detail = tr("Draining since before the last stop (asked for by %1); Cancel drain ends it")
                       .arg(leftover.value(QLatin1String("principal")).toString(tr("someone")));
    m_effectiveState = m_runtime.state;
    m_offline = Offline::Unreachable;
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
    if (m_closing)
        return;
    const bool wasReachable = m_reachable;
    if (wasReachable && detail != tr("not responding"))
        m_silentSince.restart(); // the grace period starts now
    m_reachable = false;
    m_lostDetail = detail;
    recompute();
    if (wasReachable)
        Q_EMIT statusChanged();
}

void ServiceConnection::recompute()
{
    if (m_reachable || m_closing)
        return;
    // Nobody answers: what did the service last write?
    const QString stateFile = HomePaths(m_home).stateFile();
    const JsonFile f = readJsonFile(stateFile);
    std::optional<GatewayState> state;
    Offline offline = Offline::Unreachable;
    QString detail = m_lostDetail;
    QJsonObject onDisk;
    const bool frozen = m_client->isConnected(); // connected but not answering
    if (f.isObject()) {
        onDisk = f.object;
        const RuntimeStatus rs = RuntimeStatus::fromJson(onDisk);
        const bool processAlive =
            rs.pid > 0 && ProcessIdentity::isSameProcess(rs.pid, rs.startTime);
        const qint64 writtenAgoS =
            QFileInfo(stateFile).lastModified().secsTo(QDateTime::currentDateTime());
        if (rs.state == GatewayState::Stopped || rs.state == GatewayState::StartupFailed) {
            state = rs.state;
        } else if (rs.state == GatewayState::Starting && processAlive && !frozen &&
                   writtenAgoS < StartupLimitS) {
            state = GatewayState::Starting; // not listening yet: that is what starting means
        } else if (!frozen && m_silentSince.elapsed() < m_graceMs) {
            offline = Offline::Connecting;
            detail = tr("waiting for the service to answer");
        } else if (!processAlive && rs.pid > 0 && !frozen) {
            detail = tr("the service process (pid %1) is gone").arg(rs.pid);
        }
    } else if (!m_everConnected && !frozen) {
        // No state file and never reached: no service has run in this HOME.
        offline = Offline::FirstRun;
        detail.clear();
    } else if (!frozen && m_silentSince.elapsed() < m_graceMs) {
        offline = Offline::Connecting;
        detail = tr("waiting for the service to answer");
    }
    const bool changed = state != m_effectiveState || offline != m_offline || detail != m_detail ||
                         (state && onDisk != m_status);
    if (!changed)
        return;
    m_effectiveState = state;
    m_offline = offline;
    m_detail = detail;
    if (state)
        setStatus(onDisk); // shows pid/exit details of the stopped service
    Q_EMIT statusChanged();
}

QString ServiceConnection::commandDisplayName(const QString &cmd)
{
    static const QHash<QString, const char *> names{
        {QLatin1String(Protocol::Cmd::Drain), QT_TR_NOOP("Drain")},
        {QLatin1String(Protocol::Cmd::CancelDrain), QT_TR_NOOP("Cancel drain")},
        {QLatin1String(Protocol::Cmd::Stop), QT_TR_NOOP("Stop")},
        {QLatin1String(Protocol::Cmd::Restart), QT_TR_NOOP("Restart")},
        {QLatin1String(Protocol::Cmd::Interrupt), QT_TR_NOOP("Interrupt")},
        {QLatin1String(Protocol::Cmd::Send), QT_TR_NOOP("Sending the message")},
        {QLatin1String(Protocol::Cmd::Status), QT_TR_NOOP("Asking for the status")},
        {QLatin1String(Protocol::Cmd::Turn), QT_TR_NOOP("Reading the turn")},
        {QLatin1String(Protocol::Cmd::Turns), QT_TR_NOOP("Listing recent turns")},
        {QLatin1String(Protocol::Cmd::Follow), QT_TR_NOOP("Following the turn")},
    };
    const auto it = names.constFind(cmd);
    return it == names.constEnd() ? cmd : tr(*it);
}

void ServiceConnection::send(const QString &cmd, const QJsonObject &args, Done done)
{
    qCInfo(lcTray).noquote() << "request" << cmd
                             << QString::fromUtf8(
                                    QJsonDocument(args).toJson(QJsonDocument::Compact));
    m_client->request(
        cmd, args,
        [this, cmd, done](const IpcReply &r) {
            if (!r.ok) {
                QString why;
                if (r.errorCode == QLatin1String(Protocol::Error::Timeout))
                    why = tr("the service did not answer within %1 s")
                              .arg(m_actionTimeoutMs / 1000.0);
                else if (r.errorCode == QLatin1String(Protocol::Error::Disconnected))
                    why = tr("the service is not reachable");
                else
                    why = r.errorMessage.isEmpty() ? r.errorCode : r.errorMessage;
                const QString msg = tr("%1 failed: %2").arg(commandDisplayName(cmd), why);
                qCWarning(lcTray).noquote() << msg << "code=" + r.errorCode;
                Q_EMIT actionFailed(msg);
            }
            if (done)
                done(r);
        },
        m_actionTimeoutMs);
}

void ServiceConnection::query(const QString &cmd, const QJsonObject &args, Done done)
{
    m_client->request(cmd, args, std::move(done), m_actionTimeoutMs);
}

} // namespace sluice::gui
