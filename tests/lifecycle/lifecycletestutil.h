#pragma once
// Small helpers shared by the lifecycle tests (header-only).
#include "servicefixture.h"

#include "sluice/atomicjson.h"
#include "sluice/paths.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QSignalSpy>
#include <QStringList>
#include <QTest>

#include <csignal>
#include <sys/types.h>

namespace sluice::test {

inline QString readText(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

inline QString serviceLog(const ServiceFixture &fx)
{
    return readText(HomePaths(fx.home()).serviceLog());
}

inline bool waitForLog(const ServiceFixture &fx, const QString &text, int timeoutMs = 20000)
{
    return ServiceFixture::waitFor([&] { return serviceLog(fx).contains(text); }, timeoutMs);
}

// Alive and not a zombie (Linux /proc).
inline bool pidAlive(qint64 pid)
{
    if (pid <= 0)
        return false;
    const QString stat = readText(QStringLiteral("/proc/%1/stat").arg(pid));
    if (stat.isEmpty())
        return false;
    const int close = stat.lastIndexOf(QLatin1Char(')'));
    return close < 0 || stat.mid(close + 2, 1) != QLatin1String("Z");
}

// Every pid written (one per line) into the files of `dir` whose names end with ".pid".
inline QList<qint64> recordedPids(const QString &dir)
{
    QList<qint64> pids;
    const QStringList files = QDir(dir).entryList({QStringLiteral("*.pid")}, QDir::Files);
    for (const QString &f : files) {
        const QStringList lines =
            readText(QDir(dir).filePath(f)).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        for (const QString &l : lines)
            pids << l.trimmed().toLongLong();
    }
    return pids;
}

inline void killPids(const QList<qint64> &pids)
{
    for (qint64 p : pids) {
        if (pidAlive(p))
            ::kill(pid_t(p), SIGKILL);
    }
}

inline QJsonObject lastShutdown(const ServiceFixture &fx)
{
    return readJsonFile(HomePaths(fx.home()).lastShutdown()).object;
}

inline QStringList phaseNames(const QJsonObject &report)
{
    QStringList names;
    const QJsonArray phases = report.value(QStringLiteral("phases")).toArray();
    for (const QJsonValue &p : phases)
        names << p.toObject().value(QStringLiteral("name")).toString();
    return names;
}

inline const QStringList &allPhases()
{
    static const QStringList names{QStringLiteral("begin"),       QStringLiteral("notify"),
                                   QStringLiteral("mark_resume"), QStringLiteral("drain"),
                                   QStringLiteral("interrupt"),   QStringLiteral("disconnect"),
                                   QStringLiteral("persist"),     QStringLiteral("exit")};
    return names;
}

// Sends a turn and waits until the agent reports it is running (the script touches a file).
inline QString sendTurn(ServiceFixture &fx, const QString &session,
                        const QString &text = QStringLiteral("hello"))
{
    const IpcReply r =
        fx.call(QStringLiteral("send"),
                QJsonObject{{QStringLiteral("session"), session}, {QStringLiteral("text"), text}});
    if (!r.ok) {
        qWarning("send failed: %s %s", qPrintable(r.errorCode), qPrintable(r.errorMessage));
        return {};
    }
    return r.body.value(QStringLiteral("turn_id")).toString();
}

} // namespace sluice::test
