#pragma once
#include <QDateTime>
#include <QJsonObject>
#include <QObject>
#include <QString>
#include <functional>

class QTimer;

namespace sluice {

// Whether HOME can be written (state.db, gateway_state.json, markers). Every writer reports
// failures here; while HOME cannot be written the gateway takes no new turns
// (storage_unavailable, HTTP 507) and a probe retries every few seconds, so the service
// recovers by itself when space returns. The probe is the one place that knows what must be
// written again (pending turn results, the state file); it is set by the composition root.
class StorageHealth : public QObject
{
    Q_OBJECT
public:
    static constexpr int ProbeIntervalMs = 2000;

    explicit StorageHealth(QObject *parent = nullptr);

    // probe: try to write what is pending; true once everything is on disk again.
    void setProbe(std::function<bool(QString *error)> probe) { m_probe = std::move(probe); }

    void reportFailure(const QString &what, const QString &error);
    bool isAvailable() const { return m_available; }
    // {available, error, since}: for status, doctor, the tray and /metrics.
    QJsonObject toJson() const;

Q_SIGNALS:
    void availabilityChanged(bool available);

private:
    void probe();

    std::function<bool(QString *)> m_probe;
    QTimer *m_timer;
    bool m_available = true;
    QString m_error;
    QDateTime m_since;
};

} // namespace sluice
