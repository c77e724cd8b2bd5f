#include "sluice/atomicjson.h"

#include "sluice/logging.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QRandomGenerator>

#include <cerrno>
#include <cstring>

#ifdef Q_OS_UNIX
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif
#ifdef Q_OS_WIN
#include <string>
#include <windows.h>
#endif

namespace sluice {

namespace {

void setError(QString *error, const QString &text)
{
    if (error)
        *error = text;
}

#ifdef Q_OS_UNIX
QString errnoText(int err)
{
    return QString::fromLocal8Bit(std::strerror(err));
}

// Writes all of data to fd, retrying on EINTR and short writes.
bool writeAll(int fd, const QByteArray &data, int *err)
{
    const char *p = data.constData();
    qsizetype left = data.size();
    while (left > 0) {
        const ssize_t n = ::write(fd, p, size_t(left));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            *err = errno;
            return false;
        }
        p += n;
        left -= n;
    }
    return true;
}

void fsyncFolder(const QString &dir)
{
    const int fd = ::open(QFile::encodeName(dir).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return; // not fatal: the rename already happened
    if (::fsync(fd) != 0)
        qCDebug(lcFiles).noquote() << "fsync of folder failed" << dir << errnoText(errno);
    ::close(fd);
}
#endif

} // namespace

bool writeFileAtomically(const QString &path, const QByteArray &data, QString *error, FileMode mode)
{
    const QFileInfo info(path);
    const QString dir = info.absolutePath();
    const QString tmp = info.absoluteFilePath() + QStringLiteral(".tmp.") +
                        QString::number(QCoreApplication::applicationPid()) + QLatin1Char('.') +
                        QString::number(QRandomGenerator::global()->generate(), 16);
#ifdef Q_OS_UNIX
    const QByteArray nativeTmp = QFile::encodeName(tmp);
    const QByteArray nativePath = QFile::encodeName(info.absoluteFilePath());
    const mode_t perm = mode == FileMode::OwnerOnly ? 0600 : 0644;
    const int fd = ::open(nativeTmp.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, perm);
    if (fd < 0) {
        setError(error, QStringLiteral("cannot create %1: %2").arg(tmp, errnoText(errno)));
        return false;
    }
    int err = 0;
    bool ok = writeAll(fd, data, &err);
    QString step = QStringLiteral("write");
    // open() applied the umask; fchmod makes the owner-only mode exact before the rename.
    if (ok && mode == FileMode::OwnerOnly && ::fchmod(fd, 0600) != 0) {
        err = errno;
        ok = false;
        step = QStringLiteral("chmod");
    }
    if (ok && ::fsync(fd) != 0) {
        err = errno;
        ok = false;
        step = QStringLiteral("fsync");
    }
    if (::close(fd) != 0 && ok) {
        err = errno;
        ok = false;
        step = QStringLiteral("close");
    }
    if (ok && ::rename(nativeTmp.constData(), nativePath.constData()) != 0) {
        err = errno;
        ok = false;
        step = QStringLiteral("rename");
    }
    if (!ok) {
        ::unlink(nativeTmp.constData());
        setError(error, QStringLiteral("%1 of %2 failed: %3").arg(step, path, errnoText(err)));
        return false;
    }
    fsyncFolder(dir);
    return true;
#elif defined(Q_OS_WIN)
    // Win32 directly: FlushFileBuffers is the fsync, MoveFileEx the atomic replace. Files in
    // %APPDATA% are private to the user already, so OwnerOnly adds no ACL here.
    Q_UNUSED(mode);
    Q_UNUSED(dir);
    const std::wstring wtmp = QDir::toNativeSeparators(tmp).toStdWString();
    const std::wstring wpath = QDir::toNativeSeparators(info.absoluteFilePath()).toStdWString();
    HANDLE h = ::CreateFileW(wtmp.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_NEW,
                             FILE_ATTRIBUTE_NORMAL, nullptr);
    if (h == INVALID_HANDLE_VALUE) {
        setError(error, QStringLiteral("cannot create %1: %2").arg(tmp, qt_error_string()));
        return false;
    }
    bool ok = true;
    QString step = QStringLiteral("write");
    const char *p = data.constData();
    qsizetype left = data.size();
    while (ok && left > 0) {
        DWORD written = 0;
        const DWORD chunk = DWORD(qMin<qsizetype>(left, 1 << 30));
        ok = ::WriteFile(h, p, chunk, &written, nullptr) && written > 0;
        p += written;
        left -= written;
    }
    if (ok && !::FlushFileBuffers(h)) {
        ok = false;
        step = QStringLiteral("flush");
    }
    QString why = ok ? QString() : qt_error_string();
    ::CloseHandle(h);
    if (ok && !::MoveFileExW(wtmp.c_str(), wpath.c_str(),
                             MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
        ok = false;
        step = QStringLiteral("rename");
        why = qt_error_string();
    }
    if (!ok) {
        ::DeleteFileW(wtmp.c_str());
        setError(error, QStringLiteral("%1 of %2 failed: %3").arg(step, path, why));
        return false;
    }
    return true;
#else
    // Other systems: the best Qt offers (no folder sync).
    Q_UNUSED(dir);
    QFile file(tmp);
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly)) {
        setError(error, QStringLiteral("cannot create %1: %2").arg(tmp, file.errorString()));
        return false;
    }
    bool ok = file.write(data) == data.size() && file.flush();
    const QString fileError = file.errorString();
    file.close();
    if (ok && mode == FileMode::OwnerOnly)
        QFile::setPermissions(tmp, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    if (ok) {
        QFile::remove(info.absoluteFilePath());
        ok = QFile::rename(tmp, info.absoluteFilePath());
    }
    if (!ok) {
        QFile::remove(tmp);
        setError(error, QStringLiteral("atomic write of %1 failed: %2").arg(path, fileError));
        return false;
    }
    return true;
#endif
}

bool writeJsonAtomically(const QString &path, const QJsonObject &object, QString *error,
                         FileMode mode)
{
    return writeFileAtomically(path, QJsonDocument(object).toJson(QJsonDocument::Indented), error,
                               mode);
}

JsonFile readJsonFile(const QString &path)
{
    JsonFile result;
    QFile file(path);
    if (!file.exists()) {
        result.status = JsonFile::Status::Absent;
        result.error = QStringLiteral("no such file");
        return result;
    }
    if (!file.open(QIODevice::ReadOnly)) {
        // It may have vanished between exists() and open().
        if (!file.exists()) {
            result.status = JsonFile::Status::Absent;
            result.error = QStringLiteral("no such file");
            return result;
        }
        result.status = JsonFile::Status::Unreadable;
        result.error = file.errorString();
        return result;
    }
    // Our files are small; refuse a huge foreign file rather than exhaust memory. (Not
    // read(MaxRead): that allocates the whole cap on every call.)
    constexpr qint64 MaxRead = 16 << 20;
    if (file.size() > MaxRead) {
        result.status = JsonFile::Status::Unreadable;
        result.error = QStringLiteral("file larger than %1 bytes").arg(MaxRead);
        return result;
    }
    const QByteArray data = file.readAll();
    if (file.error() != QFileDevice::NoError) {
        result.status = JsonFile::Status::Unreadable;
        result.error = file.errorString();
        return result;
    }
    if (data.trimmed().isEmpty()) {
        result.status = JsonFile::Status::NotJson;
        result.error = QStringLiteral("empty file");
        return result;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(data, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        // A top-level scalar is JSON but not an object; QJsonDocument rejects it as a parse error.
        QJsonParseError wrapped;
        const QJsonDocument d = QJsonDocument::fromJson('[' + data + ']', &wrapped);
        if (wrapped.error == QJsonParseError::NoError && d.array().size() == 1) {
            result.status = JsonFile::Status::NotObject;
            result.error = QStringLiteral("JSON is not an object");
            return result;
        }
        result.status = JsonFile::Status::NotJson;
        result.error = parseError.errorString() + QStringLiteral(" at offset ") +
                       QString::number(parseError.offset);
        return result;
    }
    if (!doc.isObject()) {
        result.status = JsonFile::Status::NotObject;
        result.error = QStringLiteral("JSON is not an object");
        return result;
    }
    result.status = JsonFile::Status::Object;
    result.object = doc.object();
    return result;
}

QString toIsoUtc(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODateWithMs); // UTC renders with a trailing 'Z'
}

QString isoUtcNow()
{
    return toIsoUtc(QDateTime::currentDateTimeUtc());
}

} // namespace sluice
