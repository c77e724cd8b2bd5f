#include "gateway/storagehealth.h"

#include "gateway/gatewaylogging.h"

#include "sluice/atomicjson.h"

#include <QTimer>

namespace sluice {

StorageHealth::StorageHealth(QObject *parent)
    : QObject(parent)
    , m_timer(new QTimer(this))
{
    // Runs only while HOME cannot be written: an idle healthy service has no timer.
    m_timer->setInterval(ProbeIntervalMs);
    connect(m_timer, &QTimer::timeout, this, &StorageHealth::probe);
}

void StorageHealth::reportFailure(const QString &what, const QString &error)
{
    if (!m_available)
        return;
    m_available = false;
    m_error = QStringLiteral("%1: %2").arg(what, error);
    m_since = QDateTime::currentDateTimeUtc();
    qCCritical(lcGateway).noquote()
        << "HOME cannot be written (" + m_error + "): refusing new turns until it can";
    m_timer->start();
    Q_EMIT availabilityChanged(false);
}

void StorageHealth::probe()
{
    QString error;
    if (m_probe && !m_probe(&error)) {
        if (!error.isEmpty())
            m_error = error;
        return;
    }
    m_available = true;
    m_timer->stop();
    qCInfo(lcGateway).noquote() << "HOME can be written again: accepting turns";
    m_error.clear();
    m_since = QDateTime();
    Q_EMIT availabilityChanged(true);
}

QJsonObject StorageHealth::toJson() const
{
    return QJsonObject{
        {QStringLiteral("available"), m_available},
        {QStringLiteral("error"), m_error.isEmpty() ? QJsonValue() : QJsonValue(m_error)},
        {QStringLiteral("since"),
         m_since.isValid() ? QJsonValue(toIsoUtc(m_since)) : QJsonValue()}};
}

} // namespace sluice
