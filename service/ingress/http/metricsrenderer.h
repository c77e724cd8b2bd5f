#pragma once
#include <QByteArray>
#include <QJsonObject>

namespace sluice {

// Renders the Prometheus text exposition format (version 0.0.4) for GET /metrics from the
// `status` reply and the service's internal `metrics` reply. Every family has # HELP and
// # TYPE lines; label values are escaped; numbers are plain decimals.
namespace MetricsRenderer {
QByteArray render(const QJsonObject &status, const QJsonObject &metrics);
QByteArray contentType(); // text/plain; version=0.0.4; charset=utf-8
} // namespace MetricsRenderer

} // namespace sluice
