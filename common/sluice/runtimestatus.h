#pragma once
#include <QJsonObject>
#include <QString>
#include <optional>

namespace sluice {

// The states of CONTRACT §3.
namespace GatewayState {
inline constexpr char Starting[] = "starting";
inline constexpr char Running[] = "running";
inline constexpr char Draining[] = "draining";
inline constexpr char Stopping[] = "stopping";
inline constexpr char Stopped[] = "stopped";
inline constexpr char StartupFailed[] = "startup_failed";
} // namespace GatewayState

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

// gateway_state.json as a value type (CONTRACT §2). Written only by sluiced.
struct RuntimeStatus
{
    QString state = QString::fromLatin1(GatewayState::Starting);
    QString desiredState = QStringLiteral("running");
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
