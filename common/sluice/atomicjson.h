#pragma once
#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace sluice {

enum class FileMode { Default, OwnerOnly }; // OwnerOnly = 0600 on Unix

// Writes data to path atomically: temp file in the same folder, flush, fsync file,
// rename over path, fsync the folder. On failure (full disk, read-only folder) the old
// file is untouched, no temp file is left, and error says why.
bool writeFileAtomically(const QString &path, const QByteArray &data, QString *error = nullptr,
                         FileMode mode = FileMode::Default);
bool writeJsonAtomically(const QString &path, const QJsonObject &object, QString *error = nullptr,
                         FileMode mode = FileMode::Default);

// A defensive read that tells the cases apart and never throws or crashes.
struct JsonFile
{
    enum class Status {
        Absent,     // no such file
        Unreadable, // exists but cannot be opened or read
        NotJson,    // empty, truncated or not JSON at all
        NotObject,  // valid JSON but not an object
        Object      // `object` holds it
    };
    Status status = Status::Absent;
    QJsonObject object;
    QString error; // human-readable detail for the non-Object cases

    bool exists() const { return status != Status::Absent; }
    bool isObject() const { return status == Status::Object; }
};
JsonFile readJsonFile(const QString &path);

// ISO-8601 UTC with milliseconds, e.g. 2026-11-23T09:30:00.123Z
QString isoUtcNow();
QString toIsoUtc(const class QDateTime &t);

} // namespace sluice
