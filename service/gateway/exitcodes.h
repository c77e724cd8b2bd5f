#pragma once

// The exit codes of sluiced (docs/reference.md §3), from <sysexits.h> where one fits. Every
// stop, startup failure and usage error ends with one of these and nothing else.
namespace sluice::ExitCode {
inline constexpr int Ok = 0;                   // planned stop; restart that started its successor
inline constexpr int Failure = 1;              // unexpected signal, startup failure, lock held
inline constexpr int Watchdog = 70;            // EX_SOFTWARE: the stop watchdog cut a stop short
inline constexpr int NotPersisted = 74;        // EX_IOERR: the final state (or a turn's result)
                                               // could not be written: the files are stale
inline constexpr int RestartBySupervisor = 75; // EX_TEMPFAIL: the service manager restarts us
inline constexpr int Usage = 78;               // EX_CONFIG: bad option or config; do not restart
} // namespace sluice::ExitCode
