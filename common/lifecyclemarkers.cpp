#include "sluice/lifecyclemarkers.h"

#include "sluice/logging.h"

#include <QFile>

namespace sluice {

QJsonObject RestartPending::toJson() const
{
    return QJsonObject{{QStringLiteral("requested_at"), requestedAt},
                       {QStringLiteral("via_service"), viaService},
                       {QStringLiteral("force"), force}};
}

RestartPending RestartPending::fromJson(const QJsonObject &o)
{
    RestartPending r;
    r.requestedAt = o.value(QLatin1String("requested_at")).toString();
    r.viaService = o.value(QLatin1String("via_service")).toBool(false);
    r.force = o.value(QLatin1String("force")).toBool(false);
    return r;
}

bool RestartPending::write(const QString &path, const RestartPending &r, QString *error)
{
    RestartPending stamped = r;
    if (stamped.requestedAt.isEmpty())
        stamped.requestedAt = isoUtcNow();
    return writeJsonAtomically(path, stamped.toJson(), error);
}

std::optional<RestartPending> RestartPending::read(const QString &path)
{
    const JsonFile f = readJsonFile(path);
    if (!f.exists())
        return std::nullopt;
    if (!f.isObject()) {
        qCWarning(lcMarkers).noquote()
            << QStringLiteral("restart marker %1 is corrupt (%2); treating it as a restart request")
                   .arg(path, f.error);
        return RestartPending{};
    }
    return fromJson(f.object);
}

bool RestartPending::remove(const QString &path)
{
    return QFile::remove(path);
}

namespace CleanShutdown {

bool mark(const QString &path, QString *error)
{
    return writeFileAtomically(path, QByteArray(), error);
}

bool isPresent(const QString &path)
{
    return QFile::exists(path);
}

bool clear(const QString &path)
{
    return QFile::remove(path);
}

} // namespace CleanShutdown

} // namespace sluice
