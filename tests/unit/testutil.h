#pragma once
// Small helpers shared by the unit tests of common/.
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QStringList>

namespace testutil {

inline bool writeRaw(const QString &path, const QByteArray &data)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return f.write(data) == data.size();
}

inline bool setMtime(const QString &path, const QDateTime &t)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadWrite))
        return false;
    return f.setFileTime(t, QFileDevice::FileModificationTime);
}

// Any leftover "<name>.tmp.*" file of an atomic write.
inline QStringList tempLeftovers(const QString &dir)
{
    return QDir(dir).entryList({QStringLiteral("*.tmp.*")},
                               QDir::Files | QDir::Hidden | QDir::System);
}

} // namespace testutil
