#pragma once
#include "sluice/states.h"

#include <QJsonObject>
#include <QString>
#include <optional>

namespace sluice {

struct DrainInfo
{
    QString since; // ISO-8601 UTC
    QString principal;
    QString source; // "ipc", "http", "cli", "tray", "marker"
    bool suppressNotification = false;

    QJsonObject toJson() const;
    static DrainInfo fromJson(const QJsonObject &o);
    bool operator==(const DrainInfo &o) const;
};

// gateway_state.json as a value type (docs/reference.md §2). Written only by sluiced.
struct RuntimeStatus
{
    GatewayState state = GatewayState::Starting;
    DesiredState desiredState = DesiredState::Running;
    qint64 pid = -1;
    qint64 startTime = -1;
    QString epoch;
    bool accepting = false;
    int activeAgents = 0;
    std::optional<DrainInfo> drain; // null in JSON when absent
    QString exitReason;             // empty = null
    std::optional<int> exitCode;    // null while running
    bool restartRequested = false;
    QString socket;
    int httpPort = -1; // -1 = no HTTP
    QString version;
    QString updatedAt; // ISO-8601 UTC

    QJsonObject toJson() const;
    // Defensive: missing or mistyped keys keep their defaults.
    static RuntimeStatus fromJson(const QJsonObject &o);
    bool operator==(const RuntimeStatus &o) const;
    bool operator!=(const RuntimeStatus &o) const { return !(*this == o); }
};

} // namespace sluice
