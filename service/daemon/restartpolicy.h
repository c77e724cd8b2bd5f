#pragma once
#include <QProcessEnvironment>

namespace sluice {

// How a restart ends (CONTRACT §3, §6): under a service manager the service exits 75 and the
// manager starts it again; without one it starts its own replacement and exits 0.
namespace RestartPolicy {

inline constexpr int ExitPlanned = 0;
inline constexpr int ExitUnexpectedSignal = 1;
inline constexpr int ExitRestartBySupervisor = 75;

// Supervised = --supervised, or systemd (INVOCATION_ID or NOTIFY_SOCKET set), or launchd
// (XPC_SERVICE_NAME set).
bool isSupervised(bool supervisedOption,
                  const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());

} // namespace RestartPolicy
} // namespace sluice
