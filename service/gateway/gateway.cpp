#include "gateway/gateway.h"

#include "gateway/gatewaylogging.h"
#include "gateway/statuswriter.h"
#include "gateway/storagehealth.h"
#include "supervisor/stopbudget.h"
#include "turns/turninfo.h"
#include "turns/turnmanager.h"

#include "sluice/processidentity.h"
#include "sluice/version.h"

#include <QJsonArray>
#include <QTimer>

#include <limits>

namespace sluice {

Gateway::Gateway(const Config &config, TurnManager *turns, StatusWriter *writer,
                 StorageHealth *storage, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_turns(turns)
    , m_writer(writer)
    , m_storage(storage)
    , m_markerExpiry(new QTimer(this))
{
    m_markerExpiry->setSingleShot(true);
    // The condition is part of the status reply: subscribers see it come and go.
    connect(m_storage, &StorageHealth::availabilityChanged, this, [this] {
        if (m_serving)
            Q_EMIT eventPublished(QStringLiteral("status"), statusJson());
    });
    connect(m_markerExpiry, &QTimer::timeout, this, &Gateway::reevaluateMarker);
    m_uptime.start();
    m_status.state = GatewayState::Starting;
    m_status.desiredState = DesiredState::Running;
    m_status.pid = ProcessIdentity::currentPid();
    m_status.startTime = ProcessIdentity::currentStartTime();
    m_status.epoch = config.epoch;
    m_status.accepting = false;
    m_status.socket = config.socket;
    m_status.httpPort = config.httpPort;
    m_status.version = QStringLiteral(SLUICE_VERSION);

    m_supervisor =
        QJsonObject{{QStringLiteral("aligned"), QJsonValue()},
                    {QStringLiteral("timeout_stop_us"), QJsonValue()},
                    {QStringLiteral("required_us"),
                     StopBudget::microseconds(config.drainTimeoutS, config.interruptGraceS)},
                    {QStringLiteral("message"), QString()}};

    connect(m_turns, &TurnManager::runningCountChanged, this, [this] { publish(); });
    connect(m_turns, &TurnManager::agentsChanged, this, [this] {
        publishEvent(QStringLiteral("agents"), agentsJson(TurnManager::Usage::Without));
    });
    connect(m_turns, &TurnManager::turnStateChanged, this,
            [this](const QString &id, const QString &session, TurnState state) {
                QJsonObject fields{{QStringLiteral("turn_id"), id},
                                   {QStringLiteral("session"), session},
                                   {QStringLiteral("state"), wireName(state)}};
                if (isFinal(state)) {
                    const std::optional<TurnInfo> t = m_turns->turn(id);
                    fields.insert(QStringLiteral("exit_code"),
                                  t && t->exitCode ? QJsonValue(*t->exitCode) : QJsonValue());
                }
                publishEvent(QStringLiteral("turn"), fields);
            });
}

DrainMarker Gateway::drainMarker() const
{
    return DrainMarker(m_config.paths.drainMarker(), m_config.epoch, m_config.drainMarkerTtlS);
}

// --- startup ---------------------------------------------------------------------------------

void Gateway::evaluateMarkerAtStart()
{
    reevaluateMarker();
    if (!isDraining())
        return;
    // A drain that outlived the last stop (or a respawn): say so wherever the state is read,
    // with the one command that ends it (docs/reference.md §4).
    m_leftover = Leftover{m_status.drain ? m_status.drain->principal : QString(),
                          drainMarker().requestedAt()};
    qCInfo(lcGateway).noquote()
        << QStringLiteral("drain marker from before this start (principal=%1 age_s=%2): "
                          "starting in draining; `sluicectl cancel-drain` ends it")
               .arg(m_leftover->principal)
               .arg(m_leftover->requestedAt.isValid()
                        ? QString::number(
                              m_leftover->requestedAt.secsTo(QDateTime::currentDateTimeUtc()))
                        : QStringLiteral("unknown"));
}

void Gateway::startServing()
{
    if (m_status.state == GatewayState::Starting) {
        m_status.state = GatewayState::Running;
        m_status.accepting = true;
    }
    m_serving = true;
    qCInfo(lcGateway).noquote() << QStringLiteral("serving; state %1, accepting %2")
                                       .arg(wireName(m_status.state),
                                            m_status.accepting ? QStringLiteral("true")
                                                               : QStringLiteral("false"));
    publish();
}

// --- status ----------------------------------------------------------------------------------

void Gateway::setState(GatewayState state)
{
    if (m_status.state == state)
        return;
    // A stop always wins: nothing moves a stopping/stopped service back.
    if (isStopping() && state != GatewayState::Stopped)
        return;
    qCInfo(lcGateway).noquote()
        << QStringLiteral("state %1 -> %2").arg(wireName(m_status.state), wireName(state));
    m_status.state = state;
}

void Gateway::publish()
{
    m_status.activeAgents = m_turns->runningCount();
    if (!m_serving)
        return;
    RuntimeStatus now = m_status;
    RuntimeStatus before = m_published;
    now.updatedAt.clear();
    before.updatedAt.clear();
    if (m_everPublished && now == before)
        return; // idempotent: nothing changed, no write, no event
    const bool stateDiff = !m_everPublished || now.state != before.state;
    const bool countDiff = !m_everPublished || now.activeAgents != before.activeAgents;
    // The status reply/event carries updated_at too (§2 fields); the writer stamps the file
    // with its own write time.
    m_status.updatedAt = isoUtcNow();
    m_published = m_status;
    m_everPublished = true;
    m_writer->schedule(m_status);
    if (stateDiff)
        Q_EMIT stateChanged(m_status.state);
    if (countDiff)
        Q_EMIT activeAgentsChanged(m_status.activeAgents);
    Q_EMIT eventPublished(QStringLiteral("status"), statusJson());
}

QJsonObject Gateway::statusJson() const
{
    QJsonObject o = m_status.toJson();
    o.insert(QStringLiteral("uptime_s"), double(m_uptime.elapsed()) / 1000.0);
    o.insert(QStringLiteral("drain_timeout_s"), m_config.drainTimeoutS);
    o.insert(QStringLiteral("interrupt_grace_s"), m_config.interruptGraceS);
    o.insert(QStringLiteral("supervisor"), m_supervisor);
    o.insert(QStringLiteral("queued_turns"), m_turns->queuedCount());
    o.insert(QStringLiteral("containment"), m_config.containment.value(QStringLiteral("mode")));
    o.insert(QStringLiteral("containment_detail"), m_config.containment);
    o.insert(QStringLiteral("warnings"), QJsonArray::fromStringList(m_config.warnings));
    o.insert(QStringLiteral("storage"), m_storage->toJson());
    if (m_leftover && m_status.drain) {
        QJsonObject drain = o.value(QStringLiteral("drain")).toObject();
        const QDateTime at = m_leftover->requestedAt;
        drain.insert(
            QStringLiteral("leftover"),
            QJsonObject{
                {QStringLiteral("principal"), m_leftover->principal},
                {QStringLiteral("requested_at"),
                 at.isValid() ? QJsonValue(toIsoUtc(at)) : QJsonValue()},
                {QStringLiteral("age_s"),
                 at.isValid()
                     ? QJsonValue(double(at.msecsTo(QDateTime::currentDateTimeUtc())) / 1000.0)
                     : QJsonValue()},
                {QStringLiteral("cancel"), QStringLiteral("sluicectl cancel-drain")}});
        o.insert(QStringLiteral("drain"), drain);
    }
    if (!m_predecessor.isEmpty())
        o.insert(QStringLiteral("predecessor"), m_predecessor);
    if (!m_restartFailure.isEmpty())
        o.insert(QStringLiteral("restart_failed"), m_restartFailure);
    return o;
}

QJsonObject Gateway::agentsJson(TurnManager::Usage usage) const
{
    // Both generations of a hand-off, each turn with the pid of the sluiced that runs it.
    QJsonArray all;
    const QJsonArray own = m_turns->agentsJson(usage);
    for (const QJsonValue &v : own) {
        QJsonObject a = v.toObject();
        a.insert(QStringLiteral("service_pid"), m_status.pid);
        a.insert(QStringLiteral("generation"), QStringLiteral("current"));
        all.append(a);
    }
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (const QJsonValue &v : m_predecessorAgents) {
        QJsonObject a = v.toObject();
        if (usage == TurnManager::Usage::Without)
            a.remove(QStringLiteral("usage"));
        // Reported every few seconds: the age is ours to keep current.
        const QDateTime started = QDateTime::fromString(
            a.value(QStringLiteral("started_at")).toString(), Qt::ISODateWithMs);
        if (started.isValid())
            a.insert(QStringLiteral("elapsed_s"), double(started.msecsTo(now)) / 1000.0);
        all.append(a);
    }
    return QJsonObject{{QStringLiteral("agents"), all}};
}

void Gateway::setPredecessor(const QJsonObject &predecessor, const QJsonArray &agents)
{
    const bool agentsChanged = agents != m_predecessorAgents;
    const bool changed = predecessor != m_predecessor;
    m_predecessor = predecessor;
    m_predecessorAgents = agents;
    if (!m_serving)
        return;
    if (agentsChanged)
        publishEvent(QStringLiteral("agents"), agentsJson(TurnManager::Usage::Without));
    if (changed)
        Q_EMIT eventPublished(QStringLiteral("status"), statusJson());
}

void Gateway::setRestartFailure(const QJsonObject &failure)
{
    if (failure == m_restartFailure)
        return;
    m_restartFailure = failure;
    if (m_serving)
        Q_EMIT eventPublished(QStringLiteral("status"), statusJson());
}

QJsonObject Gateway::metricsJson() const
{
    const QHash<TurnState, qint64> counts = m_turns->outcomeCounts();
    QJsonObject outcomes;
    for (TurnState s :
         {TurnState::Done, TurnState::Failed, TurnState::Interrupted, TurnState::Refused})
        outcomes.insert(wireName(s), counts.value(s));
    auto opt = [](const std::optional<double> &v) { return v ? QJsonValue(*v) : QJsonValue(); };
    std::optional<double> drainPeriod = m_lastDrainPeriodS;
    if (isDraining() && m_drainTimer.isValid())
        drainPeriod = double(m_drainTimer.elapsed()) / 1000.0;
    return QJsonObject{
        {QStringLiteral("state"), wireName(m_status.state)},
        {QStringLiteral("accepting"), m_status.accepting},
        {QStringLiteral("active_agents"), m_turns->runningCount()},
        {QStringLiteral("queued_turns"), m_turns->queuedCount()},
        {QStringLiteral("turns_by_outcome"), outcomes},
        {QStringLiteral("last_drain_duration_s"), opt(m_lastDrainS)},
        {QStringLiteral("last_stop_duration_s"), opt(m_lastStopS)},
        {QStringLiteral("drain_period_s"), opt(drainPeriod)},
        {QStringLiteral("uptime_s"), double(m_uptime.elapsed()) / 1000.0},
        {QStringLiteral("agents"),
         agentsJson(TurnManager::Usage::With).value(QStringLiteral("agents"))},
        {QStringLiteral("predecessor_turns"),
         m_predecessor.value(QStringLiteral("running")).toInt() +
             m_predecessor.value(QStringLiteral("queued")).toInt()},
    };
}

void Gateway::publishEvent(const QString &name, const QJsonObject &fields)
{
    Q_EMIT eventPublished(name, fields);
}

void Gateway::setSupervisorInfo(const QJsonObject &supervisor)
{
    m_supervisor = supervisor;
    // Not part of gateway_state.json, but subscribers see it in the next status event.
    if (m_serving)
        Q_EMIT eventPublished(QStringLiteral("status"), statusJson());
}

void Gateway::setHttpPort(int port)
{
    m_status.httpPort = port;
    publish();
}

void Gateway::recordStopDurations(std::optional<double> drainS, std::optional<double> totalS)
{
    if (drainS)
        m_lastDrainS = drainS;
    if (totalS)
        m_lastStopS = totalS;
}

// --- drain -----------------------------------------------------------------------------------

bool Gateway::enterDrain(const DrainInfo &info, bool writeMarker)
{
    if (isStopping()) {
        // A stop wins: nothing changes now. The marker still records the request (as
        // cancelDrain() still removes it), so the next life in this instantiation, e.g. the
        // one a restart starts, comes up draining instead of silently dropping the request.
        QString error;
        if (!writeMarker || drainMarker().evaluate().isActive())
            return false;
        if (drainMarker().write(info.principal, info.suppressNotification, &error)) {
            m_markerError.clear();
            qCInfo(lcGateway).noquote()
                << "drain requested while stopping: the marker keeps it for the "
                   "next start";
        } else {
            m_markerError = error;
            m_storage->reportFailure(QStringLiteral("the drain marker"), error);
            qCWarning(lcGateway).noquote() << "cannot write the drain marker:" << error;
        }
        return false;
    }
    const bool changed = !isDraining();
    if (changed) {
        // The gate closes first: from here on admit() refuses, before anything is written.
        setState(GatewayState::Draining);
        m_status.accepting = false;
        m_status.drain = info;
        m_drainTimer.start();
        qCInfo(lcGateway).noquote() << QStringLiteral("drain entered (source %1, principal %2)")
                                           .arg(info.source, info.principal);
    }
    if (writeMarker) {
        QString error;
        if (drainMarker().evaluate().isActive() && !changed) {
            // already draining with a marker in place: nothing to write
        } else if (!drainMarker().write(info.principal, info.suppressNotification, &error)) {
            qCWarning(lcGateway).noquote()
                << "cannot write the drain marker:" << error << "- the drain holds in memory only";
            m_drainWithoutMarker = true;
            m_markerError = error;
            m_storage->reportFailure(QStringLiteral("the drain marker"), error);
        } else {
            m_drainWithoutMarker = false;
            m_markerError.clear();
        }
    }
    if (changed)
        publish();
    return changed;
}

bool Gateway::cancelDrain(bool removeMarker)
{
    const bool wasDraining = isDraining();
    if (removeMarker && drainMarker().clear())
        qCInfo(lcGateway).noquote() << "drain marker removed";
    m_drainWithoutMarker = false;
    if (!wasDraining || isStopping())
        return wasDraining;
    m_leftover.reset();
    setState(GatewayState::Running);
    m_status.accepting = true;
    m_status.drain.reset();
    if (m_drainTimer.isValid())
        m_lastDrainPeriodS = double(m_drainTimer.elapsed()) / 1000.0;
    qCInfo(lcGateway).noquote() << "drain cancelled: running";
    publish();
    return true;
}

void Gateway::logStaleOnce(const DrainMarker::Decision &decision)
{
    const QString key = decision.reason + QLatin1Char('|') +
                        QString::fromLatin1(DrainMarker::verdictName(decision.verdict));
    if (key == m_lastStaleLogged)
        return;
    m_lastStaleLogged = key;
    qCWarning(lcGateway).noquote()
        << QStringLiteral("stale drain marker (%1): %2; ignored and removed")
               .arg(QLatin1String(DrainMarker::verdictName(decision.verdict)), decision.reason);
}

void Gateway::reevaluateMarker()
{
    const DrainMarker marker = drainMarker();
    DrainMarker::Decision d = marker.evaluate();
    // No file event marks a marker's TTL running out: wake up once, exactly then.
    if (d.isActive() && d.expiresAt.isValid()) {
        const qint64 ms = QDateTime::currentDateTimeUtc().msecsTo(d.expiresAt);
        m_markerExpiry->start(int(qBound(qint64(0), ms, qint64(std::numeric_limits<int>::max()))));
    } else {
        m_markerExpiry->stop();
    }
    if (d.isStale()) {
        logStaleOnce(d);
        marker.clear();
        d.verdict = DrainMarker::Verdict::Absent;
    }
    if (isStopping())
        return;
    if (d.isActive()) {
        if (!isDraining()) {
            DrainInfo info;
            info.since = isoUtcNow();
            info.source = QStringLiteral("marker");
            info.principal = d.content.value(QStringLiteral("principal")).toString();
            if (info.principal.isEmpty())
                info.principal = QStringLiteral("unknown");
            info.suppressNotification =
                d.content.value(QStringLiteral("suppress_notification")).toBool(false);
            if (d.corrupt)
                qCWarning(lcGateway).noquote()
                    << "drain marker is not readable JSON: draining anyway";
            enterDrain(info, false);
        }
    } else if (isDraining() && !m_drainWithoutMarker) {
        qCInfo(lcGateway).noquote() << "drain marker gone";
        cancelDrain(false);
    }
}

// --- the gate --------------------------------------------------------------------------------

Gateway::Admission Gateway::admit(bool internal) const
{
    if (isStopping())
        return Admission::Stopping;
    if (internal)
        return Admission::Accepted; // resumed turns pass a drain (§4)
    if (!m_storage->isAvailable())
        return Admission::StorageUnavailable;
    return m_status.accepting ? Admission::Accepted : Admission::Draining;
}

// --- stop ------------------------------------------------------------------------------------

bool Gateway::requestStop(const StopRequest &request)
{
    if (!m_stopRequest && request.cause == StopCause::Restart && !request.handedOff &&
        m_restartHandler && m_restartHandler(request))
        return true;
    if (m_stopRequest) {
        qCInfo(lcGateway).noquote()
            << QStringLiteral("stop requested again (%1 from %2): a stop is already running")
                   .arg(wireName(request.cause), request.source);
        return false;
    }
    m_stopRequest = request;
    m_stopTimer.start();
    if (isDraining() && m_drainTimer.isValid())
        m_lastDrainPeriodS = double(m_drainTimer.elapsed()) / 1000.0;
    qCInfo(lcGateway).noquote() << QStringLiteral("stop begins: cause %1, source %2")
                                       .arg(wireName(request.cause), request.source);
    // The gate closes now and for good; queued turns no longer start.
    setState(GatewayState::Stopping);
    m_status.accepting = false;
    if (!request.handedOff)
        m_turns->holdQueue(true);
    publish();
    Q_EMIT stopBegan(request.cause);
    QTimer::singleShot(0, this, [this] { Q_EMIT stopRequested(*m_stopRequest); });
    return true;
}

qint64 Gateway::msSinceStopBegan() const
{
    return m_stopTimer.isValid() ? m_stopTimer.elapsed() : -1;
}

void Gateway::markStopped(const StopOutcome &outcome)
{
    setState(GatewayState::Stopped);
    m_status.accepting = false;
    m_status.exitCode = outcome.exitCode;
    m_status.exitReason = outcome.exitReason;
    m_status.desiredState = outcome.desiredState;
    m_status.restartRequested = outcome.restartRequested;
    publish();
}

bool Gateway::flushStatus(QString *error)
{
    if (!m_serving)
        return true;
    m_writer->schedule(m_status);
    return m_writer->flush(error);
}

} // namespace sluice
