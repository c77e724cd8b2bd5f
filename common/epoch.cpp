#include "sluice/epoch.h"

#include "sluice/processidentity.h"

#include <QFile>
#include <QMutex>
#include <QMutexLocker>

namespace sluice {

namespace {

QByteArray readSmallFile(const char *path)
{
    QFile f(QString::fromLatin1(path));
    if (!f.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        return {};
    return f.read(4096);
}

// Guards the override; the computed value itself is a thread-safe function-local static.
QMutex &overrideMutex()
{
    static QMutex m;
    return m;
}
bool g_overridden = false;
QString g_override;

} // namespace

InstantiationEpoch::Source InstantiationEpoch::systemSource()
{
    Source s;
    s.bootId = [] { return readSmallFile("/proc/sys/kernel/random/boot_id"); };
    s.pid1Stat = [] { return readSmallFile("/proc/1/stat"); };
    return s;
}

QString InstantiationEpoch::compute(const Source &source)
{
    const QByteArray bootId = source.bootId ? source.bootId().trimmed() : QByteArray();
    const qint64 pid1Start =
        source.pid1Stat ? ProcessIdentity::startTimeFromStat(source.pid1Stat()) : -1;
    // A new container keeps the host's boot_id but gets a new PID 1: both parts are needed.
    if (!bootId.isEmpty() && pid1Start >= 0)
        return QString::fromLatin1(bootId) + QLatin1Char(':') + QString::number(pid1Start);
    if (!bootId.isEmpty())
        return QString::fromLatin1(bootId);
    if (pid1Start >= 0)
        return QStringLiteral("pid1:") + QString::number(pid1Start);
    return {};
}

QString InstantiationEpoch::current()
{
    {
        QMutexLocker lock(&overrideMutex());
        if (g_overridden)
            return g_override;
    }
    static const QString computed = compute(systemSource());
    return computed;
}

void InstantiationEpoch::overrideCurrentForTesting(const QString &epoch)
{
    QMutexLocker lock(&overrideMutex());
    g_overridden = true;
    g_override = epoch;
}

} // namespace sluice
