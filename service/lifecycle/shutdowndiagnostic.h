#pragma once
#include <QString>
#include <QStringList>
#include <QtGlobal>

namespace sluice {

// The detached shutdown diagnostic of docs/reference.md §8.
//
// The service side, start(): launches `sluiced --diagnose --home HOME --signal N
// --target-pid PID` as a detached child (double fork by QProcess::startDetached; the child
// then calls setsid() itself, so it lives in its own session and survives the service) and
// returns at once — it never waits for the child or any tool.
//
// The child side, runDiagnoseMode(): sluiced's main() hands `--diagnose` to it before
// anything else. It enforces its own 5 s limit (alarm(); on expiry it kills its tools and
// itself) and appends to HOME/logs/gateway-shutdown-diag.log: a header with the signal name
// and the UTC time, the process table (ps, or a /proc walk), the service's process tree, the
// load average, recent kernel lines (dmesg) and journal lines (journalctl). Every step is
// skipped when its tool is missing; every tool has its own short timeout and runs in its own
// process group so a hung tool is killed with everything it started. No shell, no GNU timeout.
namespace ShutdownDiagnostic {

inline constexpr int LimitSeconds = 5;

// program: the sluiced binary (default: this executable). Returns false when the child could
// not be started (logged); *pid gets the child's pid when known.
bool start(const QString &home, int signalNum, qint64 targetPid, qint64 *pid = nullptr,
           const QString &program = QString());

// The arguments start() passes (exposed for tests and docs).
QStringList arguments(const QString &home, int signalNum, qint64 targetPid);

// True when argv asks for the diagnose mode (`--diagnose` as the first argument).
bool isRequested(int argc, char **argv);
// The whole diagnose mode; returns the process exit code (0, or 78 on a usage error).
int runDiagnoseMode(int argc, char **argv);

} // namespace ShutdownDiagnostic
} // namespace sluice
