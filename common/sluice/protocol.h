#pragma once
#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace sluice {

// Names of the local-socket protocol (docs/reference.md §10). Shared by the server and every
// client.
namespace Protocol {
inline constexpr int Version = 1;

namespace Cmd {
inline constexpr char Hello[] = "hello";
inline constexpr char Status[] = "status";
inline constexpr char Agents[] = "agents";
inline constexpr char Subscribe[] = "subscribe";
inline constexpr char Drain[] = "drain";
inline constexpr char CancelDrain[] = "cancel_drain";
inline constexpr char Stop[] = "stop";
inline constexpr char Restart[] = "restart";
inline constexpr char Send[] = "send";
inline constexpr char Turn[] = "turn";
inline constexpr char Interrupt[] = "interrupt";
inline constexpr char ShutdownReport[] = "shutdown_report";
inline constexpr char Turns[] = "turns";   // recent turns and the queue
inline constexpr char Follow[] = "follow"; // a turn's output as it comes
inline constexpr char Unfollow[] = "unfollow";
} // namespace Cmd
QStringList allCommands();

namespace Event {
inline constexpr char Status[] = "status";
inline constexpr char Agents[] = "agents";
inline constexpr char ShutdownPhase[] = "shutdown_phase";
inline constexpr char Turn[] = "turn";
// Not in the contract's table but sent to subscribers as §6 asks: "shutting down",
// "restarting" (notify phase) and "restart finished" (after a restart).
inline constexpr char Shutdown[] = "shutdown";
inline constexpr char RestartFinished[] = "restart_finished";
// To a connection that follows a turn (no subscribe needed): its output chunks.
inline constexpr char TurnOutput[] = "turn_output";
} // namespace Event

namespace Error {
inline constexpr char BadFrame[] = "bad_frame";
inline constexpr char BadRequest[] = "bad_request";
inline constexpr char UnknownCommand[] = "unknown_command";
inline constexpr char Draining[] = "draining";
inline constexpr char Stopping[] = "stopping";
inline constexpr char NotFound[] = "not_found";
inline constexpr char UnsupportedVersion[] = "unsupported_version";
// HOME cannot be written (full, read-only): nothing new is accepted until it can.
inline constexpr char StorageUnavailable[] = "storage_unavailable";
// Client-side only (never on the wire): no reply in time, connection lost.
inline constexpr char Timeout[] = "timeout";
inline constexpr char Disconnected[] = "disconnected";
} // namespace Error

QJsonObject request(qint64 id, const QString &cmd, const QJsonObject &args = {});
QJsonObject reply(qint64 id, const QJsonObject &fields = {});                   // ok:true
QJsonObject errorReply(qint64 id, const QString &code, const QString &message); // ok:false
QJsonObject event(const QString &name, const QJsonObject &fields = {});

// Session names: 1-128 chars of A-Za-z0-9._:@-
bool isValidSessionName(const QString &session);

} // namespace Protocol
} // namespace sluice
