#include "lifecycle/shutdownreport.h"

#include "lifecycle/lifecyclelogging.h"

#include "sluice/atomicjson.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>

namespace sluice {

namespace {
double round3(double v)
{
    return qRound64(v * 1000.0) / 1000.0;
}
} // namespace

ShutdownReport::ShutdownReport(const QString &path)
    : m_path(path)
{}

void ShutdownReport::start(const QString &cause)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_timer.start();
    m_cause = cause;
    m_startedAt = isoUtcNow();
    m_phases.clear();
}

double ShutdownReport::beginPhase(const QString &name)
{
    double at = 0;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        at = m_timer.isValid() ? m_timer.nsecsElapsed() / 1e9 : 0.0;
        if (!m_phases.isEmpty())
            m_phases.last().durationS = at - m_phases.last().atS;
        m_phases.append({name, at, -1});
    }
    qCInfo(lcLifecycle).noquote() << phaseLine(name, at);
    return at;
}

double ShutdownReport::elapsedS() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_timer.isValid() ? m_timer.nsecsElapsed() / 1e9 : 0.0;
}

QList<ShutdownReport::Phase> ShutdownReport::phases() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_phases;
}

void ShutdownReport::setSnapshot(const QJsonObject &snapshot)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_snapshot = snapshot;
}

void ShutdownReport::setInterrupted(bool interrupted)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_interrupted = interrupted;
}

void ShutdownReport::setExitCode(int exitCode)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_exitCode = exitCode;
}

void ShutdownReport::setWatchdog(const QJsonObject &watchdog)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_watchdog = watchdog;
}

QJsonObject ShutdownReport::toJson() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return toJsonLocked();
}

QJsonObject ShutdownReport::toJsonLocked() const
{
    const double total = m_timer.isValid() ? m_timer.nsecsElapsed() / 1e9 : 0.0;
    QJsonArray phases;
    for (qsizetype i = 0; i < m_phases.size(); ++i) {
        const Phase &p = m_phases.at(i);
        // The open (last) phase lasts until now.
        const double duration = p.durationS >= 0 ? p.durationS : total - p.atS;
        phases.append(QJsonObject{{QStringLiteral("name"), p.name},
                                  {QStringLiteral("at_s"), round3(p.atS)},
                                  {QStringLiteral("duration_s"), round3(duration)}});
    }
    QJsonObject o{{QStringLiteral("cause"), m_cause},
                  {QStringLiteral("exit_code"),
                   m_exitCode >= 0 ? QJsonValue(m_exitCode) : QJsonValue(QJsonValue::Null)},
                  {QStringLiteral("started_at"), m_startedAt},
                  {QStringLiteral("total_s"), round3(total)},
                  {QStringLiteral("interrupted"), m_interrupted},
                  {QStringLiteral("phases"), phases},
                  {QStringLiteral("snapshot"), m_snapshot}};
    if (!m_watchdog.isEmpty())
        o.insert(QStringLiteral("watchdog"), m_watchdog);
    return o;
}

bool ShutdownReport::write(QString *error) const
{
    QJsonObject o;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        o = toJsonLocked();
    }
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    QString err;
    if (!writeJsonAtomically(m_path, o, &err)) {
        qCWarning(lcLifecycle).noquote() << QStringLiteral("cannot write %1: %2").arg(m_path, err);
        if (error)
            *error = err;
        return false;
    }
    return true;
}

QString ShutdownReport::phaseLine(const QString &name, double atS)
{
    return QStringLiteral("Shutdown phase: %1 at +%2s").arg(name, QString::number(atS, 'f', 2));
}

} // namespace sluice
