#include "app/servicelogger.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QMutex>
#include <QMutexLocker>

#include <cstdio>

namespace sluice {
namespace ServiceLogger {

namespace {

struct State
{
    QMutex mutex;
    QFile file;
    QString path;
    qint64 maxBytes = 5 * 1024 * 1024;
    int keep = 3;
    int minLevel = 1; // 0 debug, 1 info, 2 warning, 3 error
    QtMessageHandler previous = nullptr;
    bool installed = false;
};

State &state()
{
    static State s;
    return s;
}

const char *typeName(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg:
        return "DEBUG";
    case QtInfoMsg:
        return "INFO ";
    case QtWarningMsg:
        return "WARN ";
    case QtCriticalMsg:
        return "ERROR";
    case QtFatalMsg:
        return "FATAL";
    }
    return "INFO ";
}

int parseLevel(const QString &level)
{
    if (level == QLatin1String("debug"))
        return 0;
    if (level == QLatin1String("warning") || level == QLatin1String("warn"))
        return 2;
    if (level == QLatin1String("error") || level == QLatin1String("critical"))
        return 3;
    return 1;
}

// Called with the mutex held: sluiced.log -> .1 -> .2 ... (the oldest falls off).
void rotate(State &s)
{
    s.file.close();
    if (s.keep <= 0) {
        QFile::remove(s.path);
    } else {
        QFile::remove(s.path + QLatin1Char('.') + QString::number(s.keep));
        for (int i = s.keep - 1; i >= 1; --i) {
            const QString from = s.path + QLatin1Char('.') + QString::number(i);
            if (QFile::exists(from))
                QFile::rename(from, s.path + QLatin1Char('.') + QString::number(i + 1));
        }
        QFile::rename(s.path, s.path + QStringLiteral(".1"));
    }
    s.file.setFileName(s.path);
    s.file.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Text);
    // A log written by an older version (or another umask) becomes private too.
    s.file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
}

void handler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    State &s = state();
    // Level filtering is done by the category rules (install()), so QT_LOGGING_RULES can
    // still turn on one module's debug output at any --log-level.
    const QByteArray line = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toUtf8() +
                            ' ' + typeName(type) + ' ' +
                            (context.category ? context.category : "default") + ": " +
                            message.toUtf8() + '\n';
    {
        QMutexLocker locker(&s.mutex);
        std::fwrite(line.constData(), 1, size_t(line.size()), stderr);
        std::fflush(stderr);
        if (s.file.isOpen()) {
            if (s.file.size() + line.size() > s.maxBytes)
                rotate(s);
            if (s.file.isOpen()) {
                s.file.write(line);
                s.file.flush();
            }
        }
    }
}

} // namespace

bool isValidLevel(const QString &level)
{
    static const QStringList levels = {QStringLiteral("debug"),   QStringLiteral("info"),
                                       QStringLiteral("warning"), QStringLiteral("warn"),
                                       QStringLiteral("error"),   QStringLiteral("critical")};
    return levels.contains(level);
}

void install(const QString &logFile, const QString &level, qint64 maxBytes, int keep)
{
    State &s = state();
    {
        QMutexLocker locker(&s.mutex);
        s.path = logFile;
        s.maxBytes = maxBytes;
        s.keep = keep;
        s.minLevel = parseLevel(level);
        if (!logFile.isEmpty()) {
            QDir().mkpath(QFileInfo(logFile).absolutePath());
            s.file.setFileName(logFile);
            if (!s.file.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Text))
                std::fprintf(stderr, "sluiced: cannot open log file %s\n", qPrintable(logFile));
        }
    }
    // Our categories: debug only when asked for; Qt's own stay at their defaults.
    // --log-level as category rules; QT_LOGGING_RULES (applied after these) still wins, e.g.
    // "sluice.turns.debug=true" turns on one module. Qt's own qt.* debug stays off.
    QStringList rules;
    if (s.minLevel == 0)
        rules << QStringLiteral("sluice.*.debug=true");
    if (s.minLevel >= 1)
        rules << QStringLiteral("*.debug=false");
    if (s.minLevel >= 2)
        rules << QStringLiteral("*.info=false");
    if (s.minLevel >= 3)
        rules << QStringLiteral("*.warning=false");
    QLoggingCategory::setFilterRules(rules.join(QLatin1Char('\n')));
    if (!s.installed) {
        s.previous = qInstallMessageHandler(handler);
        s.installed = true;
    }
}

void uninstall()
{
    State &s = state();
    if (s.installed) {
        qInstallMessageHandler(s.previous);
        s.installed = false;
    }
    QMutexLocker locker(&s.mutex);
    s.file.close();
}

} // namespace ServiceLogger
} // namespace sluice
