#pragma once
#include <QString>
#include <QtGlobal>

namespace sluice {

// The process-wide Qt message handler of sluiced: every message goes to stderr and to
// HOME/logs/sluiced.log (size-capped, rotated to sluiced.log.1..N). Lines:
// "2026-11-23T09:30:00.123Z INFO  sluice.gateway: text".
namespace ServiceLogger {
// level: debug, info, warning, error. Also sets QLoggingCategory filter rules for sluice.*.
void install(const QString &logFile, const QString &level, qint64 maxBytes, int keep);
void uninstall();
bool isValidLevel(const QString &level);
} // namespace ServiceLogger

} // namespace sluice
