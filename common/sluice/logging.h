#pragma once
#include <QLoggingCategory>

// One logging category per module, so QT_LOGGING_RULES="sluice.markers.debug=true" turns on one
// part.
Q_DECLARE_LOGGING_CATEGORY(lcPaths)     // sluice.paths
Q_DECLARE_LOGGING_CATEGORY(lcFiles)     // sluice.files
Q_DECLARE_LOGGING_CATEGORY(lcMarkers)   // sluice.markers
Q_DECLARE_LOGGING_CATEGORY(lcIpc)       // sluice.ipc
Q_DECLARE_LOGGING_CATEGORY(lcForensics) // sluice.forensics

#include <QString>

namespace sluice {
// "1 turn", "3 turns": log lines are plain sentences.
inline QString counted(qint64 n, const char *one, const char *many)
{
    return QStringLiteral("%1 %2").arg(n).arg(QLatin1String(n == 1 ? one : many));
}
} // namespace sluice
