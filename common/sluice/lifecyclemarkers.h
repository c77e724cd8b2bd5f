#pragma once
#include "sluice/atomicjson.h"

#include <QJsonObject>
#include <QString>
#include <optional>

namespace sluice {

// HOME/.restart_pending.json: {requested_at, via_service, force} (docs/reference.md §2, §6).
struct RestartPending
{
    QString requestedAt; // ISO-8601 UTC
    bool viaService = false;
    bool force = false;

    QJsonObject toJson() const;
    static RestartPending fromJson(const QJsonObject &o);

    static bool write(const QString &path, const RestartPending &r, QString *error = nullptr);
    // nullopt when absent; a present but corrupt file still reads as a (default) request, so a
    // half-written marker never loses the resume.
    static std::optional<RestartPending> read(const QString &path);
    static bool remove(const QString &path);
};

// HOME/.clean_shutdown: empty; present only when the last stop interrupted nothing.
namespace CleanShutdown {
bool mark(const QString &path, QString *error = nullptr);
bool isPresent(const QString &path);
bool clear(const QString &path); // true when it removed a file
} // namespace CleanShutdown

} // namespace sluice
