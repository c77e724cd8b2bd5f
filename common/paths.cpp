#include "sluice/paths.h"

#include "sluice/logging.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

#ifdef Q_OS_UNIX
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace sluice {

namespace {

// Creates dir (and parents); a folder it creates gets mode 0700. An existing folder is narrowed
// to 0700 only when tightenExisting is set and it belongs to us (never someone's --home ~).
bool makePrivateDir(const QString &dir, bool tightenExisting, QString *error)
{
    const bool existed = QFileInfo::exists(dir);
    if (!QDir().mkpath(dir)) {
        if (error)
            *error = QStringLiteral("cannot create folder %1").arg(dir);
        return false;
    }
#ifdef Q_OS_UNIX
    if (existed && !tightenExisting)
        return true;
    const QByteArray native = QFile::encodeName(dir);
    struct stat st;
    if (::lstat(native.constData(), &st) != 0)
        return true; // mkpath succeeded; nothing more we can do
    if (S_ISLNK(st.st_mode) || st.st_uid != ::geteuid()) {
        // Someone else's folder (e.g. pre-created in /tmp): the socket would not be private.
        qCWarning(lcPaths).noquote()
            << dir << "is not a folder owned by this user; the socket in it may "
            << "be reachable by others";
        return true;
    }
    if ((st.st_mode & 0777) != 0700 && ::chmod(native.constData(), 0700) != 0)
        qCWarning(lcPaths).noquote() << "cannot restrict" << dir << "to mode 0700";
#else
    Q_UNUSED(existed);
    Q_UNUSED(tightenExisting);
#endif
    return true;
}

QString homeHash(const QString &home)
{
    return QString::fromLatin1(
        QCryptographicHash::hash(home.toUtf8(), QCryptographicHash::Sha1).toHex().left(12));
}

} // namespace

HomePaths::HomePaths(const QString &home)
    : m_home(QDir::cleanPath(QDir(home).absolutePath()))
{}

QString HomePaths::resolveHome(const QString &homeOption)
{
    if (!homeOption.isEmpty())
        return QDir::cleanPath(QDir(homeOption).absolutePath());
    const QString env = qEnvironmentVariable("SLUICE_HOME");
    if (!env.isEmpty())
        return QDir::cleanPath(QDir(env).absolutePath());
        // Not AppDataLocation: that depends on QCoreApplication's names, which differ per program.
#ifdef Q_OS_WIN
    QString base = qEnvironmentVariable("APPDATA"); // roaming, as documented
    if (base.isEmpty())
        base = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
#else
    QString base = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
#endif
    if (base.isEmpty())
        base = QDir::homePath() + QStringLiteral("/.local/share");
    return QDir::cleanPath(base + QStringLiteral("/sluice"));
}

bool HomePaths::ensureHome(QString *error) const
{
    if (m_home.isEmpty()) {
        if (error)
            *error = QStringLiteral("no home folder set");
        return false;
    }
    return makePrivateDir(m_home, false, error) && makePrivateDir(logsDir(), false, error);
}

QString HomePaths::file(const char *name) const
{
    return m_home + QLatin1Char('/') + QString::fromUtf8(name);
}

QString HomePaths::lockFile() const
{
    return file(FileNames::Lock);
}
QString HomePaths::stateFile() const
{
    return file(FileNames::State);
}
QString HomePaths::drainMarker() const
{
    return file(FileNames::DrainMarker);
}
QString HomePaths::plannedStopMarker() const
{
    return file(FileNames::PlannedStopMarker);
}
QString HomePaths::restartPending() const
{
    return file(FileNames::RestartPending);
}
QString HomePaths::cleanShutdown() const
{
    return file(FileNames::CleanShutdown);
}
QString HomePaths::stateDb() const
{
    return file(FileNames::StateDb);
}
QString HomePaths::controlToken() const
{
    return file(FileNames::ControlToken);
}
QString HomePaths::configFile() const
{
    return file(FileNames::Config);
}
QString HomePaths::logsDir() const
{
    return file(FileNames::LogsDir);
}
QString HomePaths::serviceLog() const
{
    return logsDir() + QLatin1Char('/') + QString::fromUtf8(FileNames::ServiceLog);
}
QString HomePaths::diagLog() const
{
    return logsDir() + QLatin1Char('/') + QString::fromUtf8(FileNames::DiagLog);
}
QString HomePaths::lastShutdown() const
{
    return logsDir() + QLatin1Char('/') + QString::fromUtf8(FileNames::LastShutdown);
}

QString HomePaths::defaultSocketPath() const
{
#ifdef Q_OS_WIN
    QString user = qEnvironmentVariable("USERNAME");
    if (user.isEmpty())
        user = QStringLiteral("user");
    return QStringLiteral("sluice-") + user + QLatin1Char('-') + homeHash(m_home);
#else
    // sockaddr_un.sun_path is 108 bytes on Linux, 104 on macOS: stay under 100.
    const QString runDir = file(FileNames::RunDir);
    const QString inHome = runDir + QStringLiteral("/sluiced.sock");
    QString dir = runDir;
    QString path = inHome;
    if (inHome.toUtf8().size() >= 100) {
        dir = QDir::tempPath() + QStringLiteral("/sluice-") + QString::number(::getuid());
        path = dir + QLatin1Char('/') + homeHash(m_home) + QStringLiteral(".sock");
    }
    QString error;
    if (!makePrivateDir(dir, true, &error))
        qCWarning(lcPaths).noquote() << error;
    return path;
#endif
}

} // namespace sluice
